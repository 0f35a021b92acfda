"""CSV and XLSX files of report tables, safe to open in a spreadsheet.

A cell whose text starts with a formula character is written with a leading apostrophe (CSV injection:
an organisation named `=HYPERLINK(...)` must stay text), and the XLSX never holds a formula.

`tables_csv` and `tables_xlsx` build a file of report tables in memory; `stream_csv` and `stream_xlsx` write one
`TableStream` (a list of any length, read in batches) to a file as its rows come, with the same cells.
"""

import csv
import datetime
import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.tables import Column, Table, TableStream

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


def _header(columns: list[Column]) -> list[str]:
    return [text_safe(column.label) for column in columns]


def _cells(columns: list[Column], row: list) -> list:
    return [_plain(value, column.kind) for column, value in zip(columns, row, strict=True)]


def _rows(table: Table):
    yield _header(table.columns)
    for row in table.rows:
        yield _cells(table.columns, row)
    if table.totals is not None:
        yield _cells(table.columns, table.totals)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _csv_table(writer, title: str, rows) -> None:
    writer.writerow([text_safe(title)])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])


def tables_csv(tables: list[Table]) -> bytes:
    """The tables one after another, each under its title, in UTF-8 with a BOM so Excel reads the diacritics."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        _csv_table(writer, table.title, _rows(table))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _streamed_rows(table: TableStream, counter: list[int]):
    yield _header(table.columns)
    for batch in table.batches:
        for row in batch:
            yield _cells(table.columns, row)
        counter[0] += len(batch)


def stream_csv(table: TableStream, file) -> int:
    """Write the table to a binary file as `tables_csv` writes one, batch by batch; return the rows written."""
    text = io.TextIOWrapper(file, encoding="utf-8", newline="")
    text.write("\ufeff")
    written = [0]
    _csv_table(csv.writer(text), table.title, _streamed_rows(table, written))
    text.flush()
    text.detach()  # the caller's file stays open
    return written[0]


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
                if number_format := _number_format(value, table.columns[column_number - 1]):
                    cell.number_format = number_format
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


def stream_xlsx(table: TableStream, file) -> int:
    """Write the table to a file as `tables_xlsx` lays out one sheet, batch by batch; return the rows written.

    The workbook is write-only: openpyxl writes each row out as it comes, with its text inline (no shared-string
    table growing with the rows), so memory does not grow with the list.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(table.title, set()))
    # A write-only sheet takes its widths and panes before its first row.
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(column.label) + 2, 12), 60)
    sheet.freeze_panes = "A4"
    sheet.append([_stream_cell(sheet, text_safe(table.title), font=Font(bold=True, size=13))])
    sheet.append([])
    written = [0]
    rows = _streamed_rows(table, written)
    bold = Font(bold=True)
    sheet.append([_stream_cell(sheet, label, font=bold) for label in next(rows)])
    for row in rows:
        sheet.append([_stream_cell(sheet, value, column) for column, value in zip(table.columns, row, strict=True)])
    workbook.save(file)
    return written[0]


def _number_format(value, column: Column) -> str | None:
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd hh:mm"
    if isinstance(value, datetime.date):
        return "yyyy-mm-dd"
    if isinstance(value, int) and column.kind == "vnd":
        return "#,##0"
    return None


def _stream_cell(sheet, value, column: Column | None = None, *, font: Font | None = None):
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # as in _write_cell: never a formula or an error value
    if font is not None:
        cell.font = font
    if column is not None and (number_format := _number_format(value, column)):
        cell.number_format = number_format
    return cell


def _write_cell(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        # openpyxl reads a leading "=" as a formula (and "#N/A" as an error): always store plain text.
        cell.data_type = "s"
    return cell
