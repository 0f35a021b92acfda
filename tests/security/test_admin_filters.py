"""The admin's lists answer a NUL byte or an impossible date part in their filters with the unfiltered list and a
message, never a 500: every list the admin registers, the third-party ones included."""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Bộ lọc trong địa chỉ không đọc được nên đã được bỏ; danh sách hiển thị không lọc."


def changelists():
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        fields = [field for field in model._meta.get_fields() if getattr(field, "concrete", False)]
        text = next((field.name for field in fields if isinstance(field, models.CharField)), None)
        date = next((field.name for field in fields if isinstance(field, models.DateField)), None)
        yield pytest.param(url, text, date, id=f"{model._meta.app_label}.{model._meta.model_name}")


CASES = list(changelists())


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def assert_unfiltered_with_a_message(client, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 302, query
    assert response["Location"] == f"{url}?e=1"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert MESSAGE in [str(message) for message in page.context["messages"]]


@pytest.mark.parametrize(("url", "text", "date"), CASES)
def test_a_nul_byte_in_any_filter_is_the_unfiltered_list(superuser_client, url, text, date):
    assert_unfiltered_with_a_message(superuser_client, url, "status__exact=%00")
    if text:
        assert_unfiltered_with_a_message(superuser_client, url, f"{text}__exact=a%00b")
    assert_unfiltered_with_a_message(superuser_client, url, "q=%00")


@pytest.mark.parametrize(("url", "text", "date"), [case for case in CASES if case.values[2]])
def test_a_huge_year_or_an_impossible_month_is_the_unfiltered_list(superuser_client, url, text, date):
    assert_unfiltered_with_a_message(superuser_client, url, f"{date}__year=99999999999999999999")
    assert_unfiltered_with_a_message(superuser_client, url, f"{date}__year=2026&{date}__month=13")
    assert superuser_client.get(f"{url}?{date}__year=2026").status_code == 200  # a real year filters as before


def test_other_admin_pages_and_the_public_pages_are_left_alone(superuser_client):
    assert superuser_client.get(reverse("admin:index")).status_code == 200
    assert superuser_client.get(reverse("catalog:product-list"), {"q": "a\x00b"}).status_code == 200
