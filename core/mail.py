"""Email as the portal sends it: plain text, rendered in the sender's language, delivered by the task queue.

`email_send` writes the message (core.models.OutgoingEmail) and its delivery job in the caller's transaction:
if the change is rolled back, no email goes; if it commits, the email goes once, whenever the mail server
answers (core.tasks.email_deliver retries with backoff). No request waits for SMTP.
"""

import uuid

from django.conf import settings
from django.template.loader import render_to_string

from core.models import OutgoingEmail
from core.tasks import email_deliver
from core.text import single_line


def email_send(*, to: list[str], subject: str, template: str, context: dict, key: str | None = None) -> None:
    """Render a plain-text email now and queue its delivery; the same `key` twice sends it once."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    body = render_to_string(
        template, {**context, "portal_name": settings.PORTAL_NAME, "portal_url": settings.PORTAL_URL}
    )
    email, created = OutgoingEmail.objects.get_or_create(
        key=(key or f"once:{uuid.uuid4().hex}")[:200],
        defaults={
            "to": recipients,
            "subject": single_line(str(subject))[:300],
            "body": body,
            "message_id": OutgoingEmail.new_message_id(settings.EMAIL_MESSAGE_ID_DOMAIN),
        },
    )
    if created:
        email_deliver.defer(email_id=email.pk)
