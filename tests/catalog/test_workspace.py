"""The producer's own products: create, edit, photos, publish, archive — and nobody else's."""

import pytest
from django.urls import reverse

from accounts.models import ActionRecord
from catalog.models import Product, ProductPhoto
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, jpeg_upload, subgroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def maker():
    organisation = ProducerFactory(legal_form="cooperative")
    return UserFactory(organisation=organisation)


@pytest.fixture
def rival():
    return UserFactory(organisation=ProducerFactory(legal_form="household"))


@pytest.fixture
def draft(maker):
    return ProductFactory(producer=maker.organisation, status=Product.Status.DRAFT, published_at=None, name="Bản nháp")


def product_data(**overrides):
    data = {
        "name": "Trà mãng cầu túi lọc",
        "name_en": "Soursop tea bags",
        "subgroup": subgroup("1.5.2").pk,
        "description": "Trà mãng cầu xiêm sấy lạnh, đóng túi lọc.",
        "unit": "hộp",
        "packaging": "hộp giấy 20 túi",
        "price_min": "45000",
        "price_max": "60000",
        "shelf_life_days": "365",
        "monthly_capacity": "2",
        "capacity_unit": "tấn",
        "minimum_order": "50",
        "months_available": ["3", "4", "5"],
        "standards": ["haccp", "vietgap"],
        "gtin": "8935049500131",
    }
    data.update(overrides)
    return data


def test_producer_creates_a_draft_product(client, maker):
    client.force_login(maker)
    response = client.post(reverse("catalog:my-product-create"), product_data())
    product = Product.objects.get(name="Trà mãng cầu túi lọc")
    assert response.status_code == 302
    assert response.url == reverse("catalog:my-product-photos", args=[product.pk])
    assert product.producer == maker.organisation
    assert product.status == Product.Status.DRAFT
    assert product.months_available == [3, 4, 5]
    assert product.standards == ["haccp", "vietgap"]
    assert product.search_vector is not None
    assert ActionRecord.objects.filter(verb="product_create", actor=maker).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"gtin": "8935049500132"}, "gtin", "gtin_check"),
        ({"gtin": "12ab"}, "gtin", "gtin_format"),
        ({"price_min": "90000", "price_max": "10000"}, "price_max", None),
        ({"monthly_capacity": "-5"}, "monthly_capacity", None),
        ({"months_available": ["13"]}, "months_available", None),
        ({"standards": ["iso9999"]}, "standards", None),
        ({"name": ""}, "name", "required"),
        ({"subgroup": "999999"}, "subgroup", None),
        ({"price_min": "-1"}, "price_min", None),
    ],
)
def test_bad_product_input_is_refused_beside_the_field(client, maker, overrides, field, code):
    client.force_login(maker)
    response = client.post(reverse("catalog:my-product-create"), product_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, code) if code else field in form.errors
    assert not Product.objects.exists()


def test_all_twelve_months_mean_all_year(client, maker):
    client.force_login(maker)
    client.post(reverse("catalog:my-product-create"), product_data(months_available=[str(m) for m in range(1, 13)]))
    assert Product.objects.get().months_available == []


def test_publish_needs_a_photo_then_succeeds(client, maker, draft):
    client.force_login(maker)
    url = reverse("catalog:my-product-status", args=[draft.pk, "publish"])
    client.post(url)
    draft.refresh_from_db()
    assert draft.status == Product.Status.DRAFT

    client.post(reverse("catalog:my-product-photos", args=[draft.pk]), {"image": jpeg_upload(), "alt_text": "Hộp trà"})
    client.post(url)
    draft.refresh_from_db()
    assert draft.status == Product.Status.PUBLISHED
    assert draft.published_at is not None


def test_status_changes_need_post(client, maker, draft):
    client.force_login(maker)
    response = client.get(reverse("catalog:my-product-status", args=[draft.pk, "archive"]))
    assert response.status_code == 405
    draft.refresh_from_db()
    assert draft.status == Product.Status.DRAFT


def test_archive_and_unarchive(client, maker, draft):
    client.force_login(maker)
    client.post(reverse("catalog:my-product-status", args=[draft.pk, "archive"]))
    draft.refresh_from_db()
    assert draft.status == Product.Status.ARCHIVED
    client.post(reverse("catalog:my-product-status", args=[draft.pk, "unarchive"]))
    draft.refresh_from_db()
    assert draft.status == Product.Status.DRAFT


def test_photos_upload_order_primary_and_delete(client, maker, draft):
    client.force_login(maker)
    url = reverse("catalog:my-product-photos", args=[draft.pk])
    for colour in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]:
        response = client.post(url, {"image": jpeg_upload(colour=colour)})
        assert response.status_code == 302
    first, second, third = draft.photos.order_by("position")
    assert [first.is_primary, second.is_primary, third.is_primary] == [True, False, False]
    assert first.thumbnail_small.name.endswith(".webp")
    assert "photo" not in first.image.name  # stored under a generated name

    client.post(reverse("catalog:my-photo-move", args=[draft.pk, third.pk]), {"direction": "up"})
    assert list(draft.photos.order_by("position").values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]

    client.post(reverse("catalog:my-photo-primary", args=[draft.pk, second.pk]))
    assert draft.photos.get(is_primary=True) == second

    confirm = client.get(reverse("catalog:my-photo-delete", args=[draft.pk, second.pk]))
    assert confirm.status_code == 200
    assert draft.photos.count() == 3  # asking is not deleting
    client.post(reverse("catalog:my-photo-delete", args=[draft.pk, second.pk]))
    assert draft.photos.count() == 2
    assert draft.photos.filter(is_primary=True).count() == 1


@pytest.mark.parametrize(
    ("payload", "name"),
    [
        (b"", "empty.jpg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.svg"),
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"GIF89a" + b"\x00" * 100, "anim.gif"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_saved(client, maker, draft, payload, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(maker)
    response = client.post(
        reverse("catalog:my-product-photos", args=[draft.pk]), {"image": SimpleUploadedFile(name, payload)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["image"]
    assert not ProductPhoto.objects.exists()


class TestAnotherProducer:
    """Another producer's products are not found (404), whatever the route."""

    def test_cannot_see_or_edit(self, client, rival, draft):
        client.force_login(rival)
        assert client.get(reverse("catalog:my-product-edit", args=[draft.pk])).status_code == 404
        response = client.post(reverse("catalog:my-product-edit", args=[draft.pk]), product_data(name="Bị sửa"))
        assert response.status_code == 404
        draft.refresh_from_db()
        assert draft.name == "Bản nháp"

    def test_cannot_publish_archive_or_touch_photos(self, client, maker, rival, draft):
        client.force_login(maker)
        client.post(reverse("catalog:my-product-photos", args=[draft.pk]), {"image": jpeg_upload()})
        photo = draft.photos.get()
        client.force_login(rival)
        for action in ["publish", "archive"]:
            assert client.post(reverse("catalog:my-product-status", args=[draft.pk, action])).status_code == 404
        assert client.get(reverse("catalog:my-product-photos", args=[draft.pk])).status_code == 404
        assert (
            client.post(reverse("catalog:my-product-photos", args=[draft.pk]), {"image": jpeg_upload()}).status_code
            == 404
        )
        assert client.post(reverse("catalog:my-photo-delete", args=[draft.pk, photo.pk])).status_code == 404
        assert client.post(reverse("catalog:my-photo-primary", args=[draft.pk, photo.pk])).status_code == 404
        assert (
            client.post(reverse("catalog:my-photo-move", args=[draft.pk, photo.pk]), {"direction": "up"}).status_code
            == 404
        )
        draft.refresh_from_db()
        assert draft.status == Product.Status.DRAFT
        assert draft.photos.count() == 1

    def test_list_shows_only_own_products(self, client, rival, draft):
        client.force_login(rival)
        response = client.get(reverse("catalog:my-products"))
        assert response.status_code == 200
        assert draft not in response.context["products"]

    def test_drafts_are_not_public(self, client, draft):
        assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["buyer", "plain_staff"])
def test_workspace_is_for_producers(client, request, who, draft):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("catalog:my-products")).status_code == 403
    assert client.get(reverse("catalog:my-product-edit", args=[draft.pk])).status_code in (403, 404)


def test_anonymous_is_sent_to_login(client, draft):
    response = client.get(reverse("catalog:my-products"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_staff_acting_for_the_producer_can_edit_its_draft(client, staff, maker, draft):
    client.force_login(staff)
    client.post(reverse("accounts:acting-start", args=[maker.organisation.pk]))
    response = client.post(reverse("catalog:my-product-edit", args=[draft.pk]), product_data(name="Nhập hộ"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Nhập hộ"
    record = ActionRecord.objects.get(verb="product_update")
    assert record.actor == staff and record.on_behalf


def test_workspace_list_query_count(client, maker, django_assert_max_num_queries):
    for index in range(25):
        ProductFactory(producer=maker.organisation, name=f"SP {index}")
    client.force_login(maker)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:my-products"))
    assert len(response.context["products"]) == 20


def test_producer_profile_is_created_then_edited(client):
    from accounts.models import Organisation
    from catalog.models import ProducerProfile
    from tests.accounts.factories import OrganisationFactory

    organisation = OrganisationFactory(kind=Organisation.Kind.PRODUCER)
    user = UserFactory(organisation=organisation)
    client.force_login(user)
    response = client.post(
        reverse("catalog:my-profile"),
        {"legal_form": "household", "contact_name": "Chị Trân", "story": "Làm trà từ 1995.", "points_of_sale": ""},
    )
    assert response.status_code == 302
    assert ProducerProfile.objects.get(organisation=organisation).legal_form == "household"
    response = client.post(reverse("catalog:my-profile"), {"legal_form": "nonsense"})
    assert response.status_code == 200
    assert "legal_form" in response.context["form"].errors


def test_month_labels_follow_the_page_language(client, maker):
    client.force_login(maker)
    assert "Tháng 1" in client.get(reverse("catalog:my-product-create")).text
    english = client.get(reverse("catalog:my-product-create").replace("/my/", "/en/my/", 1))
    assert "Month 1" in english.text
    assert "Tháng 1" not in english.text
