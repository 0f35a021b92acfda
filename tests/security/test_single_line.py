"""One-line texts refuse line breaks and other control characters (core.validators), old rows are cleaned
(reports/migrations/0002), and a name stored before the rule breaks no email."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from catalog.models import Certificate, Product
from core.apps import PORTAL_APPS
from core.models import OutgoingEmail
from tests.accounts.factories import UserFactory
from tests.accounts.test_signup import post_signup
from tests.catalog.factories import ProducerFactory, ProductFactory, certify
from tests.catalog.test_workspace import product_data

pytestmark = pytest.mark.django_db

MESSAGE = "Hãy viết trên một dòng: không được có dấu xuống dòng, tab hay ký tự điều khiển khác."
BAD = ["Bánh pía\nSóc Trăng", "Bánh pía\r\nBcc: x@example.vn", "Bánh\tpía", "Bánh pía\u2028", "Bánh\x85pía"]


def one_line_fields():
    for app_label in PORTAL_APPS:
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.CharField) and not field.choices:
                    yield model, field


def test_every_one_line_text_of_the_portal_refuses_control_characters():
    fields = list(one_line_fields())
    assert len(fields) > 60  # names, titles, numbers of every app
    for model, field in fields:
        for value in BAD:
            with pytest.raises(ValidationError) as refused:
                field.run_validators(value)
            assert "single_line" in [error.code for error in refused.value.error_list], f"{model.__name__}.{field.name}"
        try:
            field.run_validators("Bánh pía Sóc Trăng – 500 g")
        except ValidationError as other:  # a field's own shape (a tax code, a phone number)
            assert "single_line" not in [error.code for error in other.error_list]


def test_multi_line_texts_keep_their_line_breaks():
    description = Product._meta.get_field("description")
    assert isinstance(description, models.TextField)
    description.run_validators("Dòng một.\nDòng hai.")


def test_a_sign_up_with_a_line_break_in_the_name_is_refused_beside_the_field_and_saves_nothing(client):
    response = post_signup(client, organisation_name="Hộ kinh doanh\nNgọc Trân")
    assert response.status_code == 200
    assert MESSAGE in response.context["form"].errors["organisation_name"]
    assert not User.objects.filter(email="ngoctran@example.vn").exists()
    assert not Organisation.objects.filter(name__startswith="Hộ kinh doanh").exists()
    assert not OutgoingEmail.objects.exists()


def test_a_product_named_on_two_lines_is_refused_beside_the_field(client, producer):
    client.force_login(producer)
    response = client.post(reverse("catalog:my-product-create"), product_data(name="Trà\nmãng cầu"))
    assert response.status_code == 200
    assert MESSAGE in response.context["form"].errors["name"]
    assert not Product.objects.filter(producer=producer.organisation).exists()


def test_the_migration_cleans_the_rows_saved_before_the_rule():
    product = ProductFactory(name="placeholder")
    producer = product.producer
    Product.objects.filter(pk=product.pk).update(name="Bánh pía\r\n\tSóc Trăng\u2028")
    Organisation.objects.filter(pk=producer.pk).update(name="HTX\nTân Lộc", phone="0299\t123 456")
    migration = importlib.import_module("reports.migrations.0002_one_line_texts")
    migration.clean(apps, None)
    product.refresh_from_db()
    producer.refresh_from_db()
    assert product.name == "Bánh pía Sóc Trăng"
    assert (producer.name, producer.phone) == ("HTX Tân Lộc", "0299 123 456")
    product.full_clean(exclude=["search_vector"])


def test_the_daily_expiry_with_a_name_stored_on_two_lines_sends_every_notice_once():
    today = timezone.localdate()
    products = [ProductFactory(producer=ProducerFactory()) for _ in range(3)]
    for product in products:
        UserFactory(organisation=product.producer)
    for product in products:
        certify(product, days_ago=3 * 365 - 30)  # ends within 90 days
    Product.objects.filter(pk=products[0].pk).update(name="Mắm cá\r\nBcc: someone@example.vn")
    call_command("certificates_expire")
    call_command("certificates_expire")
    assert Certificate.objects.filter(expiry_notice_sent_on=today).count() == 3
    subjects = sorted(OutgoingEmail.objects.values_list("subject", flat=True))
    assert len(subjects) == 3
    assert all("\n" not in subject and "\r" not in subject for subject in subjects)
    assert any("Mắm cá Bcc: someone@example.vn" in subject for subject in subjects)
