"""The public catalogue: visibility, filters, facet counts, sorting, certificates and query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Ward
from catalog.models import Certificate, Product
from catalog.selectors import home_figures
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, subgroup
from tests.catalog.listing import listing

pytestmark = pytest.mark.django_db


def names(result):
    return sorted(product.name for product in result.page.object_list)


def facet(result, name):
    return {value.value: value.count for value in result.facets[name]}


@pytest.fixture
def hanoi_ward():
    return Ward.objects.select_related("province").get(code="00004")


@pytest.fixture
def catalogue(hanoi_ward):
    """Five public products with known stars, groups, places, producer types and standards."""
    coop = ProducerFactory(legal_form="cooperative")
    household = ProducerFactory(legal_form="household")
    hanoi = ProducerFactory(legal_form="enterprise", ward=hanoi_ward, province=hanoi_ward.province)
    products = {
        "pia4": ProductFactory(name="Bánh pía 4 sao", producer=coop, subgroup=subgroup("1.3.2"), standards=["haccp"]),
        "pia3": ProductFactory(name="Bánh pía 3 sao", producer=household, subgroup=subgroup("1.3.2")),
        "mam3": ProductFactory(
            name="Mắm 3 sao", producer=household, subgroup=subgroup("1.4.1"), standards=["haccp", "vietgap"]
        ),
        "tra_expired": ProductFactory(name="Trà hết hạn", producer=coop, subgroup=subgroup("1.5.2")),
        "non_la": ProductFactory(name="Nón lá Hà Nội", producer=hanoi, subgroup=subgroup("4.1.1")),
    }
    certify(products["pia4"], score="75")
    certify(products["pia3"], score="55")
    certify(products["mam3"], score="69.9")
    certify(products["tra_expired"], score="80", days_ago=1200)  # 36 months ended
    return products


def test_only_published_products_of_verified_producers_are_public(catalogue):
    ProductFactory(name="Nháp", status=Product.Status.DRAFT, published_at=None)
    ProductFactory(name="Lưu trữ", status=Product.Status.ARCHIVED)
    ProductFactory(name="Chưa xác minh", producer=ProducerFactory(is_verified=False, verified_at=None))
    result = listing()
    assert result.total == 5
    assert "Nháp" not in names(result) and "Lưu trữ" not in names(result) and "Chưa xác minh" not in names(result)


def test_star_filter_takes_several_stars_and_ignores_expired_certificates(catalogue):
    assert names(listing(stars="4")) == ["Bánh pía 4 sao"]
    assert names(listing(stars=["3", "4"])) == ["Bánh pía 3 sao", "Bánh pía 4 sao", "Mắm 3 sao"]
    # The expired 4★ tea is no 4★ product any more.
    assert "Trà hết hạn" not in names(listing(stars=["4", "5"]))


def test_star_counts_count_valid_certificates_only(catalogue):
    assert facet(listing(), "stars") == {"5": 0, "4": 1, "3": 2}


def test_filters_combine(catalogue):
    result = listing(stars=["3", "4"], group=str(subgroup("1.3.2").group_id), standard="haccp")
    assert names(result) == ["Bánh pía 4 sao", "Mắm 3 sao"]
    result = listing(stars=["3", "4"], subgroup=str(subgroup("1.3.2").pk), standard="haccp")
    assert names(result) == ["Bánh pía 4 sao"]
    result = listing(legal_form=["household", "enterprise"])
    assert names(result) == ["Bánh pía 3 sao", "Mắm 3 sao", "Nón lá Hà Nội"]


def test_each_facet_counts_with_the_other_filters_applied(catalogue):
    result = listing(stars="3")
    # The star facet ignores the star filter itself, so other stars stay choosable with their counts.
    assert facet(result, "stars") == {"5": 0, "4": 1, "3": 2}
    # Other facets count within the 3★ results.
    assert facet(result, "legal_form") == {"enterprise": 0, "cooperative": 0, "cooperative_group": 0, "household": 2}
    assert facet(result, "standard")["haccp"] == 1
    assert facet(result, "standard")["vietgap"] == 1
    assert facet(result, "valid") == {"1": 2}
    assert result.total == 2


def test_province_filter_and_counts(catalogue, hanoi_ward):
    result = listing(province=hanoi_ward.province_id)
    assert names(result) == ["Nón lá Hà Nội"]
    counts = facet(listing(), "province")
    assert counts["92"] == 4
    assert counts[hanoi_ward.province_id] == 1
    assert sum(counts.values()) == 5


def test_group_and_subgroup_filters(catalogue):
    food = subgroup("1.3.2").group
    assert len(names(listing(group=str(food.pk)))) == 4
    assert names(listing(subgroup=str(subgroup("1.4.1").pk))) == ["Mắm 3 sao"]
    counts = facet(listing(), "group")
    assert counts[str(food.pk)] == 4
    assert counts[str(subgroup("4.1.1").group_id)] == 1


def test_valid_now_filter(catalogue):
    assert names(listing(valid="true")) == ["Bánh pía 3 sao", "Bánh pía 4 sao", "Mắm 3 sao"]


def test_standards_filter_requires_every_chosen_standard(catalogue):
    assert names(listing(standard=["haccp", "vietgap"])) == ["Mắm 3 sao"]


def test_unknown_filter_values_filter_nothing_instead_of_failing(catalogue):
    result = listing(stars="9", group="999999", province="xx", sort="sideways")
    assert result.total == 5


def test_sort_orders(catalogue):
    by_name = [p.name for p in listing(sort="name").page.object_list]
    assert by_name == sorted(by_name)
    by_stars = [p.name for p in listing(sort="stars").page.object_list]
    assert by_stars[0] == "Bánh pía 4 sao"
    assert set(by_stars[1:3]) == {"Bánh pía 3 sao", "Mắm 3 sao"}
    Product.objects.filter(pk=catalogue["non_la"].pk).update(published_at=timezone.now() + datetime.timedelta(days=1))
    assert listing(sort="newest").page.object_list[0].name == "Nón lá Hà Nội"
    assert listing(q="bánh pía").sort == "relevance"


def test_expired_certificate_is_shown_as_expired_never_as_a_star(client):
    product = ProductFactory(name="Trà hết hạn riêng")  # its producer has no other product with a badge
    certificate = certify(product, score="80", days_ago=1200)
    assert certificate.status == Certificate.Status.VALID  # the daily command has not marked it yet
    assert certificate.public_status == Certificate.Status.EXPIRED
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200
    assert "star-badge" not in page.text
    assert "Giấy chứng nhận OCOP hết hiệu lực" in page.text
    english = client.get("/en" + product.get_absolute_url())
    assert "star-badge" not in english.text
    assert "OCOP certificate expired" in english.text


def test_valid_certificate_shows_its_star(client, catalogue):
    page = client.get(catalogue["pia4"].get_absolute_url())
    assert "OCOP 4 sao" in page.text


def test_seasonality():
    product = Product(months_available=[3, 4, 5])
    assert product.is_available_in(4)
    assert not product.is_available_in(9)
    assert Product(months_available=[]).is_available_in(9)


def test_a_new_certificate_supersedes_the_old_one(catalogue):
    product = catalogue["pia3"]
    old = product.current_certificate
    new = certify(product, score="72", days_ago=10)
    old.refresh_from_db()
    product.refresh_from_db()
    assert old.status == Certificate.Status.SUPERSEDED
    assert product.current_certificate == new
    assert new.stars == 4


def test_home_figures_count_certified_public_products_and_their_producers(catalogue):
    assert home_figures() == {"products": 3, "producers": 2, "five": 0, "four": 1, "three": 2}


def test_catalogue_page_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries):
    producer = ProducerFactory()
    for index in range(30):
        certify(ProductFactory(producer=producer, name=f"Bánh {index}"), score="60")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:product-list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 24
    with django_assert_max_num_queries(10):
        client.get(reverse("catalog:product-list"), {"q": "banh", "stars": ["3", "4"], "page": "2"})


def test_product_page_query_count(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = client.get(catalogue["pia4"].get_absolute_url())
    assert response.status_code == 200


def test_home_page_query_count(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


def test_non_public_product_page_is_404(client):
    draft = ProductFactory(status=Product.Status.DRAFT, published_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_catalogue_url_holds_the_whole_query(client, catalogue):
    response = client.get(reverse("catalog:product-list"), {"q": "banh pia", "stars": ["3", "4"], "sort": "name"})
    assert response.status_code == 200
    assert [p.name for p in response.context["page_obj"].object_list] == ["Bánh pía 3 sao", "Bánh pía 4 sao"]


def test_sort_select_offers_recommended_first_and_no_blank_choice(client, catalogue):
    page = client.get(reverse("catalog:product-list"), {"q": "bánh"})
    assert "---------" not in page.text
    assert '<option value="" selected>' in page.text
    chosen = client.get(reverse("catalog:product-list"), {"q": "bánh", "sort": "name"})
    assert '<option value="name" selected>' in chosen.text
    assert '<option value="" selected>' not in chosen.text
