"""Reading the OCOP lists provinces have published: title rows, two-row merged headers, numbering, sections, totals."""

import io
import json

import pytest
from django.utils import translation
from openpyxl import Workbook
from vietnamadminunits import ParseMode, parse_address

from catalog.imports import reading
from catalog.imports.columns import column_for_header, column_for_subheader
from catalog.imports.reading import ImportFileError, cell_text, sheet_read
from tests.catalog import published_lists
from tests.catalog.import_files import HEADERS, csv_bytes
from tests.catalog.published_lists import (
    CAN_THO_HAU_GIANG_ROWS,
    SOC_TRANG_ROWS,
    TRA_VINH_ROWS,
    can_tho_hau_giang_csv,
    can_tho_hau_giang_xlsx,
    soc_trang_xlsx,
    tra_vinh_xlsx,
)

SOC_TRANG_KEYS = ("product", "producer", "address", "group", "score", "stars", "decision_number", "decision_date")
TRA_VINH_KEYS = ("product", "producer", "address", "group", "stars", "decision")
# The Cần Thơ/Hậu Giang sample as written (copied from PDFs) and as read.
CLEANED = {
    "HTX  Bánh tráng Thuận Hưng": "HTX Bánh tráng Thuận Hưng",
    "HTXNN Mỹ\xa0Khánh": "HTXNN Mỹ Khánh",
    "Xã Mỹ Khánh, Huyện Phong Ðiền, Thành phố Cần Thơ": "Xã Mỹ Khánh, Huyện Phong Điền, Thành phố Cần Thơ",
    "HKD Ðặng Văn Tâm": "HKD Đặng Văn Tâm",
}
# A row of the portal's template layout (tests.catalog.import_files.HEADERS): stars without a score.
HEADERS_ROW = [
    1,
    "Bánh pía",
    "Cơ sở Tân Huê Viên",
    "",
    "",
    "Xã Phú Tâm, Huyện Châu Thành, Tỉnh Sóc Trăng",
    "1.3.2",
    4,
    "",
    "2717/QĐ-UBND",
    "06/10/2020",
]


def refused(data: bytes) -> ImportFileError:
    """The error reading `data` gives, its message in English (the msgids) so tests can compare sentences."""
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        sheet_read(data)
    return caught.value


def texts(row, keys) -> dict[str, str]:
    return {key: cell_text(row.cells[key]) for key in keys}


def expected(source: dict, keys) -> dict[str, str]:
    return {key: CLEANED.get(str(source[key]), str(source[key])) for key in keys}


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Headers --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Đơn vị/Chủ thể", "producer"),
        ("Chủ thể sản xuất", "producer"),
        ("Đơn vị tính", "unit"),
        ("Số điểm", "score"),
        ("Phân hạng", "stars"),
        ("Xếp hạng", "stars"),
        ("Hạng sao", "stars"),
        ("Số sao", "stars"),
        ("Số, ngày quyết định", "decision"),
        ("Số và ngày quyết định", "decision"),
        ("Quyết định (số, ngày)", "decision"),
        ("Số/ngày QĐ", "decision"),
        ("Quyết định công nhận", "decision_number"),
        ("Nhóm/Phân nhóm", "group"),
        ("Nhóm sản phẩm", "group"),
        ("Phân nhóm", "group"),
    ],
)
def test_the_headers_of_published_lists_name_their_columns(header, key):
    assert column_for_header(header).key == key


@pytest.mark.parametrize(
    ("parent", "child", "key"),
    [
        ("Chủ thể sản xuất", "Tên chủ thể", "producer"),
        ("Chủ thể sản xuất", "Địa chỉ", "address"),
        ("Chủ thể", "Tên", "producer"),
        ("Kết quả đánh giá, phân hạng", "Điểm", "score"),
        ("Kết quả đánh giá, phân hạng", "Hạng sao", "stars"),
        ("Quyết định công nhận", "Số", "decision_number"),
        ("Quyết định công nhận", "Ngày, tháng, năm", "decision_date"),
        ("Quyết định công nhận", "Ngày", "decision_date"),
        ("QĐ công nhận", "Số", "decision_number"),
    ],
)
def test_a_sub_header_is_read_alone_when_it_says_enough_else_with_its_parent(parent, child, key):
    assert column_for_subheader(parent, child).key == key


def test_a_vague_sub_header_under_an_unrelated_parent_names_no_column():
    assert column_for_subheader("Thông tin khác", "Số") is None


# --- (a) Sóc Trăng: score and stars under a two-row merged header ---------------------------------------------------


def test_a_two_row_merged_header_is_combined_below_the_title_rows():
    sheet = sheet_read(soc_trang_xlsx(SOC_TRANG_ROWS))
    assert sheet.kind == "xlsx"
    assert sheet.header_row == 4
    assert sheet.layout["title_rows"] == [
        {"row": 1, "text": "DANH SÁCH SẢN PHẨM ĐẠT CHỨNG NHẬN OCOP NĂM 2020"},
        {"row": 2, "text": "(Kèm theo Quyết định số 2717/QĐ-UBND ngày 06/10/2020 của UBND tỉnh Sóc Trăng)"},
    ]
    assert sheet.layout["header_rows"] == [4, 5]
    assert sheet.layout["columns"] == [
        {"key": "product", "header": "Tên sản phẩm", "column": "B"},
        {"key": "producer", "header": "Chủ thể sản xuất › Tên chủ thể", "column": "C"},
        {"key": "address", "header": "Chủ thể sản xuất › Địa chỉ", "column": "D"},
        {"key": "group", "header": "Phân nhóm", "column": "E"},
        {"key": "score", "header": "Kết quả đánh giá, phân hạng › Điểm", "column": "F"},
        {"key": "stars", "header": "Kết quả đánh giá, phân hạng › Hạng sao", "column": "G"},
        {"key": "decision_number", "header": "Quyết định công nhận › Số", "column": "H"},
        {"key": "decision_date", "header": "Quyết định công nhận › Ngày, tháng, năm", "column": "I"},
    ]
    assert sheet.columns["producer"] == "Chủ thể sản xuất › Tên chủ thể"
    assert sheet.unknown_headers == [] and sheet.layout["unknown_headers"] == []  # "STT" is read past


def test_the_numbering_row_district_sections_blank_row_and_total_are_skipped_and_reported():
    sheet = sheet_read(soc_trang_xlsx(SOC_TRANG_ROWS))
    assert sheet.layout["numbering_row"] == 6
    assert sheet.layout["skipped"] == [
        {"row": 6, "kind": "numbering", "text": "(1) (2) (3) (4) (5) (6) (7) (8) (9)"},
        {"row": 7, "kind": "section", "text": "I Huyện Châu Thành"},
        {"row": 11, "kind": "section", "text": "II Thị xã Ngã Năm"},
        {"row": 14, "kind": "section", "text": "III Huyện Thạnh Trị"},
        {"row": 17, "kind": "total", "text": "Tổng cộng: 6 sản phẩm"},
    ]
    assert sheet.layout["blank_rows"] == 1  # row 16; the blank row 3 above the header is not counted
    assert json.loads(json.dumps(sheet.layout)) == sheet.layout


def test_each_soc_trang_product_row_keeps_its_cells_and_its_district():
    sheet = sheet_read(soc_trang_xlsx(SOC_TRANG_ROWS))
    assert [row.number for row in sheet.rows] == [8, 9, 10, 12, 13, 15]
    for row, source in zip(sheet.rows, SOC_TRANG_ROWS, strict=True):
        assert texts(row, SOC_TRANG_KEYS) == expected(source, SOC_TRANG_KEYS)
        assert row.sections == (source["section"],)
    assert sheet.rows[0].cells["stars"].value == 4  # a number cell stays a number


# --- (b) Trà Vinh: stars only, one decision cell, district sections numbered in the STT column ----------------------


def test_a_stars_only_list_with_one_decision_cell_is_read():
    sheet = sheet_read(tra_vinh_xlsx(TRA_VINH_ROWS))
    assert sheet.header_row == 3
    assert sheet.layout["header_rows"] == [3]
    assert [column["key"] for column in sheet.layout["columns"]] == [
        "product",
        "producer",
        "address",
        "group",
        "stars",
        "decision",
    ]
    assert sheet.columns["producer"] == "Đơn vị/Chủ thể"
    assert sheet.columns["decision"] == "Số, ngày quyết định"
    assert sheet.unknown_headers == []  # "Ghi chú" is read past


def test_tra_vinh_numbering_sections_and_total_are_skipped():
    sheet = sheet_read(tra_vinh_xlsx(TRA_VINH_ROWS))
    assert sheet.layout["numbering_row"] == 4  # 1 2 3 … as numbers
    assert sheet.layout["skipped"] == [
        {"row": 4, "kind": "numbering", "text": "1 2 3 4 5 6 7 8"},
        {"row": 5, "kind": "section", "text": "1 Huyện Cầu Kè"},
        {"row": 9, "kind": "section", "text": "2 Huyện Cầu Ngang"},
        {"row": 11, "kind": "section", "text": "3 Huyện Tiểu Cần"},
        {"row": 13, "kind": "total", "text": "Tổng cộng 5 sản phẩm"},
    ]
    assert sheet.layout["blank_rows"] == 0


def test_each_tra_vinh_row_keeps_its_address_as_written_and_its_district_heading():
    sheet = sheet_read(tra_vinh_xlsx(TRA_VINH_ROWS))
    assert [row.number for row in sheet.rows] == [6, 7, 8, 10, 12]
    for row, source in zip(sheet.rows, TRA_VINH_ROWS, strict=True):
        assert texts(row, TRA_VINH_KEYS) == expected(source, TRA_VINH_KEYS)
        assert row.sections == (source["section"],)
    # A district-only address: the section heading is what checking can add.
    assert sheet.rows[1].cells["address"].value == "huyện Cầu Kè, tỉnh Trà Vinh"
    assert sheet.rows[1].cells["decision"].value == "1358/QĐ-UBND ngày 20/7/2021"


# --- (c) Cần Thơ and Hậu Giang: a CSV export of merged cells, text copied from PDFs ---------------------------------


@pytest.fixture(params=["csv", "xlsx"])
def can_tho_sheet(request):
    build = {"csv": can_tho_hau_giang_csv, "xlsx": can_tho_hau_giang_xlsx}[request.param]
    return sheet_read(build(CAN_THO_HAU_GIANG_ROWS))


def test_a_csv_export_of_a_merged_header_is_read_as_the_workbook_is(can_tho_sheet):
    assert can_tho_sheet.layout["title_rows"] == [
        {"row": 1, "text": "DANH SÁCH SẢN PHẨM OCOP THÀNH PHỐ CẦN THƠ VÀ TỈNH HẬU GIANG"}
    ]
    assert can_tho_sheet.layout["header_rows"] == [3, 4]
    assert can_tho_sheet.layout["numbering_row"] is None
    assert can_tho_sheet.columns == {
        "product": "Tên sản phẩm",
        "producer": "Chủ thể › Tên chủ thể",
        "address": "Chủ thể › Địa chỉ",
        "group": "Nhóm/Phân nhóm",
        "score": "Số điểm",
        "stars": "Số sao",
        "decision_number": "Quyết định công nhận › Số",
        "decision_date": "Quyết định công nhận › Ngày",
    }


def test_province_headings_start_a_section_and_district_headings_nest_under_them(can_tho_sheet):
    assert [(entry["row"], entry["kind"], entry["text"]) for entry in can_tho_sheet.layout["skipped"]] == [
        (5, "section", "I. THÀNH PHỐ CẦN THƠ"),
        (6, "section", "1 Quận Thốt Nốt"),
        (8, "section", "2 Huyện Phong Điền"),
        (11, "section", "3 Quận Ninh Kiều"),
        (13, "section", "II. TỈNH HẬU GIANG"),
        (14, "section", "1 Thành phố Vị Thanh"),
        (17, "section", "2 Huyện Châu Thành A"),
        (19, "section", "3 Huyện Vị Thủy"),
        (21, "section", "4 Thành phố Ngã Bảy"),
        (23, "total", "Tổng số: 9 sản phẩm"),
    ]
    assert [(row.number, row.sections) for row in can_tho_sheet.rows] == [
        (7, ("THÀNH PHỐ CẦN THƠ", "Quận Thốt Nốt")),
        (9, ("THÀNH PHỐ CẦN THƠ", "Huyện Phong Điền")),
        (10, ("THÀNH PHỐ CẦN THƠ", "Huyện Phong Điền")),
        (12, ("THÀNH PHỐ CẦN THƠ", "Quận Ninh Kiều")),
        (15, ("TỈNH HẬU GIANG", "Thành phố Vị Thanh")),
        (16, ("TỈNH HẬU GIANG", "Thành phố Vị Thanh")),
        (18, ("TỈNH HẬU GIANG", "Huyện Châu Thành A")),
        (20, ("TỈNH HẬU GIANG", "Huyện Vị Thủy")),
        (22, ("TỈNH HẬU GIANG", "Thành phố Ngã Bảy")),
    ]


def test_text_copied_from_pdfs_is_cleaned_and_groups_are_kept_at_the_level_written(can_tho_sheet):
    for row, source in zip(can_tho_sheet.rows, CAN_THO_HAU_GIANG_ROWS, strict=True):
        assert texts(row, SOC_TRANG_KEYS) == expected(source, SOC_TRANG_KEYS)
    first, dau, _ruou, _tra, _khom, mut = can_tho_sheet.rows[:6]
    assert first.cells["producer"].value == "HTX Bánh tráng Thuận Hưng"  # doubled space
    assert dau.cells["producer"].value == "HTXNN Mỹ Khánh"  # non-breaking space
    assert dau.cells["address"].value == "Xã Mỹ Khánh, Huyện Phong Điền, Thành phố Cần Thơ"  # Ð (U+00D0)
    assert mut.cells["producer"].value == "HKD Đặng Văn Tâm"
    assert first.cells["score"].value is None  # not published
    assert [row.cells["group"].value for row in can_tho_sheet.rows] == [
        source["group"] for source in CAN_THO_HAU_GIANG_ROWS
    ]


@pytest.mark.parametrize(
    "build",
    [
        lambda: soc_trang_xlsx(SOC_TRANG_ROWS),
        lambda: tra_vinh_xlsx(TRA_VINH_ROWS),
        lambda: can_tho_hau_giang_csv(CAN_THO_HAU_GIANG_ROWS),
    ],
    ids=["soc_trang", "tra_vinh", "can_tho_hau_giang"],
)
def test_every_sample_address_is_a_former_unit_as_read(build):
    for row in sheet_read(build()).rows:
        address = row.cells["address"].value
        parsed = parse_address(address, mode=ParseMode.LEGACY, keep_street=True, level=3)
        if address.startswith("huyện"):  # district-only, as Trà Vinh's list writes some
            assert parsed.ward_code is None and parsed.district, address
        else:
            assert parsed.ward_code, address


# --- Traits ---------------------------------------------------------------------------------------------------------


def test_unicode_spaces_zero_width_spaces_and_eth_are_cleaned_in_every_cell():
    row = list(HEADERS_ROW)
    row[1] = "\u200bBánh\u2009pía\u202fsầu\u3000riêng "
    row[2] = "Cơ sở\xa0\xa0Ðức  Thành\nPhú Tâm"
    sheet = sheet_read(csv_bytes([HEADERS, row]))
    assert sheet.rows[0].cells["product"].value == "Bánh pía sầu riêng"
    assert sheet.rows[0].cells["producer"].value == "Cơ sở Đức Thành Phú Tâm"


def test_a_row_with_a_producer_but_no_product_is_kept_for_checking_to_report():
    rows = [dict(SOC_TRANG_ROWS[0], product=""), *SOC_TRANG_ROWS[1:]]
    sheet = sheet_read(soc_trang_xlsx(rows))
    first = sheet.rows[0]
    assert first.number == 8
    assert first.cells["product"].value is None
    assert first.cells["producer"].value == "Công ty TNHH bánh pía, lạp xưởng Hải Sơn"
    assert first.sections == ("Huyện Châu Thành",)
    assert all(entry["row"] != 8 for entry in sheet.layout["skipped"])


@pytest.mark.parametrize(
    "cells",
    [
        [5, "", "", "", "", "", "", 4],  # an ordinal and the stars
        ["", "", "Cơ sở Tân Huê Viên"],  # only the producer
        [5, "", "", "", "", "", "", "", "", "", "06/10/2020"],  # an ordinal and the decision date
        [5, "Bánh pía"],  # an ordinal and a name that is not a heading
    ],
)
def test_an_incomplete_product_row_is_never_taken_for_a_section(cells):
    sheet = sheet_read(csv_bytes([HEADERS, HEADERS_ROW, cells]))
    assert [row.number for row in sheet.rows] == [2, 3]
    assert sheet.layout["skipped"] == []


@pytest.mark.parametrize(
    ("cells", "sections"),
    [
        (["I", "THÀNH PHỐ CẦN THƠ"], ("THÀNH PHỐ CẦN THƠ",)),
        (["A.", "Sản phẩm đạt 4 sao"], ("Sản phẩm đạt 4 sao",)),
        ([1, "Huyện Cầu Kè"], ("Huyện Cầu Kè",)),
        (["HUYỆN CẦU KÈ"], ("HUYỆN CẦU KÈ",)),  # merged across the table
        (["II. TỈNH TRÀ VINH"], ("TỈNH TRÀ VINH",)),
    ],
)
def test_a_section_heading_is_given_to_the_rows_below_it(cells, sections):
    sheet = sheet_read(csv_bytes([HEADERS, cells, HEADERS_ROW]))
    assert [entry["kind"] for entry in sheet.layout["skipped"]] == ["section"]
    assert sheet.rows[0].sections == sections


def test_a_new_top_level_heading_ends_the_nested_one():
    sheet = sheet_read(
        csv_bytes(
            [
                HEADERS,
                ["I", "TỈNH SÓC TRĂNG"],
                [1, "Huyện Châu Thành"],
                HEADERS_ROW,
                ["II", "TỈNH TRÀ VINH"],
                HEADERS_ROW,
            ]
        )
    )
    assert [row.sections for row in sheet.rows] == [("TỈNH SÓC TRĂNG", "Huyện Châu Thành"), ("TỈNH TRÀ VINH",)]


@pytest.mark.parametrize(
    "cells",
    [["Tổng cộng: 99 sản phẩm"], ["Tổng cộng", "99"], ["TỔNG SỐ", "", "", "", "", "", "", "99"], ["Cộng:", "99"]],
)
def test_total_rows_are_skipped(cells):
    sheet = sheet_read(csv_bytes([HEADERS, HEADERS_ROW, cells]))
    assert [row.number for row in sheet.rows] == [2]
    assert [entry["kind"] for entry in sheet.layout["skipped"]] == ["total"]


def test_a_product_whose_name_starts_with_cong_is_not_a_total():
    row = [1, "Cộng đồng cà phê", *HEADERS_ROW[2:]]
    sheet = sheet_read(csv_bytes([HEADERS, row]))
    assert [row.cells["product"].value for row in sheet.rows] == ["Cộng đồng cà phê"]


def test_a_title_merged_right_above_a_one_row_header_is_not_taken_for_its_parent():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH SẢN PHẨM OCOP"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.append(HEADERS)
    sheet.append(HEADERS_ROW)
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = sheet_read(buffer.getvalue())
    assert read.layout["header_rows"] == [2]
    assert read.columns["product"] == "Tên sản phẩm"
    assert [row.number for row in read.rows] == [3]


def test_a_data_row_under_an_unlabelled_column_is_not_taken_for_sub_headers():
    sheet = sheet_read(csv_bytes([[*HEADERS, ""], [*HEADERS_ROW, "ghi thêm"]]))
    assert sheet.layout["header_rows"] == [1]
    assert [row.number for row in sheet.rows] == [2]
    assert sheet.rows[0].cells["decision_date"].value == "06/10/2020"


def test_the_portals_template_layout_reads_as_one_header_row_with_nothing_skipped():
    sheet = sheet_read(csv_bytes([HEADERS, HEADERS_ROW]))
    assert sheet.layout == {
        "title_rows": [],
        "header_rows": [1],
        "numbering_row": None,
        "columns": [
            {"key": "product", "header": "Tên sản phẩm", "column": "B"},
            {"key": "producer", "header": "Tên chủ thể", "column": "C"},
            {"key": "legal_form", "header": "Loại hình", "column": "D"},
            {"key": "tax_code", "header": "Mã số thuế", "column": "E"},
            {"key": "address", "header": "Địa chỉ", "column": "F"},
            {"key": "group", "header": "Nhóm sản phẩm", "column": "G"},
            {"key": "stars", "header": "Số sao", "column": "H"},
            {"key": "score", "header": "Điểm", "column": "I"},
            {"key": "decision_number", "header": "Số quyết định", "column": "J"},
            {"key": "decision_date", "header": "Ngày quyết định", "column": "K"},
        ],
        "unknown_headers": [],
        "skipped": [],
        "blank_rows": 0,
    }


def test_the_header_is_found_below_many_title_rows():
    sheet = sheet_read(workbook_bytes([[f"Dòng tiêu đề {number}"] for number in range(17)] + [HEADERS, HEADERS_ROW]))
    assert sheet.header_row == 18
    assert len(sheet.layout["title_rows"]) == 17


# --- Missing columns ------------------------------------------------------------------------------------------------


def test_a_list_without_stars_or_score_is_refused_naming_either():
    headers = [header for header in HEADERS if header not in ("Số sao", "Điểm")]
    error = refused(csv_bytes([headers, HEADERS_ROW[: len(headers)]]))
    assert error.code == "missing_columns"
    assert str(error.message).startswith("Columns are missing: “Số sao” or “Điểm”. The header row (row 1) has:")


def test_a_list_without_any_decision_column_is_refused_naming_both_ways_to_give_it():
    headers = [header for header in HEADERS if header not in ("Số quyết định", "Ngày quyết định")]
    error = refused(csv_bytes([headers, HEADERS_ROW[: len(headers)]]))
    assert str(error.message).startswith(
        "Columns are missing: “Số quyết định” and “Ngày quyết định” or “Số, ngày quyết định”."
    )


def test_a_missing_column_under_a_two_row_header_names_both_header_rows():
    top = ["STT", "Tên sản phẩm", "Chủ thể sản xuất", "", "Phân nhóm", "Số sao", "Quyết định công nhận", ""]
    sub = ["", "", "Tên chủ thể", "Mã số thuế", "", "", "Số", "Ngày"]
    error = refused(csv_bytes([top, sub, [1, "Bánh pía", "Cơ sở Tân Huê Viên", "", "1.3.2", 4, "1/QĐ", "1/1/2020"]]))
    assert error.code == "missing_columns"
    assert str(error.message) == (
        "Columns are missing: “Địa chỉ”. The header (rows 1 and 2) has: “STT”, “Tên sản phẩm”, "
        "“Chủ thể sản xuất › Tên chủ thể”, “Chủ thể sản xuất › Mã số thuế”, “Phân nhóm”, “Số sao”, "
        "“Quyết định công nhận › Số”, “Quyết định công nhận › Ngày”."
    )


# --- Limits ---------------------------------------------------------------------------------------------------------


def test_the_row_limit_counts_product_rows_only(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", len(SOC_TRANG_ROWS))
    assert len(sheet_read(soc_trang_xlsx(SOC_TRANG_ROWS)).rows) == len(SOC_TRANG_ROWS)
    error = refused(soc_trang_xlsx([*SOC_TRANG_ROWS, SOC_TRANG_ROWS[-1]]))
    assert error.code == "too_many_rows"


def test_a_published_list_of_5000_products_is_read_whole():
    sheet = sheet_read(published_lists.big_soc_trang_xlsx(5000))
    assert len(sheet.rows) == 5000
    assert sheet.layout["header_rows"] == [4, 5]
    assert sheet.rows[0].sections == ("Huyện Châu Thành",)
    assert {entry["kind"] for entry in sheet.layout["skipped"]} == {"numbering", "section", "total"}
