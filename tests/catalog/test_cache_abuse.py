"""The page cache cannot be filled at will: keyed on the parameters a page reads, unknown ones redirected away,
and a bounded number of new pages per client address a minute."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from catalog import cache as page_cache
from tests.catalog.factories import ProductFactory, certify, subgroup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def product():
    product = ProductFactory(name="Gạo ST25 Sóc Trăng", subgroup=subgroup("1.2.1"))
    certify(product, score="80", days_ago=30)
    return product


def stored_pages() -> int:
    """Pages in the local-memory cache of the tests (its keys carry the page prefix)."""
    return sum(1 for key in cache._cache if f":{page_cache.PAGE_KEY_PREFIX}:" in key and ":adds:" not in key)


def test_an_unknown_parameter_is_redirected_away_and_stores_nothing(client, product):
    url = reverse("catalog:product-list")
    for attempt in range(50):
        response = client.get(url, {"q": "gạo", "r": str(attempt)})
        assert response.status_code == 302
        assert response["Location"] == f"{url}?q=g%E1%BA%A1o"
    assert stored_pages() == 0
    page = client.get(response["Location"])
    assert product.name in page.text
    assert stored_pages() == 1


def test_the_home_and_product_pages_take_no_parameters(client, product):
    home = client.get(reverse("home"), {"utm_source": "zalo"})
    assert (home.status_code, home["Location"]) == (302, reverse("home"))
    detail_url = reverse("catalog:product-detail", args=[product.pk])
    assert client.get(detail_url, {"x": "1"})["Location"] == detail_url


def test_the_same_filters_in_another_order_or_with_empty_values_are_one_entry(client, product):
    url = reverse("catalog:product-list")
    variants = [
        "?q=g%E1%BA%A1o&stars=4&stars=3",
        "?stars=3&q=g%E1%BA%A1o&stars=4",
        "?stars=4&stars=3&q=g%E1%BA%A1o&group=&sort=",
    ]
    for query in variants:
        assert client.get(url + query).status_code == 200
    assert stored_pages() == 1


def test_one_address_adds_at_most_the_limit_of_new_pages_a_minute(client, product, settings):
    settings.PAGE_CACHE_ADDS_PER_MINUTE = 5
    url = reverse("catalog:product-list")
    for number in range(12):
        assert client.get(url, {"q": f"gạo {number}"}).status_code == 200
    assert stored_pages() == 5
    # Another visitor (another address) still fills the cache with its own page.
    client.get(url, {"q": "gạo st25"}, REMOTE_ADDR="198.51.100.9")
    assert stored_pages() == 6


def test_signed_in_users_are_not_redirected(client, product, producer):
    client.force_login(producer)
    response = client.get(reverse("catalog:product-list"), {"q": "gạo", "r": "1"})
    assert response.status_code == 200
