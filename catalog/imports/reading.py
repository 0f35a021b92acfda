"""Reading an uploaded OCOP list into rows of cells: an .xlsx workbook or a CSV file, told apart by content.

Nothing in the file is ever evaluated: a workbook is opened with `data_only=False`, so a formula arrives as
its text and the row is refused (a cached result could be anything the author's machine computed).
"""

import csv
import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from catalog.imports.columns import COLUMNS, IGNORED_HEADERS, Column, column_for_header, header_key

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A workbook is a zip: refuse one that unpacks to far more than any list of a few thousand rows needs.
MAX_UNPACKED_BYTES = 80 * 1024 * 1024
HEADER_SEARCH_ROWS = 15
MIN_HEADER_MATCHES = 3

ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97–2003), also old .doc
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
CSV_DELIMITERS = ",;\t"


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in words for the person uploading it."""

    def __init__(self, message, *, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float, Decimal-like text, date or datetime; None when empty
    formula: bool = False


@dataclass
class SheetRow:
    number: int  # the row number a spreadsheet shows (1-based, header rows included)
    cells: dict[str, Cell]


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    encoding: str
    header_row: int
    columns: dict[str, str]  # column key -> the header as written in the file
    unknown_headers: list[str] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)


def sheet_read(data: bytes) -> Sheet:
    """The rows of an uploaded OCOP list, or ImportFileError with a message that says what to do."""
    if not data:
        raise ImportFileError(_("The file is empty."), code="empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split the list into several files.")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": MAX_FILE_BYTES // 1024 // 1024},
            code="too_large",
        )
    if data.startswith(OLE2_SIGNATURE):
        raise ImportFileError(
            _(
                "This is an old Excel 97–2003 file (.xls). Open it in Excel or LibreOffice and save it as "
                "“Excel Workbook (.xlsx)”, then upload the .xlsx file."
            ),
            code="xls",
        )
    if data.startswith(ZIP_SIGNATURE):
        return _sheet_from_rows(_xlsx_rows(data), kind="xlsx", encoding="")
    if data.startswith(BINARY_SIGNATURES):
        raise ImportFileError(_not_a_spreadsheet(), code="not_spreadsheet")
    text, encoding = _decode(data)
    return _sheet_from_rows(_csv_rows(text), kind="csv", encoding=encoding)


def _not_a_spreadsheet():
    return _("This file is not a spreadsheet. Upload the list as an Excel workbook (.xlsx) or a CSV file.")


# --- XLSX -----------------------------------------------------------------------------------------------------------


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_not_a_spreadsheet(), code="not_spreadsheet") from None
    if "xl/workbook.xml" not in names:
        # A Word document, an OpenDocument sheet, or any other zip.
        raise ImportFileError(
            _("This zip file is not an Excel workbook. Save the list as “Excel Workbook (.xlsx)” or as CSV."),
            code="not_spreadsheet",
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to more than %(limit)s MB. Split the list into several files.")
            % {"limit": MAX_UNPACKED_BYTES // 1024 // 1024},
            code="too_large",
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors for a damaged workbook
        raise ImportFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel and save it again."),
            code="unreadable",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            # Read-only rows skip nothing: cell i of the tuple is column i+1.
            yield number, [_xlsx_cell(cell) for cell in row]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(
            _("The workbook cannot be read; it may be damaged. Open it in Excel and save it again."),
            code="unreadable",
        ) from None
    finally:
        workbook.close()


def _xlsx_cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Cell(value=str(value), formula=True)
    if isinstance(value, str):
        value = _clean_text(value)
        return Cell(value=value or None, formula=value.startswith("="))
    return Cell(value=value)


# --- CSV ------------------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258 (Vietnamese)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(_undecodable(), code="encoding") from None
    if b"\x00" in data[:4096]:
        raise ImportFileError(_not_a_spreadsheet(), code="not_spreadsheet")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise ImportFileError(_undecodable(), code="encoding") from None
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n" for char in text):
        raise ImportFileError(_not_a_spreadsheet(), code="not_spreadsheet")
    return text, "windows-1258"


def _undecodable():
    return _(
        "The characters of this CSV file cannot be read. Save it again as “CSV UTF-8 (comma delimited)” "
        "and upload that file."
    )


def _csv_rows(text: str):
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            yield number, [_csv_cell(value) for value in row]
    except csv.Error:
        raise ImportFileError(
            _("The CSV file is malformed (a quotation mark is not closed?). Save it again from the spreadsheet."),
            code="malformed",
        ) from None


def _csv_cell(value: str) -> Cell:
    value = _clean_text(value)
    return Cell(value=value or None, formula=value.startswith("="))


def _clean_text(value: str) -> str:
    # One canonical form for Vietnamese (Windows-1258 and some keyboards write combining tone marks).
    return unicodedata.normalize("NFC", value).strip()


# --- Header and rows ------------------------------------------------------------------------------------------------


def _is_empty(cells: list[Cell]) -> bool:
    return all(cell.value in (None, "") for cell in cells)


def _header_columns(cells: list[Cell]) -> tuple[dict[int, Column], list[str], list[str]]:
    """The recognised columns by position, the headers as written, and the headers not recognised."""
    found: dict[int, Column] = {}
    written = []
    unknown = []
    taken = set()
    for index, cell in enumerate(cells):
        if cell.value in (None, ""):
            continue
        text = cell_text(cell)
        written.append(text)
        column = column_for_header(text)
        if column is None or column.key in taken:
            if header_key(text) not in IGNORED_HEADERS:
                unknown.append(text)
            continue
        taken.add(column.key)
        found[index] = column
    return found, written, unknown


def _sheet_from_rows(rows, *, kind: str, encoding: str) -> Sheet:
    header_number = None
    mapping: dict[int, Column] = {}
    written: list[str] = []
    unknown: list[str] = []
    sheet_rows: list[SheetRow] = []
    for number, cells in rows:
        if header_number is None:
            if number > HEADER_SEARCH_ROWS:
                break
            found, found_written, found_unknown = _header_columns(cells)
            if len(found) >= MIN_HEADER_MATCHES:
                header_number, mapping, written, unknown = number, found, found_written, found_unknown
            continue
        if _is_empty(cells):
            continue
        if len(sheet_rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split the list into several files.") % {"limit": MAX_ROWS},
                code="too_many_rows",
            )
        sheet_rows.append(
            SheetRow(
                number=number,
                cells={
                    column.key: cells[index] if index < len(cells) else Cell(value=None)
                    for index, column in mapping.items()
                },
            )
        )
    if header_number is None:
        raise ImportFileError(
            _(
                "No header row was found in the first %(rows)s rows. The list needs a row of column headers "
                "such as: %(headers)s."
            )
            % {
                "rows": HEADER_SEARCH_ROWS,
                "headers": ", ".join(column.header for column in COLUMNS if column.required),
            },
            code="no_header",
        )
    present = {column.key for column in mapping.values()}
    missing = [column for column in COLUMNS if column.required and column.key not in present]
    if missing:
        raise ImportFileError(
            _("Columns are missing: %(missing)s. The header row (row %(row)s) has: %(found)s.")
            % {
                "missing": ", ".join(f"“{column.header}”" for column in missing),
                "row": header_number,
                "found": ", ".join(f"“{header}”" for header in written),
            },
            code="missing_columns",
        )
    if not sheet_rows:
        raise ImportFileError(_("The list has a header row but no product below it."), code="no_rows")
    return Sheet(
        kind=kind,
        encoding=encoding,
        header_row=header_number,
        columns={column.key: column.header for column in mapping.values()},
        unknown_headers=unknown,
        rows=sheet_rows,
    )


def cell_text(cell: Cell) -> str:
    """A cell as text for messages and free-text fields (numbers without a trailing .0, dates as dd/mm/yyyy)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == datetime.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
