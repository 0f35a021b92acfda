"""The staff "to complete" pages: what imported records lack, counted, listed and linked to where it is done."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation, Province
from catalog import completion, services
from catalog.models import Certificate, Product, ProductSubGroup
from matchmaking.forms.sourcing import subgroups_queryset
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, jpeg_upload
from tests.catalog.test_workspace import product_data

pytestmark = pytest.mark.django_db

OVERVIEW = "catalog:staff-to-complete"


def kind_url(kind: str, language: str = "vi") -> str:
    with translation.override(language):
        return reverse("catalog:staff-to-complete-kind", kwargs={"kind": kind})


def broad(code: str = "1.3") -> ProductSubGroup:
    return ProductSubGroup.objects.get(group__rule_set__code="148/2023", code=code, is_broad=True)


def producer_without_ward(name: str, district: str = "Huyện Châu Thành") -> Organisation:
    """A producer as the import records one whose list named only its former district."""
    return ProducerFactory(name=name, ward=None, province=Province.objects.get(code="92"), former_district=district)


def certified_without_photo(**kwargs) -> Product:
    product = ProductFactory(**kwargs)
    certify(product)
    return product


def without_score(certificate: Certificate) -> Certificate:
    """A decision as a published list gives it: the stars, no score (the import writes it so)."""
    Certificate.objects.filter(pk=certificate.pk).update(total_score=None)
    certificate.refresh_from_db()
    return certificate


def with_photo(product: Product) -> Product:
    services.photo_add(actor=None, product=product, upload=jpeg_upload(size=(64, 48)))
    return product


@pytest.fixture
def catalogue():
    """Records of each kind, and beside each the near misses that must not be counted."""
    ward = [producer_without_ward("Hộ kinh doanh Ba Tư"), producer_without_ward("Cơ sở Năm Xuân", "Huyện Mỹ Xú")]
    OrganisationFactory(kind=Organisation.Kind.BUYER, ward=None, province=Province.objects.get(code="92"))
    ProducerFactory()  # has its ward

    subgroup = [
        ProductFactory(subgroup=broad("1.3"), name="Bánh tráng"),
        ProductFactory(subgroup=broad("1"), name="Bánh phồng tôm", status=Product.Status.DRAFT, published_at=None),
    ]
    ProductFactory(subgroup=broad("2"), status=Product.Status.ARCHIVED)  # withdrawn: no longer work

    photo = [certified_without_photo(name="Mắm cá lóc"), certified_without_photo(name="Khô trâu")]
    with_photo(certified_without_photo(name="Trà mãng cầu"))
    ProductFactory(name="Không chứng nhận")  # published, no photo, but no certificate
    certified_without_photo(status=Product.Status.DRAFT, published_at=None)  # not in the catalogue
    expired = certified_without_photo(name="Hết hạn")
    Certificate.objects.filter(product=expired).update(status=Certificate.Status.EXPIRED)

    score = [without_score(certify(with_photo(ProductFactory(name="Gạo ST24"))))]
    old = without_score(certify(with_photo(ProductFactory(name="Hành tím"))))
    Certificate.objects.filter(pk=old.pk).update(status=Certificate.Status.SUPERSEDED)
    return {"ward": ward, "subgroup": subgroup, "photo": photo, "score": score}


def counts() -> dict[str, int]:
    return {row.kind.slug: row.count for row in completion.kind_counts()}


# --- The reads ------------------------------------------------------------------------------------------------


def test_each_kind_counts_exactly_its_records(catalogue):
    assert counts() == {"ward": 2, "subgroup": 2, "photo": 2, "score": 1}


def test_each_kind_lists_its_records_in_order(catalogue):
    def listed(slug):
        return list(completion.kind_get(slug).records())

    assert listed("ward") == catalogue["ward"]  # by province, then former district
    assert listed("subgroup") == [catalogue["subgroup"][1], catalogue["subgroup"][0]]  # by code: "1" before "1.3"
    assert {p.pk for p in listed("photo")} == {p.pk for p in catalogue["photo"]}
    assert listed("score") == catalogue["score"]


def test_a_completed_record_leaves_its_list(catalogue, producer_org):
    organisation = catalogue["ward"][0]
    organisation.ward = producer_org.ward
    organisation.save()
    Product.objects.filter(pk=catalogue["subgroup"][0].pk).update(subgroup=ProductSubGroup.objects.get(code="1.3.2"))
    with_photo(catalogue["photo"][0])

    assert counts() == {"ward": 1, "subgroup": 1, "photo": 1, "score": 1}


def test_a_producer_without_ward_gets_the_wards_its_former_district_became(catalogue):
    page = completion.kind_page(kind=completion.kind_get("ward"), total=2, page=None)

    hints = {organisation.name: organisation.ward_hints for organisation in page.object_list}
    assert hints["Hộ kinh doanh Ba Tư"]  # Huyện Châu Thành (Sóc Trăng, Hậu Giang) lies in today's Cần Thơ
    assert hints["Hộ kinh doanh Ba Tư"] == sorted(hints["Hộ kinh doanh Ba Tư"])
    assert hints["Cơ sở Năm Xuân"] == []  # no former district of that name


def test_an_unknown_kind_is_not_found(client, staff):
    client.force_login(staff)

    assert client.get(kind_url("nothing")).status_code == 404


# --- The pages ------------------------------------------------------------------------------------------------


def test_overview_shows_each_kind_with_its_count_in_vietnamese(client, staff, catalogue):
    client.force_login(staff)

    response = client.get(reverse(OVERVIEW))

    assert response.status_code == 200
    assert [(row.kind.slug, row.count) for row in response.context["counts"]] == [
        ("ward", 2),
        ("subgroup", 2),
        ("photo", 2),
        ("score", 1),
    ]
    html = response.content.decode()
    assert "Cần hoàn thiện" in html
    assert "Chủ thể sản xuất chưa có phường/xã" in html
    for slug in ("ward", "subgroup", "photo", "score"):
        assert kind_url(slug) in html


def test_overview_in_english(client, staff, catalogue):
    client.force_login(staff)

    with translation.override("en"):
        response = client.get(reverse(OVERVIEW))

    html = response.content.decode()
    assert response.status_code == 200
    assert "To complete" in html
    assert "Producers without a ward or commune" in html
    assert kind_url("ward", "en") in html


def test_ward_page_links_each_producer_to_its_admin_record(client, staff, catalogue):
    client.force_login(staff)

    response = client.get(kind_url("ward"))

    html = response.content.decode()
    assert [o.pk for o in response.context["page_obj"].object_list] == [o.pk for o in catalogue["ward"]]
    assert "Huyện Châu Thành" in html
    assert "Thành phố Cần Thơ" in html
    assert "Chọn phường/xã" in html
    for organisation in catalogue["ward"]:
        assert reverse("admin:accounts_organisation_change", args=[organisation.pk]) in html


@pytest.mark.parametrize("kind", ["subgroup", "photo"])
def test_product_pages_link_each_product_to_its_admin_record(client, staff, catalogue, kind):
    client.force_login(staff)

    html = client.get(kind_url(kind)).content.decode()

    for product in catalogue[kind]:
        assert product.name in html
        assert reverse("admin:catalog_product_change", args=[product.pk]) in html


def test_score_page_says_the_score_comes_only_from_a_new_evaluation(client, staff, catalogue):
    client.force_login(staff)

    with translation.override("en"):
        response = client.get(kind_url("score", "en"))

    html = response.content.decode()
    assert "Gạo ST24" in html
    assert "Score not published" in html
    assert "record a new evaluation" in html
    assert "OCOP 4 stars" in html
    certificate = catalogue["score"][0]
    assert reverse("catalog:certificate-verify", args=[certificate.verification_code]) in html


def test_empty_kind_says_there_is_nothing_left(client, staff):
    client.force_login(staff)

    response = client.get(kind_url("photo"))

    assert response.status_code == 200
    assert "Mọi sản phẩm được chứng nhận trong danh mục đều đã có ảnh." in response.content.decode()


def test_kind_page_is_paginated(client, staff):
    for number in range(completion.PAGE_SIZE + 3):
        producer_without_ward(f"Hộ kinh doanh {number:02d}")
    client.force_login(staff)

    first = client.get(kind_url("ward"))
    second = client.get(kind_url("ward"), {"page": "2"})
    beyond = client.get(kind_url("ward"), {"page": "99"})

    assert len(first.context["page_obj"].object_list) == completion.PAGE_SIZE
    assert len(second.context["page_obj"].object_list) == 3
    assert second.context["page_obj"].number == 2
    assert beyond.context["page_obj"].number == 2  # past the end: the last page
    names = [o.name for o in first.context["page_obj"].object_list + second.context["page_obj"].object_list]
    assert names == sorted(names)
    assert "?page=2" in first.content.decode()


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(("kind", "most"), [("ward", 11), ("subgroup", 10), ("photo", 10), ("score", 10)])
def test_kind_page_query_count_does_not_grow_with_its_rows(
    client, staff, catalogue, kind, most, django_assert_max_num_queries
):
    client.force_login(staff)
    few = queries_of(client, kind_url(kind))
    for number in range(12):
        producer_without_ward(f"Cơ sở {number}")
        ProductFactory(subgroup=broad())
        certified_without_photo()
        without_score(certify(with_photo(ProductFactory())))

    # Session, user, 2 for permissions; 4 counts; the page's rows (and for producers, the wards their former
    # districts became); +1: the header counts unread meeting messages.
    with django_assert_max_num_queries(most):
        response = client.get(kind_url(kind))
    assert len(response.context["page_obj"].object_list) > 12
    assert queries_of(client, kind_url(kind)) == few


# --- The certification dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_the_counts_with_links(client, staff, catalogue):
    client.force_login(staff)

    response = client.get(reverse("catalog:staff-certification"))

    assert {row.kind.slug: row.count for row in response.context["to_complete"]} == {
        "ward": 2,
        "subgroup": 2,
        "photo": 2,
        "score": 1,
    }
    html = response.content.decode()
    assert reverse(OVERVIEW) in html
    assert kind_url("subgroup") in html


def test_dashboard_hides_the_counts_from_staff_who_cannot_complete_them(client, catalogue):
    reviewer = UserFactory(is_staff=True)
    reviewer.user_permissions.add(*permissions("catalog.view_application"))
    client.force_login(reviewer)

    response = client.get(reverse("catalog:staff-certification"))

    assert response.status_code == 200
    assert response.context["to_complete"] == []
    assert reverse(OVERVIEW) not in response.content.decode()


# --- Who may see the pages ------------------------------------------------------------------------------------


def permissions(*names) -> list[Permission]:
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in (name.split(".") for name in names)
    ]


def page_url(page: str) -> str:
    return reverse(OVERVIEW) if page == "overview" else kind_url(page)


@pytest.mark.parametrize("page", ["overview", "ward"])
def test_anonymous_visitors_are_sent_to_sign_in(client, page):
    response = client.get(page_url(page))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["producer", "buyer", "plain_staff"])
@pytest.mark.parametrize("page", ["overview", "ward"])
def test_others_are_refused(client, request, who, page):
    client.force_login(request.getfixturevalue(who))

    assert client.get(page_url(page)).status_code == 403


@pytest.mark.parametrize("missing", completion.PERMISSIONS)
def test_staff_missing_one_permission_are_refused(client, missing):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*permissions(*(name for name in completion.PERMISSIONS if name != missing)))
    client.force_login(user)

    assert client.get(reverse(OVERVIEW)).status_code == 403


def test_staff_with_both_permissions_may_see_them(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*permissions(*completion.PERMISSIONS))
    client.force_login(user)

    assert client.get(reverse(OVERVIEW)).status_code == 200
    assert client.get(kind_url("score")).status_code == 200


def test_a_producer_member_of_the_staff_group_is_still_refused_without_is_staff(client, producer, staff_group):
    producer.groups.add(staff_group)
    client.force_login(producer)

    assert client.get(reverse(OVERVIEW)).status_code == 403


# --- Nobody picks a broad level by hand -----------------------------------------------------------------------


def test_a_producer_cannot_post_a_broad_sub_group(client, producer):
    client.force_login(producer)

    response = client.post(reverse("catalog:my-product-create"), product_data(subgroup=broad().pk))

    assert response.status_code == 200
    assert "subgroup" in response.context["form"].errors
    assert not Product.objects.exists()


def test_the_producer_form_offers_no_broad_level(client, producer):
    client.force_login(producer)

    choices = client.get(reverse("catalog:my-product-create")).context["form"].fields["subgroup"].queryset

    assert choices.exists()
    assert not choices.filter(is_broad=True).exists()


def test_a_producer_editing_an_imported_product_is_asked_to_choose_its_sub_group(client, producer):
    product = ProductFactory(producer=producer.organisation, subgroup=broad("1.3"))
    client.force_login(producer)

    response = client.get(reverse("catalog:my-product-edit", args=[product.pk]))
    assert "1.3 Thực phẩm chế biến" in response.context["form"].fields["subgroup"].help_text

    client.post(reverse("catalog:my-product-edit", args=[product.pk]), product_data(name=product.name))
    product.refresh_from_db()
    assert product.subgroup.code == "1.5.2"


def test_matchmaking_offers_no_broad_level():
    assert subgroups_queryset().exists()
    assert not subgroups_queryset().filter(is_broad=True).exists()


def admin_subgroup_choices(admin_client, product) -> set[int]:
    response = admin_client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert response.status_code == 200
    return set(response.context["adminform"].form.fields["subgroup"].queryset.values_list("pk", flat=True))


def test_admin_offers_real_sub_groups_and_the_products_own_broad_level(admin_client):
    imported = ProductFactory(subgroup=broad("1.3"))
    classified = ProductFactory()

    imported_choices = admin_subgroup_choices(admin_client, imported)
    classified_choices = admin_subgroup_choices(admin_client, classified)

    broad_levels = set(ProductSubGroup.objects.filter(is_broad=True).values_list("pk", flat=True))
    assert imported_choices & broad_levels == {imported.subgroup_id}
    assert not classified_choices & broad_levels
    assert classified.subgroup_id in imported_choices
    response = admin_client.get(reverse("admin:catalog_product_change", args=[imported.pk]))
    assert "hãy chọn phân nhóm cụ thể của sản phẩm" in response.content.decode()


def test_admin_add_form_offers_no_broad_level(admin_client):
    response = admin_client.get(reverse("admin:catalog_product_add"))

    assert not response.context["adminform"].form.fields["subgroup"].queryset.filter(is_broad=True).exists()


def test_admin_filters_the_products_whose_sub_group_is_to_refine(admin_client):
    imported = ProductFactory(subgroup=broad("1.3"))
    classified = ProductFactory()
    changelist = reverse("admin:catalog_product_changelist")

    to_refine = admin_client.get(changelist, {"to_refine": "yes"}).context["cl"].result_list
    refined = admin_client.get(changelist, {"to_refine": "no"}).context["cl"].result_list

    assert list(to_refine) == [imported]
    assert list(refined) == [classified]
