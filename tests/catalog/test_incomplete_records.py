"""Public pages of records taken from the province's published lists: no photo, no score, no ward yet.

A certified product is public record, so it is listed before its producer completes the profile: the pages must
read well without a photo (the group's pictogram, "Photo coming soon"), without a score ("Score not published",
never "None" or 0) and without a ward (the former district the list gave).
"""

import json
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from catalog.models import Certificate
from catalog.selectors import featured_products, product_list, product_page
from catalog.services import photo_add
from tests.catalog.factories import ProductFactory, certify, jpeg_upload
from tests.catalog.listed import PLACE_NAME, listed_product, producer_without_ward, record_without_score

pytestmark = pytest.mark.django_db

PICTOGRAM = "img/groups/beverages.svg"
CAPTION = {"vi": "Ảnh đang được cập nhật", "en": "Photo coming soon"}
NO_SCORE = {"vi": "Điểm không công bố", "en": "Score not published"}
PREFIX = {"vi": "", "en": "/en"}


@pytest.fixture
def listed():
    """A bottled drink certified 4★ from a list: no photo, no description, no score, its producer without a ward."""
    product = listed_product(name="Nước dừa Cầu Kè", code="2.2.2")
    record_without_score(product, stars=4)
    return product


@pytest.fixture
def photographed():
    product = ProductFactory(name="Bánh pía có ảnh")
    certify(product, score="75")
    photo_add(actor=None, product=product, upload=jpeg_upload(size=(64, 48)))
    return product


# A Python None printed into a page ("None declared" is the English for no standards).
PRINTED_NONE = re.compile(r"\bNone\b(?! declared)")


def json_ld(body: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_card_without_photo_shows_its_groups_pictogram_and_the_caption(client, listed, photographed, language):
    body = client.get(PREFIX[language] + reverse("catalog:product-list")).content.decode()

    card = body[body.index("Nước dừa Cầu Kè") - 1500 : body.index("Nước dừa Cầu Kè")]
    assert PICTOGRAM in card
    assert CAPTION[language] in card
    assert body.count(CAPTION[language]) == 1  # the product with a photo shows its photo
    assert PLACE_NAME in body
    assert not PRINTED_NONE.search(body)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_product_page_without_photo_shows_the_pictogram_the_stars_and_score_not_published(client, listed, language):
    body = client.get(PREFIX[language] + listed.get_absolute_url()).content.decode()

    assert PICTOGRAM in body and CAPTION[language] in body
    assert ("OCOP 4 sao" if language == "vi" else "OCOP 4 stars") in body
    assert NO_SCORE[language] in body
    assert not PRINTED_NONE.search(body) and "/ 100" not in body
    assert PLACE_NAME in body


def test_structured_data_claims_no_image_or_description_the_product_does_not_have(client, listed, photographed):
    bare = json_ld(client.get(listed.get_absolute_url()).content.decode())
    assert "image" not in bare and "description" not in bare
    assert bare["award"].startswith("OCOP 4 sao")

    with_photo = json_ld(client.get(photographed.get_absolute_url()).content.decode())
    assert len(with_photo["image"]) == 1 and with_photo["description"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_producer_without_a_ward_shows_its_former_district(client, listed, language):
    producer = listed.producer
    body = client.get(PREFIX[language] + reverse("catalog:producer-detail", args=[producer.pk])).content.decode()

    assert f'<p class="producer-header__place">{PLACE_NAME}</p>' in body
    assert f"{producer.street_address}, {PLACE_NAME}" in body  # the address
    assert PICTOGRAM in body  # its product's card
    assert not PRINTED_NONE.search(body)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_expired_certificate_without_score_reads_expired_on_card_product_and_producer_pages(client, language):
    product = listed_product(name="Rượu hết hạn", code="2.1.1")
    certificate = record_without_score(product, stars=4, days_ago=1200)  # 36 months ended; still marked valid
    assert certificate.public_status == Certificate.Status.EXPIRED
    expired = "Giấy chứng nhận OCOP hết hiệu lực" if language == "vi" else "OCOP certificate expired"
    pages = {
        "catalogue": reverse("catalog:product-list"),
        "product": product.get_absolute_url(),
        "producer": reverse("catalog:producer-detail", args=[product.producer.pk]),
    }
    for name, path in pages.items():
        body = client.get(PREFIX[language] + path).content.decode()
        assert expired in body, name
        assert "star-badge" not in body, name  # never shown as live stars
        assert not PRINTED_NONE.search(body), name
    product_body = client.get(PREFIX[language] + pages["product"]).content.decode()
    assert NO_SCORE[language] in product_body


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_verification_page_of_a_decision_without_score(client, listed, language):
    certificate = listed.current_certificate
    body = client.get(
        PREFIX[language] + reverse("catalog:certificate-verify", args=[certificate.verification_code])
    ).content.decode()

    assert NO_SCORE[language] in body
    assert PLACE_NAME in body
    assert PICTOGRAM in body
    assert not PRINTED_NONE.search(body)


def test_a_decision_with_its_score_still_shows_it(client, photographed):
    body = client.get(photographed.get_absolute_url()).content.decode()
    assert "75 / 100" in body
    assert NO_SCORE["vi"] not in body


def test_the_card_bundles_carry_the_place_and_group_of_a_producer_without_a_ward(
    listed, photographed, django_assert_num_queries
):
    """What the cards print comes with the bundle: reading it afterwards costs no query."""
    catalogue = list(product_list(params=QueryDict()).page.object_list)
    featured = featured_products()
    page = product_page(pk=listed.pk)
    products = [*catalogue, *featured, page.product]
    assert {product.pk for product in catalogue} == {listed.pk, photographed.pk}
    with django_assert_num_queries(0):
        places = {product.name: product.producer.place_name for product in products}
        groups = {product.name: product.subgroup.group.code for product in products}
    assert places["Nước dừa Cầu Kè"] == PLACE_NAME
    assert places["Bánh pía có ảnh"] == "Phường Vĩnh Châu, Thành phố Cần Thơ"
    assert groups == {"Nước dừa Cầu Kè": "2", "Bánh pía có ảnh": "1"}


def test_listing_pages_query_counts_stay_with_records_from_lists(client, django_assert_max_num_queries):
    producer = producer_without_ward()
    for index in range(30):
        record_without_score(listed_product(producer=producer, name=f"Nước {index}"), stars=3 + index % 2)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:product-list"))
    assert response.status_code == 200
    assert response.content.decode().count(CAPTION["vi"]) == 24
    some = producer.products.first()
    with django_assert_max_num_queries(10):
        assert client.get(some.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200
