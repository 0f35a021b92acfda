"""Spreadsheets shaped like a province's published OCOP list, for the import tests.

`generated_list` makes a list of any length on the former units of Sóc Trăng (the seed's province), with
valid rows that vary producer, legal form, tax code, group, score and decision; `BAD_ROWS` are ten rows
that are each wrong in a different way.
"""

import csv
import datetime
import io
import unicodedata
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook

from accounts.models import LegacyWard
from catalog.ocop_rules import stars_for_score

HEADERS = [
    "STT",
    "Tên sản phẩm",
    "Tên chủ thể",
    "Loại hình",
    "Mã số thuế",
    "Địa chỉ",
    "Nhóm sản phẩm",
    "Số sao",
    "Điểm",
    "Số quyết định",
    "Ngày quyết định",
]
LEGAL_FORMS = [
    ("Công ty TNHH", "Doanh nghiệp"),
    ("Hợp tác xã", "Hợp tác xã"),
    ("Hộ kinh doanh", "Hộ kinh doanh"),
    ("Tổ hợp tác", "Tổ hợp tác"),
]
SUBGROUPS = ["1.3.2", "1.2.1", "1.5.2", "1.3.4", "2.2.2", "3.3.1", "4.1.1", "1.4.1"]
PRODUCTS_PER_PRODUCER = 5


def former_addresses(limit: int = 60) -> list[str]:
    """Old three-level addresses of Sóc Trăng's former communes, as the province's lists still write them."""
    wards = LegacyWard.objects.filter(province_name="Tỉnh Sóc Trăng", ward__isnull=False).order_by("code")[:limit]
    return [f"{ward.name}, {ward.district_name}, {ward.province_name}" for ward in wards]


def valid_row(index: int, addresses: list[str], *, today: datetime.date | None = None) -> list:
    """Row `index` of a generated list: every value valid, producers shared by PRODUCTS_PER_PRODUCER rows."""
    today = today or timezone.localdate()
    producer_index = index // PRODUCTS_PER_PRODUCER
    prefix, legal_form = LEGAL_FORMS[producer_index % len(LEGAL_FORMS)]
    score = Decimal(50 + (index * 7) % 40) + Decimal("0.5")  # 50.5 … 89.5: 3★ and 4★
    decision_date = today - datetime.timedelta(days=20 + (index * 13) % 1400)
    return [
        index + 1,
        f"Sản phẩm thử nghiệm {index}",
        f"{prefix} Thử nghiệm {producer_index}",
        legal_form,
        f"{3100000000 + producer_index:010d}" if producer_index % 2 == 0 else "",
        f"Ấp {producer_index % 9 + 1}, {addresses[producer_index % len(addresses)]}",
        SUBGROUPS[index % len(SUBGROUPS)],
        stars_for_score(score),
        str(score).replace(".", ","),
        f"{100 + index // 50}/QĐ-UBND",
        decision_date.strftime("%d/%m/%Y"),
    ]


# Ten bad rows, each wrong in one way: (what is wrong, the error code the dry run must give, row maker).
def _bad(kind: str, base: list, *, today: datetime.date) -> list:
    row = list(base)
    if kind == "formula":
        row[8] = "=70+5"
    elif kind == "stars_contradict_score":
        row[7], row[8] = 4, "60"
    elif kind == "address_unknown":
        row[5] = "Ấp Không Tên, Xứ Không Có"
    elif kind == "required":
        row[1] = ""
    elif kind == "date_invalid":
        row[10] = "31/02/2020"
    elif kind == "date_future":
        row[10] = (today + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    elif kind == "group_unknown":
        row[6] = "Nhóm không có"
    elif kind == "tax_code_invalid":
        row[4] = "12345"
    elif kind == "score_not_certified":
        row[7], row[8] = "", "45"
    elif kind == "legal_form_unknown":
        row[3] = "Liên doanh nước ngoài"
    else:
        raise KeyError(kind)
    return row


BAD_KINDS = [
    "formula",
    "stars_contradict_score",
    "address_unknown",
    "required",
    "date_invalid",
    "date_future",
    "group_unknown",
    "tax_code_invalid",
    "score_not_certified",
    "duplicate_row",
]


def generated_list(rows: int, *, bad_every: int | None = None, today: datetime.date | None = None):
    """`rows` data rows; with `bad_every`, one row in that many is replaced by the next kind of BAD_KINDS.

    Returns (table, bad) where table is the header plus rows and bad maps file row numbers to error codes.
    """
    today = today or timezone.localdate()
    addresses = former_addresses()
    table = [list(HEADERS)]
    bad: dict[int, str] = {}
    kinds = iter(BAD_KINDS)
    for index in range(rows):
        row = valid_row(index, addresses, today=today)
        kind = next(kinds, None) if bad_every and index % bad_every == bad_every - 1 else None
        if kind == "duplicate_row":
            row = list(table[1])  # the first data row again, later in the file
        elif kind is not None:
            row = _bad(kind, row, today=today)
        if kind is not None:
            bad[len(table) + 1] = kind  # header is row 1, so table index i is file row i + 1
        table.append(row)
    return table, bad


def xlsx_bytes(table: list[list], *, title_rows: list[str] = ()) -> bytes:
    """The table as the first sheet of a workbook; a cell text starting with "=" is written as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cp1258_text(text: str) -> str:
    """Vietnamese as Windows-1258 writes it: â ê ô ă ơ ư precomposed, tone marks as combining characters."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if char in "\u0302\u0306\u031b":
            base = max(index for index, kept in enumerate(out) if not unicodedata.combining(kept))
            out[base] = unicodedata.normalize("NFC", out[base] + char)
        else:
            out.append(char)
    return "".join(out)


def csv_bytes(table: list[list], *, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in table:
        writer.writerow(["" if value is None else value for value in row])
    text = buffer.getvalue()
    return (cp1258_text(text) if encoding == "cp1258" else text).encode(encoding)
