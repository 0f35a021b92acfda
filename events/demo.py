"""The demo events: Sóc Trăng's 2020 supply–demand conference as reported, and an upcoming one.

The 2020 figures are the article's: central agencies and 20+ provinces, 150+ businesses, the 8
large distributors, two discussion sessions, and 14 / 8 / 34 MoUs by kind. Who signed which
business MoU is illustrative. Idempotent.
"""

import datetime
import itertools
import zoneinfo

from django.utils import timezone

from accounts.models import Organisation, Province, User, Ward
from catalog.models import Product
from events.models import Event, MoU, MoUParty, Registration, Session, Speaker

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CONFERENCE_SLUG = "ket-noi-cung-cau-soc-trang-2020"
UPCOMING_SLUG = "ket-noi-cung-cau-ocop-can-tho-2027"

# (name, province code) — the distributors the article names.
DISTRIBUTORS = [
    ("Liên hiệp HTX Thương mại TP. Hồ Chí Minh (Saigon Co.op)", "79"),
    ("Tập đoàn Central Retail Việt Nam (Siêu thị Big C)", "79"),
    ("Công ty TNHH MM Mega Market Việt Nam", "79"),
    ("Công ty TNHH Bán lẻ BRG", "01"),
    ("Công ty CP Thương mại Bách Hóa Xanh", "79"),
    ("Công ty CP VinaGreenCo (VGC)", "79"),
    ("Công ty TNHH XNK Trái cây Chánh Thu", "86"),
    ("Siêu thị Tứ Sơn", "79"),
]
OTHER_PROVINCE_AGENCIES = 21
AGENCY_MOUS = 14
BUSINESS_MOUS = 34
ILLUSTRATIVE_BUSINESSES = 100

SESSIONS = [
    (
        (8, 30),
        (10, 45),
        "Phiên 1: Chính sách và giải pháp đẩy mạnh xúc tiến thương mại, mở rộng thị trường tiêu thụ sản phẩm OCOP, "
        "sản phẩm thế mạnh của các địa phương tại thị trường trong nước và xuất khẩu",
        "Võ Văn Chiêu, Giám đốc Sở Công Thương tỉnh Sóc Trăng",
        [
            ("Đại diện Cục Xúc tiến thương mại", "Bộ Công Thương"),
            ("Đại diện Sở Công Thương thành phố Hồ Chí Minh", "Sở Công Thương thành phố Hồ Chí Minh"),
        ],
    ),
    (
        (13, 30),
        (16, 0),
        "Phiên 2: Cơ hội và giải pháp kết nối, đưa sản phẩm OCOP, sản phẩm chủ lực vào các hệ thống phân phối, "
        "các điểm giới thiệu và bán sản phẩm",
        "Đại diện Sở Công Thương tỉnh Sóc Trăng",
        [
            ("Đại diện bộ phận mua hàng", "Liên hiệp HTX Thương mại TP. Hồ Chí Minh (Saigon Co.op)"),
            ("Đại diện bộ phận mua hàng", "Tập đoàn Central Retail Việt Nam (Siêu thị Big C)"),
            ("Đại diện bộ phận mua hàng", "Công ty TNHH MM Mega Market Việt Nam"),
        ],
    ),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VIETNAM)


def _first_ward(province_code: str) -> Ward:
    return Ward.objects.filter(province_id=province_code).order_by("name").first()


def _organisation(*, tax_code: str, kind: str, name: str, province_code: str) -> Organisation:
    ward = _first_ward(province_code)
    organisation, _ = Organisation.objects.get_or_create(
        tax_code=tax_code,
        defaults={
            "kind": kind,
            "name": name,
            "province_id": province_code,
            "ward": ward,
            "is_verified": True,
            "verified_at": timezone.now(),
        },
    )
    return organisation


def _conference(organiser: Organisation) -> Event:
    day = datetime.date(2020, 10, 27)
    event, _ = Event.objects.get_or_create(
        slug=CONFERENCE_SLUG,
        defaults={
            "name": "Hội nghị kết nối cung cầu, liên kết sản xuất, tiêu thụ sản phẩm OCOP và đặc sản vùng miền "
            "— tỉnh Sóc Trăng năm 2020",
            "kind": Event.Kind.CONFERENCE,
            "starts_at": _at(day, 7, 30),
            "ends_at": _at(day, 17, 0),
            "venue": "Trung tâm Hội nghị tỉnh Sóc Trăng",
            "address": "Phường Phú Lợi, Thành phố Cần Thơ (trước đây: Phường 2, thành phố Sóc Trăng)",
            "province_id": "92",
            "organiser": organiser,
            "description": "Hội nghị do Sở Công Thương tỉnh Sóc Trăng tổ chức, với sự tham dự của các cơ quan Trung "
            "ương, hơn 20 tỉnh, thành phố, các hiệp hội ngành hàng, hơn 150 doanh nghiệp, cơ sở sản xuất và các hệ "
            "thống phân phối lớn. Hai phiên thảo luận về xúc tiến thương mại và đưa sản phẩm OCOP vào hệ thống "
            "phân phối.",
            "capacity": 500,
            "registration_opens_at": _at(datetime.date(2020, 10, 1), 8),
            "registration_closes_at": _at(datetime.date(2020, 10, 25), 17),
            "status": Event.Status.CLOSED,
            "report_published": True,
        },
    )
    for start, end, title, moderator, speakers in SESSIONS:
        session, created = Session.objects.get_or_create(
            event=event,
            title=title,
            defaults={
                "starts_at": _at(day, *start),
                "ends_at": _at(day, *end),
                "room": "Hội trường chính",
                "moderator": moderator,
            },
        )
        if created:
            Speaker.objects.bulk_create(
                Speaker(session=session, name=name, organisation_name=organisation, position=index)
                for index, (name, organisation) in enumerate(speakers)
            )
    return event


def _upcoming(organiser: Organisation) -> Event:
    today = timezone.localdate()
    day = today + datetime.timedelta(days=60)
    event, _ = Event.objects.get_or_create(
        slug=UPCOMING_SLUG,
        defaults={
            "name": "Hội nghị kết nối cung cầu sản phẩm OCOP thành phố Cần Thơ",
            "kind": Event.Kind.CONFERENCE,
            "starts_at": _at(day, 8),
            "ends_at": _at(day, 17),
            "venue": "Trung tâm Hội chợ triển lãm Cần Thơ",
            "address": "Phường Cái Khế, Thành phố Cần Thơ",
            "province_id": "92",
            "organiser": organiser,
            "description": "Gặp gỡ giữa các chủ thể OCOP của thành phố và các hệ thống phân phối: trưng bày sản phẩm, "
            "gặp gỡ song phương theo lịch hẹn và ký kết biên bản ghi nhớ.",
            "capacity": 300,
            "registration_opens_at": _at(today - datetime.timedelta(days=10), 8),
            "registration_closes_at": _at(day - datetime.timedelta(days=3), 17),
            "status": Event.Status.PUBLISHED,
        },
    )
    if not event.sessions.exists():
        Session.objects.create(
            event=event,
            starts_at=_at(day, 8, 30),
            ends_at=_at(day, 11, 0),
            room="Hội trường A",
            title="Khai mạc và tọa đàm: đưa sản phẩm OCOP vào chuỗi bán lẻ hiện đại",
            moderator="Lãnh đạo Sở Công Thương thành phố Cần Thơ",
            topics="Tiêu chuẩn nhà cung cấp của chuỗi bán lẻ\nTruy xuất nguồn gốc và mã số mã vạch",
        )
        Session.objects.create(
            event=event,
            starts_at=_at(day, 13, 30),
            ends_at=_at(day, 17, 0),
            room="Khu gặp gỡ B2B",
            title="Gặp gỡ song phương giữa bên mua và chủ thể OCOP",
            moderator="Trung tâm Xúc tiến thương mại",
        )
    return event


def load() -> str:
    staff = User.objects.get(email="canbo@sct.example")
    organiser = _organisation(
        tax_code="2200100002", kind=Organisation.Kind.AGENCY, name="Sở Công Thương tỉnh Sóc Trăng", province_code="92"
    )
    distributors = [
        _organisation(tax_code=f"03099000{index:02d}", kind=Organisation.Kind.BUYER, name=name, province_code=code)
        for index, (name, code) in enumerate(DISTRIBUTORS)
    ]
    other_provinces = Province.objects.exclude(code="92").order_by("code")[:OTHER_PROVINCE_AGENCIES]
    agencies = [
        _organisation(
            tax_code=f"99000{index:05d}",
            kind=Organisation.Kind.AGENCY,
            name=f"Sở Công Thương {province.name[0].lower()}{province.name[1:]}",
            province_code=province.code,
        )
        for index, province in enumerate(other_provinces)
    ]
    local_producers = list(
        Organisation.objects.producers().filter(province_id="92", products__isnull=False).distinct().order_by("pk")
    )
    provinces = itertools.cycle(list(other_provinces))
    visiting = [
        _organisation(
            tax_code=f"98000{index:05d}",
            kind=Organisation.Kind.PRODUCER,
            name=f"Cơ sở đặc sản vùng miền số {index + 1} ({province.short_name})",
            province_code=province.code,
        )
        for index, province in zip(range(ILLUSTRATIVE_BUSINESSES), provinces, strict=False)
    ]

    conference = _conference(organiser)
    if not conference.registrations.exists():
        checked_in_at = _at(datetime.date(2020, 10, 27), 7, 45)
        registered_at = _at(datetime.date(2020, 10, 12), 9)

        def registration(organisation, participation, *, people=2, booth="", present=True):
            # Everyone registered by the organisers in October 2020, confirmed, listed publicly.
            return Registration(
                event=conference,
                organisation=organisation,
                participation=participation,
                people_count=people,
                booth=booth,
                show_publicly=True,
                status=Registration.Status.CONFIRMED,
                registered_by=staff,
                on_behalf=True,
                created_at=registered_at,
                updated_at=registered_at,
                checked_in_at=checked_in_at if present else None,
                checked_in_by=staff if present else None,
            )

        local = set(local_producers)
        registrations = [
            registration(
                organisation,
                Registration.Participation.EXHIBITOR if organisation in local else Registration.Participation.ATTENDEE,
                people=1 + index % 2,
                booth=f"B{index + 1:03d}" if organisation in local else "",
                present=bool(index % 10),
            )
            for index, organisation in enumerate(local_producers + visiting)
        ]
        registrations += [registration(org, Registration.Participation.BUYER) for org in distributors]
        registrations += [registration(org, Registration.Participation.ATTENDEE) for org in agencies]
        Registration.objects.bulk_create(registrations)
        exhibited = {
            registration.organisation_id: registration
            for registration in conference.registrations.filter(participation=Registration.Participation.EXHIBITOR)
        }
        through = Registration.products.through
        through.objects.bulk_create(
            through(registration_id=exhibited[product.producer_id].pk, product_id=product.pk)
            for product in Product.objects.filter(producer_id__in=exhibited)
        )

    if not conference.mous.exists():
        signed_on = datetime.date(2020, 10, 27)

        def mou(kind, title, parties, **fields):
            created = MoU.objects.create(
                kind=kind, title=title, signed_on=signed_on, event=conference, created_by=staff, **fields
            )
            MoUParty.objects.bulk_create(MoUParty(mou=created, organisation=party) for party in parties)
            return created

        for agency in agencies[:AGENCY_MOUS]:
            mou(
                MoU.Kind.AGENCY_AGENCY,
                f"Hợp tác xúc tiến thương mại giữa Sở Công Thương tỉnh Sóc Trăng và {agency.name}",
                [organiser, agency],
                scope="Trao đổi thông tin thị trường, hỗ trợ đưa sản phẩm OCOP của hai địa phương vào hệ thống phân phối.",
            )
        for distributor in distributors:
            mou(
                MoU.Kind.AGENCY_RETAILER,
                f"Hợp tác đưa sản phẩm OCOP tỉnh Sóc Trăng vào hệ thống của {distributor.name}",
                [organiser, distributor],
                scope="Giới thiệu nhà cung cấp, hỗ trợ đánh giá và đưa sản phẩm lên kệ.",
                status=MoU.Status.IN_PROGRESS,
            )
        pairs = zip(itertools.cycle(local_producers), itertools.cycle(distributors), strict=False)
        for index, (producer, distributor) in zip(range(BUSINESS_MOUS), pairs, strict=False):
            statuses = [MoU.Status.SIGNED, MoU.Status.IN_PROGRESS, MoU.Status.FIRST_ORDER, MoU.Status.LISTED]
            mou(
                MoU.Kind.BUSINESS,
                f"Biên bản ghi nhớ cung ứng sản phẩm: {producer.name} – {distributor.name}",
                [producer, distributor],
                value=(index % 5 + 1) * 50_000_000,
                status=statuses[index % len(statuses)],
            )

    _upcoming(Organisation.objects.get(tax_code="2200100001"))
    counts = {kind: conference.mous.filter(kind=kind).count() for kind in MoU.Kind.values}
    return (
        f"{Event.objects.count()} events; 2020 conference: {conference.registrations.count()} registrations, "
        f"MoUs {counts['agency_agency']} agency–agency / {counts['agency_retailer']} agency–retailer / "
        f"{counts['business']} business"
    )
