"""Every journey, with the keyboard alone: Tab and Shift+Tab to move, Enter and Space to act, arrows in selects
and radio groups, typing in fields. No click, no programmatic focus. Each control reached shows a visible focus
ring (the portal's :focus-visible style)."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from catalog.models import Application, ApplicationDocument, Certificate, Product
from events.models import Registration
from matchmaking.models import MeetingRequest, SourcingRequest
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import save_screenshot
from tests.browser.support import (
    IMPORT_ROWS,
    XLSX,
    capitalised,
    conference,
    fish_sauce_makers,
    import_workbook,
    jpeg_file,
    open_cycle,
    pdf_file,
    pia_catalogue,
    staff_user,
    vi,
)
from tests.matchmaking.factories import BuyerFactory, UserFactory

pytestmark = pytest.mark.browser

# The focused control, or the card it sits in, carries an outline of at least 2px.
HAS_FOCUS_RING = """element => {
  if (!element.matches(':focus-visible')) return false;
  for (let node = element, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
    const style = getComputedStyle(node);
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) return true;
  }
  return false;
}"""


class KeyboardUser:
    """Drives one page with key presses only."""

    def __init__(self, page, *, tab_limit: int = 250):
        self.page = page
        self.tab_limit = tab_limit

    def focused(self, locator) -> bool:
        return locator.evaluate("element => element === document.activeElement")

    def tab_to(self, locator, *, backwards: bool = False):
        # Found once: finding by role and name on every key press would be slow on long pages.
        target = locator.element_handle()
        # A new page (not one opened at an #anchor, where Tab starts from the anchor) begins at the skip link.
        fresh_page = self.page.evaluate("document.activeElement === document.body && !location.hash")
        if not backwards and fresh_page and target.evaluate("element => element.closest('main') !== null"):
            self.skip_to_main()
        for _ in range(self.tab_limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            if target.evaluate("element => element === document.activeElement"):
                # The admin is Django's own look; every page of the portal shows the portal's focus ring.
                if "/admin/" not in self.page.url:
                    assert target.evaluate(HAS_FOCUS_RING), f"no visible focus on {locator} at {self.page.url}"
                return locator
        raise AssertionError(f"{locator} was not reached with the Tab key on {self.page.url}")

    def skip_to_main(self):
        """On a new page, the first Tab reaches the "Skip to main content" link (the portal's and the admin's)."""
        self.page.keyboard.press("Tab")
        skip_link = self.page.evaluate("document.activeElement.getAttribute('href')")
        assert skip_link in {"#main", "#content-start"}, f"the first Tab reached {skip_link!r} on {self.page.url}"
        self.page.keyboard.press("Enter")

    def press(self, locator, key: str = "Enter"):
        self.tab_to(locator)
        self.page.keyboard.press(key)

    def type(self, locator, text: str):
        self.tab_to(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def choose(self, select, label: str):
        """A <select>: Home, then the down arrow until the option is chosen."""
        self.tab_to(select)
        self.page.keyboard.press("Home")
        for _ in range(select.locator("option").count()):
            if select.evaluate("element => element.selectedOptions[0].textContent.trim()") == label:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"no option {label!r} in {select}")

    def choose_radio(self, radio):
        """A radio group: Tab into it (it lands on the checked radio), then the arrows to the wanted one."""
        name = radio.get_attribute("name")
        for _ in range(self.tab_limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate("document.activeElement.name") == name:
                break
        else:
            raise AssertionError(f"the radio group {name!r} was not reached with the Tab key on {self.page.url}")
        for _ in range(10):
            if self.focused(radio):
                if not radio.is_checked():
                    self.page.keyboard.press("Space")  # a group with nothing checked yet
                if radio.is_checked():
                    assert radio.evaluate(HAS_FOCUS_RING), f"no visible focus on {radio} at {self.page.url}"
                    return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{radio} was not chosen with the arrow keys")

    def attach(self, file_input, file: dict):
        """A file input opens the system's file chooser on Space; the chooser is the system's, not the portal's."""
        self.tab_to(file_input)
        # Chromium now and then drops the first key press on a freshly focused file input: press again, still with the
        # keyboard and still on the input, rather than fail on the browser's timing.
        for attempt in range(3):
            assert self.focused(file_input), f"the focus left {file_input} at {self.page.url}"
            try:
                with self.page.expect_file_chooser(timeout=4000) as chooser:
                    self.page.keyboard.press("Space" if attempt % 2 == 0 else "Enter")
            except PlaywrightTimeoutError:
                continue
            chooser.value.set_files(file)
            return
        raise AssertionError(f"{file_input} did not open the file chooser from the keyboard")

    def sign_in(self, email: str, password: str = PASSWORD):
        self.press(self.page.get_by_role("link", name=vi("Sign in"), exact=True).first)
        self.type(self.page.get_by_label(vi("Email")), email)
        self.type(self.page.get_by_label(vi("Password")), password)
        self.page.keyboard.press("Enter")
        expect(self.page.get_by_role("button", name=vi("Sign out"), exact=True)).to_be_visible()


def main_nav(page):
    return page.get_by_role("navigation", name=vi("Main"))


def visitor_finds_and_verifies(keys: KeyboardUser, pia) -> None:
    page = keys.page
    page.goto("/")
    keys.type(page.get_by_role("main").get_by_role("searchbox", name=vi("Search OCOP products")), "banh pia")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=banh"))
    keys.press(page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(vi('4 stars'))}")), "Space")
    page.wait_for_url(re.compile(r"stars=4"))
    # The page comes back with the focus on the same checkbox; the results follow the filters.
    expect(page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(vi('4 stars'))}"))).to_be_focused()
    keys.press(page.get_by_role("link", name=pia.name))
    keys.press(page.get_by_role("link", name=vi("Verify this certificate"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Valid"))


def producer_signs_up_adds_a_product_and_applies(keys: KeyboardUser) -> None:
    page = keys.page
    page.goto("/")
    keys.press(main_nav(page).get_by_role("link", name=vi("Sign up"), exact=True))
    keys.press(page.get_by_role("link", name=vi("I produce OCOP products"), exact=True))
    for label, value in (
        ("Your full name", "Huỳnh Ngọc Trân"),
        ("Email", "ngoctran@example.vn"),
        ("Phone", "0939 111 222"),
        ("Password", "Tra-mang-cau-Ngoc-Tran-26"),
        ("Password again", "Tra-mang-cau-Ngoc-Tran-26"),
        ("Organisation name", "Hộ kinh doanh Ngọc Trân"),
        ("Tax code", "2200987654"),
    ):
        keys.type(page.get_by_label(vi.exactly(label)), value)
    keys.choose(page.get_by_label(vi.exactly("Province/city")), "Thành phố Cần Thơ")
    ward = page.get_by_label(vi.exactly("Ward/commune"))
    ward.locator("option", has_text="Phường Vĩnh Châu").wait_for(state="attached")
    keys.choose(ward, "Phường Vĩnh Châu")
    keys.press(page.get_by_role("button", name=vi("Create account"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hộ kinh doanh Ngọc Trân")

    keys.press(page.get_by_role("main").get_by_role("link", name=vi("My products"), exact=True))
    keys.press(page.get_by_role("link", name=vi("Add a product"), exact=True))
    keys.type(page.get_by_label(vi.field(Product, "name")), "Trà mãng cầu Ngọc Trân")
    keys.choose(page.get_by_label(vi.exactly("OCOP product group")), "Thực phẩm — Chè từ thực vật khác")
    keys.type(page.get_by_label(vi.field(Product, "description")), "Trà mãng cầu sấy lạnh, đóng hộp 200 g.")
    keys.type(page.get_by_label(vi.field(Product, "unit")), "hộp")
    keys.press(page.get_by_role("button", name=vi("Save"), exact=True))
    upload = page.get_by_role("region", name=vi("Add a photo"))
    keys.attach(upload.get_by_label(vi.exactly("Photo")), jpeg_file("tra-mang-cau.jpg"))
    keys.type(upload.get_by_label(vi.exactly("What the photo shows")), "Hộp trà mãng cầu 200 g")
    keys.press(upload.get_by_role("button", name=vi("Upload the photo"), exact=True))
    expect(page.get_by_text(vi("The photo is added."))).to_be_visible()
    # Publish sits above the photos: back with Shift+Tab.
    keys.tab_to(page.get_by_role("button", name=vi("Publish"), exact=True), backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_text(vi("The product is published."))).to_be_visible()

    workspace = page.get_by_role("navigation", name=vi("Producer workspace"))
    keys.press(workspace.get_by_role("link", name=vi("My applications"), exact=True))
    keys.press(page.get_by_role("link", name=vi("Apply for OCOP evaluation"), exact=True).first)
    keys.choose(page.get_by_label(vi.exactly("Product")), "Trà mãng cầu Ngọc Trân")
    keys.press(page.get_by_role("button", name=vi("Create the application"), exact=True))
    for kind in ApplicationDocument.REQUIRED_KINDS:
        keys.choose(page.get_by_label(vi.exactly("Which document is it?")), vi(ApplicationDocument.Kind(kind).label))
        keys.attach(page.get_by_label(vi.exactly("File")), pdf_file(f"{kind}.pdf"))
        keys.press(page.get_by_role("button", name=vi("Upload the document"), exact=True))
        expect(page.get_by_role("status")).to_contain_text(f"{kind}.pdf")
    keys.press(page.get_by_role("button", name=vi("Submit the application"), exact=True))
    expect(page.get_by_role("heading", name=re.compile(re.escape(vi("Submitted"))))).to_be_visible()


def staff_score_and_recognise(keys: KeyboardUser, product_name: str) -> None:
    page = keys.page
    keys.press(main_nav(page).get_by_role("link", name=vi("Admin"), exact=True))
    keys.press(page.get_by_role("link", name=capitalised(Application._meta.verbose_name_plural, vi), exact=True))
    keys.press(page.get_by_role("link", name=product_name))
    for step, fields in (
        ("Start the review", {}),
        (
            "Enter my score",
            {
                "Section A — product and community strength": "32",
                "Section B — marketing": "20",
                "Section C — product quality": "26",
            },
        ),
        ("Finish scoring", {}),
        ("Recognise", {"Decision number": "2210/QĐ-UBND"}),
    ):
        keys.press(page.get_by_role("link", name=vi(step), exact=True))
        for label, value in fields.items():
            keys.type(page.get_by_label(vi(label)), value)
        keys.press(page.get_by_role("button", name=vi(step), exact=True))
        expect(page.locator(".messagelist .success")).to_be_visible()


def buyer_requests_a_meeting(keys: KeyboardUser, fish_sauce: dict, meeting_at: datetime.datetime) -> None:
    page = keys.page
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    keys.press(main_nav(page).get_by_role("link", name=vi("My account"), exact=True))
    keys.press(page.get_by_role("link", name=vi("Post a sourcing request"), exact=True))
    keys.choose(page.get_by_label(vi.exactly("Product sub-group")), "1.4.1 Gia vị: tương, nước mắm, gia vị lỏng")
    keys.type(page.get_by_label(vi.field(SourcingRequest, "title")), "Nước mắm cá cơm cho chuỗi cửa hàng")
    keys.type(page.get_by_label(vi.field(SourcingRequest, "keywords")), "nước mắm cá cơm")
    keys.type(page.get_by_label(vi.field(SourcingRequest, "quantity_per_month")), "300")
    keys.type(page.get_by_label(vi.field(SourcingRequest, "unit")), "chai")
    keys.choose_radio(page.get_by_role("radio", name=vi("4 stars"), exact=True))
    # A date field takes its parts in the browser's order (month, day, year here), then Tab leaves it.
    deadline_field = page.get_by_label(vi.field(SourcingRequest, "deadline"))
    keys.tab_to(deadline_field)
    page.keyboard.type(deadline.strftime("%m%d%Y"))
    expect(deadline_field).to_have_value(deadline.isoformat())
    keys.press(page.get_by_role("button", name=vi("Post the request"), exact=True))
    keys.press(page.get_by_role("link", name=vi("See suggested products, with the reasons"), exact=True))
    keys.press(page.get_by_role("link", name=f"{vi('Request a meeting')} — {fish_sauce['producer'].name}"))

    keys.type(page.get_by_label(vi.exactly("Online meeting link")), "https://meet.example.vn/nuoc-mam")
    first_time = page.get_by_label(vi.exactly("First proposed time"))
    keys.tab_to(first_time)
    local = timezone.localtime(meeting_at)
    page.keyboard.type(local.strftime("%m%d%Y"))
    page.keyboard.press("Tab")
    page.keyboard.type(local.strftime("%I%M%p")[:5])
    expect(first_time).to_have_value(local.strftime("%Y-%m-%dT%H:%M"))
    keys.type(page.get_by_label(vi.exactly("Message")), "Chúng tôi muốn bán nước mắm của cơ sở ở 40 cửa hàng.")
    keys.press(page.get_by_role("button", name=vi("Send the request"), exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(fish_sauce["producer"].name)


def producer_accepts_and_downloads_the_ics(keys: KeyboardUser, buyer_name: str) -> icalendar.Calendar:
    page = keys.page
    keys.press(main_nav(page).get_by_role("link", name=re.compile(rf"^{re.escape(vi('Meetings'))}")))
    keys.press(page.get_by_role("link", name=buyer_name).first)
    keys.choose_radio(page.get_by_role("radio").first)
    keys.press(page.get_by_role("button", name=vi("Accept the meeting"), exact=True))
    expect(page.get_by_text(vi("The meeting is accepted. The other side is told by email."))).to_be_visible()
    keys.tab_to(page.get_by_role("link", name=vi("Add to my calendar (.ics)"), exact=True))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    return icalendar.Calendar.from_ical(download.value.path().read_bytes())


def organisation_registers(keys: KeyboardUser, event) -> None:
    page = keys.page
    keys.press(main_nav(page).get_by_role("link", name=vi("Events"), exact=True))
    keys.press(page.get_by_role("link", name=event.name).first)
    keys.press(page.get_by_role("link", name=vi("Register your organisation"), exact=True))
    keys.choose_radio(page.get_by_role("radio", name=vi("Exhibitor with a booth"), exact=True))
    keys.type(page.get_by_label(vi.exactly("Number of people")), "2")
    keys.press(page.get_by_role("checkbox", name="Lạp xưởng tươi Tân Huê Viên"), "Space")
    keys.press(page.get_by_role("button", name=vi("Register"), exact=True))
    expect(page.get_by_text(vi("Registration code"))).to_be_visible()


def staff_check_in(keys: KeyboardUser, event, registration: Registration) -> None:
    page = keys.page
    keys.press(page.get_by_role("link", name=vi("View site"), exact=True))
    keys.press(main_nav(page).get_by_role("link", name=vi("Events"), exact=True))
    keys.press(page.get_by_role("link", name=event.name).first)
    keys.press(page.get_by_role("link", name=vi("Check-in desk (staff)"), exact=True))
    # The desk's search field has the focus when the page opens: the code is typed at once.
    search = page.get_by_label(vi.exactly("Organisation or code"))
    expect(search).to_be_focused()
    page.keyboard.type(registration.code)
    page.keyboard.press("Enter")
    keys.press(page.get_by_role("button", name=f"{vi('Check in')} — {registration.organisation.name}"))
    expect(page.get_by_role("status")).to_contain_text(registration.organisation.name)


def staff_import_a_spreadsheet(keys: KeyboardUser) -> None:
    page = keys.page
    keys.press(main_nav(page).get_by_role("link", name=vi("OCOP certification"), exact=True))
    keys.press(page.get_by_role("link", name=vi("Import the province's OCOP list"), exact=True))
    keys.tab_to(page.get_by_role("link", name=vi("Download the template (.xlsx)"), exact=True))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    workbook = import_workbook(download.value.path().read_bytes())
    keys.attach(
        page.get_by_label(vi("OCOP list (Excel .xlsx or CSV)")),
        {"name": "danh-sach-ocop.xlsx", "mimeType": XLSX, "buffer": workbook},
    )
    keys.press(page.get_by_role("button", name=vi("Check the list"), exact=True))
    keys.press(page.get_by_role("button", name=vi.n("Import %(counter)s row", "Import %(counter)s rows", 1, counter=1)))
    expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Import result"))


def test_every_journey_can_be_completed_with_the_keyboard_alone(open_page, live_db, mailoutbox):
    open_cycle()
    catalogue, fish_sauce, event_data = pia_catalogue(), fish_sauce_makers(), conference()
    staff = staff_user(certifier=True)
    buyer = BuyerFactory(name="Siêu thị Thử nghiệm Cái Răng")
    buyer_user = UserFactory(organisation=buyer)
    meeting_at = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=9), datetime.time(14, 30))
    )

    visitor = KeyboardUser(open_page("desktop"))
    visitor_finds_and_verifies(visitor, catalogue["pia"])

    producer = KeyboardUser(open_page("desktop"))
    producer_signs_up_adds_a_product_and_applies(producer)
    assert Application.objects.get(product__name="Trà mãng cầu Ngọc Trân").status == Application.Status.SUBMITTED

    desk = KeyboardUser(open_page("desktop"))
    desk.page.goto("/")
    desk.sign_in(staff.email)
    staff_score_and_recognise(desk, "Trà mãng cầu Ngọc Trân")
    certificate = Certificate.objects.get(product__name="Trà mãng cầu Ngọc Trân")
    assert (certificate.stars, certificate.decision_number) == (4, "2210/QĐ-UBND")

    buyer_keys = KeyboardUser(open_page("desktop"))
    buyer_keys.page.goto("/")
    buyer_keys.sign_in(buyer_user.email)
    buyer_requests_a_meeting(buyer_keys, fish_sauce, meeting_at)

    seller = KeyboardUser(open_page("desktop"))
    seller.page.goto("/")
    seller.sign_in(fish_sauce["producer_user"].email)
    calendar = producer_accepts_and_downloads_the_ics(seller, buyer.name)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == meeting_at
    assert MeetingRequest.objects.get().status == MeetingRequest.Status.ACCEPTED

    exhibitor = KeyboardUser(open_page("desktop"))
    exhibitor.page.goto("/")
    exhibitor.sign_in(event_data["producer_user"].email)
    organisation_registers(exhibitor, event_data["event"])
    registration = Registration.objects.get(event=event_data["event"])
    staff_check_in(desk, event_data["event"], registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    staff_import_a_spreadsheet(desk)
    assert Product.objects.filter(name=IMPORT_ROWS[0]["Tên sản phẩm"], current_certificate__stars=4).exists()
    save_screenshot(desk.page, "keyboard-import")
