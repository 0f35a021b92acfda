"""Checking an OCOP list row by row against the portal: what each row would create, change or leave alone.

The same check runs for the dry run and again, on the same bytes, inside the confirmation, so rows are
judged on the data as it is at that moment. It reads the database in a fixed number of queries whatever
the number of rows: reference data first, then every lookup in bulk.

Nothing in the file is lost: every product row is imported or is an error with its reason. A row that lacks
only what staff can complete later (today's ward of a district-only address, the sub-group of a product given
at a broader level) is imported and its outcome says it needs completion. A star decided by the province and
published without its score is recorded as decided.

Matching: a producer by its tax code when the row has one, else by its name (abbreviations spelled out) in the
same province; a name only close to producers in the portal waits for staff to choose. A product by its folded
name within its producer; a certificate by its decision number within its product.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from accounts.models import Organisation
from accounts.validators import TAX_CODE_RE, normalise_tax_code
from catalog.imports.columns import COLUMNS_BY_KEY, header_key
from catalog.imports.groups import Classification
from catalog.imports.names import CloseNames, legal_form_of, producer_and_representative, producer_key
from catalog.imports.places import ParsedAddress, Place, PlaceBook, address_parse
from catalog.imports.reading import Cell, Sheet, SheetRow, cell_text
from catalog.models import CERTIFICATE_VALIDITY_MONTHS, Certificate, ProducerProfile, Product, RuleSet, add_months
from catalog.ocop_rules import CERTIFIED_SCORE, CERTIFIED_STARS, stars_for_score

CREATE, UPDATE, INCOMPLETE, UNCHANGED, ERROR = "create", "update", "incomplete", "unchanged", "error"
OUTCOMES = (ERROR, CREATE, UPDATE, INCOMPLETE, UNCHANGED)
# What staff complete after the import, named in a row's `to_complete`.
TO_COMPLETE_WARD, TO_COMPLETE_SUBGROUP = "ward", "subgroup"
LEGAL = ProducerProfile.LegalForm
NEW_PRODUCER = "new"  # staff's answer when a close name is a different producer

DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("day", "month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
    (re.compile(r"^(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})$"), ("day", "month", "year")),
)
# In a combined cell ("1358/QĐ-UBND ngày 20/7/2021"): the date, written with digits or in words.
DECISION_DATE_RE = re.compile(
    r"(?:ngày\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})|ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})",
    re.IGNORECASE,
)
DECISION_NUMBER_RE = re.compile(r"\d+\s*/\s*[\wĐđ]+(?:[-–][\wĐđ]+)*", re.UNICODE)
STARS_DIGIT_RE = re.compile(r"\d+")
SCORE_STEP = Decimal("0.1")


@dataclass
class ProducerRef:
    """A producer as the rows of one file see it: an organisation already in the portal, or one to create."""

    first_row: int
    name: str
    tax_code: str
    legal_form: str
    place: Place
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
    # What the import does with the row: CREATE, UPDATE or UNCHANGED (the outcome says INCOMPLETE on top).
    action: str = ""
    to_complete: list[str] = field(default_factory=list)
    producer: ProducerRef | None = None
    place: Place | None = None
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

    @property
    def imports(self) -> bool:
        return self.outcome in (CREATE, UPDATE, INCOMPLETE)

    def as_json(self) -> dict:
        return {
            "row": self.number,
            "outcome": self.outcome,
            "action": self.action,
            "to_complete": self.to_complete,
            **self.values,
            "errors": self.errors,
            "notes": self.notes,
        }


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


def _producer(row: RowCheck, cells) -> str:
    """The producer's name, without the representative some lists write beside it."""
    written = _text(row, cells, "producer", required=True)
    name, representative = producer_and_representative(written)
    if representative:
        row.note("producer_representative", name=name, representative=representative)
    return name


def _legal_form(row: RowCheck, cells, producer_name: str) -> str:
    text = _text(row, cells, "legal_form")
    if text:
        value = legal_form_of(text)
        if value is None:
            row.error("legal_form_unknown", value=text)
            return ""
        return value
    value = legal_form_of(producer_name, anywhere=False) or legal_form_of(producer_name)
    if value is None and producer_name:
        # A person's name alone is how lists write a household business.
        row.note("legal_form_household")
        return LEGAL.HOUSEHOLD
    return value or ""


def _score(row: RowCheck, cells) -> Decimal | None:
    cell = _raw(row, cells, "score")
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


def _stars_in_text(text: str) -> int | None:
    digits = STARS_DIGIT_RE.findall(text)
    if "★" in text or "*" in text:
        if digits:  # "3★" or "3 *": the number says it
            return int(digits[0]) if len(digits) == 1 else None
        return text.count("★") + text.count("*")
    return int(digits[0]) if len(digits) == 1 else None


def _stars(row: RowCheck, cells) -> int | None:
    cell = _raw(row, cells, "stars")
    if cell is None:
        return None
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        stars = int(value) if float(value).is_integer() else None
    else:
        stars = _stars_in_text(cell_text(cell))
    if stars is None or not 1 <= stars <= 5:
        row.error("stars_invalid", value=cell_text(cell))
        return None
    return stars


def _date_from_text(text: str) -> datetime.date | None:
    folded = header_key(text)
    folded = folded if "thang" in folded else text.strip()
    for pattern, order in DATE_PATTERNS:
        match = pattern.match(folded)
        if match:
            parts = dict(zip(order, (int(part) for part in match.groups()), strict=True))
            try:
                return datetime.date(parts["year"], parts["month"], parts["day"])
            except ValueError:
                return None
    return None


def _date_value(cell: Cell) -> datetime.date | None:
    value = cell.value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return _date_from_text(cell_text(cell))


def _checked_date(row: RowCheck, day: datetime.date | None, written: str, today) -> datetime.date | None:
    if day is None:
        row.error("date_invalid", value=written)
        return None
    if day > today:
        row.error("date_future", value=_day(day))
        return None
    return day


def _has(cells, key: str) -> bool:
    cell = cells.get(key)
    return cell is not None and cell.value not in (None, "")


def _split_decision(text: str) -> tuple[str, datetime.date | None]:
    """A combined cell ("1358/QĐ-UBND ngày 20/7/2021"): the decision's number and its date (None if unreadable)."""
    match = DECISION_DATE_RE.search(text)
    groups = [int(part) for part in match.groups() if part is not None]
    try:
        day = datetime.date(groups[2], groups[1], groups[0])
    except ValueError:
        day = None
    rest = text[: match.start()] + " " + text[match.end() :]
    number = DECISION_NUMBER_RE.search(rest)
    if number:
        return re.sub(r"\s+", "", number.group(0)), day
    return " ".join(word for word in rest.replace(",", " ").split() if header_key(word) not in ("so", "ngay")), day


def _decision(row: RowCheck, cells, today) -> tuple[str, datetime.date | None]:
    """The decision's number and date: from their two columns, or from one combined cell."""
    key = "decision" if _has(cells, "decision") or "decision_number" not in cells else "decision_number"
    text = _text(row, cells, key, required=True)
    number, day_in_text = text, None
    if text and DECISION_DATE_RE.search(text):
        number, day_in_text = _split_decision(text)
        if not number:
            row.error("decision_number_missing", value=text)
    number = number[: COLUMNS_BY_KEY["decision_number"].max_length]
    if _has(cells, "decision_date") or (key == "decision_number" and not day_in_text and text):
        cell = _raw(row, cells, "decision_date", required=True)
        if cell is None:
            return number, None
        return number, _checked_date(row, _date_value(cell), cell_text(cell), today)
    if not text:
        return number, None
    if day_in_text is None and not DECISION_DATE_RE.search(text):
        row.error("decision_date_missing", value=text)
        return number, None
    return number, _checked_date(row, day_in_text, text, today)


# --- Reference data -------------------------------------------------------------------------------------------------


def rule_set_for(day: datetime.date, rule_sets: list[RuleSet]) -> RuleSet:
    """The rule set in force on a decision's date: the latest one decided by then (the earliest before any)."""
    ordered = sorted(rule_sets, key=lambda rule_set: rule_set.decision_date)
    chosen = ordered[0]
    for rule_set in ordered:
        if rule_set.decision_date <= day:
            chosen = rule_set
    return chosen


# --- The check ------------------------------------------------------------------------------------------------------


def rows_check(sheet: Sheet, *, today: datetime.date, choices: dict | None = None, on_progress=None) -> CheckResult:
    """Every row's outcome and reasons; reads the database in a fixed number of queries.

    `choices` holds staff's answers for rows whose producer's name is only close to producers in the portal:
    {row number (as text): organisation id, or "new"}.
    """
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
    producers = _resolve_producers(checks, choices or {})
    _resolve_products_and_certificates(checks)
    for check in checks:
        check.outcome = _outcome(check, today)
    return CheckResult(rows=checks, producers=producers)


def _row_values(sheet_row: SheetRow, classification, rule_sets, today, addresses) -> RowCheck:
    cells = sheet_row.cells
    row = RowCheck(number=sheet_row.number)
    product = _text(row, cells, "product", required=True)
    producer = _producer(row, cells)
    legal_form = _legal_form(row, cells, producer)
    tax_code = _tax_code(row, cells)
    address = _text(row, cells, "address", required=True)
    group_text = _text(row, cells, "group", required=True)
    group = classification.resolve(group_text) if group_text else None
    if group is not None and group.error:
        row.error(group.error, value=group_text)
    stars = _stars(row, cells)
    score = _score(row, cells)
    if not _has(cells, "stars") and not _has(cells, "score"):
        row.error("stars_or_score_required")
    decision_number, decision_date = _decision(row, cells, today)

    row.values = {
        "product": product,
        "producer": producer,
        "legal_form": legal_form,
        "tax_code": tax_code,
        "address": address,
        "converted": "",
        "group": group.subgroup.code if group and group.subgroup else group_text,
        "stars": stars,
        "score": str(score) if score is not None else "",
        "decision_number": decision_number,
        "decision_date": decision_date.isoformat() if decision_date else "",
        "unit": _text(row, cells, "unit"),
    }
    if group is not None and group.subgroup is not None:
        row.subgroup_id = group.subgroup.pk
        if group.is_broad:
            row.to_complete.append(TO_COMPLETE_SUBGROUP)
            row.note("subgroup_broad", group=f"{group.subgroup.code} {group.subgroup.name}")
    _stars_and_score(row, stars, score)
    if decision_date is not None:
        row.decision_date = decision_date
        row.valid_until = add_months(decision_date, CERTIFICATE_VALIDITY_MONTHS)
        row.rule_set_id = rule_set_for(decision_date, rule_sets).pk
        row.values["valid_until"] = row.valid_until.isoformat()
    if address:
        addresses[row.number] = address_parse(address, hints=tuple(getattr(sheet_row, "sections", ()) or ()))
    return row


def _stars_and_score(row: RowCheck, stars: int | None, score: Decimal | None) -> None:
    """The certificate's stars: derived from the score when there is one, else as the province decided them."""
    if score is not None:
        derived = stars_for_score(score)
        if stars is not None and stars != derived:
            row.error("stars_contradict_score", stars=stars, score=score, derived=derived)
        elif score < CERTIFIED_SCORE:
            row.error("score_not_certified", score=score, stars=derived)
        else:
            row.score, row.stars = score, derived
            row.values["stars"] = derived
    elif stars is not None:
        if stars not in CERTIFIED_STARS:
            row.error("stars_not_certified", stars=stars)
        else:
            row.stars = stars
            row.note("score_not_published")


def _resolve_addresses(checks: list[RowCheck], addresses: dict[int, ParsedAddress]) -> None:
    book = PlaceBook(list(addresses.values()))
    for row in checks:
        parsed = addresses.get(row.number)
        if parsed is None:
            continue
        place, error, params = book.place(parsed)
        if place is None:
            row.error(error, **params)
            continue
        row.place = place
        row.values["province_code"] = place.province_id
        row.values["province_name"] = place.province_name
        row.values["ward_code"] = place.ward.code if place.ward else ""
        row.values["street"] = place.street
        row.values["converted"] = place.converted
        if place.ward is None:
            row.to_complete.append(TO_COMPLETE_WARD)
            row.note("ward_to_complete", district=place.former_district or "—", province=place.province_name)


# --- Producers ------------------------------------------------------------------------------------------------------


class ProducerBook:
    """The portal's producers that a file's rows may name, read in two queries, and the file's own producers."""

    def __init__(self, rows: list[RowCheck], choices: dict):
        tax_codes = {row.values["tax_code"] for row in rows if row.values["tax_code"]}
        provinces = {row.place.province_id for row in rows}
        self.choices = choices
        self.by_tax = {
            organisation.tax_code: organisation
            for organisation in Organisation.objects.filter(tax_code__in=tax_codes).only(
                "pk", "name", "kind", "tax_code", "province_id"
            )
        }
        self.in_province: dict[str, CloseNames] = defaultdict(CloseNames)
        self.by_key: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
        for organisation in (
            Organisation.objects.producers()
            .filter(province__in=provinces)
            .only("pk", "name", "tax_code", "province_id")
            .order_by("name", "pk")
        ):
            key = producer_key(organisation.name)
            self.in_province[organisation.province_id].add(key, organisation)
            self.by_key[(key, organisation.province_id)].append(organisation)
        self.refs: list[ProducerRef] = []
        self.file_by_tax: dict[str, ProducerRef] = {}
        self.file_by_key: dict[tuple[str, str], ProducerRef] = {}

    def new_ref(self, row: RowCheck, organisation: Organisation | None = None) -> ProducerRef:
        values = row.values
        ref = ProducerRef(
            first_row=row.number,
            name=values["producer"],
            tax_code=values["tax_code"],
            legal_form=values["legal_form"],
            place=row.place,
            organisation_id=organisation.pk if organisation else None,
        )
        self.refs.append(ref)
        return ref

    def close_to(self, key: str, province_id: str) -> list[Organisation]:
        return self.in_province[province_id].close_to(key)

    def remember(self, ref: ProducerRef, key: tuple[str, str]) -> None:
        if ref.tax_code:
            self.file_by_tax.setdefault(ref.tax_code, ref)
        self.file_by_key.setdefault(key, ref)


def _resolve_producers(checks: list[RowCheck], choices: dict) -> list[ProducerRef]:
    """Attach each row to its producer: one already in the portal, or one created once for all its rows."""
    usable = [row for row in checks if row.values.get("producer") and row.place is not None]
    book = ProducerBook(usable, choices)
    for row in usable:
        key = (producer_key(row.values["producer"]), row.place.province_id)
        ref = _producer_by_tax_code(row, book, key) if row.values["tax_code"] else _producer_by_name(row, book, key)
        if ref is None:
            continue
        if ref.first_row != row.number and not any(n["code"].startswith("producer_") for n in row.notes):
            row.note("producer_in_file", row=ref.first_row)
        row.producer = ref
        book.remember(ref, key)
    return book.refs


def _producer_by_tax_code(row: RowCheck, book: ProducerBook, key) -> ProducerRef | None:
    tax_code = row.values["tax_code"]
    ref = book.file_by_tax.get(tax_code)
    if ref is not None:
        return ref
    organisation = book.by_tax.get(tax_code)
    if organisation is not None and organisation.kind != Organisation.Kind.PRODUCER:
        row.error("tax_code_not_producer", value=tax_code, name=organisation.name)
        return None
    if organisation is not None:
        row.note("producer_by_tax_code", name=organisation.name)
        return book.new_ref(row, organisation)
    # The same producer on an earlier row without its tax code, or in the portal without one.
    earlier = book.file_by_key.get(key)
    if earlier is not None and not earlier.tax_code:
        _give_tax_code(earlier, tax_code, row)
        return earlier
    same_name = [o for o in book.by_key.get(key, []) if not o.tax_code]
    if len(same_name) == 1:
        ref = book.new_ref(row, same_name[0])
        row.note("producer_by_name", name=same_name[0].name)
        _give_tax_code(ref, tax_code, row)
        return ref
    return _producer_new_or_close(row, book, key)


def _producer_by_name(row: RowCheck, book: ProducerBook, key) -> ProducerRef | None:
    ref = book.file_by_key.get(key)
    if ref is not None:
        return ref
    same_name = book.by_key.get(key, [])
    if len(same_name) > 1:
        row.error(
            "producer_ambiguous", count=len(same_name), name=row.values["producer"], province=row.place.province_name
        )
        return None
    if same_name:
        row.note("producer_by_name", name=same_name[0].name)
        return book.new_ref(row, same_name[0])
    return _producer_new_or_close(row, book, key)


def _producer_new_or_close(row: RowCheck, book: ProducerBook, key) -> ProducerRef | None:
    """A producer not found by tax code or name: new, unless its name is close to one staff must rule on."""
    close = book.close_to(key[0], key[1])
    if not close:
        row.note("producer_new")
        return book.new_ref(row)
    row.values["candidates"] = [{"id": organisation.pk, "name": organisation.name} for organisation in close]
    choice = str(book.choices.get(str(row.number), ""))
    if choice == NEW_PRODUCER:
        row.note("producer_new_chosen")
        return book.new_ref(row)
    chosen = next((organisation for organisation in close if str(organisation.pk) == choice), None)
    if chosen is None:
        row.error("producer_choose", count=len(close), names="; ".join(o.name for o in close))
        return None
    row.note("producer_chosen", name=chosen.name)
    return book.new_ref(row, chosen)


def _give_tax_code(ref: ProducerRef, tax_code: str, row: RowCheck) -> None:
    ref.tax_code = tax_code
    if not ref.is_new and ref.fill_row is None:
        ref.fill_tax_code, ref.fill_row = tax_code, row.number
        row.note("tax_code_filled", value=tax_code)


# --- Products and certificates --------------------------------------------------------------------------------------


def _resolve_products_and_certificates(checks: list[RowCheck]) -> None:
    with_producer = [row for row in checks if row.producer is not None and row.values.get("product")]
    # Duplicates within the file: the same product of the same producer twice.
    seen: dict[tuple[int, str], int] = {}
    for row in with_producer:
        key = (id(row.producer), header_key(row.values["product"]))
        if key in seen:
            row.error("duplicate_row", row=seen[key])
        else:
            seen[key] = row.number
    _match_products(with_producer)
    _match_certificates([row for row in with_producer if row.product_id])


def _match_products(rows: list[RowCheck]) -> None:
    existing_ids = {row.producer.organisation_id for row in rows if not row.producer.is_new}
    products = defaultdict(list)
    for product in Product.objects.filter(producer_id__in=existing_ids).only("pk", "name", "producer_id"):
        products[(product.producer_id, header_key(product.name))].append(product)
    for row in rows:
        if row.producer.is_new:
            continue
        matches = products.get((row.producer.organisation_id, header_key(row.values["product"])), [])
        if len(matches) > 1:
            row.error("product_ambiguous", count=len(matches), name=row.values["product"])
        elif matches:
            row.product_id = matches[0].pk


def _match_certificates(rows: list[RowCheck]) -> None:
    certificates = defaultdict(list)
    for certificate in Certificate.objects.filter(product_id__in={row.product_id for row in rows}).only(
        "pk", "product_id", "decision_number", "decision_date", "total_score", "stars", "status"
    ):
        certificates[certificate.product_id].append(certificate)
    for row in rows:
        recorded = certificates.get(row.product_id, [])
        number = header_key(row.values["decision_number"])
        same = next((c for c in recorded if header_key(c.decision_number) == number), None)
        if same is not None:
            if _conflicts(same, row):
                row.error(
                    "certificate_conflict",
                    decision=same.decision_number,
                    stars=same.stars,
                    date=_day(same.decision_date),
                )
            row.values["recorded"] = True
            continue
        latest = max(recorded, key=lambda c: (c.decision_date, c.pk), default=None)
        if latest is not None and row.decision_date is not None and latest.decision_date > row.decision_date:
            row.error("later_decision", decision=latest.decision_number, date=_day(latest.decision_date))
            continue
        row.supersedes = latest is not None


def _conflicts(recorded: Certificate, row: RowCheck) -> bool:
    """Whether a decision already recorded says otherwise than the row (a score only counts where both have one)."""
    if row.stars is None or row.decision_date is None:
        return False
    if recorded.decision_date != row.decision_date or recorded.stars != row.stars:
        return True
    return row.score is not None and recorded.total_score is not None and recorded.total_score != row.score


def _outcome(row: RowCheck, today: datetime.date) -> str:
    if row.errors:
        row.to_complete = []
        return ERROR
    if row.producer.is_new or row.product_id is None:
        row.action = CREATE
        row.note("product_new")
        _certificate_notes(row, today)
    elif row.values.get("recorded"):
        row.action = UPDATE if row.producer.fill_row == row.number else UNCHANGED
        row.note("product_existing")
        row.note("certificate_recorded")
    else:
        row.action = UPDATE
        row.note("product_existing")
        _certificate_notes(row, today)
        if row.supersedes:
            row.note("certificate_supersedes")
    # Only what this row creates is left to complete: a product or producer already in the portal keeps its own.
    row.to_complete = [
        item
        for item in row.to_complete
        if (item == TO_COMPLETE_WARD and row.producer.is_new) or (item == TO_COMPLETE_SUBGROUP and row.action == CREATE)
    ]
    return INCOMPLETE if row.to_complete else row.action


def _certificate_notes(row: RowCheck, today: datetime.date) -> None:
    row.note("certificate_new", stars=row.stars, valid_until=_day(row.valid_until))
    if row.stars == 5:
        row.note("five_stars_central")
    if row.valid_until < today:
        row.note("certificate_lapsed", valid_until=_day(row.valid_until))
    if row.action == CREATE:
        row.note("product_public")
