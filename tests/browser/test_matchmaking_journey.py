"""A buyer signs up, posts a sourcing request, reads the explained suggestions and requests a meeting; the
producer accepts one of the proposed times; both add the meeting to their calendars with the .ics file."""

import datetime
import re

import icalendar
import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking.models import MeetingRequest, SourcingRequest
from tests.browser.conftest import save_screenshot
from tests.browser.support import admin_verify_organisation, fish_sauce_makers, sign_in, sign_up, staff_user, vi

pytestmark = pytest.mark.browser

BUYER = {
    "name": "Phạm Quốc Bảo",
    "email": "muahang.test@example.vn",
    "phone": "0283 8123 456",
    "password": "Sieu-thi-Can-Tho-2026",
}
BUYER_ORGANISATION = {
    "name": "Siêu thị Thử nghiệm Ninh Kiều",
    "tax_code": "1800765432",
    "ward": "Phường Ninh Kiều",
    "street": "12 Hòa Bình",
}
REQUEST_TITLE = "Nước mắm cá cơm cho 40 cửa hàng"


@pytest.fixture
def fish_sauce(live_db):
    return fish_sauce_makers()


def post_sourcing_request(page, deadline: datetime.date) -> None:
    page.get_by_role("navigation", name=vi("Main")).get_by_role("link", name=vi("My account"), exact=True).click()
    page.get_by_role("link", name=vi("Post a sourcing request"), exact=True).click()
    page.get_by_label(vi.exactly("Product sub-group")).select_option(label="1.4.1 Gia vị: tương, nước mắm, gia vị lỏng")
    page.get_by_label(vi.field(SourcingRequest, "title")).fill(REQUEST_TITLE)
    page.get_by_label(vi.field(SourcingRequest, "keywords")).fill("nước mắm cá cơm")
    page.get_by_label(vi.field(SourcingRequest, "quantity_per_month")).fill("500")
    page.get_by_label(vi.field(SourcingRequest, "unit")).fill("chai")
    page.get_by_role("radio", name=vi("4 stars"), exact=True).check()
    page.get_by_label(vi.field(SourcingRequest, "deadline")).fill(deadline.isoformat())
    page.get_by_role("button", name=vi("Post the request"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REQUEST_TITLE)


def download_ics(page) -> icalendar.Calendar:
    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Add to my calendar (.ics)"), exact=True).click()
    assert download.value.suggested_filename.endswith(".ics")
    return icalendar.Calendar.from_ical(download.value.path().read_bytes())


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_buyer_posts_a_request_reads_suggestions_and_meets_a_producer_who_accepts(
    open_page, fish_sauce, mailoutbox, viewport
):
    staff = staff_user()
    today = timezone.localdate()
    meeting_at = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=10), datetime.time(9, 0))
    )

    buyer_page = open_page(viewport)
    sign_up(buyer_page, kind="buyer", person=BUYER, organisation=BUYER_ORGANISATION)
    staff_page = open_page(viewport)
    sign_in(staff_page, staff.email)
    admin_verify_organisation(staff_page, BUYER_ORGANISATION["name"])
    verified = mailoutbox[-1]
    assert verified.to == [BUYER["email"]]
    assert verified.subject == vi("%(name)s is verified on %(portal)s") % {
        "name": BUYER_ORGANISATION["name"],
        "portal": settings.PORTAL_NAME,
    }

    post_sourcing_request(buyer_page, today + datetime.timedelta(days=14))
    buyer_page.get_by_role("link", name=vi("See suggested products, with the reasons"), exact=True).click()

    four_star, three_star = fish_sauce["four_star"], fish_sauce["three_star"]
    suggested = buyer_page.get_by_role(
        "region", name=vi.n("%(counter)s suggested product", "%(counter)s suggested products", 1, counter=1)
    )
    suggestion = suggested.get_by_role("listitem").filter(has=buyer_page.get_by_role("heading", name=four_star.name))
    expect(
        suggestion.get_by_text(vi("%(stars)s★ ≥ %(minimum)s★ required") % {"stars": 4, "minimum": 4})
    ).to_be_visible()
    # The keywords match without their accents, word by word.
    expect(suggestion.get_by_text(vi("matches “%(words)s”") % {"words": "ca com mam nuoc"})).to_be_visible()
    left_out = buyer_page.get_by_role(
        "region", name=vi.n("%(counter)s product left out", "%(counter)s products left out", 1, counter=1)
    )
    expect(left_out.get_by_role("row", name=re.compile(re.escape(three_star.name)))).to_contain_text(
        vi("%(stars)s★ < %(minimum)s★ required") % {"stars": 3, "minimum": 4}
    )

    suggestion.get_by_role("link", name=f"{vi('Request a meeting')} — {fish_sauce['producer'].name}").click()
    buyer_page.get_by_label(vi.exactly("Online meeting link")).fill("https://meet.example.vn/nuoc-mam")
    buyer_page.get_by_label(vi.exactly("First proposed time")).fill(
        timezone.localtime(meeting_at).strftime("%Y-%m-%dT%H:%M")
    )
    expect(buyer_page.get_by_role("checkbox", name=four_star.name)).to_be_checked()
    buyer_page.get_by_label(vi.exactly("Message")).fill("Chúng tôi muốn đưa nước mắm cá cơm vào 40 cửa hàng ở Cần Thơ.")
    buyer_page.get_by_role("button", name=vi("Send the request"), exact=True).click()
    expect(buyer_page.get_by_role("heading", level=1)).to_have_text(fish_sauce["producer"].name)
    meeting = MeetingRequest.objects.get()
    assert (meeting.status, meeting.proposed_times) == (MeetingRequest.Status.REQUESTED, [meeting_at])

    producer_page = open_page(viewport)
    sign_in(producer_page, fish_sauce["producer_user"].email)
    producer_page.get_by_role("link", name=re.compile(rf"^{re.escape(vi('Meetings'))}")).first.click()
    producer_page.get_by_role("link", name=BUYER_ORGANISATION["name"]).first.click()
    producer_page.get_by_role("radio").first.check()
    producer_page.get_by_role("button", name=vi("Accept the meeting"), exact=True).click()
    expect(producer_page.get_by_text(vi("The meeting is accepted. The other side is told by email."))).to_be_visible()

    for page in (producer_page, buyer_page):
        page.reload()
        [event] = download_ics(page).walk("VEVENT")
        assert event.decoded("dtstart") == meeting_at
        assert event.decoded("dtend") == meeting_at + datetime.timedelta(minutes=30)
        assert BUYER_ORGANISATION["name"] in str(event["summary"])
        assert fish_sauce["producer"].name in str(event["summary"])
    save_screenshot(buyer_page, f"matchmaking-buyer-{viewport}")
    save_screenshot(producer_page, f"matchmaking-producer-{viewport}")
