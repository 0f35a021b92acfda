"""Reading an uploaded OCOP list into rows of cells: an .xlsx workbook or a CSV file, told apart by content.

Nothing in the file is ever evaluated: a workbook is opened with `data_only=False`, so a formula arrives as
its text and the row is refused (a cached result could be anything the author's machine computed).

A province starts with the list it already published, an annex of a decision, as it is: title rows above the
table, a header over one row (the portal's template) or two (merged parents such as "Quyết định công nhận" over
"Số" | "Ngày, tháng, năm"), a numbering row "(1) (2) (3) …", section rows ("I | THÀNH PHỐ CẦN THƠ",
"1 | Huyện Cầu Kè"), a total row. Reading keeps the product rows, each with the sections above it, and says in
`Sheet.layout` how it read the file and what it skipped. In read-only mode openpyxl gives a merged range's text
to its top-left cell only, exactly as a CSV export of the sheet does, so both are read the same way.
"""

import csv
import datetime
import io
import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from catalog.imports.columns import (
    COLUMNS,
    IGNORED_HEADERS,
    ORDINAL_HEADERS,
    Column,
    Requirement,
    column_for_header,
    column_for_subheader,
    header_key,
    unmet_requirements,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A workbook is a zip: refuse one that unpacks to far more than any list of a few thousand rows needs.
MAX_UNPACKED_BYTES = 80 * 1024 * 1024
# Published lists put a few title rows, and sometimes the province's letterhead, above the table.
HEADER_SEARCH_ROWS = 20
MIN_HEADER_MATCHES = 3

ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97–2003), also old .doc
BINARY_SIGNATURES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
CSV_DELIMITERS = ",;\t"
# Text copied from PDFs writes Đ/đ as the look-alike Icelandic eth (U+00D0/U+00F0), and carries zero-width spaces.
LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u200b": None, "\ufeff": None})


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
    # The section headings above the row, outermost first: ("THÀNH PHỐ CẦN THƠ", "Huyện Cầu Kè").
    sections: tuple[str, ...] = ()


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    encoding: str
    header_row: int  # the (first) header row
    columns: dict[str, str]  # column key -> the header as written in the file ("parent › child" over two rows)
    unknown_headers: list[str] = field(default_factory=list)
    rows: list[SheetRow] = field(default_factory=list)  # the product rows only
    # How the file was read, JSON for the import batch: {"title_rows": [{"row", "text"}], "header_rows": [n] or
    # [n, n + 1], "numbering_row": n or None, "columns": [{"key", "header", "column": "C"}], "unknown_headers",
    # "skipped": [{"row", "kind": "numbering" | "section" | "total" | "footer", "text"}], "blank_rows": n (below the header)}.
    layout: dict = field(default_factory=dict)


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
    """One canonical form for Vietnamese text: NFC (Windows-1258 and some keyboards write combining tone marks),
    Đ/đ for their look-alikes from PDFs, and single spaces for any run of white space (non-breaking spaces and
    the other Unicode spaces included: `str.split` splits on all of them, and on line breaks inside a cell)."""
    return " ".join(unicodedata.normalize("NFC", value).translate(LOOKALIKES).split())


# --- Header ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderCell:
    """One column's header: the text over it, and the sub-header below it when the header spans two rows."""

    position: int
    parent: str
    child: str = ""

    @property
    def written(self) -> str:
        return f"{self.parent} › {self.child}" if self.child else self.parent


@dataclass
class Header:
    """Where the table's header is, and what each of its columns means."""

    rows: list[int]
    columns: dict[int, Column]  # position in the row -> the column it is
    written: dict[int, str]  # position -> the header as written ("parent › child" when combined)
    unknown: list[str]
    ordinal: int | None  # position of the "STT" column, if any


def _texts(cells: list[Cell], width: int) -> list[str]:
    texts = [cell_text(cell) for cell in cells[:width]]
    return texts + [""] * (width - len(texts))


# A cell that holds a value, not a header: a number or a date written as text ("75,5", "20/7/2021", "(1)").
VALUE_RE = re.compile(r"^[\d\s.,/():-]+$")


def _merged_parents(top: list[str], below: list[str]) -> dict[int, int]:
    """Positions under a horizontally merged parent cell -> the parent's position.

    A merged range shows its text in its first cell only, so a parent spans the empty cells after it that have
    a sub-header below them ("Quyết định công nhận" over "Số" | "Ngày, tháng, năm").
    """
    parents: dict[int, int] = {}
    for position, text in enumerate(top):
        if not text:
            continue
        end = position + 1
        while end < len(top) and not top[end] and below[end]:
            end += 1
        if end - position > 1:
            parents.update(dict.fromkeys(range(position, end), position))
    return parents


def _is_subheader(top: list[str], below: list[str], parents: dict[int, int], below_cells: list[Cell]) -> bool:
    """Whether the row below a header row names sub-columns of its merged parents.

    Every text of that row sits under a parent, none is a number or a date, and at least one header cell
    stands alone above an empty cell (merged down, as "STT" and "Tên sản phẩm" are). A title merged across
    the whole table has no such cell, so the header row below it is never taken for its sub-header.
    """
    placed = all(position in parents for position, text in enumerate(below) if text)
    textual = all(isinstance(cell.value, str) and not VALUE_RE.match(cell.value) for cell in below_cells if cell.value)
    standalone = any(text and position not in parents for position, text in enumerate(top))
    return bool(parents) and placed and textual and standalone


def _header_cells(top_cells: list[Cell], below_cells: list[Cell] | None) -> list[HeaderCell]:
    """The headers of a header row, combined with the row below when that row holds sub-headers."""
    width = max(len(top_cells), len(below_cells or ()))
    top = _texts(top_cells, width)
    if below_cells is not None:
        below = _texts(below_cells, width)
        parents = _merged_parents(top, below)
        if _is_subheader(top, below, parents, below_cells):
            return [
                HeaderCell(position, top[parents[position]], below[position])
                if position in parents
                else HeaderCell(position, top[position])
                for position in range(width)
                if top[parents.get(position, position)]
            ]
    return [HeaderCell(position, text) for position, text in enumerate(top) if text]


def _recognise(cells: list[HeaderCell], rows: list[int]) -> Header:
    """The meaning of each header cell; a second column with the same meaning is reported as unknown."""
    header = Header(rows=rows, columns={}, written={}, unknown=[], ordinal=None)
    for cell in cells:
        header.written[cell.position] = cell.written
        own = header_key(cell.child or cell.parent)
        if own in ORDINAL_HEADERS and header.ordinal is None:
            header.ordinal = cell.position
        column = column_for_subheader(cell.parent, cell.child) if cell.child else column_for_header(cell.parent)
        if column is None or column in header.columns.values():
            if own not in IGNORED_HEADERS:
                header.unknown.append(cell.written)
            continue
        header.columns[cell.position] = column
    return header


def _header_find(head: list[tuple[int, list[Cell]]]) -> Header:
    """The first row within HEADER_SEARCH_ROWS that, alone or with its sub-headers below, names enough columns."""
    for index, (number, cells) in enumerate(head[:HEADER_SEARCH_ROWS]):
        below = head[index + 1][1] if index + 1 < len(head) else None
        header_cells = _header_cells(cells, below)
        rows = [number, number + 1] if any(cell.child for cell in header_cells) else [number]
        header = _recognise(header_cells, rows)
        if len(header.columns) >= MIN_HEADER_MATCHES:
            return header
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


def _columns_text(columns: list[Column]) -> str:
    text = f"“{columns[0].header}”"
    for column in columns[1:]:
        text = _("%(first)s and %(second)s") % {"first": text, "second": f"“{column.header}”"}
    return text


def _requirement_text(requirement: Requirement, keys: set[str]) -> str:
    """What an unmet requirement still needs: "“Số sao” or “Điểm”"."""
    alternatives = [_columns_text(columns) for columns in requirement.missing(keys)]
    text = alternatives[0]
    for alternative in alternatives[1:]:
        text = _("%(first)s or %(second)s") % {"first": text, "second": alternative}
    return text


def _require_columns(header: Header) -> None:
    keys = {column.key for column in header.columns.values()}
    unmet = unmet_requirements(keys)
    if not unmet:
        return
    params = {
        "missing": "; ".join(_requirement_text(requirement, keys) for requirement in unmet),
        "found": ", ".join(f"“{text}”" for text in header.written.values()),
    }
    if len(header.rows) == 1:
        message = _("Columns are missing: %(missing)s. The header row (row %(row)s) has: %(found)s.") % {
            **params,
            "row": header.rows[0],
        }
    else:
        message = _("Columns are missing: %(missing)s. The header (rows %(first)s and %(second)s) has: %(found)s.") % {
            **params,
            "first": header.rows[0],
            "second": header.rows[1],
        }
    raise ImportFileError(message, code="missing_columns")


# --- Rows that are not products -------------------------------------------------------------------------------------

# The columns a product row has and a section heading never does: a row with any of them is a product row.
PRODUCT_ONLY_KEYS = frozenset({"producer", "stars", "score", "decision", "decision_number", "decision_date"})
# A total row never has a decision; it may count products in any other column.
TOTAL_EMPTY_KEYS = frozenset({"decision", "decision_number", "decision_date"})
# Below a total, a row with at most this many cells is a note or a signature, not a product.
MAX_FOOTER_CELLS = 2
# A numbering row numbers at least this many columns.
MIN_NUMBERED_COLUMNS = 3
NUMBERING_RE = re.compile(r"^\((\d{1,2})\)$|^(\d{1,2})$")
TOTAL_RE = re.compile(r"^(tong cong|tong so)\b|^cong(\s*$|\s*\d)")
ROMAN_RE = re.compile(r"^[IVXL]+\.?$")
LETTER_RE = re.compile(r"^[A-ZĐ]\.?$")
NUMBER_RE = re.compile(r"^\d{1,3}(\.\d{1,3})*\.?$")
# "I. THÀNH PHỐ CẦN THƠ" in one cell: the ordinal and the heading.
ORDINAL_PREFIX_RE = re.compile(r"^([IVXL]+|[A-ZĐ])[.)]\s+(.+)$")
# Folded first words of a heading that names a place or a product group.
HEADING_WORDS = ("huyen", "quan", "thi xa", "thanh pho", "tp", "tinh", "nhom", "phan nhom", "nganh")
TOP_LEVEL_WORDS = ("tinh", "thanh pho", "tp")


def _filled(cells: list[Cell]) -> list[tuple[int, str]]:
    return [(position, cell_text(cell)) for position, cell in enumerate(cells) if cell.value not in (None, "")]


def _is_numbering(filled: list[tuple[int, str]]) -> bool:
    """ "(1) (2) (3) …" or "1 2 3 …": the columns numbered from 1, as published lists do under their header."""
    numbers = []
    for _position, text in filled:
        match = NUMBERING_RE.match(text)
        if match is None:
            return False
        numbers.append(int(match.group(1) or match.group(2)))
    return len(numbers) >= MIN_NUMBERED_COLUMNS and numbers == list(range(1, len(numbers) + 1))


def _any_in(filled: list[tuple[int, str]], header: Header, keys: frozenset) -> bool:
    return any(position in header.columns and header.columns[position].key in keys for position, _text in filled)


def _is_total(filled: list[tuple[int, str]], header: Header) -> bool:
    """ "Tổng cộng: 99 sản phẩm", "Tổng số" | "99", "Cộng: 99"."""
    return bool(TOTAL_RE.match(header_key(filled[0][1]))) and not _any_in(filled, header, TOTAL_EMPTY_KEYS)


def _ordinal_kind(position: int, text: str, header: Header) -> str | None:
    """ "roman" (I, II.), "letter" (A, B.) or "number" (1, 2.1 — only in the STT column); None if not an ordinal."""
    if ROMAN_RE.match(text):
        return "roman"
    if LETTER_RE.match(text):
        return "letter"
    if NUMBER_RE.match(text) and position == header.ordinal:
        return "number"
    return None


def _reads_as_heading(text: str) -> bool:
    key = header_key(text)
    capitals = text.upper() == text and any(char.isalpha() for char in text)
    return capitals or any(key == word or key.startswith(word + " ") for word in HEADING_WORDS)


@dataclass(frozen=True)
class Section:
    heading: str
    top_level: bool


def _section(filled: list[tuple[int, str]], header: Header) -> Section | None:
    """The section a row opens, if it is one: one or two cells, an ordinal and a heading, nothing a product has.

    A heading after a Roman numeral or a letter, or naming a tỉnh or thành phố in capitals, opens a top-level
    section; any other (a district after a number, "Huyện Cầu Kè") nests under the top-level one. A row with
    only a number and a text that does not read as a heading is an incomplete product row, not a section.
    """
    if not 1 <= len(filled) <= 2 or _any_in(filled, header, PRODUCT_ONLY_KEYS):
        return None
    ordinal, heading = None, filled[-1][1]
    if len(filled) == 2:
        ordinal = _ordinal_kind(*filled[0], header)
        if ordinal is None:
            return None
    else:
        match = ORDINAL_PREFIX_RE.match(heading)
        if match:
            ordinal, heading = ("roman" if ROMAN_RE.match(match.group(1)) else "letter"), match.group(2)
    if ordinal not in ("roman", "letter") and not _reads_as_heading(heading):
        return None
    key = header_key(heading)
    top_level = ordinal in ("roman", "letter") or (
        heading.upper() == heading and any(key.startswith(word + " ") for word in TOP_LEVEL_WORDS)
    )
    return Section(heading, top_level)


@dataclass
class Sections:
    """The section headings in force: a top-level one and one nested under it, each optional."""

    top: str | None = None
    nested: str | None = None

    def enter(self, section: Section) -> None:
        if section.top_level:
            self.top, self.nested = section.heading, None
        else:
            self.nested = section.heading

    def current(self) -> tuple[str, ...]:
        return tuple(heading for heading in (self.top, self.nested) if heading)


# --- Rows -----------------------------------------------------------------------------------------------------------


@dataclass
class Body:
    """The rows below the header: the products, and what was skipped."""

    header: Header
    rows: list[SheetRow] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    numbering_row: int | None = None
    blank_rows: int = 0
    sections: Sections = field(default_factory=Sections)
    after_total: bool = False

    def skip(self, number: int, kind: str, filled: list[tuple[int, str]]) -> None:
        self.skipped.append({"row": number, "kind": kind, "text": " ".join(text for _position, text in filled)})

    def read(self, number: int, cells: list[Cell]) -> None:
        filled = _filled(cells)
        if not filled:
            self.blank_rows += 1
        elif not self.rows and not self.skipped and _is_numbering(filled):
            self.numbering_row = number
            self.skip(number, "numbering", filled)
        elif _is_total(filled, self.header):
            self.after_total = True
            self.skip(number, "total", filled)
        elif self.after_total and len(filled) <= MAX_FOOTER_CELLS:
            # Below the total: notes and signatures ("Ghi chú", "KT. CHỦ TỊCH"), wherever they stand; a row with
            # more filled cells is a product again (a list in several parts, each with its total).
            self.skip(number, "footer", filled)
        elif section := _section(filled, self.header):
            self.sections.enter(section)
            self.skip(number, "section", filled)
        else:
            self.add(number, cells)

    def add(self, number: int, cells: list[Cell]) -> None:
        if len(self.rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split the list into several files.") % {"limit": MAX_ROWS},
                code="too_many_rows",
            )
        empty = Cell(value=None)
        self.rows.append(
            SheetRow(
                number=number,
                cells={
                    column.key: cells[position] if position < len(cells) else empty
                    for position, column in self.header.columns.items()
                },
                sections=self.sections.current(),
            )
        )


def _layout(title_rows: list[dict], body: Body) -> dict:
    """How the file was read, as JSON for the import batch: what staff see under "how the file was read"."""
    header = body.header
    return {
        "title_rows": title_rows,
        "header_rows": header.rows,
        "numbering_row": body.numbering_row,
        "columns": [
            {"key": column.key, "header": header.written[position], "column": get_column_letter(position + 1)}
            for position, column in sorted(header.columns.items())
        ],
        "unknown_headers": header.unknown,
        "skipped": body.skipped,
        "blank_rows": body.blank_rows,
    }


def _sheet_from_rows(rows, *, kind: str, encoding: str) -> Sheet:
    rows = iter(rows)
    # The header may be on the last row searched with its sub-headers on the next.
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS + 1))
    header = _header_find(head)
    _require_columns(header)
    first_body = header.rows[-1]  # row numbers start at 1, so this is the index of the first row below
    title_rows = [
        {"row": number, "text": " ".join(text for _position, text in _filled(cells))}
        for number, cells in head[: header.rows[0] - 1]
        if _filled(cells)
    ]
    body = Body(header=header)
    for number, cells in itertools.chain(head[first_body:], rows):
        body.read(number, cells)
    if not body.rows:
        raise ImportFileError(_("The list has a header row but no product below it."), code="no_rows")
    return Sheet(
        kind=kind,
        encoding=encoding,
        header_row=header.rows[0],
        columns={column.key: header.written[position] for position, column in header.columns.items()},
        unknown_headers=header.unknown,
        rows=body.rows,
        layout=_layout(title_rows, body),
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
