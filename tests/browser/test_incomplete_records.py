"""Pages of a certified product taken from the province's list, as a visitor sees them in Chromium.

No photo (the group's pictogram stands in for it), no score, a producer without a ward: the pages stay free of
serious accessibility violations, fit a phone's screen, and show the placeholder where the photo would be.
"""

import pytest
from django.urls import reverse

from tests.browser.conftest import VIEWPORTS
from tests.browser.support import Words
from tests.browser.test_accessibility import PAGE_WIDTH, blocking_violations, signed_in
from tests.catalog.listed import PLACE_NAME, listed_product, record_without_score

pytestmark = pytest.mark.browser

NO_SCORE = {"vi": "Điểm không công bố", "en": "Score not published"}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_pages_of_a_product_without_photo_score_or_ward(open_page, live_db, live_url, viewport, language):
    words = Words(language)
    product = listed_product(name="Nước dừa Cầu Kè")
    certificate = record_without_score(product, stars=4)
    expired = listed_product(producer=product.producer, name="Rượu dừa hết hạn", code="2.1.1")
    record_without_score(expired, stars=3, days_ago=1200)
    pages = {
        "catalogue": reverse("catalog:product-list"),
        "product": product.get_absolute_url(),
        "producer": reverse("catalog:producer-detail", args=[product.producer.pk]),
        "verify": reverse("catalog:certificate-verify", args=[certificate.verification_code]),
        "register": reverse("reports:certificate-register"),
        "statistics": reverse("reports:statistics") + f"?province={product.producer.province_id}",
    }
    page = signed_in(open_page(viewport), None, live_url)
    problems, too_wide = [], []
    for name, path in pages.items():
        assert page.goto(words.path(path)).status == 200, name
        problems += blocking_violations(page, name)
        if viewport == "phone" and (width := page.evaluate(PAGE_WIDTH)) > VIEWPORTS["phone"]["viewport"]["width"]:
            too_wide.append(f"{name}: {width} px")
        if name in ("catalogue", "product", "producer"):
            placeholder = page.locator(".photo-placeholder").first
            assert placeholder.is_visible(), name
            assert words("Photo coming soon") in placeholder.inner_text(), name
            assert placeholder.locator("img.pictogram").evaluate("img => img.complete && img.naturalWidth > 0"), name
        if name in ("product", "verify", "register"):
            assert page.get_by_text(NO_SCORE[language]).first.is_visible(), name
        if name in ("product", "producer", "verify"):
            assert page.get_by_text(PLACE_NAME).first.is_visible(), name
    assert not too_wide, too_wide
    assert not problems, "\n".join(problems)
