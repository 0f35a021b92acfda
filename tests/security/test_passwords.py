"""Password rules: at least 10 characters, not a common password, not only digits, not like the member's own
name or email; refused with the message beside the new password on sign-up, password change and reset."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WEAK = [
    pytest.param("ngan-qua", "password_too_short", "at least 10 characters", id="too-short"),
    pytest.param("password1234", "password_too_common", "too common", id="common"),
    pytest.param("8374619203746", "password_entirely_numeric", "entirely numeric", id="only-digits"),
    pytest.param("tranthingoc2", "password_too_similar", "too similar", id="like-the-email"),
]


def error_codes(password, user):
    with pytest.raises(ValidationError) as excinfo:
        password_validation.validate_password(password, user)
    return {error.code for error in excinfo.value.error_list}


def field_errors(html: str, field_id: str) -> str:
    """The text of the error list rendered beside one field (includes/field.html), or "" when there is none."""
    match = re.search(rf'<ul class="field__errors" id="{field_id}_error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_the_four_validators_are_configured_with_ten_characters(settings):
    names = [validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"] == {"min_length": 10}


@pytest.mark.parametrize(("password", "code", "_words"), WEAK)
def test_each_rule_refuses_its_password(password, code, _words):
    user = User(email="tranthingoc@example.vn", full_name="Trần Thị Ngọc")
    assert code in error_codes(password, user)


def test_nine_characters_are_too_few_and_ten_are_enough():
    user = User(email="a@example.vn", full_name="A")
    assert "password_too_short" in error_codes("mam-ca-lo", user)
    password_validation.validate_password("mam-ca-loc", user)


def test_the_demo_and_test_passwords_pass_the_rules():
    for email, full_name in [("canbo@sct.example", "Nguyễn Thị Lan"), ("camthieu@demo.example", "Cẩm Thiều")]:
        password_validation.validate_password(DEMO_PASSWORD, User(email=email, full_name=full_name))
    password_validation.validate_password(PASSWORD, User(email="user0@example.vn", full_name="Trần Văn 0"))


def signup_data(password):
    return {
        "full_name": "Trần Thị Ngọc",
        "email": "tranthingoc@example.vn",
        "phone": "0299 3851 678",
        "password1": password,
        "password2": password,
        "organisation_name": "Hộ kinh doanh Ngọc",
        "tax_code": "2200123457",
        "province": "92",
        "ward": "31120",
        "street_address": "12 Nguyễn Trãi",
    }


@pytest.mark.parametrize(("password", "code", "words"), WEAK)
def test_sign_up_shows_the_rule_beside_the_password(client, password, code, words):
    with translation.override("en"):
        response = client.post(reverse("accounts:signup-kind", args=["producer"]), signup_data(password))

    assert response.status_code == 200
    assert response.context["form"].has_error("password1", code)
    assert words in field_errors(response.text, "id_password1")
    assert not User.objects.filter(email="tranthingoc@example.vn").exists()


@pytest.mark.parametrize(("password", "code", "words"), WEAK)
def test_password_change_shows_the_rule_beside_the_new_password(client, password, code, words):
    user = UserFactory(email="tranthingoc@example.vn", full_name="Trần Thị Ngọc")
    client.force_login(user)
    with translation.override("en"):
        response = client.post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
        )

    assert response.status_code == 200
    assert response.context["form"].has_error("new_password1", code)
    assert words in field_errors(response.text, "id_new_password1")
    assert not field_errors(response.text, "id_new_password2")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_refuses_a_weak_password_beside_the_field(client, producer, mailoutbox):
    client.post(reverse("accounts:password-reset"), {"email": producer.email})
    link = re.search(r"https?://[^/\s]+(/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})

    assert response.status_code == 200
    assert response.context["form"].has_error("new_password1", "password_too_short")
    assert field_errors(response.text, "id_new_password1")
    producer.refresh_from_db()
    assert producer.check_password(PASSWORD)


def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "moi@example.vn",
            "full_name": "Người mới",
            "password1": "password1234",
            "password2": "password1234",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "password_too_common" in {
        error.code for error in response.context["adminform"].form.errors.as_data()["password2"]
    }
    assert not User.objects.filter(email="moi@example.vn").exists()
