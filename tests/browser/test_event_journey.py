"""An organisation registers for a trade event with its products; on the day, staff check it in at the desk."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Registration
from tests.browser.conftest import save_screenshot
from tests.browser.support import conference, sign_in, staff_user, vi

pytestmark = pytest.mark.browser


@pytest.fixture
def registration_open(live_db):
    return conference()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_organisation_registers_for_an_event_and_staff_check_it_in(
    open_page, registration_open, mailoutbox, viewport
):
    staff = staff_user()
    organisation = registration_open["organisation"]

    page = open_page(viewport)
    sign_in(page, registration_open["producer_user"].email)
    page.get_by_role("navigation", name=vi("Main")).get_by_role("link", name=vi("Events"), exact=True).click()
    page.get_by_role("link", name=registration_open["event"].name).first.click()
    page.get_by_role("link", name=vi("Register your organisation"), exact=True).click()
    page.get_by_role("radio", name=vi("Exhibitor with a booth"), exact=True).check()
    page.get_by_label(vi.exactly("Number of people")).fill("3")
    page.get_by_role("checkbox", name="Lạp xưởng tươi Tân Huê Viên").check()
    page.get_by_label(vi.exactly("Booth request")).fill("2 bàn, gần ổ điện")
    page.get_by_label(vi.exactly("List our organisation on the public participants page")).check()
    page.get_by_role("button", name=vi("Register"), exact=True).click()

    registration = Registration.objects.get(event=registration_open["event"], organisation=organisation)
    assert (registration.status, registration.people_count) == (Registration.Status.CONFIRMED, 3)
    expect(page.get_by_role("status")).to_contain_text(registration.code)
    expect(page.get_by_text(registration.code, exact=True)).to_be_visible()
    assert any(registration.code in message.body for message in mailoutbox)

    # The day of the event: staff find the organisation by its code and check it in.
    desk = open_page(viewport)
    sign_in(desk, staff.email)
    desk.get_by_role("navigation", name=vi("Main")).get_by_role("link", name=vi("Events"), exact=True).click()
    desk.get_by_role("link", name=registration_open["event"].name).first.click()
    desk.get_by_role("link", name=vi("Check-in desk (staff)"), exact=True).click()
    registrations = desk.get_by_role("region", name=vi("Registrations"))
    registrations.get_by_label(vi.exactly("Organisation or code")).fill(registration.code)
    registrations.get_by_role("button", name=vi("Search"), exact=True).click()
    check_in = desk.get_by_role("button", name=f"{vi('Check in')} — {organisation.name}")
    check_in.click()
    expect(desk.get_by_role("status")).to_contain_text(organisation.name)
    expect(check_in).to_have_count(0)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None and registration.checked_in_by == staff
    save_screenshot(desk, f"event-checkin-{viewport}")

    # The organisation's own page says it is checked in.
    page.reload()
    expect(
        page.get_by_text(re.compile(re.escape(vi("Checked in at %(time)s. Welcome!").split("%(time)s")[0])))
    ).to_be_visible()
    save_screenshot(page, f"event-registration-{viewport}")
