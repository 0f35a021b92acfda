"""OCOP lists laid out as provinces publish them (the annex of a recognition decision), for the import tests.

Three layouts, each a function from a list of row dicts to the bytes of a file:

- `soc_trang_xlsx`: Sóc Trăng-style. Title rows, a header over two rows with real merged cells ("Chủ thể sản
  xuất" over "Tên chủ thể" | "Địa chỉ", "Kết quả đánh giá, phân hạng" over "Điểm" | "Hạng sao", "Quyết định
  công nhận" over "Số" | "Ngày, tháng, năm"), a numbering row "(1) … (9)", a Roman-numbered section per
  district with the STT restarting, and a merged total row.
- `tra_vinh_xlsx`: Trà Vinh-style. Stars only, "Đơn vị/Chủ thể", one cell "Số, ngày quyết định", a numbering
  row "1 … 8", a section per district numbered in the STT column ("1" | "Huyện Cầu Kè"), addresses that name
  only the district or all three former units, and a total "Tổng cộng" | "n sản phẩm".
- `can_tho_hau_giang_csv` (and `can_tho_hau_giang_xlsx`): Cần Thơ/Hậu Giang-style. A two-row header as a CSV
  export writes merged cells (text in the first cell only), "Nhóm/Phân nhóm" written at any level of the
  classification, a score that is often not published, producers' names with abbreviated legal forms, a
  province heading ("I. THÀNH PHỐ CẦN THƠ") over district headings, and text copied from PDFs: "Ð" (U+00D0)
  for "Đ", non-breaking spaces and doubled spaces.

A row dict has "product", "producer", "address", "group", "stars", "score" (text, or "" when not published),
"decision_number" and "decision_date" ("dd/mm/yyyy"), or "decision" (the combined cell of Trà Vinh's layout),
and "section", the district heading it is listed under. The sample lists name real OCOP products and producers
of these provinces where public sources name them; decision numbers, dates, scores and the stars of products
whose stars are not sourced are illustrative. Every address is a former unit that `vietnamadminunits` parses
in LEGACY mode.
"""

import csv
import datetime
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

SOC_TRANG_TITLES = (
    "DANH SÁCH SẢN PHẨM ĐẠT CHỨNG NHẬN OCOP NĂM 2020",
    "(Kèm theo Quyết định số 2717/QĐ-UBND ngày 06/10/2020 của UBND tỉnh Sóc Trăng)",
)
TRA_VINH_TITLES = (
    "DANH SÁCH SẢN PHẨM ĐẠT CHỨNG NHẬN OCOP NĂM 2021",
    "(Kèm theo Quyết định số 1358/QĐ-UBND ngày 20/7/2021 của UBND tỉnh Trà Vinh)",
)
CAN_THO_HAU_GIANG_TITLE = "DANH SÁCH SẢN PHẨM OCOP THÀNH PHỐ CẦN THƠ VÀ TỈNH HẬU GIANG"
# (The province heading, its Roman ordinal) of each province in the Cần Thơ/Hậu Giang layout.
PROVINCE_HEADINGS = {"Thành phố Cần Thơ": ("THÀNH PHỐ CẦN THƠ", "I"), "Tỉnh Hậu Giang": ("TỈNH HẬU GIANG", "II")}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

SOC_TRANG_ROWS = [
    {
        "section": "Huyện Châu Thành",
        "product": "Bánh pía sầu riêng trứng",
        "producer": "Công ty TNHH bánh pía, lạp xưởng Hải Sơn",
        "address": "Ấp Phú Hòa A, Xã Phú Tâm, Huyện Châu Thành, Tỉnh Sóc Trăng",
        "group": "Thực phẩm chế biến",
        "score": "75,5",
        "stars": 4,
        "decision_number": "2717/QĐ-UBND",
        "decision_date": "06/10/2020",
    },
    {
        "section": "Huyện Châu Thành",
        "product": "Lạp xưởng tươi Tân Huê Viên",
        "producer": "Cơ sở Tân Huê Viên",
        "address": "Xã Phú Tâm, Huyện Châu Thành, Tỉnh Sóc Trăng",
        "group": "1.3.4",
        "score": "72",
        "stars": 4,
        "decision_number": "2717/QĐ-UBND",
        "decision_date": "06/10/2020",
    },
    {
        "section": "Huyện Châu Thành",
        "product": "Mắm cá lóc Thiện Mỹ",
        "producer": "Hộ kinh doanh Thiện Mỹ",
        "address": "Xã Thiện Mỹ, Huyện Châu Thành, Tỉnh Sóc Trăng",
        "group": "Gia vị",
        "score": "62",
        "stars": 3,
        "decision_number": "2717/QĐ-UBND",
        "decision_date": "06/10/2020",
    },
    {
        "section": "Thị xã Ngã Năm",
        "product": "Trà mãng cầu Cẩm Thiều",
        "producer": "Công ty TNHH MTV Cẩm Thiều",
        "address": "Phường 2, Thị xã Ngã Năm, Tỉnh Sóc Trăng",
        "group": "Chè",
        "score": "78",
        "stars": 4,
        "decision_number": "2717/QĐ-UBND",
        "decision_date": "06/10/2020",
    },
    {
        "section": "Thị xã Ngã Năm",
        "product": "Trà mãng cầu",
        "producer": "Hợp tác xã Vĩnh Kiên",
        "address": "Xã Vĩnh Quới, Thị xã Ngã Năm, Tỉnh Sóc Trăng",
        "group": "Chè",
        "score": "58,5",
        "stars": 3,
        "decision_number": "2717/QĐ-UBND",
        "decision_date": "06/10/2020",
    },
    {
        "section": "Huyện Thạnh Trị",
        "product": "Gạo Thanh Cường",
        "producer": "Hộ kinh doanh Thanh Cường",
        "address": "Thị trấn Phú Lộc, Huyện Thạnh Trị, Tỉnh Sóc Trăng",
        "group": "Gạo, ngũ cốc",
        "score": "55",
        "stars": 3,
        "decision_number": "2717/QĐ-UBND",
        "decision_date": "06/10/2020",
    },
]

TRA_VINH_ROWS = [
    {
        "section": "Huyện Cầu Kè",
        "product": "Dừa sáp Cầu Kè",
        "producer": "Hợp tác xã Nông nghiệp Dừa sáp Cầu Kè",
        "address": "Xã Hòa Tân, Huyện Cầu Kè, Tỉnh Trà Vinh",
        "group": "Rau, củ, quả, hạt tươi",
        "stars": 4,
        "decision": "1358/QĐ-UBND ngày 20/7/2021",
    },
    {
        "section": "Huyện Cầu Kè",
        "product": "Mứt dừa sáp",
        "producer": "Cơ sở Hai Ngọc",
        "address": "huyện Cầu Kè, tỉnh Trà Vinh",
        "group": "Thực phẩm chế biến",
        "stars": 3,
        "decision": "1358/QĐ-UBND ngày 20/7/2021",
    },
    {
        "section": "Huyện Cầu Kè",
        "product": "Chuối sấy dẻo",
        "producer": "Tổ hợp tác Phong Phú",
        "address": "Ấp Chợ, Xã Phong Phú, Huyện Cầu Kè, Tỉnh Trà Vinh",
        "group": "Thực phẩm chế biến",
        "stars": 3,
        "decision": "1358/QĐ-UBND ngày 20/7/2021",
    },
    {
        "section": "Huyện Cầu Ngang",
        "product": "Bánh tét Trà Cuôn",
        "producer": "Hộ kinh doanh Bảy Nhiều",
        "address": "Xã Kim Hòa, Huyện Cầu Ngang, Tỉnh Trà Vinh",
        "group": "Thực phẩm chế biến",
        "stars": 4,
        "decision": "1358/QĐ-UBND ngày 20/7/2021",
    },
    {
        "section": "Huyện Tiểu Cần",
        "product": "Rượu nếp than",
        "producer": "Công ty TNHH Hiếu Tử",
        "address": "huyện Tiểu Cần, tỉnh Trà Vinh",
        "group": "Đồ uống có cồn",
        "stars": 3,
        "decision": "1358/QĐ-UBND ngày 20/7/2021",
    },
]

# As written, with what PDFs leave behind: "Ð" for "Đ", non-breaking spaces (\xa0) and doubled spaces.
CAN_THO_HAU_GIANG_ROWS = [
    {
        "section": "Quận Thốt Nốt",
        "product": "Bánh tráng Thuận Hưng",
        "producer": "HTX  Bánh tráng Thuận Hưng",
        "address": "Phường Thuận Hưng, Quận Thốt Nốt, Thành phố Cần Thơ",
        "group": "Thực phẩm chế biến",
        "score": "",
        "stars": 3,
        "decision_number": "3207/QĐ-UBND",
        "decision_date": "15/12/2020",
    },
    {
        "section": "Huyện Phong Điền",
        "product": "Dâu Hạ Châu",
        "producer": "HTXNN Mỹ\xa0Khánh",
        "address": "Xã Mỹ Khánh, Huyện Phong Ðiền, Thành phố Cần Thơ",
        "group": "Rau, củ, quả, hạt tươi",
        "score": "71",
        "stars": 4,
        "decision_number": "3207/QĐ-UBND",
        "decision_date": "15/12/2020",
    },
    {
        "section": "Huyện Phong Điền",
        "product": "Rượu nếp Phong Điền",
        "producer": "Cty TNHH MTV Rượu Phong Điền",
        "address": "Xã Mỹ Khánh, Huyện Phong Điền, Thành phố Cần Thơ",
        "group": "Đồ uống có cồn",
        "score": "",
        "stars": 3,
        "decision_number": "3207/QĐ-UBND",
        "decision_date": "15/12/2020",
    },
    {
        "section": "Quận Ninh Kiều",
        "product": "Trà gừng",
        "producer": "Hộ SXKD Nguyễn Thị Hoa",
        "address": "Phường An Bình, Quận Ninh Kiều, Thành phố Cần Thơ",
        "group": "Thảo dược",
        "score": "",
        "stars": 3,
        "decision_number": "3207/QĐ-UBND",
        "decision_date": "15/12/2020",
    },
    {
        "section": "Thành phố Vị Thanh",
        "product": "Khóm Cầu Đúc",
        "producer": "THT Khóm Hỏa Tiến",
        "address": "Xã Hỏa Tiến, Thành phố Vị Thanh, Tỉnh Hậu Giang",
        "group": "Rau, củ, quả, hạt tươi",
        "score": "68",
        "stars": 3,
        "decision_number": "1802/QĐ-UBND",
        "decision_date": "22/10/2020",
    },
    {
        "section": "Thành phố Vị Thanh",
        "product": "Mứt khóm",
        "producer": "HKD Ðặng Văn Tâm",
        "address": "Xã Hỏa Tiến, Thành phố Vị Thanh, Tỉnh Hậu Giang",
        "group": "Thực phẩm chế biến",
        "score": "",
        "stars": 3,
        "decision_number": "1802/QĐ-UBND",
        "decision_date": "22/10/2020",
    },
    {
        "section": "Huyện Châu Thành A",
        "product": "Nước mắm cá linh",
        "producer": "DNTN Tân Phú Thạnh",
        "address": "Xã Tân Phú Thạnh, Huyện Châu Thành A, Tỉnh Hậu Giang",
        "group": "Gia vị",
        "score": "73,5",
        "stars": 4,
        "decision_number": "1802/QĐ-UBND",
        "decision_date": "22/10/2020",
    },
    {
        "section": "Huyện Vị Thủy",
        "product": "Khăn choàng dệt thổ cẩm",
        "producer": "Nguyễn Văn Bình – Công ty TNHH Dệt Vị Thủy",
        "address": "Xã Vị Thủy, Huyện Vị Thủy, Tỉnh Hậu Giang",
        "group": "Vải và may mặc",
        "score": "",
        "stars": 3,
        "decision_number": "1802/QĐ-UBND",
        "decision_date": "22/10/2020",
    },
    {
        "section": "Thành phố Ngã Bảy",
        "product": "Cá thát lát rút xương",
        "producer": "Trần Thị Lan",
        "address": "Phường Hiệp Thành, Thành phố Ngã Bảy, Tỉnh Hậu Giang",
        "group": "Thực phẩm",
        "score": "",
        "stars": 3,
        "decision_number": "1802/QĐ-UBND",
        "decision_date": "22/10/2020",
    },
]

# Former units of Sóc Trăng and their districts, for generated lists.
SOC_TRANG_PLACES = [
    ("Xã Phú Tâm", "Huyện Châu Thành"),
    ("Xã Thiện Mỹ", "Huyện Châu Thành"),
    ("Xã An Hiệp", "Huyện Châu Thành"),
    ("Xã Đại Tâm", "Huyện Mỹ Xuyên"),
    ("Xã Gia Hòa 1", "Huyện Mỹ Xuyên"),
    ("Phường 2", "Thị xã Ngã Năm"),
    ("Xã Vĩnh Quới", "Thị xã Ngã Năm"),
    ("Xã Long Bình", "Thị xã Ngã Năm"),
    ("Phường 1", "Thị xã Vĩnh Châu"),
    ("Xã Lạc Hòa", "Thị xã Vĩnh Châu"),
    ("Thị trấn Phú Lộc", "Huyện Thạnh Trị"),
    ("Xã Vĩnh Lợi", "Huyện Thạnh Trị"),
    ("Phường 3", "Thành phố Sóc Trăng"),
]
GENERATED_PRODUCTS = [
    ("Bánh pía", "Thực phẩm chế biến"),
    ("Lạp xưởng", "1.3.4"),
    ("Trà mãng cầu", "Chè"),
    ("Gạo ST25", "Gạo, ngũ cốc"),
    ("Nước mắm", "Gia vị"),
    ("Hành tím", "Rau, củ, quả, hạt tươi"),
    ("Rượu nếp", "Đồ uống có cồn"),
    ("Mứt mận", "Thực phẩm chế biến"),
]
GENERATED_PRODUCERS = ("Công ty TNHH", "HTX", "Hộ kinh doanh", "Cơ sở", "Tổ hợp tác")
PRODUCTS_PER_PRODUCER = 4


def published_rows(count: int) -> list[dict]:
    """`count` rows for `soc_trang_xlsx`, grouped by district (as a published list is), illustrative names."""
    rows = []
    for index in range(count):
        producer = index // PRODUCTS_PER_PRODUCER
        ward, district = SOC_TRANG_PLACES[producer % len(SOC_TRANG_PLACES)]
        product, group = GENERATED_PRODUCTS[index % len(GENERATED_PRODUCTS)]
        score = 50 + (index * 7) % 40
        rows.append(
            {
                "section": district,
                "product": f"{product} số {index + 1}",
                "producer": f"{GENERATED_PRODUCERS[producer % len(GENERATED_PRODUCERS)]} Minh Phát {producer + 1}",
                "address": f"Ấp {producer % 7 + 1}, {ward}, {district}, Tỉnh Sóc Trăng",
                "group": group,
                "score": f"{score},5",
                "stars": 3 if score < 70 else 4,
                "decision_number": f"{2700 + index // 100}/QĐ-UBND",
                "decision_date": (datetime.date(2020, 10, 6) + datetime.timedelta(days=index // 100)).strftime(
                    "%d/%m/%Y"
                ),
            }
        )
    rows.sort(key=lambda row: row["section"])
    return rows


def big_soc_trang_xlsx(count: int) -> bytes:
    """A Sóc Trăng-style workbook of `count` products (for the 5,000-row benchmark)."""
    return soc_trang_xlsx(published_rows(count))


class _Writer:
    """The first sheet of a new workbook, written row by row, with real merged ranges."""

    def __init__(self, width: int):
        self.workbook = Workbook()
        self.sheet = self.workbook.active
        self.width = width
        self.row = 0

    def append(self, values) -> int:
        self.row += 1
        for column, value in enumerate(values, start=1):
            if value not in (None, ""):
                self.sheet.cell(row=self.row, column=column, value=value)
        return self.row

    def merged(self, text: str, first: int = 1, last: int | None = None) -> int:
        """A row with `text` merged over columns `first`..`last` (the whole table by default)."""
        self.append([None] * (first - 1) + [text])
        self.merge(self.row, first, self.row, last or self.width)
        return self.row

    def merge(self, top: int, left: int, bottom: int, right: int) -> None:
        self.sheet.merge_cells(f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}")

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _merge_header(writer: _Writer, top: int, spans: list[tuple[int, int]]) -> None:
    """Merge the two header rows from `top`: each (first, last) over one row when it spans columns, else down."""
    for first, last in spans:
        if first == last:
            writer.merge(top, first, top + 1, first)
        else:
            writer.merge(top, first, top, last)


def _by_section(rows: list[dict]):
    """(section, its rows) in the order of the list."""
    groups: list[tuple[str, list[dict]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row["section"]:
            groups.append((row["section"], []))
        groups[-1][1].append(row)
    return groups


# --- (a) Sóc Trăng --------------------------------------------------------------------------------------------------

SOC_TRANG_TOP = [
    "STT",
    "Tên sản phẩm",
    "Chủ thể sản xuất",
    None,
    "Phân nhóm",
    "Kết quả đánh giá, phân hạng",
    None,
    "Quyết định công nhận",
    None,
]
SOC_TRANG_SUB = [None, None, "Tên chủ thể", "Địa chỉ", None, "Điểm", "Hạng sao", "Số", "Ngày, tháng, năm"]
SOC_TRANG_SPANS = [(1, 1), (2, 2), (3, 4), (5, 5), (6, 7), (8, 9)]


def soc_trang_xlsx(rows: list[dict]) -> bytes:
    """Rows 1–2 titles, 3 blank, 4–5 the merged header, 6 "(1)…(9)", then per district "I" | heading (merged
    over the rest of the row) and its products numbered from 1, a blank row, and "Tổng cộng: n sản phẩm" merged
    across."""
    writer = _Writer(len(SOC_TRANG_TOP))
    for title in SOC_TRANG_TITLES:
        writer.merged(title)
    writer.append([])
    top = writer.append(SOC_TRANG_TOP)
    writer.append(SOC_TRANG_SUB)
    _merge_header(writer, top, SOC_TRANG_SPANS)
    writer.append([f"({number})" for number in range(1, writer.width + 1)])
    for ordinal, (section, members) in zip(ROMAN, _by_section(rows), strict=False):
        writer.append([ordinal, section])
        writer.merge(writer.row, 2, writer.row, writer.width)
        for number, row in enumerate(members, start=1):
            writer.append(
                [
                    number,
                    row["product"],
                    row["producer"],
                    row["address"],
                    row["group"],
                    row["score"],
                    row["stars"],
                    row["decision_number"],
                    row["decision_date"],
                ]
            )
    writer.append([])
    writer.merged(f"Tổng cộng: {len(rows)} sản phẩm")
    return writer.bytes()


# --- (b) Trà Vinh ---------------------------------------------------------------------------------------------------

TRA_VINH_HEADER = [
    "STT",
    "Tên sản phẩm",
    "Đơn vị/Chủ thể",
    "Địa chỉ",
    "Nhóm sản phẩm",
    "Hạng sao",
    "Số, ngày quyết định",
    "Ghi chú",
]


def tra_vinh_xlsx(rows: list[dict]) -> bytes:
    """Rows 1–2 titles, 3 the header, 4 "1…8" (numbers), then per district "1" | "Huyện Cầu Kè" and its
    products numbered from 1, then "Tổng cộng" | "n sản phẩm"."""
    writer = _Writer(len(TRA_VINH_HEADER))
    for title in TRA_VINH_TITLES:
        writer.merged(title)
    writer.append(TRA_VINH_HEADER)
    writer.append(list(range(1, writer.width + 1)))
    for ordinal, (section, members) in enumerate(_by_section(rows), start=1):
        writer.append([ordinal, section])
        for number, row in enumerate(members, start=1):
            writer.append(
                [
                    number,
                    row["product"],
                    row["producer"],
                    row["address"],
                    row["group"],
                    row["stars"],
                    row["decision"],
                    None,
                ]
            )
    writer.append(["Tổng cộng", f"{len(rows)} sản phẩm"])
    return writer.bytes()


# --- (c) Cần Thơ and Hậu Giang --------------------------------------------------------------------------------------

CAN_THO_TOP = [
    "STT",
    "Tên sản phẩm",
    "Chủ thể",
    "",
    "Nhóm/Phân nhóm",
    "Số điểm",
    "Số sao",
    "Quyết định công nhận",
    "",
]
CAN_THO_SUB = ["", "", "Tên chủ thể", "Địa chỉ", "", "", "", "Số", "Ngày"]
CAN_THO_SPANS = [(1, 1), (2, 2), (3, 4), (5, 5), (6, 6), (7, 7), (8, 9)]


def _province(row: dict) -> str:
    return row["address"].rsplit(", ", 1)[-1]


def _can_tho_table(rows: list[dict]) -> list[list]:
    """The sheet as rows of values: title, blank, the two header rows, then per province "I. THÀNH PHỐ CẦN THƠ"
    (one cell), per district "1" | "Quận Thốt Nốt", each product numbered from 1 in its district."""
    table = [[CAN_THO_HAU_GIANG_TITLE], [], CAN_THO_TOP, CAN_THO_SUB]
    province = None
    district_number = 0
    for section, members in _by_section(rows):
        if _province(members[0]) != province:
            province = _province(members[0])
            heading, ordinal = PROVINCE_HEADINGS[province]
            table.append([f"{ordinal}. {heading}"])
            district_number = 0
        district_number += 1
        table.append([district_number, section])
        for number, row in enumerate(members, start=1):
            table.append(
                [
                    number,
                    row["product"],
                    row["producer"],
                    row["address"],
                    row["group"],
                    row["score"],
                    row["stars"],
                    row["decision_number"],
                    row["decision_date"],
                ]
            )
    table.append([f"Tổng số: {len(rows)} sản phẩm"])
    return table


def can_tho_hau_giang_csv(rows: list[dict], *, delimiter: str = ",") -> bytes:
    """The Cần Thơ/Hậu Giang list as a spreadsheet exports it to CSV (UTF-8 with BOM); a merged cell's text is
    in its first cell only. Rows: 1 title, 2 blank, 3–4 header, 5 "I. THÀNH PHỐ CẦN THƠ", 6 "1" | district…"""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in _can_tho_table(rows):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def can_tho_hau_giang_xlsx(rows: list[dict]) -> bytes:
    """The same list as a workbook, with its header and title merged."""
    writer = _Writer(len(CAN_THO_TOP))
    for values in _can_tho_table(rows):
        writer.append(values)
    writer.merge(1, 1, 1, writer.width)
    _merge_header(writer, 3, CAN_THO_SPANS)
    return writer.bytes()
