"""Django's own messages that Django's Vietnamese catalogue leaves in English read in Vietnamese on the portal."""

import pytest
from django.urls import reverse
from django.utils import translation

from ocop_portal.django_messages import DJANGO_MESSAGES


@pytest.mark.parametrize("message", DJANGO_MESSAGES)
def test_django_message_has_a_vietnamese_translation(message):
    with translation.override("vi"):
        translated = translation.gettext(message)
    assert translated != message
    # The same placeholders, so Django's formatting of the translation cannot fail.
    assert sorted(part.split(")")[0] for part in translated.split("%(")[1:]) == sorted(
        part.split(")")[0] for part in message.split("%(")[1:]
    )


@pytest.mark.django_db
def test_a_nul_byte_is_refused_in_vietnamese_beside_the_field(client):
    from tests.accounts.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("accounts:staff-organisations"), {"q": "a\x00b"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["q"] == ["Không được chứa ký tự rỗng (NUL)."]
