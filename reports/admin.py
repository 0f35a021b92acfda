from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from reports.models import DataExport


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The files of long lists prepared by the workers, read-only: what was asked, how far it got, why it failed."""

    list_display = ["__str__", "status", "progress", "language", "created_at", "finished_at", "attempts"]
    list_filter = ["status", "kind", "fmt"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "kind",
        "fmt",
        "params",
        "language",
        "status",
        "rows_written",
        "rows_total",
        "stored_file",
        "size",
        "attempts",
        "error",
        "created_at",
        "started_at",
        "progress_at",
        "finished_at",
        "key",
    ]

    @admin.display(description=_("file"))
    def stored_file(self, export):
        # The name only: a private file has no URL (it is downloaded from the export's page).
        return export.file.name or "—"

    @admin.display(description=_("rows"))
    def progress(self, export):
        return f"{export.rows_written} / {export.rows_total}"
