"""Email as the portal sends it: plain text, rendered in the sender's language, sent once the change is saved."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def email_send(*, to: list[str], subject: str, template: str, context: dict) -> None:
    """Send a plain-text email after the surrounding transaction commits."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    language = translation.get_language()

    def send():
        with translation.override(language):
            body = render_to_string(
                template, {**context, "portal_name": settings.PORTAL_NAME, "portal_url": settings.PORTAL_URL}
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)

    transaction.on_commit(send)
