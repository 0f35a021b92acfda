"""What the journeys share: the portal's words in the page's language, sign-in, files to upload, and set-up data.

Buttons, links and fields are found by their role and accessible name as a user reads them. The names come
from the portal's own translation catalogue (`vi("Sign in")` is "Đăng nhập", `Words("en")("Sign in")` is
"Sign in"), so a journey reads the same in both languages and follows the catalogue when a wording improves.
"""

import datetime
import io
import re
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone, translation
from openpyxl import load_workbook
from PIL import Image

from accounts.permissions_setup import STAFF_GROUP_NAME
from catalog.models import Certificate, EvaluationCycle, RuleSet
from tests.accounts.factories import PASSWORD, UserFactory

CERTIFYING_GROUP_NAME = "Hội đồng đánh giá OCOP"
# A PDF small enough to type here and real enough for the dossier's file checks.
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Words:
    """The portal's wording in one language: words("Sign in"), words.n("OCOP %(stars)s star", …, 4)."""

    def __init__(self, language: str):
        self.language = language

    def __call__(self, message: str) -> str:
        with translation.override(self.language):
            return translation.gettext(message)

    def n(self, singular: str, plural: str, number: int, **values) -> str:
        with translation.override(self.language):
            return translation.ngettext(singular, plural, number) % values

    def path(self, path: str) -> str:
        """The address of a page in this language (Vietnamese has no prefix)."""
        return path if self.language == "vi" else f"/{self.language}{path}"

    def stars(self, stars: int) -> str:
        return self.n("OCOP %(stars)s star", "OCOP %(stars)s stars", stars, stars=stars)

    def exactly(self, message: str) -> re.Pattern:
        """The whole accessible name, ignoring the aria-hidden "*" of required fields."""
        return re.compile(rf"^\s*{re.escape(self(message))}\s*\*?\s*$")

    def field(self, model, name: str) -> re.Pattern:
        """The label of a model form's field: its verbose name, capitalised as Django does."""
        with translation.override(self.language):
            label = str(model._meta.get_field(name).verbose_name)
        return re.compile(rf"^\s*{re.escape(label[:1].upper() + label[1:])}\s*\*?\s*$")


vi = Words("vi")


def sign_in(page, email: str, password: str = PASSWORD, *, words: Words = vi) -> None:
    """From the home page, the header's "Sign in" link and the sign-in form."""
    page.goto(words.path("/"))
    page.get_by_role("navigation", name=words("Main")).get_by_role("link", name=words("Sign in"), exact=True).click()
    page.get_by_label(words("Email")).fill(email)
    page.get_by_label(words("Password")).fill(password)
    page.get_by_role("main").get_by_role("button", name=words("Sign in"), exact=True).click()
    page.get_by_role("button", name=words("Sign out"), exact=True).wait_for()


def sign_up(page, *, kind: str, person: dict, organisation: dict, words: Words = vi) -> None:
    """Sign up from the "Sign up" link of the header, as a producer or a buyer, with an address in Cần Thơ."""
    page.goto(words.path("/"))
    page.get_by_role("navigation", name=words("Main")).get_by_role("link", name=words("Sign up"), exact=True).click()
    choice = "I produce OCOP products" if kind == "producer" else "I buy for a retail chain or distributor"
    page.get_by_role("link", name=words(choice), exact=True).click()
    page.get_by_label(words.exactly("Your full name")).fill(person["name"])
    page.get_by_label(words.exactly("Email")).fill(person["email"])
    page.get_by_label(words.exactly("Phone")).fill(person["phone"])
    page.get_by_label(words.exactly("Password")).fill(person["password"])
    page.get_by_label(words.exactly("Password again")).fill(person["password"])
    page.get_by_label(words.exactly("Organisation name")).fill(organisation["name"])
    page.get_by_label(words.exactly("Tax code")).fill(organisation["tax_code"])
    page.get_by_label(words.exactly("Province/city")).select_option(label="Thành phố Cần Thơ")
    # The wards of the chosen province arrive from the server (static/js/address.js).
    ward = page.get_by_label(words.exactly("Ward/commune"))
    ward.locator("option", has_text=organisation["ward"]).wait_for(state="attached")
    ward.select_option(label=organisation["ward"])
    page.get_by_label(words.exactly("House number, street, hamlet")).fill(organisation["street"])
    page.get_by_role("button", name=words("Create account"), exact=True).click()
    page.get_by_role("heading", level=1, name=organisation["name"]).wait_for()


def admin_verify_organisation(page, name: str, *, words: Words = vi) -> None:
    """Staff verify a new organisation with the admin's action, from the admin's home page."""
    from accounts.models import Organisation

    admin_open(page, Organisation, words=words)
    search = page.get_by_role("search").get_by_role("textbox")
    search.fill(name)
    search.press("Enter")
    page.get_by_role("checkbox", name=re.compile(re.escape(name))).check()
    page.get_by_label(words("Action:")).select_option(label=words("Verify the selected organisations"))
    page.get_by_role("button", name=words("Go"), exact=True).click()
    page.get_by_text(
        words.n("%(count)d organisation verified.", "%(count)d organisations verified.", 1, count=1)
    ).wait_for()


def admin_open(page, model, *, words: Words = vi) -> None:
    """The model's list in the admin: from the portal's "Admin" link, or from the admin's own breadcrumbs."""
    if "/admin/" in page.url:
        page.get_by_role("navigation", name=words("Breadcrumbs")).get_by_role("link", name=words("Home")).click()
    else:
        page.get_by_role("navigation", name=words("Main")).get_by_role("link", name=words("Admin"), exact=True).click()
    page.get_by_role("link", name=capitalised(model._meta.verbose_name_plural, words), exact=True).click()


def capitalised(lazy_text, words: Words) -> str:
    with translation.override(words.language):
        text = str(lazy_text)
    return text[:1].upper() + text[1:]


def jpeg_file(name="san-pham.jpg", colour=(190, 120, 40)) -> dict:
    """A photo for a file input (Playwright's in-memory file)."""
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, format="JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": TINY_PDF}


# --- Set-up data (the ORM is used only to prepare what a journey starts from) -----------------------------------


def staff_user(*, certifier: bool = False, email: str = "canbo@sct.test", full_name="Nguyễn Thị Lan"):
    """A Sở Công Thương staff member; a certifier also sits on the OCOP evaluation council."""
    user = UserFactory(email=email, full_name=full_name, is_staff=True)
    names = [STAFF_GROUP_NAME, CERTIFYING_GROUP_NAME] if certifier else [STAFF_GROUP_NAME]
    user.groups.add(*Group.objects.filter(name__in=names))
    return user


def open_cycle() -> EvaluationCycle:
    today = timezone.localdate()
    return EvaluationCycle.objects.create(
        year=today.year,
        round=1,
        rule_set=RuleSet.objects.get(code="1489/2025"),
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )


def certificate(product, *, score: str, days_ago: int = 120) -> Certificate:
    from catalog import services

    return services.certificate_record(
        certificate=Certificate(
            product=product,
            rule_set=RuleSet.objects.get(code="148/2023"),
            total_score=Decimal(score),
            decision_number=f"{1500 + product.pk}/QĐ-UBND",
            decision_date=timezone.localdate() - datetime.timedelta(days=days_ago),
            level=Certificate.Level.PROVINCE,
        )
    )


# --- What the journeys start from ---------------------------------------------------------------------------


def pia_catalogue() -> dict:
    """Two bánh pía (4★ and 3★) and a fish sauce; the 4★ one has a photo and a valid certificate."""
    from catalog import services as catalog_services
    from tests.catalog.factories import ProducerFactory, ProductFactory, jpeg_upload

    hai_son = ProducerFactory(name="Công ty TNHH Bánh pía Hải Sơn", phone="0299 3822 468")
    pia = ProductFactory(
        producer=hai_son,
        name="Bánh pía sầu riêng trứng muối",
        name_en="Durian and salted egg pia cake",
        description="Bánh pía nhân sầu riêng và trứng muối, làm thủ công tại Châu Thành.",
    )
    catalog_services.photo_add(actor=None, product=pia, upload=jpeg_upload(), alt_text="Hộp bánh pía 500 g")
    pia_certificate = certificate(pia, score="78")
    other_pia = ProductFactory(producer=ProducerFactory(), name="Bánh pía đậu xanh", name_en="Mung bean pia cake")
    certificate(other_pia, score="62")
    certificate(ProductFactory(name="Mắm cá lóc Thiện Mỹ"), score="74")
    return {
        "pia": pia,
        "other_pia": other_pia,
        "certificate": pia_certificate,
        "producer_user": UserFactory(organisation=hai_son),
    }


def fish_sauce_makers() -> dict:
    """A 4★ and a 3★ fish sauce of two verified producers (liquid condiments, 1.4.1)."""
    from tests.catalog.factories import ProducerFactory, ProductFactory, subgroup

    liquid_condiments = subgroup("1.4.1")
    thien_my = ProducerFactory(name="Cơ sở Nước mắm Thiện Mỹ")
    four_star = ProductFactory(producer=thien_my, subgroup=liquid_condiments, name="Nước mắm cá cơm Thiện Mỹ 40 độ đạm")
    certificate(four_star, score="81")
    three_star = ProductFactory(subgroup=liquid_condiments, name="Nước mắm cá linh Vĩnh Châu")
    certificate(three_star, score="58")
    return {
        "producer": thien_my,
        "producer_user": UserFactory(organisation=thien_my),
        "four_star": four_star,
        "three_star": three_star,
    }


def conference() -> dict:
    """A published conference taking registrations, and a verified producer with a published product."""
    from tests.catalog.factories import ProducerFactory, ProductFactory
    from tests.events.factories import EventFactory

    event = EventFactory(
        name="Hội nghị kết nối cung cầu sản phẩm OCOP Cần Thơ", slug="ket-noi-cung-cau-can-tho", capacity=120
    )
    tan_hue_vien = ProducerFactory(name="Cơ sở Lạp xưởng Tân Huê Viên")
    ProductFactory(producer=tan_hue_vien, name="Lạp xưởng tươi Tân Huê Viên")
    return {"event": event, "organisation": tan_hue_vien, "producer_user": UserFactory(organisation=tan_hue_vien)}


# Two rows of a province's list for the import: one valid (an address in the former units), one in error.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_ROWS = [
    {
        "Tên sản phẩm": "Trà mãng cầu Thử nghiệm",
        "Tên chủ thể": "Hợp tác xã Thử nghiệm Đại Tâm",
        "Loại hình": "Hợp tác xã",
        "Mã số thuế": "2200555111",
        # The list of 2020 writes the former units: the import places it in today's ward and city.
        "Địa chỉ": "Ấp 3, Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng",
        "Nhóm sản phẩm": "1.5.2",
        "Số sao": "4",
        "Điểm": "75,5",
        "Số quyết định": "1234/QĐ-UBND",
        "Ngày quyết định": "15/10/2024",
        "Đơn vị tính": "hộp",
    },
    {
        "Tên sản phẩm": "Mứt mận Thử nghiệm",
        "Tên chủ thể": "Hộ kinh doanh Thử nghiệm Ngọc Hạnh",
        "Loại hình": "Hộ kinh doanh",
        "Mã số thuế": "",
        "Địa chỉ": "Ấp 3, Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng",
        "Nhóm sản phẩm": "1.3.3",
        "Số sao": "",
        "Điểm": "120",  # out of 100: refused
        "Số quyết định": "1235/QĐ-UBND",
        "Ngày quyết định": "15/10/2024",
        "Đơn vị tính": "hộp",
    },
]


def import_workbook(template: bytes) -> bytes:
    """The downloaded template with the two rows typed under its header row."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in IMPORT_ROWS:
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- A small portal with one of everything, for the accessibility and validity checks --------------------------


def showcase() -> dict:
    """Producers with certified products (one expired), a buyer, an event with its agenda, registrations and a
    published report, an MoU, a sourcing request, a meeting and a draft OCOP application."""
    from accounts.roles import Actor
    from catalog import services as catalog_services
    from events import services as event_services
    from events.models import MoU, Session, Speaker
    from tests.catalog.factories import ProducerFactory, ProductFactory, jpeg_upload
    from tests.events.factories import EventFactory
    from tests.matchmaking.factories import (
        BuyerFactory,
        BuyerProfileFactory,
        MeetingRequestFactory,
        SourcingRequestFactory,
    )

    staff = staff_user()
    hai_son = ProducerFactory(
        name="Công ty TNHH Bánh pía Hải Sơn", phone="0299 3822 468", email="lienhe@haison.example.vn"
    )
    producer_user = UserFactory(organisation=hai_son, email="haison@example.vn", full_name="Trần Văn Sơn")
    pia = ProductFactory(
        producer=hai_son,
        name="Bánh pía sầu riêng trứng muối",
        name_en="Durian and salted egg pia cake",
        description="Bánh pía nhân sầu riêng và trứng muối.\n\nLàm thủ công tại Châu Thành.",
        price_min=65000,
        price_max=90000,
        months_available=[1, 2, 9, 10, 11, 12],
        standards=["haccp"],
        shelf_life_days=60,
    )
    catalog_services.photo_add(actor=None, product=pia, upload=jpeg_upload(), alt_text="Hộp bánh pía 500 g")
    catalog_services.photo_add(actor=None, product=pia, upload=jpeg_upload(colour=(90, 60, 20)), alt_text="")
    pia_certificate = certificate(pia, score="78")
    lap_xuong = ProductFactory(producer=hai_son, name="Lạp xưởng tươi Hải Sơn")
    certificate(lap_xuong, score="64", days_ago=1200)  # lapsed: shows as expired
    draft = ProductFactory(producer=hai_son, name="Kẹo mè xửng Hải Sơn", status="draft", published_at=None)
    certificate(ProductFactory(name="Mắm cá lóc Thiện Mỹ"), score="58")

    buyer = BuyerFactory(name="Siêu thị Thử nghiệm Ninh Kiều")
    BuyerProfileFactory(organisation=buyer)
    buyer_user = UserFactory(organisation=buyer, email="muahang@example.vn", full_name="Phạm Quốc Bảo")

    event = EventFactory(
        name="Hội nghị kết nối cung cầu sản phẩm OCOP Cần Thơ",
        slug="ket-noi-cung-cau-can-tho",
        capacity=150,
        report_published=True,
        description="Kết nối nhà sản xuất OCOP với các hệ thống phân phối.",
    )
    session = Session.objects.create(
        event=event,
        starts_at=event.starts_at,
        ends_at=event.starts_at + datetime.timedelta(hours=2),
        title="Đưa sản phẩm OCOP vào hệ thống phân phối",
        room="Hội trường A",
        moderator="Nguyễn Văn Minh",
        topics="Tiêu chuẩn của siêu thị\nTruy xuất nguồn gốc",
    )
    Speaker.objects.create(session=session, name="Lê Thị Hoa", title="Giám đốc thu mua", organisation_name=buyer.name)
    event_services.registration_create(
        actor=Actor(user=producer_user, organisation=hai_son),
        event=event,
        participation="exhibitor",
        people_count=2,
        products=[pia],
        booth="A1",
        show_publicly=True,
    )
    mou = event_services.mou_create(
        actor=Actor(user=staff, organisation=None),
        parties=[hai_son, buyer],
        kind=MoU.Kind.BUSINESS,
        title="Biên bản ghi nhớ tiêu thụ bánh pía",
        signed_on=timezone.localdate(),
        event=event,
        value=500_000_000,
        products=[pia],
    )
    # The organiser's MoU with the retailer declares no value: the report's table of MoU kinds shows "—", with
    # "Not recorded" for screen readers.
    event_services.mou_create(
        actor=Actor(user=staff, organisation=None),
        parties=[event.organiser, buyer],
        kind=MoU.Kind.AGENCY_RETAILER,
        title="Biên bản ghi nhớ đưa sản phẩm OCOP vào hệ thống siêu thị",
        signed_on=timezone.localdate(),
        event=event,
    )
    sourcing_request = SourcingRequestFactory(buyer=buyer, created_by=buyer_user, title="Bánh pía cho 40 cửa hàng")
    meeting = MeetingRequestFactory(buyer=buyer, producer=hai_son, created_by=buyer_user, products=[pia])
    cycle = open_cycle()
    application = catalog_services.application_create(
        actor=Actor(user=producer_user, organisation=hai_son), product=lap_xuong, cycle=cycle
    )
    return {
        "staff": staff,
        "producer": hai_son,
        "producer_user": producer_user,
        "buyer": buyer,
        "buyer_user": buyer_user,
        "pia": pia,
        "draft": draft,
        "certificate": pia_certificate,
        "event": event,
        "mou": mou,
        "sourcing_request": sourcing_request,
        "meeting": meeting,
        "application": application,
    }


def pages_to_check(data: dict) -> list[tuple[str, str | None, str]]:
    """(page name, who is signed in, path): every public page, and the main forms of producers and buyers."""
    from django.urls import reverse

    event, pia = data["event"], data["pia"]
    pages = [
        ("home", None, "/"),
        ("home-en", None, "/en/"),
        ("catalogue", None, "/products/"),
        ("catalogue-search", None, "/products/?q=banh+pia&stars=4"),
        ("catalogue-empty", None, "/products/?q=khong+co+san+pham+nay"),
        ("product", None, reverse("catalog:product-detail", args=[pia.pk])),
        ("product-en", None, "/en" + reverse("catalog:product-detail", args=[pia.pk])),
        ("producer", None, reverse("catalog:producer-detail", args=[data["producer"].pk])),
        ("verify", None, reverse("catalog:certificate-verify", args=[data["certificate"].verification_code])),
        ("verify-unknown", None, reverse("catalog:certificate-verify", args=["x" * 22])),
        ("events", None, reverse("events:event-list")),
        ("event", None, event.get_absolute_url()),
        ("event-agenda", None, reverse("events:event-agenda", args=[event.slug])),
        ("event-participants", None, reverse("events:event-participants", args=[event.slug])),
        ("event-report", None, reverse("reports:event-report", args=[event.slug])),
        ("mous", None, reverse("events:mou-list")),
        ("mou", None, reverse("events:mou-detail", args=[data["mou"].pk])),
        ("sign-in", None, reverse("accounts:login")),
        ("sign-up", None, reverse("accounts:signup")),
        ("sign-up-producer", None, reverse("accounts:signup-kind", args=["producer"])),
        ("sign-up-buyer", None, reverse("accounts:signup-kind", args=["buyer"])),
        ("password-reset", None, reverse("accounts:password-reset")),
        ("not-found", None, "/products/999999/"),
        ("producer-dashboard", "producer", reverse("accounts:dashboard")),
        ("product-create", "producer", reverse("catalog:my-product-create")),
        ("product-photos", "producer", reverse("catalog:my-product-photos", args=[data["draft"].pk])),
        ("application-create", "producer", reverse("catalog:my-application-create")),
        ("application", "producer", reverse("catalog:my-application-detail", args=[data["application"].pk])),
        ("sourcing-request-create", "buyer", reverse("matchmaking:request-create")),
        ("suggestions", "buyer", reverse("matchmaking:request-suggestions", args=[data["sourcing_request"].pk])),
        (
            "meeting-request",
            "buyer",
            reverse("matchmaking:meeting-create") + f"?producer={data['producer'].pk}&product={pia.pk}",
        ),
        ("meeting", "buyer", reverse("matchmaking:meeting-detail", args=[data["meeting"].pk])),
        ("event-registration", "buyer", reverse("events:event-register", args=[event.slug])),
        ("check-in-desk", "staff", reverse("events:staff-checkin", args=[event.slug])),
        ("import", "staff", reverse("catalog:staff-import")),
        ("statistics", None, reverse("reports:statistics")),
        ("certificate-register", None, reverse("reports:certificate-register")),
        ("open-data", None, reverse("reports:open-data")),
    ]
    return pages
