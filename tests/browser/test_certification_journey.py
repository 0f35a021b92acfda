"""A producer signs up, adds a product with a photo and applies for OCOP evaluation; staff verify the
organisation, score and recognise the product in the admin; the public page then shows the star, and the
QR code the producer downloads for its packaging leads to a valid certificate."""

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from accounts.models import Organisation
from catalog.models import Application, ApplicationDocument, Certificate, Product
from tests.browser.conftest import save_screenshot
from tests.browser.support import (
    admin_open,
    admin_verify_organisation,
    jpeg_file,
    open_cycle,
    pdf_file,
    sign_in,
    sign_up,
    staff_user,
    vi,
)

pytestmark = pytest.mark.browser

PRODUCER = {"name": "Lâm Thị Cẩm", "email": "camthieu.test@example.vn", "phone": "0912 345 678"}
PRODUCER_PASSWORD = "Tra-mang-cau-Nga-Nam-2026"
ORGANISATION = {
    "name": "Công ty TNHH MTV Cẩm Thiều Thử nghiệm",
    "tax_code": "2200123456",
    "ward": "Phường Vĩnh Châu",
    "street": "Ấp Biển Dưới",
}
PRODUCT = "Trà mãng cầu Ngã Năm"


def add_product_with_photo(page) -> None:
    page.get_by_role("navigation", name=vi("Main")).get_by_role("link", name=vi("My account"), exact=True).click()
    page.get_by_role("link", name=vi("My products"), exact=True).first.click()
    page.get_by_role("link", name=vi("Add a product"), exact=True).click()
    page.get_by_label(vi.field(Product, "name")).fill(PRODUCT)
    page.get_by_label(vi.exactly("OCOP product group")).select_option(label="Thực phẩm — Chè từ thực vật khác")
    page.get_by_label(vi.field(Product, "description")).fill("Trà túi lọc từ trái mãng cầu ta trồng tại Ngã Năm.")
    page.get_by_label(vi.field(Product, "unit")).fill("hộp")
    page.get_by_role("button", name=vi("Save"), exact=True).click()

    # The product is a draft: a photo, then publish.
    expect(page.get_by_role("heading", level=1)).to_contain_text(PRODUCT)
    upload = page.get_by_role("region", name=vi("Add a photo"))
    upload.get_by_label(vi.exactly("Photo")).set_input_files(jpeg_file("tra-mang-cau.jpg"))
    upload.get_by_label(vi.exactly("What the photo shows")).fill("Hộp trà mãng cầu 20 túi lọc")
    upload.get_by_role("button", name=vi("Upload the photo"), exact=True).click()
    expect(page.get_by_text(vi("The photo is added."))).to_be_visible()
    page.get_by_role("button", name=vi("Publish"), exact=True).click()
    expect(page.get_by_text(vi("The product is published."))).to_be_visible()


def apply_for_evaluation(page) -> None:
    page.get_by_role("navigation", name=vi("Producer workspace")).get_by_role(
        "link", name=vi("My applications"), exact=True
    ).click()
    page.get_by_role("link", name=vi("Apply for OCOP evaluation"), exact=True).first.click()
    page.get_by_label(vi.exactly("Product")).select_option(label=PRODUCT)
    page.get_by_label(vi.exactly("Self-assessment score")).fill("76")
    page.get_by_role("button", name=vi("Create the application"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PRODUCT)

    for kind in ApplicationDocument.REQUIRED_KINDS:
        label = str(ApplicationDocument.Kind(kind).label)
        page.get_by_label(vi.exactly("Which document is it?")).select_option(label=vi(label))
        page.get_by_label(vi.exactly("File")).set_input_files(pdf_file(f"{kind}.pdf"))
        page.get_by_role("button", name=vi("Upload the document"), exact=True).click()
        expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(f"{kind}.pdf")
    page.get_by_role("button", name=vi("Submit the application"), exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(vi("Submitted"))))).to_be_visible()


def admin_open_application(page) -> None:
    admin_open(page, Application)
    page.get_by_role("link", name=PRODUCT).click()


def workflow_step(page, step: str, fields: dict | None = None) -> None:
    """Open a workflow button of the application's admin page, fill its form, confirm it."""
    page.get_by_role("link", name=vi(step), exact=True).click()
    for label, value in (fields or {}).items():
        page.get_by_label(vi(label)).fill(value)
    page.get_by_role("button", name=vi(step), exact=True).click()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_producer_applies_staff_recognise_and_the_public_page_shows_the_star(
    open_page, live_url, settings, mailoutbox, viewport
):
    settings.PORTAL_URL = live_url
    open_cycle()
    staff = staff_user(certifier=True)

    producer_page = open_page(viewport)
    sign_up(
        producer_page,
        kind="producer",
        person={**PRODUCER, "password": PRODUCER_PASSWORD},
        organisation=ORGANISATION,
    )
    # The producer is welcomed, staff are asked to verify the new organisation.
    assert [(message.to, message.subject) for message in mailoutbox] == [
        ([PRODUCER["email"]], vi("Welcome to %(portal)s") % {"portal": settings.PORTAL_NAME}),
        ([staff.email], vi("New organisation to verify: %(name)s") % {"name": ORGANISATION["name"]}),
    ]
    add_product_with_photo(producer_page)
    apply_for_evaluation(producer_page)

    staff_page = open_page(viewport)
    sign_in(staff_page, staff.email)
    admin_verify_organisation(staff_page, ORGANISATION["name"])
    admin_open_application(staff_page)
    workflow_step(staff_page, "Start the review")
    workflow_step(
        staff_page,
        "Enter my score",
        {
            "Section A — product and community strength": "30",
            "Section B — marketing": "20",
            "Section C — product quality": "25",
        },
    )
    workflow_step(staff_page, "Finish scoring")
    staff_page.get_by_role("link", name=vi("Recognise"), exact=True).click()
    staff_page.get_by_label(vi("Decision number")).fill("2150/QĐ-UBND")
    staff_page.get_by_role("button", name=vi("Recognise"), exact=True).click()
    certificate = Certificate.objects.get(product__name=PRODUCT)
    assert (certificate.stars, certificate.status, certificate.total_score) == (4, Certificate.Status.VALID, 75)
    recognised = vi("Recognised by decision %(number)s: %(stars)s, valid until %(date)s.") % {
        "number": "2150/QĐ-UBND",
        "stars": "4★",
        "date": certificate.valid_until.strftime("%d/%m/%Y"),
    }
    expect(staff_page.get_by_role("listitem").filter(has_text=recognised)).to_be_visible()
    save_screenshot(staff_page, f"certification-staff-{viewport}")
    assert Organisation.objects.get(name=ORGANISATION["name"]).is_verified

    # The public page shows the star to anyone; the QR code the producer prints on the package verifies it.
    visitor_page = open_page(viewport)
    visitor_page.goto("/")
    visitor_page.get_by_role("navigation", name=vi("Main")).get_by_role("link", name=vi("Products"), exact=True).click()
    visitor_page.get_by_role("link", name=PRODUCT).click()
    expect(visitor_page.get_by_role("region", name=vi("OCOP certificate")).get_by_text(vi.stars(4))).to_be_visible()

    producer_page.get_by_role("navigation", name=vi("Main")).get_by_role(
        "link", name=vi("My account"), exact=True
    ).click()
    producer_page.get_by_role("link", name=vi("My products"), exact=True).first.click()
    with producer_page.expect_download() as download:
        producer_page.get_by_role("link", name=f"{vi('QR code (PNG)')} — {PRODUCT}").click()
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(download.value.path().read_bytes())))
    assert barcode.text == f"{live_url}/verify/{certificate.verification_code}/"
    visitor_page.goto(barcode.text)
    expect(visitor_page.get_by_role("heading", level=1)).to_contain_text(vi("Valid"))
    expect(visitor_page.get_by_role("main").get_by_text(vi.stars(4)).first).to_be_visible()
    save_screenshot(visitor_page, f"certification-verify-{viewport}")
