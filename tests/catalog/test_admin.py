import datetime

import pytest
from django.contrib.auth.models import Group
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
