"""CSV and XLSX files of report tables, safe to open in a spreadsheet.

A cell whose text starts with a formula character is written with a leading apostrophe (CSV injection:
an organisation named `=HYPERLINK(...)` must stay text), and the XLSX never holds a formula.
"""

import csv
import datetime
import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.tables import Table

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell_safe(value):
    """Text a spreadsheet shows as text: a leading =, +, -, @, tab or CR gets an apostrophe in front."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def text_safe(value) -> str:
    """Text without the control characters a workbook cannot hold, made safe against formulas."""
    return cell_safe(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _plain(value, kind: str):
    """A cell's value for a file: numbers stay numbers, dates become local, text is made safe."""
    if value is None:
        return None
    if kind == "bool":
        return text_safe(_("Yes") if value else _("No"))
    if kind == "datetime" and isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: write the portal's local time.
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    if isinstance(value, int | float | datetime.date):
        return value
    return text_safe(value)


def _rows(table: Table):
    yield [text_safe(column.label) for column in table.columns]
    for row in table.rows:
        yield [_plain(value, column.kind) for column, value in zip(table.columns, row, strict=True)]
    if table.totals is not None:
        yield [_plain(value, column.kind) for column, value in zip(table.columns, table.totals, strict=True)]


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def tables_csv(tables: list[Table]) -> bytes:
    """The tables one after another, each under its title, in UTF-8 with a BOM so Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([text_safe(table.title)])
        for row in _rows(table):
            writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip("' ")[:SHEET_TITLE_MAX] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def tables_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table: its title, a bold header row, then the rows; text is always stored as text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        _write_cell(sheet, 1, 1, text_safe(table.title)).font = Font(bold=True, size=13)
        widths = [len(column.label) for column in table.columns]
        for row_number, row in enumerate(_rows(table), start=3):
            for column_number, value in enumerate(row, start=1):
                cell = _write_cell(sheet, row_number, column_number, value)
                if row_number == 3:
                    cell.font = bold
                if isinstance(value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, int) and table.columns[column_number - 1].kind == "vnd":
                    cell.number_format = "#,##0"
                widths[column_number - 1] = max(widths[column_number - 1], len(_csv_text(value)))
        if table.totals is not None:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_cell(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        # openpyxl reads a leading "=" as a formula (and "#N/A" as an error): always store plain text.
        cell.data_type = "s"
    return cell
