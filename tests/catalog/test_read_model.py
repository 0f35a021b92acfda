"""The catalogue entries (the catalogue page's read model): kept in step by the database, and read correctly."""

import datetime
import random

import pytest
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils import timezone

from accounts.models import Ward
from catalog import read_model, selectors
from catalog.filters import ProductFilter
from catalog.models import CatalogueEntry, Certificate, ProducerProfile, Product, ProductSubGroup
from catalog.querysets import valid_on_q
from catalog.search import match_tsquery, product_match, search_query
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, jpeg_upload, subgroup
from tests.catalog.listing import listing

pytestmark = pytest.mark.django_db


def entry(product) -> CatalogueEntry:
    return CatalogueEntry.objects.get(product=product)


def test_an_entry_follows_every_write_to_what_it_copies():
    producer = ProducerFactory(legal_form="household")
    product = ProductFactory(producer=producer, name="Mứt mận", subgroup=subgroup("1.3.3"), standards=["haccp"])
    assert entry(product).is_public
    assert entry(product).name == "Mứt mận"
    assert entry(product).legal_form == "household"
    assert entry(product).certificate_status is None

    certificate = certify(product, score="75")
    assert (entry(product).certificate_status, entry(product).certificate_stars) == ("valid", 4)

    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED)
    assert not entry(product).is_public
    Product.objects.filter(pk=product.pk).update(status=Product.Status.PUBLISHED)
    assert entry(product).is_public

    producer.is_verified, producer.verified_at = False, None
    producer.save()
    assert not entry(product).is_public

    ward = Ward.objects.select_related("province").get(code="00004")
    producer.ward, producer.province = ward, ward.province
    producer.save()
    assert entry(product).province_id == ward.province_id

    ProducerProfile.objects.filter(organisation=producer).update(legal_form="enterprise")
    assert entry(product).legal_form == "enterprise"

    Certificate.objects.filter(pk=certificate.pk).update(
        status="revoked", revoked_on=timezone.localdate(), revocation_reason="Vi phạm"
    )
    assert entry(product).certificate_status == "revoked"

    other_group_subgroup = subgroup("1.3.3")
    moved_to = ProductSubGroup.objects.exclude(group=other_group_subgroup.group).first()
    ProductSubGroup.objects.filter(pk=other_group_subgroup.pk).update(group=moved_to.group)
    assert entry(product).group_id == moved_to.group_id

    product_id = product.pk
    Certificate.objects.filter(product=product).delete()
    product.delete()
    assert not CatalogueEntry.objects.filter(product_id=product_id).exists()


def test_the_entry_holds_the_folded_words_only():
    product = ProductFactory(name="Bánh pía Đồng Tháp")
    words = entry(product).folded_words
    assert "'banh'" in words and "'dong'" in words
    assert "bánh" not in words


QUERIES = ["banh pia", "bánh pía", "BANH", "mắm", "mam ca", "đồng", "tra sen", "pí", "no such word", "bánh 3"]


@pytest.fixture
def varied_catalogue():
    """Forty public and hidden products with random stars, places, types, groups and standards (seeded)."""
    rng = random.Random(7)
    hanoi = Ward.objects.select_related("province").get(code="00004")
    producers = [
        ProducerFactory(legal_form=form, **({"ward": hanoi, "province": hanoi.province} if index % 3 == 0 else {}))
        for index, form in enumerate(["household", "cooperative", "enterprise", "household", "cooperative_group"])
    ]
    producers.append(ProducerFactory(is_verified=False, verified_at=None))
    names = ["Bánh pía", "Bánh pía sầu riêng", "Mắm cá lóc", "Mâm tre", "Trà sen", "Gạo ST25", "Bánh in Đồng Tháp"]
    codes = ["1.3.2", "1.4.1", "4.1.1", "1.5.2", "1.2.1"]
    for index in range(40):
        product = ProductFactory(
            producer=rng.choice(producers),
            name=f"{rng.choice(names)} {index}",
            subgroup=subgroup(rng.choice(codes)),
            standards=sorted(rng.sample(["haccp", "vietgap", "organic"], rng.randint(0, 2))),
            status=rng.choice([Product.Status.PUBLISHED] * 5 + [Product.Status.ARCHIVED]),
            published_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 300)),
        )
        roll = rng.random()
        if roll < 0.6:
            certify(product, score=rng.choice(["55", "75", "92"]), level="central", days_ago=rng.randint(10, 300))
        elif roll < 0.75:
            certify(product, score="60", days_ago=1200)  # lapsed


def conditions_over_products(params, *, exclude: str | None = None) -> Q:
    """Every chosen filter's condition written over products and their joins, leaving out `exclude`."""
    filterset = ProductFilter(params)
    assert filterset.is_valid()
    valid = valid_on_q(path="current_certificate__")
    written = {
        "q": lambda value: product_match(value) or Q(),
        "stars": lambda value: valid & Q(current_certificate__stars__in=[int(star) for star in value]),
        "group": lambda value: Q(subgroup__group=value),
        "subgroup": lambda value: Q(subgroup=value),
        "province": lambda value: Q(producer__province=value),
        "legal_form": lambda value: Q(producer__producer_profile__legal_form__in=value),
        "standard": lambda value: Q(standards__contains=list(value)),
        "valid": lambda value: valid,
    }
    combined = Q()
    for name, value in filterset.filter_values().items():
        if name != exclude and value not in (None, "", [], False):
            combined &= written[name](value)
    return combined


def counts_from_products(params: dict) -> tuple[int, dict]:
    """The total and facet counts computed the straightforward way, over products and their joins."""
    base = Product.objects.public()
    total = base.filter(conditions_over_products(params)).count()
    facets = {}
    dimensions = {
        "stars": ("current_certificate__stars", valid_on_q(path="current_certificate__")),
        "subgroup": ("subgroup", Q()),
        "group": ("subgroup__group", Q()),
        "province": ("producer__province", Q()),
        "legal_form": ("producer__producer_profile__legal_form", Q()),
    }
    for name, (field, extra) in dimensions.items():
        rows = base.filter(conditions_over_products(params, exclude=name) & extra).values(field).annotate(n=Count("pk"))
        facets[name] = {str(row[field]): row["n"] for row in rows if row[field] is not None}
    facets["standard"] = {
        code: base.filter(conditions_over_products(params, exclude="standard") & Q(standards__contains=[code])).count()
        for code in ("haccp", "vietgap", "organic")
    }
    facets["valid"] = {
        "1": base.filter(
            conditions_over_products(params, exclude="valid") & valid_on_q(path="current_certificate__")
        ).count()
    }
    return total, facets


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "banh"},
        {"stars": ["3", "4"]},
        {"q": "bánh pía", "stars": ["4"], "legal_form": ["household", "cooperative"]},
        {"standard": ["haccp"], "valid": "true"},
        {"province": "01", "standard": ["haccp", "vietgap"]},
        {"q": "mam", "group": "GROUP_OF_1.4.1", "subgroup": "SUBGROUP_1.4.1"},
        {"stars": ["5"], "valid": "true", "legal_form": ["enterprise"], "q": "gao"},
    ],
)
def test_facet_counts_from_entries_equal_counts_over_products(varied_catalogue, params):
    params = {
        key: (
            str(subgroup(value.removeprefix("GROUP_OF_")).group_id)
            if isinstance(value, str) and value.startswith("GROUP_OF_")
            else str(subgroup(value.removeprefix("SUBGROUP_")).pk)
            if isinstance(value, str) and value.startswith("SUBGROUP_")
            else value
        )
        for key, value in params.items()
    }
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    result = selectors.product_list(params=query)
    total, expected = counts_from_products(query)
    assert result.total == total
    for name, counts in expected.items():
        shown = {facet.value: facet.count for facet in result.facets[name] if facet.count}
        assert shown == {value: count for value, count in counts.items() if count}, name


@pytest.mark.parametrize("query", QUERIES)
def test_the_entries_match_exactly_the_products_the_search_document_matches(varied_catalogue, query):
    tsquery = match_tsquery(query)
    expected = set(Product.objects.public().filter(search_vector=search_query(tsquery)).values_list("pk", flat=True))
    result = listing(q=query)
    assert result.total == len(expected)
    assert {product.pk for product in result.page.object_list} <= expected


@pytest.mark.parametrize("sort", ["newest", "name", "stars"])
def test_collecting_matches_first_or_walking_the_index_gives_the_same_pages(sort, monkeypatch):
    rng = random.Random(5)
    producer = ProducerFactory()
    for index in range(60):
        product = ProductFactory(
            producer=producer,
            name=f"Bánh {rng.choice(['pía', 'in', 'tráng', 'cống'])} {index}",
            published_at=timezone.now() - datetime.timedelta(hours=rng.randint(0, 2000)),
        )
        if index % 3:
            certify(product, score=rng.choice(["55", "75"]), days_ago=rng.randint(10, 900))

    def pages(**params):
        return [[p.pk for p in listing(**params, page=str(n)).page.object_list] for n in (1, 2)]

    for params in ({"q": "banh", "sort": sort}, {"sort": sort}):
        monkeypatch.setattr(read_model, "SEARCH_CAP", 10_000)  # every match collected, then sorted
        collected = pages(**params)
        monkeypatch.setattr(read_model, "SEARCH_CAP", 30)  # more matches than the cap: the index is walked
        walked = pages(**params)
        assert len(collected[0]) == 24
        assert collected[0] == walked[0]
        assert walked[1] == collected[1][: len(walked[1])]
        assert walked[1]


def test_orders_are_those_the_visitor_chose(varied_catalogue):
    by_name = [p.name for p in listing(sort="name").page.object_list]
    assert by_name == sorted(by_name)
    newest = [p.published_at for p in listing(sort="newest").page.object_list]
    assert newest == sorted(newest, reverse=True)
    today = timezone.localdate()
    stars = [
        p.current_certificate.stars if p.current_certificate and p.current_certificate.is_valid_on(today) else 0
        for p in listing(sort="stars").page.object_list
    ]
    assert stars == sorted(stars, reverse=True)


def test_pages_stop_at_the_cap_and_the_page_says_how_many_can_be_reached(client, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_PAGES", 2)
    producer = ProducerFactory()
    for index in range(60):
        ProductFactory(producer=producer, name=f"Kẹo dừa {index}")
    result = listing(page="5")
    assert result.total == 60
    assert result.page.paginator.num_pages == 2
    assert result.page.number == 2  # a page beyond the cap shows the last reachable page
    assert result.truncated
    page = client.get("/products/", {"page": "2"}).text
    notice = page[page.index('class="catalogue-truncated"') :].split("</p>")[0]
    assert "48" in notice
    for index in range(3):
        ProductFactory(producer=producer, name=f"Bưởi da xanh {index}")
    assert 'class="catalogue-truncated"' not in client.get("/products/", {"q": "buoi"}).text


def test_relevance_ranks_within_the_newest_matches(monkeypatch):
    """Ranking is bounded: the RANK_WINDOW newest matches are ranked; exact accents still rank first."""
    monkeypatch.setattr(read_model, "RANK_WINDOW", 3)
    producer = ProducerFactory()
    now = timezone.now()
    old = ProductFactory(producer=producer, name="Mắm cũ", published_at=now - datetime.timedelta(days=30))
    newer = [
        ProductFactory(producer=producer, name=name, published_at=now - datetime.timedelta(days=days))
        for name, days in (("Mâm tre 1", 1), ("Mắm tôm", 2), ("Mâm tre 2", 3))
    ]
    result = listing(q="mắm")
    ranked = [p.name for p in result.page.object_list]
    assert result.total == 4
    assert old.name not in ranked
    assert ranked[0] == "Mắm tôm"
    assert set(ranked) == {p.name for p in newer}


def test_a_search_matching_more_than_the_cap_says_more_than_and_still_pages(client, monkeypatch):
    monkeypatch.setattr(read_model, "SEARCH_CAP", 5)
    producer = ProducerFactory()
    for index in range(12):
        certify(ProductFactory(producer=producer, name=f"Bánh tráng {index}"), score="60")
    ProductFactory(producer=producer, name="Khô cá lóc")
    result = listing(q="banh trang")
    assert result.capped
    assert result.total == 5  # "more than 5": the cap and one more were counted
    # Relevance ranks among the matches that were counted.
    assert len(result.page.object_list) == 5
    assert all(p.name.startswith("Bánh tráng") for p in result.page.object_list)
    stars = {facet.value: facet for facet in result.facets["stars"]}
    assert stars["3"].at_least and stars["3"].count >= 5
    page = client.get("/en/products/", {"q": "banh trang"}).text
    assert "More than 5 products" in page
    assert "(6+)" in page  # the 3-star facet: at least 6
    # Newest first is exact even when the count is capped: the index is walked in order.
    newest = [p.name for p in listing(q="banh trang", sort="newest").page.object_list]
    assert newest[:2] == ["Bánh tráng 11", "Bánh tráng 10"]
    # A search under the cap is exact and says so.
    exact = listing(q="kho ca")
    assert not exact.capped and exact.total == 1


def test_the_product_page_reads_the_product_its_photos_and_its_siblings_in_few_queries(
    client, django_assert_max_num_queries
):
    from catalog import services

    producer = ProducerFactory()
    now = timezone.now()
    product = ProductFactory(producer=producer, name="Mắm cá lóc", published_at=now - datetime.timedelta(days=3))
    for index in range(6):
        ProductFactory(producer=producer, name=f"Khô cá {index}", published_at=now - datetime.timedelta(days=index))
    ProductFactory(producer=producer, name="Bản nháp", status=Product.Status.DRAFT, published_at=None)
    services.photo_add(actor=None, product=product, upload=jpeg_upload("a.jpg"), alt_text="mặt trước")
    services.photo_add(actor=None, product=product, upload=jpeg_upload("b.jpg"), alt_text="mặt sau")
    sibling = Product.objects.get(name="Khô cá 0")
    services.photo_add(actor=None, product=sibling, upload=jpeg_upload("c.jpg"), alt_text="khô")

    page = selectors.product_page(pk=product.pk, siblings=4)
    assert page.product == product
    assert [photo.alt_text for photo in page.photos] == ["mặt trước", "mặt sau"]
    assert [other.name for other in page.siblings] == ["Khô cá 0", "Khô cá 1", "Khô cá 2", "Khô cá 3"]
    assert [photo.alt_text for photo in page.siblings[0].primary_photos] == ["khô"]
    assert page.siblings[1].primary_photos == []
    with django_assert_max_num_queries(4):
        response = client.get(product.get_absolute_url())
    assert "Khô cá 3" in response.text and "Khô cá 4" not in response.text and "Bản nháp" not in response.text

    draft = Product.objects.get(name="Bản nháp")
    assert client.get(draft.get_absolute_url()).status_code == 404
