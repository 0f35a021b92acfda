"""Checking an OCOP list row by row against the portal: what each row would create, change or leave alone.

The same check runs for the dry run and again, on the same bytes, inside the confirmation, so rows are
judged on the data as it is at that moment. It reads the database in a fixed number of queries whatever
the number of rows: reference data first, then every lookup in bulk.

Matching: a producer by its tax code when the row has one, else by its folded name in the same province;
a product by its folded name within its producer; a certificate by its decision number within its product.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from vietnamadminunits import ParseMode, parse_address

from accounts.models import LegacyWard, Organisation, Ward
from accounts.validators import TAX_CODE_RE, normalise_tax_code
from catalog.imports.columns import COLUMNS_BY_KEY
from catalog.imports.reading import Cell, Sheet, SheetRow, cell_text
from catalog.models import (
    CERTIFICATE_VALIDITY_MONTHS,
    Certificate,
    ProducerProfile,
    Product,
    ProductGroup,
    ProductSubGroup,
    RuleSet,
    add_months,
)
from catalog.rules import CERTIFIED_SCORE, stars_for_score
from catalog.search import fold, words

CLASSIFICATION = "148/2023"
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
OUTCOMES = (ERROR, CREATE, UPDATE, UNCHANGED)
LEGAL = ProducerProfile.LegalForm

# Folded phrases that name a legal form, in the "Loại hình" column or at the start of a producer's name.
LEGAL_FORM_WORDS = (
    ("to hop tac", LEGAL.COOPERATIVE_GROUP),
    ("tht", LEGAL.COOPERATIVE_GROUP),
    ("hop tac xa", LEGAL.COOPERATIVE),
    ("htx", LEGAL.COOPERATIVE),
    ("ho kinh doanh", LEGAL.HOUSEHOLD),
    ("hkd", LEGAL.HOUSEHOLD),
    ("ho gia dinh", LEGAL.HOUSEHOLD),
    ("ho san xuat", LEGAL.HOUSEHOLD),
    ("ca the", LEGAL.HOUSEHOLD),
    ("co so", LEGAL.HOUSEHOLD),
    ("doanh nghiep", LEGAL.ENTERPRISE),
    ("dntn", LEGAL.ENTERPRISE),
    ("cong ty", LEGAL.ENTERPRISE),
    ("cty", LEGAL.ENTERPRISE),
    ("ctcp", LEGAL.ENTERPRISE),
    ("tnhh", LEGAL.ENTERPRISE),
    ("co phan", LEGAL.ENTERPRISE),
    ("dn", LEGAL.ENTERPRISE),
)
DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("day", "month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
)
GROUP_CODE_RE = re.compile(r"^(\d+(?:\.\d+){0,2})\b")
STARS_DIGIT_RE = re.compile(r"\d+")
SCORE_STEP = Decimal("0.1")


def normalised(text: str) -> str:
    """Text as compared for matching: folded words joined by single spaces."""
    return " ".join(words(fold(text or "")))


@dataclass
class ProducerRef:
    """A producer as the rows of one file see it: an organisation already in the portal, or one to create."""

    first_row: int
    name: str
    tax_code: str
    legal_form: str
    province_code: str
    ward_code: str
    street: str
    organisation_id: int | None = None
    fill_tax_code: str = ""  # an existing producer without a tax code gets this one
    fill_row: int | None = None

    @property
    def is_new(self) -> bool:
        return self.organisation_id is None


@dataclass
class RowCheck:
    number: int
    values: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    outcome: str = ""
    producer: ProducerRef | None = None
    product_id: int | None = None
    subgroup_id: int | None = None
    rule_set_id: int | None = None
    # Parsed values the writer needs (not all of them are JSON).
    score: Decimal | None = None
    stars: int | None = None
    decision_date: datetime.date | None = None
    valid_until: datetime.date | None = None
    supersedes: bool = False

    def error(self, code: str, **params) -> None:
        self.errors.append({"code": code, "params": {key: str(value) for key, value in params.items()}})

    def note(self, code: str, **params) -> None:
        self.notes.append({"code": code, "params": {key: str(value) for key, value in params.items()}})

    def as_json(self) -> dict:
        return {"row": self.number, "outcome": self.outcome, **self.values, "errors": self.errors, "notes": self.notes}


@dataclass
class CheckResult:
    rows: list[RowCheck]
    producers: list[ProducerRef]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts


# --- Values of one row ----------------------------------------------------------------------------------------------


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _text(row: RowCheck, cells: dict[str, Cell], key: str, *, required: bool = False) -> str:
    """A free-text cell, checked for formulas, emptiness and length; errors go on the row."""
    column = COLUMNS_BY_KEY[key]
    cell = cells.get(key, Cell(value=None))
    if cell.formula:
        row.error("formula", column=column.header, formula=str(cell.value)[:60])
        return ""
    text = " ".join(cell_text(cell).split())
    if required and not text:
        row.error("required", column=column.header)
    if column.max_length and len(text) > column.max_length:
        row.error("too_long", column=column.header, limit=column.max_length)
        return text[: column.max_length]
    return text


def _raw(row: RowCheck, cells: dict[str, Cell], key: str, *, required: bool = False) -> Cell | None:
    """A typed cell (number, date), or None when empty or a formula; either is an error on the row when it matters."""
    cell = cells.get(key, Cell(value=None))
    if cell.formula:
        row.error("formula", column=COLUMNS_BY_KEY[key].header, formula=str(cell.value)[:60])
        return None
    if cell.value in (None, ""):
        if required:
            row.error("required", column=COLUMNS_BY_KEY[key].header)
        return None
    return cell


def _tax_code(row: RowCheck, cells) -> str:
    cell = _raw(row, cells, "tax_code")
    if cell is None:
        return ""
    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
        # A tax code typed into a number cell has lost its leading zeros.
        text = str(int(cell.value)).zfill(10)
    else:
        text = normalise_tax_code(cell_text(cell))
    if not TAX_CODE_RE.fullmatch(text):
        row.error("tax_code_invalid", value=cell_text(cell))
        return ""
    return text


def legal_form_from(text: str) -> str | None:
    padded = f" {normalised(text)} "
    for phrase, value in LEGAL_FORM_WORDS:
        if f" {phrase} " in padded:
            return value
    return None


def _legal_form_from_name(name: str) -> str | None:
    start = normalised(name)
    for phrase, value in LEGAL_FORM_WORDS:
        if start == phrase or start.startswith(phrase + " "):
            return value
    return None


def _legal_form(row: RowCheck, cells, producer_name: str) -> str:
    text = _text(row, cells, "legal_form")
    if text:
        value = legal_form_from(text)
        if value is None:
            row.error("legal_form_unknown", value=text)
            return ""
        return value
    value = _legal_form_from_name(producer_name)
    if value is None and producer_name:
        row.error("legal_form_missing")
    return value or ""


def _score(row: RowCheck, cells) -> Decimal | None:
    cell = _raw(row, cells, "score", required=True)
    if cell is None:
        return None
    text = cell_text(cell).replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        score = Decimal(text)
    except InvalidOperation:
        row.error("score_invalid", value=cell_text(cell))
        return None
    if not score.is_finite():
        row.error("score_invalid", value=cell_text(cell))
        return None
    if score < 0 or score > 100:
        row.error("score_range", value=text)
        return None
    if score != score.quantize(SCORE_STEP):
        row.error("score_precision", value=text)
        return None
    return score.quantize(SCORE_STEP)


def _stars(row: RowCheck, cells) -> int | None:
    cell = _raw(row, cells, "stars")
    if cell is None:
        return None
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        stars = int(value) if float(value).is_integer() else None
    else:
        text = cell_text(cell)
        if "★" in text or "*" in text:
            stars = text.count("★") + text.count("*")
            digits = STARS_DIGIT_RE.findall(text)
            if digits:  # "3★" or "3 *": the number says it
                stars = int(digits[0]) if len(digits) == 1 else None
        else:
            digits = STARS_DIGIT_RE.findall(text)
            stars = int(digits[0]) if len(digits) == 1 else None
    if stars is None or not 1 <= stars <= 5:
        row.error("stars_invalid", value=cell_text(cell))
        return None
    return stars


def _date(row: RowCheck, cells, today: datetime.date) -> datetime.date | None:
    cell = _raw(row, cells, "decision_date", required=True)
    if cell is None:
        return None
    value = cell.value
    day = None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = cell_text(cell).strip()
        for pattern, order in DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                parts = dict(zip(order, (int(part) for part in match.groups()), strict=True))
                try:
                    day = datetime.date(parts["year"], parts["month"], parts["day"])
                except ValueError:
                    day = None
                break
    if day is None:
        row.error("date_invalid", value=cell_text(cell))
        return None
    if day > today:
        row.error("date_future", value=_day(day))
        return None
    return day


# --- Reference data -------------------------------------------------------------------------------------------------


class Classification:
    """The current OCOP sub-groups by code and folded name, and the groups by folded name."""

    def __init__(self):
        subgroups = list(
            ProductSubGroup.objects.filter(group__rule_set__code=CLASSIFICATION).order_by("group__position", "position")
        )
        groups = list(ProductGroup.objects.filter(rule_set__code=CLASSIFICATION))
        self.by_code = {subgroup.code: subgroup for subgroup in subgroups}
        self.by_name = {normalised(subgroup.name): subgroup for subgroup in subgroups}
        self.by_code_text = {f"{subgroup.code} {normalised(subgroup.name)}": subgroup for subgroup in subgroups}
        members = defaultdict(list)
        for subgroup in subgroups:
            members[subgroup.group_id].append(subgroup)
        self.groups_by_name = {normalised(group.name): members[group.pk] for group in groups}
        self.groups_by_code = {group.code: members[group.pk] for group in groups}

    def resolve(self, row: RowCheck, text: str) -> ProductSubGroup | None:
        match = GROUP_CODE_RE.match(text.strip())
        if match and match.group(1) in self.by_code:
            return self.by_code[match.group(1)]
        key = normalised(text)
        if key in self.by_name:
            return self.by_name[key]
        members = self.groups_by_name.get(key) or (self.groups_by_code.get(match.group(1)) if match else None)
        if members:
            if len(members) == 1:
                return members[0]
            row.error("group_ambiguous", value=text, choices=", ".join(subgroup.code for subgroup in members))
            return None
        row.error("group_unknown", value=text)
        return None


def rule_set_for(day: datetime.date, rule_sets: list[RuleSet]) -> RuleSet:
    """The rule set in force on a decision's date: the latest one decided by then (the earliest before any)."""
    ordered = sorted(rule_sets, key=lambda rule_set: rule_set.decision_date)
    chosen = ordered[0]
    for rule_set in ordered:
        if rule_set.decision_date <= day:
            chosen = rule_set
    return chosen


# --- Addresses ------------------------------------------------------------------------------------------------------


@dataclass
class ParsedAddress:
    text: str
    street: str
    legacy_code: str | None
    legacy: object  # the parser's unit, for messages
    modern_code: str | None


def _address_parse(text: str) -> ParsedAddress:
    legacy = parse_address(text, mode=ParseMode.LEGACY, keep_street=True, level=3)
    if legacy.ward_code:
        return ParsedAddress(text, legacy.street or "", str(legacy.ward_code), legacy, None)
    modern = parse_address(text, mode=ParseMode.FROM_2025, keep_street=True, level=2)
    # The 2025 parser matches short names anywhere; accept its ward only when the address writes its full name,
    # so "Xã Không Có, Huyện Mỹ Xuyên" never becomes the "Phường Mỹ Xuyên" that happens to share a word.
    if modern.ward_code and modern.ward and f" {normalised(modern.ward)} " in f" {normalised(text)} ":
        return ParsedAddress(text, modern.street or "", None, legacy, str(modern.ward_code))
    return ParsedAddress(text, "", None, legacy, None)


# --- The check ------------------------------------------------------------------------------------------------------


def rows_check(sheet: Sheet, *, today: datetime.date, on_progress=None) -> CheckResult:
    """Every row's outcome and reasons; reads the database in a fixed number of queries."""
    classification = Classification()
    rule_sets = list(RuleSet.objects.all())
    checks: list[RowCheck] = []
    addresses: dict[int, ParsedAddress] = {}
    total = len(sheet.rows)
    for index, sheet_row in enumerate(sheet.rows, start=1):
        checks.append(_row_values(sheet_row, classification, rule_sets, today, addresses))
        if on_progress is not None:
            on_progress(index, total)

    _resolve_addresses(checks, addresses)
    producers = _resolve_producers(checks)
    _resolve_products_and_certificates(checks)
    for check in checks:
        check.outcome = _outcome(check, today)
    return CheckResult(rows=checks, producers=producers)


def _row_values(sheet_row: SheetRow, classification, rule_sets, today, addresses) -> RowCheck:
    cells = sheet_row.cells
    row = RowCheck(number=sheet_row.number)
    product = _text(row, cells, "product", required=True)
    producer = _text(row, cells, "producer", required=True)
    legal_form = _legal_form(row, cells, producer)
    tax_code = _tax_code(row, cells)
    address = _text(row, cells, "address", required=True)
    group_text = _text(row, cells, "group", required=True)
    subgroup = classification.resolve(row, group_text) if group_text else None
    stars = _stars(row, cells)
    score = _score(row, cells)
    decision_number = _text(row, cells, "decision_number", required=True)
    decision_date = _date(row, cells, today)
    unit = _text(row, cells, "unit")

    row.values = {
        "product": product,
        "producer": producer,
        "legal_form": legal_form,
        "tax_code": tax_code,
        "address": address,
        "converted": "",
        "group": subgroup.code if subgroup else group_text,
        "stars": stars,
        "score": str(score) if score is not None else "",
        "decision_number": decision_number,
        "decision_date": decision_date.isoformat() if decision_date else "",
        "unit": unit,
    }
    row.subgroup_id = subgroup.pk if subgroup else None
    if score is not None:
        derived = stars_for_score(score)
        if stars is not None and stars != derived:
            row.error("stars_contradict_score", stars=stars, score=score, derived=derived)
        elif score < CERTIFIED_SCORE:
            row.error("score_not_certified", score=score, stars=derived)
        else:
            row.score, row.stars = score, derived
            row.values["stars"] = derived
    if decision_date is not None:
        row.decision_date = decision_date
        row.valid_until = add_months(decision_date, CERTIFICATE_VALIDITY_MONTHS)
        row.rule_set_id = rule_set_for(decision_date, rule_sets).pk
        row.values["valid_until"] = row.valid_until.isoformat()
    if address:
        addresses[row.number] = _address_parse(address)
    return row


def _resolve_addresses(checks: list[RowCheck], addresses: dict[int, ParsedAddress]) -> None:
    legacy_codes = {parsed.legacy_code for parsed in addresses.values() if parsed.legacy_code}
    modern_codes = {parsed.modern_code for parsed in addresses.values() if parsed.modern_code}
    legacy = {}
    for former in LegacyWard.objects.filter(code__in=legacy_codes).select_related("ward__province"):
        legacy.setdefault(former.code, []).append(former)
    modern = {ward.code: ward for ward in Ward.objects.filter(code__in=modern_codes).select_related("province")}
    for row in checks:
        parsed = addresses.get(row.number)
        if parsed is None:
            continue
        ward = None
        if parsed.legacy_code:
            candidates = legacy.get(parsed.legacy_code, [])
            former = next((c for c in candidates if c.district_name == parsed.legacy.district), None) or (
                candidates[0] if candidates else None
            )
            if former is None:
                row.error("address_unknown", value=parsed.text)
                continue
            if former.ward is None:
                row.error(
                    "address_no_current_ward",
                    ward=former.name,
                    district=former.district_name,
                    province=former.province_name,
                )
                continue
            ward = former.ward
        elif parsed.modern_code and parsed.modern_code in modern:
            ward = modern[parsed.modern_code]
        else:
            row.error("address_unknown", value=parsed.text)
            continue
        street = parsed.street[:255]
        row.values["ward_code"] = ward.code
        row.values["province_code"] = ward.province_id
        row.values["street"] = street
        row.values["converted"] = ", ".join(part for part in (street, ward.name, ward.province.name) if part)
        row.values["province_name"] = ward.province.name


def _resolve_producers(checks: list[RowCheck]) -> list[ProducerRef]:
    """Attach each row to its producer: one already in the portal, or one created once for all its rows."""
    usable = [row for row in checks if row.values.get("producer") and row.values.get("province_code")]
    tax_codes = {row.values["tax_code"] for row in usable if row.values["tax_code"]}
    provinces = {row.values["province_code"] for row in usable}
    by_tax = {
        organisation.tax_code: organisation
        for organisation in Organisation.objects.filter(tax_code__in=tax_codes).only(
            "pk", "name", "kind", "tax_code", "province_id"
        )
    }
    by_name = defaultdict(list)
    for organisation in (
        Organisation.objects.producers().filter(province__in=provinces).only("pk", "name", "tax_code", "province_id")
    ):
        by_name[(normalised(organisation.name), organisation.province_id)].append(organisation)

    refs: list[ProducerRef] = []
    file_by_tax: dict[str, ProducerRef] = {}
    file_by_name: dict[tuple[str, str], ProducerRef] = {}

    def new_ref(row, organisation=None):
        values = row.values
        ref = ProducerRef(
            first_row=row.number,
            name=values["producer"],
            tax_code=values["tax_code"],
            legal_form=values["legal_form"],
            province_code=values["province_code"],
            ward_code=values["ward_code"],
            street=values["street"],
            organisation_id=organisation.pk if organisation else None,
        )
        refs.append(ref)
        return ref

    for row in usable:
        values = row.values
        tax_code = values["tax_code"]
        name_key = (normalised(values["producer"]), values["province_code"])
        ref = None
        if tax_code:
            ref = file_by_tax.get(tax_code)
            if ref is None:
                organisation = by_tax.get(tax_code)
                if organisation is not None and organisation.kind != Organisation.Kind.PRODUCER:
                    row.error("tax_code_not_producer", value=tax_code, name=organisation.name)
                    continue
                if organisation is not None:
                    ref = new_ref(row, organisation)
                    row.note("producer_by_tax_code", name=organisation.name)
            if ref is None:
                # The same producer on an earlier row without its tax code, or in the portal without one.
                earlier = file_by_name.get(name_key)
                if earlier is not None and not earlier.tax_code:
                    ref = earlier
                    _give_tax_code(ref, tax_code, row)
                else:
                    same_name = [o for o in by_name.get(name_key, []) if not o.tax_code]
                    if len(same_name) == 1:
                        ref = new_ref(row, same_name[0])
                        row.note("producer_by_name", name=same_name[0].name)
                        _give_tax_code(ref, tax_code, row)
        else:
            ref = file_by_name.get(name_key)
            if ref is None:
                same_name = by_name.get(name_key, [])
                if len(same_name) > 1:
                    row.error(
                        "producer_ambiguous",
                        count=len(same_name),
                        name=values["producer"],
                        province=values["province_name"],
                    )
                    continue
                if same_name:
                    ref = new_ref(row, same_name[0])
                    row.note("producer_by_name", name=same_name[0].name)
        if ref is None:
            ref = new_ref(row)
            row.note("producer_new")
        elif ref.first_row != row.number and not any(n["code"].startswith("producer_") for n in row.notes):
            row.note("producer_in_file", row=ref.first_row)
        row.producer = ref
        if ref.tax_code:
            file_by_tax.setdefault(ref.tax_code, ref)
        file_by_name.setdefault(name_key, ref)
    return refs


def _give_tax_code(ref: ProducerRef, tax_code: str, row: RowCheck) -> None:
    ref.tax_code = tax_code
    if not ref.is_new and ref.fill_row is None:
        ref.fill_tax_code, ref.fill_row = tax_code, row.number
        row.note("tax_code_filled", value=tax_code)


def _decision_key(text: str) -> str:
    return normalised(text)


def _resolve_products_and_certificates(checks: list[RowCheck]) -> None:
    with_producer = [row for row in checks if row.producer is not None and row.values.get("product")]
    # Duplicates within the file: the same product of the same producer twice.
    seen: dict[tuple[int, str], int] = {}
    for row in with_producer:
        key = (id(row.producer), normalised(row.values["product"]))
        if key in seen:
            row.error("duplicate_row", row=seen[key])
        else:
            seen[key] = row.number

    existing_ids = {row.producer.organisation_id for row in with_producer if not row.producer.is_new}
    products = defaultdict(list)
    for product in Product.objects.filter(producer_id__in=existing_ids).only("pk", "name", "producer_id"):
        products[(product.producer_id, normalised(product.name))].append(product)
    for row in with_producer:
        if row.producer.is_new:
            continue
        matches = products.get((row.producer.organisation_id, normalised(row.values["product"])), [])
        if len(matches) > 1:
            row.error("product_ambiguous", count=len(matches), name=row.values["product"])
        elif matches:
            row.product_id = matches[0].pk

    certificates = defaultdict(list)
    product_ids = {row.product_id for row in with_producer if row.product_id}
    for certificate in Certificate.objects.filter(product_id__in=product_ids).only(
        "pk", "product_id", "decision_number", "decision_date", "total_score", "status"
    ):
        certificates[certificate.product_id].append(certificate)
    for row in with_producer:
        if row.product_id is None:
            continue
        recorded = certificates.get(row.product_id, [])
        number = _decision_key(row.values["decision_number"])
        same = next((c for c in recorded if _decision_key(c.decision_number) == number), None)
        if same is not None:
            if (
                row.score is not None
                and row.decision_date is not None
                and (same.total_score != row.score or same.decision_date != row.decision_date)
            ):
                row.error(
                    "certificate_conflict",
                    decision=same.decision_number,
                    score=same.total_score,
                    date=_day(same.decision_date),
                )
            row.values["recorded"] = True
            continue
        latest = max(recorded, key=lambda c: (c.decision_date, c.pk), default=None)
        if latest is not None and row.decision_date is not None and latest.decision_date > row.decision_date:
            row.error("later_decision", decision=latest.decision_number, date=_day(latest.decision_date))
            continue
        row.supersedes = latest is not None


def _outcome(row: RowCheck, today: datetime.date) -> str:
    if row.errors:
        return ERROR
    if row.producer.is_new or row.product_id is None:
        row.note("product_new")
        _certificate_notes(row, today)
        return CREATE
    row.note("product_existing")
    if row.values.get("recorded"):
        row.note("certificate_recorded")
        return UPDATE if row.producer.fill_row == row.number else UNCHANGED
    _certificate_notes(row, today)
    if row.supersedes:
        row.note("certificate_supersedes")
    return UPDATE


def _certificate_notes(row: RowCheck, today: datetime.date) -> None:
    row.note("certificate_new", stars=row.stars, valid_until=_day(row.valid_until))
    if row.stars == 5:
        row.note("five_stars_central")
    if row.valid_until < today:
        row.note("certificate_lapsed", valid_until=_day(row.valid_until))
