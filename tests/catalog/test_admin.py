import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Certificate, ProducerProfile, Product, ProductGroup, ProductSubGroup, RuleSet
from tests.catalog.factories import ProductFactory, certify, jpeg_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def certifier(staff):
    staff.groups.add(Group.objects.get(name="Hội đồng đánh giá OCOP"))
    return staff


@pytest.mark.parametrize("model", [Product, Certificate, ProducerProfile, RuleSet, ProductGroup, ProductSubGroup])
def test_admin_changelists_open(admin_client, model):
    certify(ProductFactory(), score="80")
    url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "bánh"}).status_code == 200


def test_admin_product_change_page_opens_with_photo(admin_client):
    product = ProductFactory()
    from catalog import services

    services.photo_add(actor=None, product=product, upload=jpeg_upload())
    assert admin_client.get(reverse("admin:catalog_product_change", args=[product.pk])).status_code == 200


def certificate_form(product, **overrides):
    data = {
        "product": product.pk,
        "rule_set": RuleSet.objects.get(code="1489/2025").pk,
        "total_score": "78.5",
        "decision_number": "2150/QĐ-UBND",
        "decision_date": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "level": "province",
    }
    data.update(overrides)
    return data


def test_certifying_staff_enter_a_certificate_and_the_stars_are_derived(client, certifier):
    product = ProductFactory()
    client.force_login(certifier)
    response = client.post(reverse("admin:catalog_certificate_add"), certificate_form(product))
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.stars == 4
    assert certificate.valid_until.year == certificate.decision_date.year + 3
    product.refresh_from_db()
    assert product.current_certificate == certificate


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"total_score": "95", "level": "province"}, "5 stars are recognised centrally"),
        ({"total_score": "101"}, ""),
        ({"total_score": "45"}, ""),
        ({"total_score": "-3"}, ""),
        ({"decision_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat()}, ""),
    ],
)
def test_bad_certificates_are_refused(client, certifier, overrides, message):
    product = ProductFactory()
    client.force_login(certifier)
    with_english = reverse("admin:catalog_certificate_add").replace("/admin/", "/en/admin/", 1)
    response = client.post(with_english, certificate_form(product, **overrides))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    if message:
        assert message in response.text
    assert not Certificate.objects.exists()


def test_staff_without_certify_cannot_add_certificates(client, staff):
    product = ProductFactory()
    client.force_login(staff)
    assert client.get(reverse("admin:catalog_certificate_add")).status_code == 403
    assert client.post(reverse("admin:catalog_certificate_add"), certificate_form(product)).status_code == 403
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("who", ["producer", "buyer"])
def test_non_staff_cannot_reach_the_admin(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:catalog_certificate_add"))
    assert response.status_code == 302
    assert "login" in response.url


def test_certificates_cannot_be_deleted(admin_client):
    certificate = certify(ProductFactory(), score="60")
    response = admin_client.post(reverse("admin:catalog_certificate_delete", args=[certificate.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_staff_upload_photos_through_the_same_pipeline(admin_client):
    product = ProductFactory()
    data = {
        "producer": product.producer.pk,
        "subgroup": product.subgroup.pk,
        "name": product.name,
        "unit": "hộp",
        "status": "published",
        "description": "Mô tả",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "new_photo": jpeg_upload(),
        "new_photo_alt_text": "Ảnh",
    }
    response = admin_client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    photo = product.photos.get()
    assert photo.thumbnail_small.name.endswith(".webp")


def changelist(client, model, **params):
    return client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), params)


def test_staff_search_products_by_words_without_accents_or_by_gtin(admin_client):
    rice = ProductFactory(name="Gạo ST25 Sóc Trăng", gtin="8938505974192")
    ProductFactory(name="Mắm cá linh", producer=rice.producer)
    draft = ProductFactory(name="Gạo nếp cái hoa vàng", status=Product.Status.DRAFT, published_at=None)

    found = changelist(admin_client, Product, q="gao soc").context["cl"].result_list
    assert list(found) == [rice]
    found = changelist(admin_client, Product, q="NẾP CÁI").context["cl"].result_list
    assert list(found) == [draft]  # staff find drafts too
    assert list(changelist(admin_client, Product, q="893850597").context["cl"].result_list) == [rice]
    assert list(changelist(admin_client, Product, q="!!!").context["cl"].result_list) == []


def test_staff_search_certificates_by_decision_number_start_or_product_words(admin_client):
    rice = certify(ProductFactory(name="Gạo ST25 Sóc Trăng"), score="80")
    fish = certify(ProductFactory(name="Mắm cá linh"), score="60")
    Certificate.objects.filter(pk=fish.pk).update(decision_number="2150/QĐ-UBND")

    assert list(changelist(admin_client, Certificate, q="2150").context["cl"].result_list) == [fish]
    assert list(changelist(admin_client, Certificate, q="mam ca").context["cl"].result_list) == [fish]
    assert list(changelist(admin_client, Certificate, q="soc trang").context["cl"].result_list) == [rice]


def test_the_certificate_stars_filter_offers_the_three_bands_and_filters(admin_client):
    five = certify(ProductFactory(), score="92", level=Certificate.Level.CENTRAL)
    certify(ProductFactory(), score="75")
    response = changelist(admin_client, Certificate, stars="5")
    assert list(response.context["cl"].result_list) == [five]
    assert len(changelist(admin_client, Certificate, stars="7").context["cl"].result_list) == 2


def changelist_statements(client, app_label, model_name, params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), params)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    ("app_label", "model_name"), [("catalog", "product"), ("catalog", "certificate"), ("accounts", "organisation")]
)
def test_large_changelists_read_no_whole_table_for_their_filters(admin_client, app_label, model_name):
    """No date hierarchy (it reads every row for its years), no distinct values, no facet counts, one count."""
    certify(ProductFactory(), score="80")
    statements = changelist_statements(admin_client, app_label, model_name, {"q": "thử", "_facets": "True"})
    whole_table = [
        sql for sql in statements if "DATE_TRUNC" in sql or "SELECT DISTINCT" in sql or "FILTER (WHERE" in sql
    ]
    assert not whole_table, statements
    assert sum("COUNT(*)" in sql for sql in statements) == 1, statements


def test_the_audit_trail_changelist_has_no_date_hierarchy(admin_client):
    statements = changelist_statements(admin_client, "accounts", "actionrecord", {})
    assert not [sql for sql in statements if "DATE_TRUNC" in sql], statements
    assert sum("COUNT(*)" in sql for sql in statements) == 1, statements


def plan(queryset, *, condition_only=False) -> str:
    """The plan PostgreSQL picks when scanning a whole table and sorting are priced out: what an index serves.

    `condition_only` also prices out walking a whole index in order, so only an index that finds the rows of
    the condition (a bitmap scan) is left: it shows that the condition itself is indexed.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"SET LOCAL enable_indexscan = {'off' if condition_only else 'on'}")
    return queryset.explain()


def test_the_product_changelist_order_search_and_date_filter_read_indexes(rf, admin_user):
    from catalog.admin.products import ProductAdmin

    template = ProductFactory()
    # Enough rows that reading the whole table costs what it would in production, next to an index lookup.
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Product.objects.bulk_create(
        Product(
            producer=template.producer,
            subgroup=template.subgroup,
            name=f"Sản phẩm {n}",
            gtin=f"{n:013d}",
            created_at=long_ago,
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")
    model_admin = ProductAdmin(Product, admin.site)

    def queryset(**params):
        request = rf.get("/", params)
        request.user = admin_user
        return model_admin.get_changelist_instance(request).get_queryset(request)

    assert "product_published_idx" in plan(queryset())
    assert "product_name_idx" in plan(queryset(o="1"))
    assert "product_status_newest_idx" in plan(queryset(status__exact="draft"))
    # The conditions alone (unordered): each must find its rows through an index, not by reading every product.
    assert "product_search_gin" in plan(queryset(q="gạo thơm").order_by(), condition_only=True)
    number = plan(queryset(q="893850").order_by(), condition_only=True)  # a GTIN's start, or a word of digits
    assert "product_gtin_idx" in number and "product_search_gin" in number
    since = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert "product_created_idx" in plan(queryset(created_at__gte=since).order_by(), condition_only=True)


def test_the_organisation_changelist_order_reads_an_index(rf, admin_user):
    from accounts.admin import OrganisationAdmin
    from accounts.models import Organisation

    ProductFactory.create_batch(3)
    request = rf.get("/")
    request.user = admin_user
    model_admin = OrganisationAdmin(Organisation, admin.site)
    assert "organisation_name_idx" in plan(model_admin.get_changelist_instance(request).get_queryset(request))
