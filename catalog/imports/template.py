"""The workbook staff download to fill in: the list's header row, how to fill each column, and the sub-groups."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from catalog.classification import CURRENT_RULE_SET
from catalog.imports.columns import COLUMNS
from catalog.models import ProducerProfile, ProductSubGroup

LIST_SHEET = "Danh sách"
HELP_SHEET = "Hướng dẫn"
GROUPS_SHEET = "Nhóm sản phẩm"
TEXT_COLUMNS = ("tax_code", "decision_number", "decision_date")


def _help(key: str) -> tuple[str, str]:
    """What to write in a column, and an example (examples are data, in Vietnamese)."""
    return {
        "product": (_("The product's name as on the recognition decision."), "Trà mãng cầu Cẩm Thiều"),
        "producer": (_("The producer (chủ thể) as registered."), "Công ty TNHH MTV Cẩm Thiều"),
        "legal_form": (
            _("Doanh nghiệp, hợp tác xã, tổ hợp tác or hộ kinh doanh. Empty: told from the producer's name."),
            "Doanh nghiệp",
        ),
        "tax_code": (
            _("10 digits, or 10 digits, a hyphen and 3 digits. Used first to find a producer already in the portal."),
            "2200010001",
        ),
        "address": (
            _("The address in the former units (commune, district, province) or today's (commune, province)."),
            "Ấp 3, Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng",
        ),
        "group": (_("A sub-group code of the sheet “Nhóm sản phẩm”, or its name."), "1.5.2"),
        "stars": (_("3, 4 or 5. Empty: taken from the score. If given, it must match the score."), "4"),
        "score": (_("The total score out of 100, one decimal place at most (50–69.9 = 3★, 70–89.9 = 4★)."), "75,5"),
        "decision_number": (_("The number of the recognition decision."), "1234/QĐ-UBND"),
        "decision_date": (_("The date of the decision, dd/mm/yyyy. Certificates are valid 36 months."), "15/10/2020"),
        "unit": (_("Optional: the sales unit (hộp, chai, kg…)."), "hộp"),
    }[key]


def import_template_xlsx() -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEFEA")

    sheet = workbook.active
    sheet.title = LIST_SHEET
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(40, len(_help(column.key)[1]) + 4))
        if column.key in TEXT_COLUMNS:
            # Typed as text, a tax code keeps its leading zero and a date is not reinterpreted.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(HELP_SHEET)
    guide.append([_("Column"), _("Required"), _("What to write"), _("Example")])
    for cell in guide[1]:
        cell.font, cell.fill = bold, fill
    for column in COLUMNS:
        explanation, example = _help(column.key)
        guide.append([column.header, _("Yes") if column.required else _("No"), explanation, example])
    guide.append([])
    guide.append([_("Legal forms"), "", ", ".join(str(label) for label in ProducerProfile.LegalForm.labels)])
    guide.append(
        [
            _("Notes"),
            "",
            _(
                "Only the first sheet is read. Type values, not formulas. List each product of a producer only once. "
                "Importing the same list again changes nothing."
            ),
        ]
    )
    for letter, width in zip("ABCD", (22, 10, 90, 44), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    groups = workbook.create_sheet(GROUPS_SHEET)
    groups.append([_("Code"), _("Sub-group"), _("Group")])
    for cell in groups[1]:
        cell.font, cell.fill = bold, fill
    for subgroup in ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET).select_related("group"):
        groups.append([subgroup.code, subgroup.name, subgroup.group.name])
    for letter, width in zip("ABC", (10, 60, 50), strict=True):
        groups.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
