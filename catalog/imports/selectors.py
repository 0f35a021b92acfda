"""Reads of the import pages: recent batches, an earlier import of the same file, a batch's rows for display."""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator

from catalog.imports.checking import ERROR, OUTCOMES
from catalog.imports.columns import COLUMNS_BY_KEY
from catalog.imports.messages import error_text, note_text
from catalog.models import ImportBatch

ROWS_PER_PAGE = 50


def import_batches_recent(*, limit: int = 20):
    return ImportBatch.objects.select_related("uploaded_by", "confirmed_by").defer("rows")[:limit]


def import_batch_earlier(*, batch: ImportBatch) -> ImportBatch | None:
    """An earlier import of the very same file, if any: worth saying before it is imported again."""
    return (
        ImportBatch.objects.filter(sha256=batch.sha256, status=ImportBatch.Status.IMPORTED)
        .exclude(pk=batch.pk)
        .defer("rows")
        .order_by("-finished_at")
        .first()
    )


@dataclass
class BatchRows:
    errors: list[dict]  # every row in error, in file order, with its reasons in words
    page: object  # the page of rows of the chosen outcome (or all)
    outcome: str


def _day(value: str):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _display(row: dict) -> dict:
    return {
        **row,
        "decision_day": _day(row.get("decision_date", "")),
        "valid_until_day": _day(row.get("valid_until", "")),
        "reasons": [error_text(entry) for entry in row.get("errors", [])],
        "remarks": [note_text(entry) for entry in row.get("notes", [])],
    }


def import_batch_rows(*, batch: ImportBatch, outcome: str = "", page: str | None = None) -> BatchRows:
    """The errors in full, then one page of the rows (all of them, or those of one outcome)."""
    rows = batch.rows or []
    outcome = outcome if outcome in OUTCOMES else ""
    chosen = [row for row in rows if not outcome or row.get("outcome") == outcome]
    paginated = Paginator(chosen, ROWS_PER_PAGE).get_page(page)
    paginated.object_list = [_display(row) for row in paginated.object_list]
    return BatchRows(
        errors=[_display(row) for row in rows if row.get("outcome") == ERROR],
        page=paginated,
        outcome=outcome,
    )


SKIPPED_KINDS = ("section", "total", "numbering", "footer")


def import_layout_display(*, batch: ImportBatch) -> dict | None:
    """How the file was read, for the dry run: the stored layout with each column's meaning in the reader's words."""
    layout = batch.layout or {}
    if not layout:
        return None
    columns = [
        {**column, "label": COLUMNS_BY_KEY[column["key"]].label}
        for column in layout.get("columns", [])
        if column.get("key") in COLUMNS_BY_KEY
    ]
    skipped = layout.get("skipped", [])
    return {
        **layout,
        "columns": columns,
        "skipped_counts": {kind: sum(1 for row in skipped if row.get("kind") == kind) for kind in SKIPPED_KINDS},
        "combined": len(layout.get("header_rows", [])) > 1,
    }
