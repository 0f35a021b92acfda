"""A visitor finds an OCOP product without typing accents, narrows it to 4 stars, and checks its certificate
as a shopper does: from the product page and by scanning the QR code printed on the package."""

import io
import re

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import save_screenshot
from tests.browser.support import Words, pia_catalogue

pytestmark = pytest.mark.browser


@pytest.fixture
def catalogue(live_db):
    return pia_catalogue()


def scan_package_qr(certificate, producer_user) -> str:
    """The address a phone reads from the QR code the producer downloaded for its packaging."""
    client = Client()
    client.force_login(producer_user)
    response = client.get(reverse("catalog:certificate-qr-png", args=[certificate.verification_code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_visitor_searches_without_accents_filters_opens_a_product_and_verifies_its_certificate(
    open_page, catalogue, live_url, settings, language, viewport
):
    # The QR codes carry the portal's public address: here, the live server.
    settings.PORTAL_URL = live_url
    words = Words(language)
    page = open_page(viewport)
    pia = catalogue["pia"]
    pia_name = pia.name_en if language == "en" else pia.name

    page.goto(words.path("/"))
    search = page.get_by_role("main").get_by_role("searchbox", name=words("Search OCOP products"))
    search.fill("banh pia")
    search.press("Enter")

    results = page.get_by_role(
        "region", name=re.compile(words.n("%(counter)s product", "%(counter)s products", 2, counter=2))
    )
    expect(results.get_by_role("link", name=pia_name)).to_be_visible()
    other_name = "Mung bean pia cake" if language == "en" else "Bánh pía đậu xanh"
    expect(results.get_by_role("link", name=other_name)).to_be_visible()
    expect(results.get_by_role("link", name="Mắm cá lóc Thiện Mỹ")).to_have_count(0)

    if viewport == "phone":
        # Phones keep the filters behind a "Filters" button.
        page.locator("summary", has_text=words("Filters")).click()
    four_stars = page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(words('4 stars'))}"))
    four_stars.click()  # the page applies the filter at once
    page.wait_for_url(re.compile(r"stars=4"))
    expect(page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(words('4 stars'))}"))).to_be_checked()
    results = page.get_by_role(
        "region", name=re.compile(words.n("%(counter)s product", "%(counter)s products", 1, counter=1))
    )
    expect(results.get_by_role("link", name=other_name)).to_have_count(0)

    results.get_by_role("link", name=pia_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pia_name)
    expect(page.get_by_role("img", name="Hộp bánh pía 500 g")).to_be_visible()
    certificate_panel = page.get_by_role("region", name=words("OCOP certificate"))
    expect(certificate_panel.get_by_text(words.stars(4))).to_be_visible()
    expect(certificate_panel).to_contain_text(catalogue["certificate"].decision_number)

    certificate_panel.get_by_role("link", name=words("Verify this certificate")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(words("Valid"))
    expect(page.get_by_role("main").get_by_text(words.stars(4)).first).to_be_visible()
    verify_path = page.url.removeprefix(live_url)

    # The shopper scans the package: the QR code leads to the same record, in the portal's default language.
    scanned = scan_package_qr(catalogue["certificate"], catalogue["producer_user"])
    assert (
        scanned
        == f"{live_url}{reverse('catalog:certificate-verify', args=[catalogue['certificate'].verification_code])}"
    )
    assert verify_path == words.path(scanned.removeprefix(live_url))
    page.goto(scanned)
    expect(page.get_by_role("heading", level=1)).to_contain_text(Words("vi")("Valid"))
    expect(page.get_by_role("link", name=pia.name).first).to_be_visible()
    save_screenshot(page, f"visitor-{language}-{viewport}")
