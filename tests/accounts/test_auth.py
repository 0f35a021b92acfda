import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case(client, producer):
    response = client.post(reverse("accounts:login"), {"username": producer.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert get_user(client).pk == producer.pk


def test_login_with_wrong_password_says_so_and_signs_nobody_in(client, producer):
    response = client.post(reverse("accounts:login"), {"username": producer.email, "password": "wrong-password-x"})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "invalid_login")
    assert not get_user(client).is_authenticated


def test_logout_needs_post(client, producer):
    client.force_login(producer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert get_user(client).is_authenticated
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not get_user(client).is_authenticated


def test_password_change(client, producer):
    client.force_login(producer)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "mam-ca-loc-thien-my", "new_password2": "mam-ca-loc-thien-my"},
    )
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.check_password("mam-ca-loc-thien-my")


def test_password_change_refuses_a_weak_password(client, producer):
    client.force_login(producer)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    producer.refresh_from_db()
    assert producer.check_password(PASSWORD)


def test_password_reset_by_email(client, producer, mailoutbox):
    response = client.post(reverse("accounts:password-reset"), {"email": producer.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [producer.email]
    link = re.search(r"https?://[^/\s]+(/\S+/)", mailoutbox[0].body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "banh-pia-hai-son-2020", "new_password2": "banh-pia-hai-son-2020"}
    )
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.check_password("banh-pia-hai-son-2020")


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.vn"})
    assert response.status_code == 302
    assert mailoutbox == []
