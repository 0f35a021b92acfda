"""The columns of a province's OCOP list, and how their Vietnamese headers are recognised.

Headers are compared folded (no diacritics, case-insensitive, punctuation as spaces), so "Tên sản phẩm",
"TEN SAN PHAM" and "Tên sản phẩm (OCOP)" all name the product.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from catalog.search import fold, words


def header_key(text) -> str:
    """A header as compared: folded words separated by single spaces ("Số  Quyết-định" -> "so quyet dinh")."""
    return " ".join(words(fold(str(text or ""))))


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as the template writes it (Vietnamese, the users' data language)
    label: object  # what the page calls it, translated
    required: bool
    aliases: tuple[str, ...]  # folded headers that name this column
    max_length: int | None = None


COLUMNS = (
    Column(
        "product",
        "Tên sản phẩm",
        _("Product"),
        True,
        ("ten san pham", "san pham", "ten sp", "ten san pham ocop", "san pham ocop"),
        200,
    ),
    Column(
        "producer",
        "Tên chủ thể",
        _("Producer"),
        True,
        (
            "ten chu the",
            "chu the",
            "chu the san xuat",
            "ten chu the san xuat",
            "chu the kinh doanh",
            "ten co so",
            "co so san xuat",
            "don vi san xuat",
            "ten doanh nghiep",
            "nha san xuat",
        ),
        200,
    ),
    Column(
        "legal_form",
        "Loại hình",
        _("Legal form"),
        False,
        ("loai hinh", "loai hinh chu the", "loai hinh to chuc", "hinh thuc to chuc", "loai hinh doanh nghiep"),
    ),
    Column("tax_code", "Mã số thuế", _("Tax code"), False, ("ma so thue", "mst", "ma so doanh nghiep")),
    Column(
        "address",
        "Địa chỉ",
        _("Address"),
        True,
        ("dia chi", "dia chi chu the", "dia chi san xuat", "dia chi tru so", "dia chi co so"),
        255,
    ),
    Column(
        "group",
        "Nhóm sản phẩm",
        _("Product group"),
        True,
        ("nhom san pham", "bo san pham", "phan nhom", "phan nhom san pham", "nhom", "ma nhom", "nganh hang"),
    ),
    Column("stars", "Số sao", _("Stars"), False, ("so sao", "hang sao", "xep hang", "ket qua xep hang", "sao")),
    Column("score", "Điểm", _("Score"), True, ("diem", "tong diem", "diem danh gia", "diem so", "diem dat")),
    Column(
        "decision_number",
        "Số quyết định",
        _("Decision number"),
        True,
        ("so quyet dinh", "quyet dinh", "so qd", "so quyet dinh cong nhan", "quyet dinh cong nhan"),
        50,
    ),
    Column(
        "decision_date",
        "Ngày quyết định",
        _("Decision date"),
        True,
        ("ngay quyet dinh", "ngay qd", "ngay cong nhan", "ngay ban hanh", "ngay ky"),
    ),
    Column("unit", "Đơn vị tính", _("Sales unit"), False, ("don vi tinh", "dvt", "don vi"), 50),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# Ordinal columns ("STT") and notes are read past without a word.
IGNORED_HEADERS = ("stt", "so thu tu", "tt", "ghi chu")


def column_for_header(text) -> Column | None:
    """The column a header names: an exact alias first, else an alias followed by more words ("Điểm (thang 100)")."""
    key = header_key(text)
    if not key:
        return None
    for column in COLUMNS:
        if key in column.aliases:
            return column
    for column in COLUMNS:
        if any(key.startswith(alias + " ") for alias in column.aliases):
            return column
    return None
