import uuid

from django.db import migrations, models

import catalog.storage
import reports.models


def grant(apps, schema_editor):
    from accounts.permissions_setup import grant_staff_permissions

    # Staff read the exports in the admin (what was asked, how far it got, why one failed).
    grant_staff_permissions(apps, ["reports"], ["view_dataexport"])


class Migration(migrations.Migration):
    initial = True

    dependencies = [("accounts", "0006_staff_see_the_queue")]

    operations = [
        migrations.CreateModel(
            name="DataExport",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("key", models.CharField(editable=False, max_length=64, verbose_name="key")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("catalogue", "Catalogue of OCOP products"),
                            ("certificates", "Register of OCOP certificates"),
                        ],
                        max_length=20,
                        verbose_name="list",
                    ),
                ),
                (
                    "fmt",
                    models.CharField(
                        choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")], max_length=4, verbose_name="format"
                    ),
                ),
                ("params", models.JSONField(blank=True, default=dict, verbose_name="filters")),
                ("language", models.CharField(max_length=8, verbose_name="language")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting for its turn"),
                            ("running", "Being written"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("rows_total", models.PositiveIntegerField(default=0, verbose_name="rows expected")),
                ("rows_written", models.PositiveIntegerField(default=0, verbose_name="rows written")),
                (
                    "file",
                    models.FileField(
                        blank=True,
                        editable=False,
                        max_length=200,
                        storage=catalog.storage.PrivateFileStorage(),
                        upload_to=reports.models.export_upload_to,
                        verbose_name="file",
                    ),
                ),
                ("size", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="size (bytes)")),
                ("client", models.CharField(blank=True, editable=False, max_length=64, verbose_name="client")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("run_token", models.UUIDField(blank=True, editable=False, null=True)),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="asked for")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                ("progress_at", models.DateTimeField(blank=True, null=True, verbose_name="last progress")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
            ],
            options={
                "verbose_name": "data export",
                "verbose_name_plural": "data exports",
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["client", "created_at"], name="dataexport_client_idx"),
                    models.Index(fields=["created_at"], name="dataexport_created_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("key",), name="dataexport_key_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["catalogue", "certificates"])), name="dataexport_kind_known"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fmt__in", ["csv", "xlsx"])), name="dataexport_fmt_known"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "running", "ready", "failed"])),
                        name="dataexport_status_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "ready"), _negated=True),
                            models.Q(("file", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="dataexport_ready_has_file",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
