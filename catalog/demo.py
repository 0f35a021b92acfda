"""The demo catalogue: Sóc Trăng's 2020 OCOP figures, on today's units (Thành phố Cần Thơ).

52 producers (17 enterprises, 11 cooperatives, 24 households) and 99 certified products, 24 at 4★
and 75 at 3★. Names sourced in DOMAIN.md are used as they are; the rest are illustrative, and the
portal says so on demo installs. Decision dates are counted back from today so that the demo's
certificates are current (a few are close to their end, to show expiry). Idempotent.
"""

import datetime
import io
import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.demo import DEMO_PASSWORD, user_get_or_create
from accounts.models import LegacyWard, Organisation
from accounts.permissions_setup import STAFF_GROUP_NAME
from catalog import services
from catalog.classification import CURRENT_RULE_SET
from catalog.models import (
    Application,
    ApplicationEvent,
    Certificate,
    EvaluationCycle,
    ProducerProfile,
    Product,
    ProductSubGroup,
    RuleSet,
    Score,
)

LEGAL = ProducerProfile.LegalForm

# (key, name, legal form, former district) — the real producers of DOMAIN.md first.
PRODUCERS = [
    ("hoquangtri", "Doanh nghiệp tư nhân Hồ Quang Trí", LEGAL.ENTERPRISE, "Huyện Mỹ Xuyên"),
    ("camthieu", "Công ty TNHH MTV Cẩm Thiều", LEGAL.ENTERPRISE, "Thị xã Ngã Năm"),
    ("ngoctran", "Hộ kinh doanh Ngọc Trân", LEGAL.HOUSEHOLD, "Thị xã Ngã Năm"),
    ("vinhkien", "Hợp tác xã Vĩnh Kiên", LEGAL.COOPERATIVE, "Thị xã Ngã Năm"),
    ("tranvancu", "Hộ kinh doanh Trần Văn Cư", LEGAL.HOUSEHOLD, "Huyện Long Phú"),
    ("haison", "Công ty TNHH bánh pía, lạp xưởng Hải Sơn", LEGAL.ENTERPRISE, "Huyện Châu Thành"),
    ("hanhtim", "Hợp tác xã hành tím Vĩnh Châu", LEGAL.COOPERATIVE, "Thị xã Vĩnh Châu"),
    ("yensao", "Công ty TNHH Yến sào Vĩnh Châu", LEGAL.ENTERPRISE, "Thị xã Vĩnh Châu"),
    ("thanhcuong", "Công ty TNHH Thanh Cường", LEGAL.ENTERPRISE, "Huyện Thạnh Trị"),
    ("tamhoi", "Hộ kinh doanh Tám Hội", LEGAL.HOUSEHOLD, "Huyện Mỹ Xuyên"),
    ("thienmy", "Hộ kinh doanh mắm cá lóc Thiện Mỹ", LEGAL.HOUSEHOLD, "Huyện Châu Thành"),
    ("sausanh", "Hộ kinh doanh khô trâu Sáu Sành", LEGAL.HOUSEHOLD, "Thành phố Sóc Trăng"),
    ("ngochanh", "Hộ kinh doanh Ngọc Hạnh", LEGAL.HOUSEHOLD, "Huyện Mỹ Tú"),
    ("baxuyen", "Hợp tác xã sữa tươi Ba Xuyên", LEGAL.COOPERATIVE, "Huyện Mỹ Xuyên"),
    ("tanhuevien", "Công ty TNHH Tân Huê Viên", LEGAL.ENTERPRISE, "Thành phố Sóc Trăng"),
]

# Illustrative producers to reach 17 enterprises, 11 cooperatives and 24 households.
ILLUSTRATIVE_ENTERPRISES = [
    "Công ty TNHH Thực phẩm Phương Nam",
    "Công ty CP Nông sản Mỹ Tú",
    "Công ty TNHH Đặc sản Vĩnh Hải",
    "Công ty TNHH Cù Lao Xanh",
    "Công ty CP Dược liệu Trần Đề",
    "Công ty TNHH Hương Quê Kế Sách",
    "Công ty TNHH Thương mại Long Phú",
    "Công ty TNHH Đặc sản Khánh Hòa",
    "Công ty TNHH Đại Ngãi",
    "Công ty TNHH Mỹ Xuyên Xanh",
    "Công ty CP Nông nghiệp Thạnh Trị",
]
ILLUSTRATIVE_COOPERATIVES = [
    "Hợp tác xã Nông nghiệp Phú Tâm",
    "Hợp tác xã Nông nghiệp An Lạc Thôn",
    "Hợp tác xã Long Hưng",
    "Hợp tác xã Thạnh Phú",
    "Hợp tác xã Cù Lao Dung",
    "Hợp tác xã Mỹ Hương",
    "Hợp tác xã Thủy sản Trần Đề",
    "Hợp tác xã Nông nghiệp Kế Sách",
]
ILLUSTRATIVE_HOUSEHOLDS = [
    "Hộ kinh doanh Thuận Phát",
    "Hộ kinh doanh Út Hiền",
    "Hộ kinh doanh Bảy Tươi",
    "Hộ kinh doanh Hai Lúa",
    "Hộ kinh doanh Sáu Hòa",
    "Hộ kinh doanh Ba Nhung",
    "Hộ kinh doanh Cô Ba",
    "Hộ kinh doanh Năm Thơm",
    "Hộ kinh doanh Tư Lành",
    "Hộ kinh doanh Út Nhỏ",
    "Hộ kinh doanh Bảy Nhỏ",
    "Hộ kinh doanh Kim Thoa",
    "Hộ kinh doanh Chín Đạt",
    "Hộ kinh doanh Thu Hà",
    "Hộ kinh doanh Tư Nhung",
    "Hộ kinh doanh Bích Liên",
    "Hộ kinh doanh Thạnh Phú",
    "Hộ kinh doanh Hai Thành",
]
FORMER_DISTRICTS = [
    "Huyện Châu Thành",
    "Huyện Cù Lao Dung",
    "Huyện Kế Sách",
    "Huyện Long Phú",
    "Huyện Mỹ Tú",
    "Huyện Mỹ Xuyên",
    "Huyện Thạnh Trị",
    "Huyện Trần Đề",
    "Thành phố Sóc Trăng",
    "Thị xã Ngã Năm",
    "Thị xã Vĩnh Châu",
]

# (producer key, product name, sub-group code, stars, standards, months) — sourced products first.
SOURCED_PRODUCTS = [
    ("hoquangtri", "Gạo ST24", "1.2.1", 4, ["vietgap"], []),
    ("camthieu", "Trà mãng cầu Cẩm Thiều", "1.5.2", 4, ["haccp"], []),
    ("ngoctran", "Trà mãng cầu Ngọc Trân", "1.5.2", 3, [], []),
    ("vinhkien", "Trà mãng cầu Vĩnh Kiên", "1.5.2", 3, [], []),
    ("tranvancu", "Gạo sữa Trần Văn Cư", "1.2.1", 3, [], []),
    ("haison", "Bánh pía sầu riêng trứng Hải Sơn", "1.3.2", 4, ["haccp", "iso22000"], []),
    ("hanhtim", "Hành tím Vĩnh Châu", "1.1.1", 3, ["vietgap", "gi"], [1, 2, 3, 4, 12]),
    ("yensao", "Yến sào Vĩnh Châu", "1.1.2", 4, ["haccp"], []),
    ("thanhcuong", "Trà đông trùng hạ thảo Thanh Cường", "1.5.2", 3, [], []),
    ("thanhcuong", "Gạo Thanh Cường", "1.2.1", 3, ["vietgap"], []),
    ("tamhoi", "Mận đường Tám Hội", "1.3.3", 3, [], [3, 4, 5, 6]),
    ("thienmy", "Mắm cá lóc Thiện Mỹ", "1.4.1", 3, [], []),
    ("sausanh", "Khô trâu Sáu Sành", "1.3.4", 3, [], []),
    ("ngochanh", "Mứt mận Ngọc Hạnh", "1.3.3", 3, [], [1, 2, 12]),
    ("baxuyen", "Sữa tươi Ba Xuyên", "1.1.2", 3, ["vietgap"], []),
    ("tanhuevien", "Bánh pía Tân Huê Viên", "1.3.2", 4, ["haccp", "iso22000"], []),
    ("tanhuevien", "Lạp xưởng Tân Huê Viên", "1.3.4", 4, ["haccp"], []),
]

# Illustrative products: (name, sub-group code, standards, months).
ILLUSTRATIVE_PRODUCTS = [
    ("Bánh pía kim sa đậu xanh", "1.3.2", ["haccp"], []),
    ("Bánh pía khoai môn trứng muối", "1.3.2", [], []),
    ("Bánh in nhân đậu xanh", "1.3.2", [], [1, 2, 8, 9]),
    ("Bánh phồng tôm Vĩnh Châu", "1.3.4", [], []),
    ("Lạp xưởng tươi", "1.3.4", [], []),
    ("Khô cá sặc rằn", "1.3.4", [], []),
    ("Muối tôm ớt", "1.4.2", [], []),
    ("Bánh tráng sữa", "1.3.2", [], []),
    ("Tương ớt tỏi", "1.4.1", [], []),
    ("Mật hoa dừa", "1.2.2", ["organic"], []),
    ("Chuối sấy dẻo", "1.3.3", [], []),
    ("Bánh cống", "1.3.1", [], []),
    ("Tinh dầu tràm", "3.3.1", [], []),
    ("Nón lá truyền thống", "4.1.1", [], []),
    ("Khô cá lóc một nắng", "1.3.4", [], []),
    ("Bún tươi gạo sạch", "1.3.2", [], []),
    ("Xà bông thảo mộc", "3.2.1", [], []),
    ("Kẹo dừa sáp", "1.3.3", [], []),
    ("Trà atiso túi lọc", "1.5.2", [], []),
    ("Mâm tre đan", "4.1.1", [], []),
    ("Cà phê rang xay", "1.6.1", [], []),
    ("Nước mắm cá cơm", "1.4.1", ["haccp"], []),
    ("Mật ong hoa tràm", "1.2.2", [], [3, 4, 5]),
    ("Cao dược liệu", "3.1.1", ["gmp"], []),
    ("Giỏ lục bình", "4.1.1", [], []),
    ("Tôm khô loại đặc biệt", "1.3.4", ["haccp"], []),
    ("Rượu nếp than", "2.1.1", [], []),
    ("Bưởi Năm Roi", "1.1.1", ["vietgap"], [8, 9, 10, 11, 12]),
    ("Gạo ST25", "1.2.1", ["vietgap"], []),
    ("Nấm rơm tươi", "1.1.1", [], [1, 2, 3, 4, 11, 12]),
    ("Dừa sáp", "1.1.1", [], []),
    ("Xoài cát Hòa Lộc", "1.1.1", ["vietgap", "globalgap"], [3, 4, 5, 6]),
    ("Bánh bò thốt nốt", "1.3.2", [], []),
    ("Củ cải muối", "1.3.3", [], []),
    ("Tỏi Vĩnh Châu", "1.1.1", [], [1, 2, 3]),
    ("Trà sen", "1.5.2", [], []),
    ("Nước uống đóng chai", "2.2.1", ["haccp"], []),
    ("Nước ép mãng cầu", "2.2.2", [], []),
    ("Cá thát lát tẩm gia vị", "1.3.4", [], []),
    ("Bột nghệ", "1.4.2", [], []),
]

DESCRIPTIONS = {
    "1": "{name} do {producer} sản xuất từ nguyên liệu địa phương, theo quy trình truyền thống và kiểm soát an "
    "toàn thực phẩm. Sản phẩm đóng gói tiện lợi, phù hợp làm quà biếu và bày bán tại siêu thị.",
    "2": "{name} của {producer}: đồ uống đặc trưng của vùng đất Sóc Trăng cũ, đóng chai/hộp, ghi rõ nguồn gốc.",
    "3": "{name} của {producer}, chiết xuất từ dược liệu trồng tại địa phương; có hướng dẫn sử dụng và công bố chất "
    "lượng.",
    "4": "{name} làm thủ công bởi {producer}, từ nguyên liệu tự nhiên của vùng, phù hợp trang trí và làm quà tặng.",
}
UNITS = {"1": ("hộp", "kg"), "2": ("chai", "thùng"), "3": ("chai", "hộp"), "4": ("cái", "cái")}
GROUP_COLOURS = {"1": (196, 120, 40), "2": (40, 110, 150), "3": (70, 130, 70), "4": (140, 90, 60)}
PRODUCT_LINES = ["Hương Quê", "Miền Tây", "Đặc biệt"]


def _tax_code(index: int) -> str:
    return f"22{index + 10000:08d}"


def _ward_for(district: str):
    legacy = LegacyWard.objects.select_related("ward__province").filter(
        province_name="Tỉnh Sóc Trăng", district_name=district, ward__isnull=False
    )
    return legacy.order_by("name").first().ward


def _producer_specs():
    """All 52 producers as (key, name, legal form, former district), in a fixed order."""
    specs = list(PRODUCERS)
    extras = (
        [(name, LEGAL.ENTERPRISE) for name in ILLUSTRATIVE_ENTERPRISES]
        + [(name, LEGAL.COOPERATIVE) for name in ILLUSTRATIVE_COOPERATIVES]
        + [(name, LEGAL.HOUSEHOLD) for name in ILLUSTRATIVE_HOUSEHOLDS]
    )
    for index, (name, legal_form) in enumerate(extras):
        specs.append((f"illustrative-{index}", name, legal_form, FORMER_DISTRICTS[index % len(FORMER_DISTRICTS)]))
    return specs


def _product_specs(producer_keys: list[str]):
    """All 99 products as (producer key, name, sub-group code, stars, standards, months)."""
    specs = list(SOURCED_PRODUCTS)
    illustrative_keys = [key for key in producer_keys if key.startswith("illustrative-")]
    four_star_left = 24 - sum(1 for spec in specs if spec[3] == 4)
    index = 0
    while len(specs) < 99:
        name, code, standards, months = ILLUSTRATIVE_PRODUCTS[index % len(ILLUSTRATIVE_PRODUCTS)]
        producer_key = illustrative_keys[index % len(illustrative_keys)]
        stars = 4 if index % 4 == 0 and four_star_left > 0 else 3
        four_star_left -= stars == 4
        round_number = index // len(ILLUSTRATIVE_PRODUCTS)
        label = name if round_number == 0 else f"{name} {PRODUCT_LINES[(round_number - 1) % len(PRODUCT_LINES)]}"
        specs.append((producer_key, label, code, stars, standards, months))
        index += 1
    return specs


def _photo(name: str, group_code: str, seed: int) -> ContentFile:
    """An illustrative product photo: a package on a table in the product group's colour."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    base = GROUP_COLOURS.get(group_code, (120, 120, 120))
    image = Image.new("RGB", (960, 720), tuple(min(255, c + 90) for c in base))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 470, 960, 720), fill=tuple(min(255, c + 40) for c in base))
    left = 300 + rng.randint(-40, 40)
    draw.rounded_rectangle((left, 170, left + 360, 560), radius=28, fill=base)
    draw.rectangle((left, 300, left + 360, 400), fill=(250, 245, 230))
    draw.ellipse((left + 250, 120, left + 390, 260), fill=(214, 170, 40), outline=(250, 245, 230), width=8)
    for _ in range(6):
        x, y = rng.randint(40, 920), rng.randint(500, 690)
        draw.ellipse((x - 18, y - 12, x + 18, y + 12), fill=tuple(max(0, c - 30) for c in base))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"{seed}.jpg")


FIVE_STAR_CANDIDATES = 8
CERTIFYING_GROUP_NAME = "Hội đồng đánh giá OCOP"


def _five_star_candidates(*, today, rule_sets, producers) -> None:
    """Eight 4★ products scored 90+ by the council and proposed to the centre for 5★ (DOMAIN.md)."""
    certifier = user_get_or_create(email="hoidong@sct.example", full_name="Trần Minh Đức", is_staff=True)
    certifier.groups.add(*Group.objects.filter(name__in=[STAFF_GROUP_NAME, CERTIFYING_GROUP_NAME]))
    cycle, _ = EvaluationCycle.objects.get_or_create(
        year=today.year,
        round=1,
        defaults={
            "rule_set": rule_sets["1489/2025"],
            "opens_on": today - datetime.timedelta(days=60),
            "closes_on": today + datetime.timedelta(days=60),
        },
    )
    candidates = (
        Product.objects.filter(producer__in=producers, current_certificate__stars=4)
        .exclude(applications__cycle=cycle)
        .order_by("pk")
    )
    missing = (
        FIVE_STAR_CANDIDATES
        - Application.objects.filter(cycle=cycle, status=Application.Status.PROPOSED_CENTRAL).count()
    )
    for index, product in enumerate(candidates[: max(missing, 0)]):
        sections = (Decimal(37 + index % 3), Decimal(24), Decimal(30 + index % 4))
        application = Application.objects.create(
            product=product,
            cycle=cycle,
            status=Application.Status.PROPOSED_CENTRAL,
            self_assessment_score=sum(sections) + 1,
            total_score=sum(sections),
            submitted_at=timezone.now() - datetime.timedelta(days=40),
        )
        Score.objects.create(
            application=application,
            scorer=certifier,
            section_a=sections[0],
            section_b=sections[1],
            section_c=sections[2],
        )
        moves = ["draft", "submitted", "under_review", "scored", "proposed_central"]
        for step, (previous, status) in enumerate(zip(["", *moves], moves, strict=False)):
            ApplicationEvent.objects.create(
                application=application,
                from_status=previous,
                to_status=status,
                actor=certifier,
                created_at=timezone.now() - datetime.timedelta(days=40 - step * 7),
            )


def load() -> str:
    today = timezone.localdate()
    rule_sets = {rule_set.code: rule_set for rule_set in RuleSet.objects.all()}
    subgroups = {s.code: s for s in ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET)}
    now = timezone.now()

    producers = {}
    for index, (key, name, legal_form, district) in enumerate(_producer_specs()):
        ward = _ward_for(district)
        organisation, _ = Organisation.objects.get_or_create(
            tax_code=_tax_code(index),
            defaults={
                "kind": Organisation.Kind.PRODUCER,
                "name": name,
                "province": ward.province,
                "ward": ward,
                "street_address": f"Ấp {index % 7 + 1}",
                "phone": f"0299 38{index:02d} {100 + index:03d}",
                "is_verified": True,
                "verified_at": now,
            },
        )
        ProducerProfile.objects.get_or_create(
            organisation=organisation,
            defaults={
                "legal_form": legal_form,
                "story": f"{name} là cơ sở sản xuất sản phẩm OCOP tại {ward.name}, Thành phố Cần Thơ "
                "(trước đây thuộc tỉnh Sóc Trăng).",
                "points_of_sale": "Điểm giới thiệu và bán sản phẩm OCOP Cần Thơ\nCửa hàng tại cơ sở",
            },
        )
        producers[key] = organisation

    camthieu = producers["camthieu"]
    user_get_or_create(email="camthieu@demo.example", full_name="Cẩm Thiều", organisation=camthieu)

    for index, (key, name, code, stars, standards, months) in enumerate(_product_specs(list(producers))):
        producer = producers[key]
        subgroup = subgroups[code]
        group_code = subgroup.group.code
        product = Product.objects.filter(producer=producer, name=name).first()
        if product is not None:
            continue
        unit, capacity_unit = UNITS.get(group_code, ("hộp", "kg"))
        product = Product.objects.create(
            producer=producer,
            subgroup=subgroup,
            name=name,
            description=DESCRIPTIONS.get(group_code, DESCRIPTIONS["1"]).format(name=name, producer=producer.name),
            unit=unit,
            packaging=f"{unit} {250 + (index % 4) * 250} g" if group_code == "1" else unit,
            price_min=40000 + (index % 9) * 15000,
            price_max=60000 + (index % 9) * 20000,
            shelf_life_days=180 + (index % 6) * 60,
            monthly_capacity=Decimal(500 + (index % 10) * 250),
            capacity_unit=capacity_unit,
            minimum_order=Decimal(20 + (index % 5) * 10),
            months_available=months,
            standards=standards,
            status=Product.Status.PUBLISHED,
            published_at=now - datetime.timedelta(days=index),
            created_at=now - datetime.timedelta(days=index),
        )
        services.photo_add(actor=None, product=product, upload=_photo(name, group_code, seed=index), alt_text=name)
        days_ago = 30 + (index * 53) % 1040
        decision_date = today - datetime.timedelta(days=days_ago)
        score = Decimal(72 + (index * 7) % 17) if stars == 4 else Decimal(51 + (index * 11) % 18)
        services.certificate_record(
            certificate=Certificate(
                product=product,
                rule_set=rule_sets["1489/2025" if decision_date >= datetime.date(2025, 7, 6) else "148/2023"],
                total_score=score + Decimal("0.5"),
                decision_number=f"{1000 + index}/QĐ-UBND",
                decision_date=decision_date,
                level=Certificate.Level.PROVINCE,
            )
        )
    services.product_reindex(
        product_ids=Product.objects.filter(producer__in=producers.values()).values_list("pk", flat=True)
    )
    _five_star_candidates(today=today, rule_sets=rule_sets, producers=list(producers.values()))

    figures = (
        Product.objects.filter(producer__in=producers.values())
        .values("current_certificate__stars")
        .annotate(n=Count("pk"))
        .order_by("current_certificate__stars")
    )
    by_star = ", ".join(f"{row['n']} at {row['current_certificate__stars']}★" for row in figures)
    proposed = Application.objects.filter(status=Application.Status.PROPOSED_CENTRAL).count()
    return f"{len(producers)} producers, {by_star}, {proposed} proposed for 5★ (demo password: {DEMO_PASSWORD})"
