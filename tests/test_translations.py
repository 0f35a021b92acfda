"""Django's own messages that Django's Vietnamese catalogue leaves in English read in Vietnamese on the portal."""

import pytest
from django.utils import translation

from core.django_messages import DJANGO_MESSAGES


@pytest.mark.parametrize("message", DJANGO_MESSAGES)
def test_django_message_has_a_vietnamese_translation(message):
    with translation.override("vi"):
        translated = translation.gettext(message)
    assert translated != message
    # The same placeholders, so Django's formatting of the translation cannot fail.
    assert sorted(part.split(")")[0] for part in translated.split("%(")[1:]) == sorted(
        part.split(")")[0] for part in message.split("%(")[1:]
    )
