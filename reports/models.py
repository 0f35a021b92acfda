"""Files of long lists prepared by a worker: a catalogue or certificate-register download past EXPORT_MAX_ROWS rows."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.storage import private_storage

# An export in progress that has not moved for this long lost its worker: the page offers to start it again.
STALLED_AFTER = datetime.timedelta(minutes=10)


def export_upload_to(instance, filename):
    return f"exports/{filename}"


class DataExport(models.Model):
    """One file of a list (its kind, format and filters) as the data stood on one day, shared by whoever asks.

    `key` names the list, the language, the day and the catalogue's generation (catalog.cache): asking again for
    the same list while the data has not changed finds this row, so a file is never built twice. The id is
    random: the export's page and file are reached only through the address given to whoever asked.
    """

    class Kind(models.TextChoices):
        CATALOGUE = "catalogue", _("Catalogue of OCOP products")
        CERTIFICATES = "certificates", _("Register of OCOP certificates")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", _("Excel (.xlsx)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RUNNING = "running", _("Being written")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(_("key"), max_length=64, editable=False)
    kind = models.CharField(_("list"), max_length=20, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=4, choices=Format.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows expected"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    # Written by the worker, never uploaded.
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=export_upload_to, max_length=200, blank=True, editable=False
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    # A keyed hash of the address that asked (never the address): new exports are throttled per client.
    client = models.CharField(_("client"), max_length=64, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The run writing the file now: a run that finds another's token here stops (a retried job took over).
    run_token = models.UUIDField(null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="dataexport_key_unique"),
            models.CheckConstraint(condition=Q(kind__in=["catalogue", "certificates"]), name="dataexport_kind_known"),
            models.CheckConstraint(condition=Q(fmt__in=["csv", "xlsx"]), name="dataexport_fmt_known"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "ready", "failed"]), name="dataexport_status_known"
            ),
            # A ready export has its file.
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(file=""), name="dataexport_ready_has_file"),
        ]
        indexes = [
            # The throttle: a client's exports of the last hour.
            models.Index(fields=["client", "created_at"], name="dataexport_client_idx"),
            # The clean-up of old exports.
            models.Index(fields=["created_at"], name="dataexport_created_idx"),
        ]

    def __str__(self):
        asked = f", {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}" if self.created_at else ""
        return f"{self.get_kind_display()} ({self.get_fmt_display()}){asked}"

    def get_absolute_url(self):
        return reverse("reports:export-detail", kwargs={"pk": self.pk})

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def stalled(self) -> bool:
        last = self.progress_at or self.created_at
        return self.in_progress and last < timezone.now() - STALLED_AFTER

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_written * 100 // self.rows_total)

    @property
    def expires_at(self) -> datetime.datetime:
        """When the clean-up removes the export and its file."""
        return self.created_at + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
