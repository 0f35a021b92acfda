"""Demo matchmaking: the 8 distributors' buyer profiles and sourcing requests, the 2020 conference's meetings.

The meetings of 27/10/2020 are illustrative: slots 13:30–17:00 by 20 minutes at 20 tables, accepted
requests between the distributors and the Sóc Trăng producers exhibiting there (every business MoU
signed that day came out of one), placed by the scheduler, with the outcomes both sides reported.
A few online meetings are arranged ahead of the upcoming event. Idempotent: a second run adds nothing.
"""

import datetime
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from accounts.demo import user_get_or_create
from accounts.models import Organisation, User
from accounts.roles import Actor
from catalog.classification import CURRENT_RULE_SET
from catalog.models import Product, ProductSubGroup
from events.demo import CONFERENCE_SLUG, DISTRIBUTORS, UPCOMING_SLUG
from events.models import Event, MoU, Registration
from matchmaking.models import (
    BuyerProfile,
    EventMeeting,
    MeetingOutcome,
    MeetingRequest,
    MeetingSlot,
    SlotUnavailability,
    SourcingRequest,
)
from matchmaking.selectors.event_meetings import meeting_board
from matchmaking.services import event_meetings

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CONFERENCE_DAY = datetime.date(2020, 10, 27)
KIND = BuyerProfile.Kind
REQ = BuyerProfile.Requirement

# Per distributor, in the order of events.demo.DISTRIBUTORS (tax code 03099000NN):
# (kind, sub-group codes, min stars, standards, provinces served, typical volume, listing requirements, checklist,
#  purchasing contact)
PROFILES = [
    (
        KIND.SUPERMARKET_CHAIN,
        ["1.2.1", "1.3.2", "1.3.3", "1.3.4", "1.4.1", "1.5.2"],
        3,
        ["haccp"],
        ["79", "92", "96", "86"],
        "0,5–2 tấn/tháng mỗi mặt hàng cho hơn 100 siêu thị Co.opmart, Co.opXtra",
        "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm; mã số mã vạch GS1; hạn sử dụng tối thiểu 6 tháng "
        "khi giao; bảng giá có chiết khấu cho chương trình khuyến mãi.",
        [REQ.OCOP_CERTIFICATE, REQ.STANDARDS, REQ.BARCODE, REQ.SHELF_LIFE, REQ.BUSINESS_REGISTRATION],
        "Lê Thị Thu Hà",
    ),
    (
        KIND.SUPERMARKET_CHAIN,
        ["1.1.1", "1.2.1", "1.2.2", "1.3.2", "1.5.2"],
        3,
        ["haccp"],
        ["79", "01", "92"],
        "1–5 tấn/tháng cho hệ thống GO!, Big C, Tops Market",
        "Hồ sơ nhà cung cấp theo mẫu của Central Retail; kiểm tra nhà xưởng trước khi lên kệ; giao hàng về "
        "kho trung tâm tại TP. Hồ Chí Minh.",
        [REQ.OCOP_CERTIFICATE, REQ.STANDARDS, REQ.BARCODE, REQ.CAPACITY, REQ.PHOTOS],
        "Nguyễn Minh Tuấn",
    ),
    (
        KIND.SUPERMARKET_CHAIN,
        ["1.1.1", "1.1.2", "1.3.4", "1.4.1"],
        4,
        ["haccp", "iso22000"],
        ["79", "01", "92", "86"],
        "2–10 tấn/tháng, giao theo lịch tuần về trung tâm phân phối",
        "Ưu tiên sản phẩm OCOP 4 sao trở lên có HACCP hoặc ISO 22000; truy xuất nguồn gốc đến vùng nguyên liệu.",
        [REQ.OCOP_CERTIFICATE, REQ.STANDARDS, REQ.BARCODE, REQ.CAPACITY, REQ.PRICE_LIST],
        "Trần Quốc Bảo",
    ),
    (
        KIND.SUPERMARKET_CHAIN,
        ["1.2.1", "1.3.2", "1.5.2"],
        3,
        [],
        ["01"],
        "300–800 kg/tháng cho chuỗi Hapro Mart, BRG Mart tại Hà Nội",
        "Nhãn hàng hóa đầy đủ theo Nghị định 43/2017/NĐ-CP; vận chuyển ra Hà Nội do nhà cung cấp đảm nhận.",
        [REQ.OCOP_CERTIFICATE, REQ.BARCODE, REQ.SHELF_LIFE],
        "Phạm Thu Trang",
    ),
    (
        KIND.CONVENIENCE_CHAIN,
        ["1.1.1", "1.3.3", "1.4.1", "1.4.2"],
        3,
        [],
        ["79", "92", "96", "86"],
        "Hàng nghìn đơn vị/tháng chia cho khoảng 1.700 cửa hàng",
        "Đóng gói nhỏ (dưới 500 g); giá bán lẻ cạnh tranh; giao hàng 2 lần/tuần về kho vùng.",
        [REQ.OCOP_CERTIFICATE, REQ.BARCODE, REQ.PRICE_LIST, REQ.CAPACITY],
        "Võ Hoàng Nam",
    ),
    (
        KIND.DISTRIBUTOR,
        ["1.2.2", "1.3.4", "1.5.2", "3.1.1"],
        3,
        ["haccp"],
        ["79", "92"],
        "200–500 kg/tháng mỗi mặt hàng cho kênh quà tặng doanh nghiệp",
        "Bao bì quà tặng; hợp đồng phân phối độc quyền theo khu vực khi đủ sản lượng.",
        [REQ.OCOP_CERTIFICATE, REQ.STANDARDS, REQ.PHOTOS],
        "Đặng Thị Mỹ Linh",
    ),
    (
        KIND.EXPORTER,
        ["1.1.1", "1.3.3"],
        4,
        ["globalgap", "haccp"],
        ["86", "92"],
        "5–20 tấn/tháng cho thị trường Hàn Quốc, Nhật Bản",
        "Vùng trồng có mã số; chứng nhận GlobalG.A.P.; kiểm dư lượng thuốc bảo vệ thực vật theo lô.",
        [REQ.OCOP_CERTIFICATE, REQ.STANDARDS, REQ.CAPACITY, REQ.BUSINESS_REGISTRATION],
        "Huỳnh Văn Thành",
    ),
    (
        KIND.SUPERMARKET_CHAIN,
        ["1.3.2", "1.3.3", "1.3.4"],
        3,
        [],
        ["79"],
        "100–300 kg/tháng",
        "Sản phẩm đặc sản có câu chuyện vùng miền; trưng bày tại quầy đặc sản.",
        [REQ.OCOP_CERTIFICATE, REQ.PHOTOS],
        "Bùi Thị Ngọc Ánh",
    ),
]

# (distributor index, title, sub-group, keywords, quantity, unit, min stars, standards, delivery province,
#  target price, months, deadline in days from today, status)
OPEN, CLOSED, FILLED = SourcingRequest.Status.OPEN, SourcingRequest.Status.CLOSED, SourcingRequest.Status.FILLED
SOURCING = [
    (0, "Tìm nhà cung cấp bánh pía cho hệ thống siêu thị dịp Tết", "1.3.2", "bánh pía, sầu riêng, đậu xanh, trứng muối",
     "5000", "hộp", 3, ["haccp"], "79", 65_000, [12, 1, 2], 21, OPEN),
    (1, "Gạo ST24, ST25 đóng túi 5 kg cho siêu thị GO! và Big C", "1.2.1", "gạo ST24, gạo ST25, gạo thơm",
     "20", "tấn", 4, ["vietgap"], "79", 30_000_000, [], 28, OPEN),
    (2, "Hành tím Vĩnh Châu tươi, phân loại cho mùa Tết", "1.1.1", "hành tím, Vĩnh Châu",
     "15000", "kg", 3, ["vietgap"], "79", 40_000, [12, 1, 2], 14, OPEN),
    (3, "Trà mãng cầu túi lọc cho chuỗi siêu thị tại Hà Nội", "1.5.2", "trà mãng cầu, túi lọc",
     "3000", "hộp", 3, [], "01", 55_000, [], 30, OPEN),
    (4, "Nước mắm, mắm cá đặc sản miền Tây cho 1.700 cửa hàng", "1.4.1", "nước mắm, mắm cá lóc",
     "8000", "chai", 3, ["haccp"], "79", 38_000, [], 18, OPEN),
    (5, "Lạp xưởng, khô trâu làm quà tặng doanh nghiệp", "1.3.4", "lạp xưởng, khô trâu, quà tặng",
     "2000", "kg", 3, ["haccp"], "79", 220_000, [11, 12, 1], 25, OPEN),
    (6, "Mận đường, mứt mận xuất khẩu sang Hàn Quốc", "1.3.3", "mận, mứt mận, xuất khẩu",
     "1000", "kg", 4, ["haccp"], "86", 90_000, [3, 4, 5, 6], 35, OPEN),
    (7, "Bánh pía, bánh in làm quà biếu dịp Trung thu", "1.3.2", "bánh pía, bánh in, Trung thu",
     "1500", "hộp", 3, [], "79", 60_000, [8, 9], -20, CLOSED),
    (0, "Yến sào, sữa tươi cho quầy đặc sản vùng miền", "1.1.2", "yến sào, sữa tươi",
     "500", "hộp", 4, ["haccp"], "79", 450_000, [], -10, FILLED),
    (1, "Mật ong hoa tràm, mật hoa dừa đóng chai", "1.2.2", "mật ong, mật hoa dừa",
     "1200", "chai", 3, ["organic"], "79", 120_000, [], 40, OPEN),
    (2, "Khô cá lóc, khô cá sặc một nắng cho mùa Tết", "1.3.4", "khô cá lóc, khô cá sặc",
     "800", "kg", 3, [], "79", 250_000, [12, 1], 10, OPEN),
    (4, "Kẹo dừa, chuối sấy dẻo cho kệ ăn vặt", "1.3.3", "kẹo dừa, chuối sấy",
     "3000", "gói", 3, [], "79", 25_000, [], -5, CLOSED),
]  # fmt: skip

# Meetings at the 2020 conference: extra pairs per distributor beyond the MoU pairs, the pairs asked both
# ways, and the slots some participants could not attend.
EXTRA_PAIRS = [3, 3, 2, 2, 3, 2, 4, 1]
MUTUAL_MOU_PAIRS = 6
DECLINED, CANCELLED, UNANSWERED = 8, 3, 3
SLOT_PLAN = event_meetings.SlotPlan(
    day=CONFERENCE_DAY, starts=datetime.time(13, 30), ends=datetime.time(17, 0), length_minutes=20, table_count=20
)
# Chánh Thu's team left for the airport at 15:50; Tứ Sơn arrived late.
LEAVES_EARLY = (6, datetime.time(15, 50))
ARRIVES_LATE = (7, datetime.time(14, 10))

MESSAGES_FROM_BUYER = [
    "Chúng tôi đang tìm nguồn hàng {product} ổn định cho hệ thống, mong được gặp anh chị tại hội nghị.",
    "Bộ phận mua hàng muốn trao đổi về giá, bao bì và sản lượng {product} để đưa lên kệ.",
    "Xin hẹn gặp để tìm hiểu quy trình sản xuất và hồ sơ chất lượng của {product}.",
]
MESSAGES_FROM_PRODUCER = [
    "Cơ sở chúng tôi mong được giới thiệu {product} và tìm hiểu tiêu chuẩn nhà cung cấp của quý công ty.",
    "Chúng tôi có sẵn hàng mẫu {product} và muốn trao đổi về việc đưa sản phẩm vào hệ thống.",
]
DECLINE_REASONS = [
    "Ngành hàng này chúng tôi đã đủ nhà cung cấp trong năm nay.",
    "Sản lượng của cơ sở chưa đáp ứng được nhu cầu của hệ thống.",
    "Lịch làm việc tại hội nghị đã kín.",
]
NOTES = {
    MeetingOutcome.Result.NO_INTEREST: "Sản phẩm chưa phù hợp với định hướng ngành hàng.",
    MeetingOutcome.Result.USEFUL_NO_DEAL: "Trao đổi hữu ích; cơ sở cần hoàn thiện mã vạch và hồ sơ trước khi chào hàng.",
    MeetingOutcome.Result.COOPERATION_LIKELY: "Hai bên thống nhất gửi hàng mẫu và báo giá trong tháng 11.",
    MeetingOutcome.Result.DID_NOT_HAPPEN: "Đại diện một bên không đến bàn gặp.",
}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=VIETNAM)


def _distributors() -> list[Organisation]:
    tax_codes = [f"03099000{index:02d}" for index in range(len(DISTRIBUTORS))]
    found = {
        organisation.tax_code: organisation for organisation in Organisation.objects.filter(tax_code__in=tax_codes)
    }
    return [found[tax_code] for tax_code in tax_codes]


def _buyer_users(distributors: list[Organisation]) -> list[User]:
    """A purchasing officer per distributor, who posts its sourcing requests (the demo password)."""
    return [
        user_get_or_create(email=f"muahang{index + 1}@demo.example", full_name=spec[-1], organisation=distributor)
        for index, (distributor, spec) in enumerate(zip(distributors, PROFILES, strict=True))
    ]


def _profiles(distributors: list[Organisation], subgroups: dict[str, ProductSubGroup]) -> None:
    for distributor, spec in zip(distributors, PROFILES, strict=True):
        kind, codes, min_stars, standards, provinces, volume, requirements, checklist, _contact = spec
        profile, created = BuyerProfile.objects.get_or_create(
            organisation=distributor,
            defaults={
                "kind": kind,
                "min_stars": min_stars,
                "standards_required": standards,
                "typical_volume": volume,
                "listing_requirements": requirements,
                "checklist": [str(item) for item in checklist],
            },
        )
        if created:
            profile.subgroups.set([subgroups[code] for code in codes])
            profile.provinces_served.set(provinces)


def _sourcing(distributors, users, subgroups) -> None:
    today = timezone.localdate()
    for index, spec in enumerate(SOURCING):
        buyer_index, title, code, keywords, quantity, unit, stars, standards, province, price, months, days, status = (
            spec
        )
        SourcingRequest.objects.get_or_create(
            buyer=distributors[buyer_index],
            title=title,
            defaults={
                "subgroup": subgroups[code],
                "keywords": keywords,
                "description": f"{PROFILES[buyer_index][5]}. Giao hàng về {'kho Hà Nội' if province == '01' else 'kho trung tâm'}"
                " theo lịch hằng tuần; thanh toán 30 ngày sau khi nhận hàng.",
                "quantity_per_month": Decimal(quantity),
                "unit": unit,
                "min_stars": stars,
                "standards_required": standards,
                "delivery_province_id": province,
                "target_price": price,
                "months_needed": months,
                "deadline": today + datetime.timedelta(days=days),
                "status": status,
                "created_by": users[buyer_index],
                "created_at": timezone.now() - datetime.timedelta(days=max(3, 30 - days) + index),
            },
        )


def _conference_meetings(conference: Event, distributors: list[Organisation], staff: User) -> None:
    """The 2020 conference's meeting requests, the slots two distributors cannot attend, the run and the outcomes."""
    actor = Actor(user=staff, organisation=conference.organiser, on_behalf=False)
    if not MeetingSlot.objects.filter(event=conference).exists():
        event_meetings.meeting_slots_generate(actor=actor, event=conference, plan=SLOT_PLAN)
    if MeetingRequest.objects.filter(event=conference).exists():
        return
    producers = list(
        Organisation.objects.filter(
            registrations__event=conference, registrations__participation=Registration.Participation.EXHIBITOR
        ).order_by("pk")
    )
    mous = _business_mous(conference)
    pairs = _conference_pairs(mous, distributors, producers)
    requests = _conference_requests(conference, pairs, producers, distributors, staff)
    MeetingRequest.objects.bulk_create(meeting for meeting, _products in requests)
    through = MeetingRequest.products.through
    through.objects.bulk_create(
        through(meetingrequest_id=meeting.pk, product_id=product.pk)
        for meeting, product_list in requests
        for product in product_list
    )
    _conference_unavailability(conference, distributors)
    event_meetings.meetings_schedule(actor=actor, event=conference)
    _outcomes(conference, mous, staff)


def _business_mous(conference: Event) -> dict[frozenset[int], MoU]:
    """The business MoUs signed at the conference, by their two parties."""
    mous = {}
    for mou in MoU.objects.filter(event=conference, kind=MoU.Kind.BUSINESS).prefetch_related("parties").order_by("pk"):
        parties = {party.pk for party in mou.parties.all()}
        mous[frozenset(parties)] = mou
    return mous


def _conference_pairs(
    mous: dict[frozenset[int], MoU], distributors: list[Organisation], producers: list[Organisation]
) -> list[tuple[int, int]]:
    """(buyer, producer) pairs that met: every business MoU signed that day came out of a meeting; then others."""
    buyer_ids = {distributor.pk for distributor in distributors}
    pairs = []
    for parties in mous:
        buyer = next(party for party in parties if party in buyer_ids)
        producer = next(party for party in parties if party not in buyer_ids)
        pairs.append((buyer, producer))
    pairs.sort(key=lambda pair: mous[frozenset(pair)].pk)
    taken = set(pairs)
    cursor = len(pairs)
    for index, (distributor, extra) in enumerate(zip(distributors, EXTRA_PAIRS, strict=True)):
        added = 0
        while added < extra:
            producer = producers[(cursor * 7 + index) % len(producers)]
            cursor += 1
            if (distributor.pk, producer.pk) not in taken:
                taken.add((distributor.pk, producer.pk))
                pairs.append((distributor.pk, producer.pk))
                added += 1
    return pairs


def _conference_requests(
    conference: Event,
    pairs: list[tuple[int, int]],
    producers: list[Organisation],
    distributors: list[Organisation],
    staff: User,
) -> list[tuple[MeetingRequest, list[Product]]]:
    """The requests, unsaved, with their products: accepted for the pairs that met (some asked both ways),
    then declined, cancelled and unanswered ones with other producers."""
    products: dict[int, list[Product]] = {}
    for product in Product.objects.filter(producer__in=producers, status=Product.Status.PUBLISHED).order_by("pk"):
        products.setdefault(product.producer_id, []).append(product)
    requests = []
    sent = _at(datetime.date(2020, 10, 12), 9)

    def request(number, buyer_id, producer_id, *, by_producer, status, reason=""):
        product_list = products.get(producer_id, [])
        name = product_list[0].name if product_list else "sản phẩm OCOP"
        texts = MESSAGES_FROM_PRODUCER if by_producer else MESSAGES_FROM_BUYER
        at = sent + datetime.timedelta(hours=5 * number)
        requests.append(
            (
                MeetingRequest(
                    buyer_id=buyer_id,
                    producer_id=producer_id,
                    initiator_id=producer_id if by_producer else buyer_id,
                    event=conference,
                    mode=MeetingRequest.Mode.AT_EVENT,
                    message=texts[number % len(texts)].format(product=name),
                    status=status,
                    decline_reason=reason,
                    hosted_by_staff=not by_producer,
                    created_by=staff,
                    created_at=at,
                    updated_at=at + datetime.timedelta(days=2),
                ),
                product_list[:2],
            )
        )

    accepted = MeetingRequest.Status.ACCEPTED
    for number, (buyer_id, producer_id) in enumerate(pairs):
        request(number, buyer_id, producer_id, by_producer=number % 5 == 4, status=accepted)
    # Pairs asked both ways: the producer asked too, and the buyer accepted.
    for number, (buyer_id, producer_id) in enumerate(pairs[:MUTUAL_MOU_PAIRS]):
        request(len(requests) + number, buyer_id, producer_id, by_producer=True, status=accepted)
    others = [producer for producer in producers if all(producer.pk != pair[1] for pair in pairs)] or producers
    for number in range(DECLINED + CANCELLED + UNANSWERED):
        buyer = distributors[number % len(distributors)]
        producer = others[(number * 3) % len(others)]
        status, reason = _unsuccessful(number)
        request(len(requests), buyer.pk, producer.pk, by_producer=number % 2 == 1, status=status, reason=reason)
    return requests


def _unsuccessful(number: int) -> tuple[str, str]:
    """The status and reason of the n-th request that did not lead to a meeting: declined, cancelled, unanswered."""
    if number < DECLINED:
        return MeetingRequest.Status.DECLINED, DECLINE_REASONS[number % len(DECLINE_REASONS)]
    if number < DECLINED + CANCELLED:
        return MeetingRequest.Status.CANCELLED, ""
    return MeetingRequest.Status.REQUESTED, ""


def _conference_unavailability(conference: Event, distributors: list[Organisation]) -> None:
    """One distributor leaves early and another arrives late: the slots they cannot attend."""
    slots = list(MeetingSlot.objects.filter(event=conference).order_by("starts_at"))
    unavailable = []
    for index, time in (LEAVES_EARLY, ARRIVES_LATE):
        limit = _at(CONFERENCE_DAY, time.hour, time.minute)
        leaving = (index, time) == LEAVES_EARLY
        unavailable += [
            SlotUnavailability(slot=slot, organisation=distributors[index])
            for slot in slots
            if (slot.starts_at >= limit if leaving else slot.starts_at < limit)
        ]
    SlotUnavailability.objects.bulk_create(unavailable)


def _outcomes(conference: Event, mous: dict, staff: User) -> None:
    """Most placed meetings have outcomes from both sides; the MoU pairs report cooperation and the MoU."""
    result = MeetingOutcome.Result
    cycle = [result.USEFUL_NO_DEAL, result.COOPERATION_LIKELY, result.NO_INTEREST, result.USEFUL_NO_DEAL]
    recorded = _at(CONFERENCE_DAY, 17, 30)
    outcomes = []
    meetings = EventMeeting.objects.filter(event=conference).order_by("slot__starts_at", "table__number")
    for number, meeting in enumerate(meetings):
        if number % 9 == 4:
            continue  # nobody reported yet
        mou = mous.get(frozenset((meeting.buyer_id, meeting.producer_id)))
        if mou is not None:
            value = mou.value if mou.status in (MoU.Status.FIRST_ORDER, MoU.Status.LISTED) else None
            sides = [(result.COOPERATION_LIKELY, mou, value)] * 2
        elif number % 11 == 7:
            sides = [(result.DID_NOT_HAPPEN, None, None)] * 2
        else:
            outcome = cycle[number % len(cycle)]
            value = 30_000_000 + 10_000_000 * (number % 4) if outcome == result.COOPERATION_LIKELY else None
            sides = [(outcome, None, value), (outcome, None, None)]
        for organisation_id, (outcome, linked, value) in zip(
            (meeting.buyer_id, meeting.producer_id), sides[: 1 if number % 3 == 2 else 2], strict=False
        ):
            outcomes.append(
                MeetingOutcome(
                    meeting_id=meeting.request_id,
                    organisation_id=organisation_id,
                    result=outcome,
                    mou=linked,
                    order_value=value,
                    note=NOTES[outcome],
                    recorded_by=staff,
                    recorded_at=recorded + datetime.timedelta(minutes=number),
                )
            )
    MeetingOutcome.objects.bulk_create(outcomes)


def _online_meetings(upcoming: Event, distributors: list[Organisation], users: list[User]) -> None:
    """A few online meetings arranged ahead of the upcoming event."""
    if MeetingRequest.objects.filter(event=upcoming).exists():
        return
    names = ["Công ty TNHH MTV Cẩm Thiều", "Công ty TNHH Tân Huê Viên", "Hợp tác xã hành tím Vĩnh Châu"]
    producers = {organisation.name: organisation for organisation in Organisation.objects.filter(name__in=names)}
    if len(producers) < len(names):
        return
    soon = timezone.localdate() + datetime.timedelta(days=7)
    now = timezone.now()
    status = MeetingRequest.Status
    plans = [
        (0, names[0], status.ACCEPTED, _at(soon, 9), "Trao đổi trước hội nghị về trà mãng cầu cho quầy đặc sản."),
        (1, names[1], status.ACCEPTED, _at(soon + datetime.timedelta(days=1), 14), "Báo giá bánh pía dịp Tết."),
        (2, names[2], status.REQUESTED, None, "Tìm hiểu sản lượng hành tím vụ Tết."),
        (4, names[0], status.COUNTER_PROPOSED, None, "Giới thiệu chuỗi cửa hàng và điều kiện lên kệ."),
    ]
    for number, (buyer_index, producer_name, state, starts, message) in enumerate(plans):
        proposed = [_at(soon + datetime.timedelta(days=number), 10)]
        meeting = MeetingRequest.objects.create(
            buyer=distributors[buyer_index],
            producer=producers[producer_name],
            initiator=distributors[buyer_index],
            event=upcoming,
            mode=MeetingRequest.Mode.ONLINE,
            online_link=f"https://hop-truc-tuyen.example.vn/ocop-{upcoming.pk}-{number + 1}",
            message=message,
            proposed_times=proposed if starts is None else [starts],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=30) if starts else None,
            status=state,
            created_by=users[buyer_index],
            created_at=now - datetime.timedelta(days=3 - number % 3),
            updated_at=now - datetime.timedelta(days=1),
        )
        meeting.products.set(Product.objects.filter(producer=producers[producer_name]).order_by("pk")[:1])


def load() -> str:
    staff = User.objects.get(email="canbo@sct.example")
    distributors = _distributors()
    users = _buyer_users(distributors)
    subgroups = {group.code: group for group in ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET)}
    _profiles(distributors, subgroups)
    _sourcing(distributors, users, subgroups)
    conference = Event.objects.select_related("organiser").get(slug=CONFERENCE_SLUG)
    _conference_meetings(conference, distributors, staff)
    _online_meetings(Event.objects.get(slug=UPCOMING_SLUG), distributors, users)

    board = meeting_board(event=conference)
    return (
        f"{BuyerProfile.objects.count()} buyer profiles, {SourcingRequest.objects.count()} sourcing requests; "
        f"2020 conference: {conference.meeting_requests.count()} meeting requests, {board.accepted} accepted, "
        f"{len(board.meetings)} placed (at most {board.bound} possible), "
        f"{MeetingOutcome.objects.filter(meeting__event=conference).count()} outcomes; "
        f"{MeetingRequest.objects.filter(event__slug=UPCOMING_SLUG).count()} online meetings for the upcoming event"
    )
