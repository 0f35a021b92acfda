"""Reading an uploaded OCOP list: what is a spreadsheet, which headers are recognised, what is never evaluated."""

import datetime
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from catalog.imports import reading
from catalog.imports.columns import column_for_header
from catalog.imports.reading import ImportFileError, sheet_read
from tests.catalog.import_files import HEADERS, csv_bytes, xlsx_bytes

ROW = [
    1,
    "Bánh pía sầu riêng",
    "Công ty TNHH Hải Sơn",
    "Doanh nghiệp",
    "2200010006",
    "Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng",
    "1.3.2",
    4,
    "75,5",
    "123/QĐ-UBND",
    "15/10/2020",
]


def refused(data: bytes) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        sheet_read(data)
    return caught.value


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Tên sản phẩm", "product"),
        ("TEN SAN PHAM", "product"),
        ("  tên   Sản Phẩm ", "product"),
        ("Tên chủ thể", "producer"),
        ("Chủ thể", "producer"),
        ("Loại hình", "legal_form"),
        ("Mã số thuế", "tax_code"),
        ("MST", "tax_code"),
        ("Địa chỉ (cũ)", "address"),
        ("Bộ sản phẩm", "group"),
        ("Hạng sao", "stars"),
        ("Số sao", "stars"),
        ("Điểm (thang 100)", "score"),
        ("Số Quyết định", "decision_number"),
        ("Ngày quyết định", "decision_date"),
        ("Đơn vị tính", "unit"),
    ],
)
def test_vietnamese_headers_are_recognised_with_or_without_accents(header, key):
    assert column_for_header(header).key == key


@pytest.mark.parametrize("header", ["STT", "Ghi chú", "Số điện thoại", ""])
def test_other_headers_name_no_column(header):
    assert column_for_header(header) is None


def test_a_workbook_is_read_below_its_title_rows_with_row_numbers_as_excel_shows_them():
    data = xlsx_bytes([HEADERS, ROW, [None] * len(HEADERS), ROW], title_rows=["DANH SÁCH SẢN PHẨM OCOP", ""])
    sheet = sheet_read(data)
    assert sheet.kind == "xlsx"
    assert sheet.header_row == 3
    assert [row.number for row in sheet.rows] == [4, 6]  # the empty row 5 is skipped, not renumbered
    cells = sheet.rows[0].cells
    assert cells["product"].value == "Bánh pía sầu riêng"
    assert cells["stars"].value == 4
    assert not any(cell.formula for cell in cells.values())


def test_a_formula_in_a_workbook_is_detected_and_never_evaluated():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append([*ROW[:8], "=70+5.5", *ROW[9:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    cell = sheet_read(buffer.getvalue()).rows[0].cells["score"]
    assert cell.formula is True
    assert cell.value == "=70+5.5"  # the formula's text, not a computed 75.5


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected"),
    [
        ("utf-8-sig", ",", "utf-8"),
        ("utf-8", ",", "utf-8"),
        ("utf-8", ";", "utf-8"),
        ("utf-8", "\t", "utf-8"),
        ("utf-16", "\t", "utf-16"),
        ("cp1258", ",", "windows-1258"),
    ],
)
def test_csv_in_the_encodings_and_delimiters_spreadsheets_write(encoding, delimiter, expected):
    sheet = sheet_read(csv_bytes([HEADERS, ROW], encoding=encoding, delimiter=delimiter))
    assert sheet.kind == "csv"
    assert sheet.encoding == expected
    cells = sheet.rows[0].cells
    assert cells["product"].value == "Bánh pía sầu riêng"  # diacritics intact, one canonical form (NFC)
    assert cells["address"].value == "Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng"
    assert cells["score"].value == "75,5"


def test_a_csv_cell_starting_with_equals_is_a_formula():
    sheet = sheet_read(csv_bytes([HEADERS, [*ROW[:2], '=HYPERLINK("http://x")', *ROW[3:]]]))
    assert sheet.rows[0].cells["producer"].formula is True


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "not_spreadsheet"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not_spreadsheet"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "not_spreadsheet"),
        (b"\x01\x02\x03\x00\xfe binary", "not_spreadsheet"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_by_its_content(data, code):
    assert refused(data).code == code


def test_an_old_xls_file_is_refused_with_a_request_to_save_it_as_xlsx():
    error = refused(reading.OLE2_SIGNATURE + b"\x00" * 512)
    assert error.code == "xls"
    assert ".xlsx" in str(error.message)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    error = refused(buffer.getvalue())
    assert error.code == "not_spreadsheet"
    assert "Excel" in str(error.message)


def test_a_damaged_workbook_is_refused_with_a_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml at all")
    assert refused(buffer.getvalue()).code == "unreadable"


def test_missing_columns_are_named_with_the_headers_found():
    # Either the stars or the score will do, and the combined “Số, ngày quyết định” stands for number and date.
    headers = [header for header in HEADERS if header not in ("Số sao", "Điểm", "Ngày quyết định")]
    with translation.override("en"):
        error = refused(csv_bytes([headers, ROW[: len(headers)]]))
    assert error.code == "missing_columns"
    message = str(error.message)
    assert "“Số sao” or “Điểm”" in message
    assert "“Ngày quyết định” or “Số, ngày quyết định”" in message
    assert "“Tên sản phẩm”" in message  # what the file has, as written


def test_a_sheet_without_a_header_row_is_refused():
    error = refused(csv_bytes([["a", "b", "c"], ["1", "2", "3"]]))
    assert error.code == "no_header"


def test_a_header_without_rows_is_refused():
    assert refused(csv_bytes([HEADERS])).code == "no_rows"


def test_the_size_and_row_limits_have_clear_messages(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    error = refused(csv_bytes([HEADERS, ROW, ROW, ROW]))
    assert error.code == "too_many_rows"
    assert "2" in str(error.message)
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    assert refused(csv_bytes([HEADERS, ROW])).code == "too_large"


def test_cell_text_writes_numbers_and_dates_as_people_do():
    assert reading.cell_text(reading.Cell(value=4.0)) == "4"
    assert reading.cell_text(reading.Cell(value=datetime.datetime(2020, 10, 15))) == "15/10/2020"  # noqa: DTZ001 - a spreadsheet has no zones
    assert reading.cell_text(reading.Cell(value=None)) == ""


def test_a_workbook_that_unpacks_to_far_more_than_a_list_needs_is_refused(monkeypatch):
    data = xlsx_bytes([HEADERS, ROW])
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1000)
    error = refused(data)
    assert error.code == "too_large"
