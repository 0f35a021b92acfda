"""Staff import a spreadsheet of the province's OCOP list: they download the template, fill it in, upload it,
read the dry run (one row in error, with its reason), and import the valid row; a long list is checked and
imported by a worker while its page shows the progress."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from catalog.models import Certificate, Product
from catalog.services import imports as import_services
from tests.browser.conftest import TIMEOUT_MS, VIEWPORTS, save_screenshot
from tests.browser.support import IMPORT_ROWS, XLSX, import_workbook, sign_in, staff_user, vi
from tests.jobs import run_queued_jobs

pytestmark = pytest.mark.browser


# At the desktop width: the phone's is the long list's journey below, without JavaScript.
@pytest.mark.parametrize("viewport", ["desktop"])
def test_staff_import_a_spreadsheet_after_a_dry_run(open_page, live_db, viewport):
    staff = staff_user()
    page = open_page(viewport)
    sign_in(page, staff.email)
    page.get_by_role("navigation", name=vi("Main")).get_by_role(
        "link", name=vi("OCOP certification"), exact=True
    ).click()
    page.get_by_role("link", name=vi("Import the province's OCOP list"), exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Download the template (.xlsx)"), exact=True).click()
    workbook = import_workbook(download.value.path().read_bytes())

    page.get_by_label(vi("OCOP list (Excel .xlsx or CSV)")).set_input_files(
        {
            "name": "danh-sach-ocop-2024.xlsx",
            "mimeType": XLSX,
            "buffer": workbook,
        }
    )
    page.get_by_role("button", name=vi("Check the list"), exact=True).click()

    # The dry run: nothing saved yet, the row in error named with its reason.
    expect(page.get_by_text(vi("Nothing has been saved yet."))).to_be_visible()
    assert not Product.objects.filter(name="Trà mãng cầu Thử nghiệm").exists()
    errors = page.get_by_role(
        "region", name=vi.n("%(counter)s row with errors", "%(counter)s rows with errors", 1, counter=1)
    )
    expect(errors.get_by_role("row", name=IMPORT_ROWS[1]["Tên sản phẩm"])).to_contain_text("120")

    page.get_by_role("button", name=vi.n("Import %(counter)s row", "Import %(counter)s rows", 1, counter=1)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Import result"))

    product = Product.objects.select_related("producer__province", "current_certificate").get(
        name="Trà mãng cầu Thử nghiệm"
    )
    assert product.producer.name == "Hợp tác xã Thử nghiệm Đại Tâm"
    assert product.producer.province.name == "Thành phố Cần Thơ"
    certificate = product.current_certificate
    assert (certificate.stars, certificate.decision_number, certificate.status) == (
        4,
        "1234/QĐ-UBND",
        Certificate.Status.VALID,
    )
    assert not Product.objects.filter(name="Mứt mận Thử nghiệm").exists()
    save_screenshot(page, f"import-{viewport}")


@pytest.mark.parametrize("scripts", ["with JavaScript", "without JavaScript"])
def test_a_long_list_is_checked_and_imported_by_a_worker_while_its_page_shows_the_progress(
    browser, live_url, live_db, monkeypatch, scripts
):
    # Lists longer than one row go to the worker here, so that the template's two rows take the long path.
    monkeypatch.setattr(import_services, "BACKGROUND_ROWS", 1)
    staff = staff_user()
    viewport = "desktop" if scripts == "with JavaScript" else "phone"
    context = browser.new_context(
        base_url=live_url, locale="vi-VN", java_script_enabled=scripts == "with JavaScript", **VIEWPORTS[viewport]
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, staff.email)
        page.goto(vi.path(reverse("catalog:staff-import")))
        template = page.context.request.get(vi.path(reverse("catalog:staff-import-template"))).body()
        page.get_by_label(vi("OCOP list (Excel .xlsx or CSV)")).set_input_files(
            {"name": "danh-sach-dai.xlsx", "mimeType": XLSX, "buffer": import_workbook(template)}
        )
        page.get_by_role("button", name=vi("Check the list"), exact=True).click()

        # Waiting for the worker: the page says what happens and shows the bar; nothing is saved.
        expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Checking"))
        expect(page.locator("progress")).to_be_visible()
        save_screenshot(page, f"import-waiting-{viewport}")
        assert run_queued_jobs() == 1
        # The page notices by itself (in place with JavaScript, by refreshing without) and shows the dry run.
        expect(page.get_by_text(vi("Nothing has been saved yet."))).to_be_visible()

        page.get_by_role("button", name=vi.n("Import %(counter)s row", "Import %(counter)s rows", 1, counter=1)).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Importing"))
        assert not Product.objects.filter(name="Trà mãng cầu Thử nghiệm").exists()
        assert run_queued_jobs() == 1
        expect(page.get_by_role("heading", level=1)).to_contain_text(vi("Import result"))
        assert Product.objects.filter(name="Trà mãng cầu Thử nghiệm").count() == 1
        save_screenshot(page, f"import-done-{viewport}")
    finally:
        context.close()
