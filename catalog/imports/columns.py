"""The columns of a province's OCOP list, and how their Vietnamese headers are recognised.

Headers are compared folded (no diacritics, case-insensitive, punctuation as spaces), so "Tên sản phẩm",
"TEN SAN PHAM" and "Tên sản phẩm (OCOP)" all name the product. A published list often heads its columns over
two rows ("Quyết định công nhận" over "Số" | "Ngày, tháng, năm"): `column_for_subheader` reads such a pair.
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
    # Required in the portal's template (its guide and the import page say so). What any list must have, a
    # published one included, is REQUIREMENTS: either the stars or the score, the combined decision cell for
    # the decision's number and date.
    required: bool
    aliases: tuple[str, ...]  # folded headers that name this column
    max_length: int | None = None


# The portal's template writes these columns, in this order.
COLUMNS = (
    Column(
        "product",
        "Tên sản phẩm",
        _("Product"),
        True,
        (
            "ten san pham",
            "san pham",
            "ten sp",
            "ten san pham ocop",
            "san pham ocop",
            "ten sp ocop",
            "ten san pham dich vu",
            "san pham dat ocop",
        ),
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
            "chu the ocop",
            "chu the san pham",
            "ten co so",
            "co so san xuat",
            "don vi san xuat",
            "ten doanh nghiep",
            "nha san xuat",
            # "Đơn vị/Chủ thể" is the producer; "Đơn vị" alone stays the sales unit.
            "don vi chu the",
            "don vi chu the san xuat",
            "ten don vi",
            "ten to chuc ca nhan",
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
        (
            "dia chi",
            "dia chi chu the",
            "dia chi san xuat",
            "dia chi tru so",
            "dia chi co so",
            "dia chi chu the san xuat",
            "dia chi san xuat kinh doanh",
            "dia chi lien he",
            "noi san xuat",
        ),
        255,
    ),
    Column(
        "group",
        "Nhóm sản phẩm",
        _("Product group"),
        True,
        (
            "nhom san pham",
            "bo san pham",
            "phan nhom",
            "phan nhom san pham",
            "nhom",
            "ma nhom",
            "nganh hang",
            "nhom phan nhom",
            "nhom nganh",
            "nhom nganh hang",
            "nhom sp",
            "phan loai san pham",
        ),
    ),
    Column(
        "stars",
        "Số sao",
        _("Stars"),
        False,
        (
            "so sao",
            "hang sao",
            "xep hang",
            "ket qua xep hang",
            "sao",
            "phan hang",
            "phan hang sao",
            "xep hang sao",
            "hang ocop",
            "so sao ocop",
            "ket qua phan hang",
            "ket qua danh gia phan hang",
        ),
    ),
    Column(
        "score",
        "Điểm",
        _("Score"),
        False,
        ("diem", "tong diem", "diem danh gia", "diem so", "diem dat", "so diem", "tong so diem", "diem cham"),
    ),
    Column(
        "decision_number",
        "Số quyết định",
        _("Decision number"),
        True,
        (
            "so quyet dinh",
            "quyet dinh",
            "so qd",
            "so quyet dinh cong nhan",
            "quyet dinh cong nhan",
            "so qd cong nhan",
            "qd cong nhan",
            "so hieu quyet dinh",
        ),
        50,
    ),
    Column(
        "decision_date",
        "Ngày quyết định",
        _("Decision date"),
        True,
        (
            "ngay quyet dinh",
            "ngay qd",
            "ngay cong nhan",
            "ngay ban hanh",
            "ngay ky",
            "ngay thang nam quyet dinh",
            "ngay ky quyet dinh",
            "ngay qd cong nhan",
        ),
    ),
    Column("unit", "Đơn vị tính", _("Sales unit"), False, ("don vi tinh", "dvt", "don vi"), 50),
)
# Columns only published lists have: the template writes the decision's number and date apart.
EXTRA_COLUMNS = (
    Column(
        "decision",
        "Số, ngày quyết định",
        _("Decision (number and date)"),
        False,
        (
            "so ngay quyet dinh",
            "so ngay thang nam quyet dinh",
            "so va ngay quyet dinh",
            "so ngay qd",
            "so va ngay qd",
            "so qd ngay",
            "so quyet dinh ngay",
            "so quyet dinh ngay ky",
            "so quyet dinh ngay cong nhan",
            "quyet dinh so ngay",
            "qd so ngay",
            "quyet dinh cong nhan so ngay",
            "so ngay quyet dinh cong nhan",
        ),
        80,
    ),
)
RECOGNISED_COLUMNS = COLUMNS + EXTRA_COLUMNS
COLUMNS_BY_KEY = {column.key: column for column in RECOGNISED_COLUMNS}
# Ordinal columns ("STT") and notes are read past without a word.
ORDINAL_HEADERS = ("stt", "so thu tu", "tt")
IGNORED_HEADERS = (*ORDINAL_HEADERS, "ghi chu")

# Sub-headers too vague alone, read with their parent: (words of the parent, the sub-header) -> column key.
SUBHEADERS = {
    ("quyet dinh", "so"): "decision_number",
    ("quyet dinh", "so hieu"): "decision_number",
    ("quyet dinh", "ngay"): "decision_date",
    ("quyet dinh", "ngay thang"): "decision_date",
    ("quyet dinh", "ngay thang nam"): "decision_date",
    ("quyet dinh", "ngay ky"): "decision_date",
    ("quyet dinh", "so ngay"): "decision",
    ("quyet dinh", "so va ngay"): "decision",
    ("qd", "so"): "decision_number",
    ("qd", "ngay"): "decision_date",
    ("qd", "ngay thang nam"): "decision_date",
    ("chu the", "ten"): "producer",
    ("san pham", "ten"): "product",
    ("ket qua", "hang"): "stars",
}


@dataclass(frozen=True)
class Requirement:
    """What a list must have: any one of `alternatives`, each a set of column keys that together suffice."""

    alternatives: tuple[tuple[str, ...], ...]

    def met_by(self, keys) -> bool:
        return any(all(key in keys for key in alternative) for alternative in self.alternatives)

    def missing(self, keys) -> list[list[Column]]:
        """For each alternative, the columns it still lacks."""
        return [[COLUMNS_BY_KEY[key] for key in alternative if key not in keys] for alternative in self.alternatives]


# Published lists often give the star without the score, and one cell "1358/QĐ-UBND ngày 20/7/2021" for the
# decision: either suffices.
REQUIREMENTS = (
    Requirement((("product",),)),
    Requirement((("producer",),)),
    Requirement((("address",),)),
    Requirement((("group",),)),
    Requirement((("stars",), ("score",))),
    Requirement((("decision_number", "decision_date"), ("decision",))),
)


def unmet_requirements(keys) -> list[Requirement]:
    """The requirements that the recognised column keys `keys` leave unmet, in REQUIREMENTS order."""
    return [requirement for requirement in REQUIREMENTS if not requirement.met_by(keys)]


def column_for_header(text) -> Column | None:
    """The column a header names: an exact alias first, else an alias followed by more words ("Điểm (thang 100)")."""
    key = header_key(text)
    if not key:
        return None
    for column in RECOGNISED_COLUMNS:
        if key in column.aliases:
            return column
    for column in RECOGNISED_COLUMNS:
        if any(key.startswith(alias + " ") for alias in column.aliases):
            return column
    return None


def column_for_subheader(parent, child) -> Column | None:
    """The column a sub-header names under its parent: the sub-header alone when it says enough ("Tên chủ thể"),
    else the pair ("Quyết định công nhận" › "Số" is the decision number)."""
    column = column_for_header(child)
    if column is not None:
        return column
    child_key = header_key(child)
    padded_parent = f" {header_key(parent)} "
    for (parent_words, sub), key in SUBHEADERS.items():
        if sub == child_key and f" {parent_words} " in padded_parent:
            return COLUMNS_BY_KEY[key]
    return None
