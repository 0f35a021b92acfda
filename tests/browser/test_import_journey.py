"""Staff import a spreadsheet of the province's OCOP list: they download the template, fill it in, upload it,
read the dry run (one row in error, with its reason), and import the valid row."""

import pytest
from playwright.sync_api import expect

from catalog.models import Certificate, Product
from tests.browser.conftest import save_screenshot
from tests.browser.support import IMPORT_ROWS, XLSX, import_workbook, sign_in, staff_user, vi

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
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
