"""What the portal has to send: each email is a row, written with the change that causes it, delivered by a job."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """One email, rendered when it was asked for and sent by the queue once (core.tasks.email_deliver).

    `key` names the event the email is about ("certificate-expired:42"): asking twice for the same key sends
    one email. `message_id` is fixed when the row is written, so that a mail server or client that gets the
    same message twice (a worker lost after the server accepted it) can tell it is one message.
    """

    key = models.CharField(_("event"), max_length=200, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True, editable=False)
    to = ArrayField(models.EmailField(), verbose_name=_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [
            # The dashboard's "waiting emails" figure and the sweep of emails whose job was lost.
            models.Index(fields=["created_at"], name="outgoing_unsent_idx", condition=models.Q(sent_at__isnull=True)),
        ]

    def __str__(self):
        return self.subject

    @staticmethod
    def new_message_id(domain: str) -> str:
        return f"<{uuid.uuid4().hex}@{domain}>"
