"""What a row of an imported list says back: its errors and notes, kept as codes and shown in the reader's language.

A dry run stores codes with their parameters (not sentences), so the same results read in Vietnamese on `/`
and in English on `/en/`.
"""

from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext_lazy as _

STAR_BANDS = ((3, "50", "69.9"), (4, "70", "89.9"), (5, "90", "100"))

# Parameters that are scores: written with the reader's decimal separator when shown (69,9 in Vietnamese).
DECIMAL_PARAMS = frozenset({"score"})

ERRORS = {
    "formula": _("“%(column)s” holds a formula (%(formula)s). Type the value itself: formulas are never calculated."),
    "required": _("“%(column)s” is empty."),
    "too_long": _("“%(column)s” is longer than %(limit)s characters."),
    "tax_code_invalid": _(
        "The tax code “%(value)s” is not 10 digits, or 10 digits, a hyphen and 3 digits (0123456789-001)."
    ),
    "tax_code_not_producer": _("The tax code %(value)s belongs to “%(name)s”, which is not a producer."),
    "legal_form_unknown": _(
        "Unknown legal form “%(value)s”: write doanh nghiệp, hợp tác xã, tổ hợp tác or hộ kinh doanh."
    ),
    "address_unknown": _(
        "No ward or commune is recognised in the address “%(value)s”. Write it as "
        "“ward/commune, district, province” (before 2025) or “ward/commune, province” (today)."
    ),
    "address_no_current_ward": _(
        "The former %(ward)s (%(district)s, %(province)s) has no ward or commune of today to go to."
    ),
    "group_unknown": _(
        "Unknown product group “%(value)s”: write a sub-group code such as 1.3.2, or its name "
        "(the template's sheet “Nhóm sản phẩm” lists them)."
    ),
    "score_invalid": _("The score “%(value)s” is not a number."),
    "score_range": _("The score %(value)s is not between 0 and 100."),
    "score_precision": _("The score %(value)s has more than one decimal place."),
    "score_not_certified": _(
        "A score of %(score)s is %(stars)s stars: a product below 50 points is not OCOP-certified."
    ),
    "stars_invalid": _("The stars “%(value)s” are not a number of stars from 1 to 5."),
    "stars_not_certified": _("%(stars)s stars is not an OCOP certification: certified products have 3 to 5 stars."),
    "stars_or_score_required": _("Neither the stars nor the score is given: a certified product needs one of them."),
    "decision_number_missing": _("No decision number is recognised in “%(value)s” (write it as 1358/QĐ-UBND)."),
    "decision_date_missing": _(
        "No date is recognised in the decision “%(value)s”: write it as “1358/QĐ-UBND ngày 20/7/2021”."
    ),
    "producer_choose": _(
        "The producer's name is close to %(count)s producer(s) already in the portal (%(names)s): choose below "
        "whether it is one of them or a different producer."
    ),
    "stars_contradict_score": _(
        "%(stars)s stars contradict the score %(score)s, which is %(derived)s stars (%(bands)s)."
    ),
    "date_invalid": _("The decision date “%(value)s” is not a date: write it as dd/mm/yyyy."),
    "date_future": _("The decision date %(value)s is in the future."),
    "duplicate_row": _("The same product of the same producer is already on row %(row)s."),
    "producer_ambiguous": _(
        "%(count)s producers named “%(name)s” are in %(province)s: add the tax code to say which one."
    ),
    "product_ambiguous": _("The producer has %(count)s products named “%(name)s”: rename one in the portal first."),
    "certificate_conflict": _(
        "Decision %(decision)s is already recorded for this product with %(stars)s stars on %(date)s. "
        "A recorded decision is corrected in the admin, not by an import."
    ),
    "later_decision": _(
        "This product already has a later decision (%(decision)s of %(date)s); an older one is not imported."
    ),
}

NOTES = {
    "producer_new": _("New producer."),
    "producer_new_chosen": _("New producer, as chosen by staff."),
    "producer_chosen": _("Producer chosen by staff: %(name)s."),
    "producer_representative": _("Producer “%(name)s”; its representative “%(representative)s” is not its name."),
    "legal_form_household": _("No legal form is written: a person's name alone is recorded as a household business."),
    "subgroup_broad": _("Classified only as “%(group)s”: recorded at that level, for staff to choose the sub-group."),
    "score_not_published": _("The list gives the stars but not the score: recorded as decided, score not published."),
    "ward_to_complete": _(
        "No ward or commune of today is recognised in the address: recorded in %(province)s (former "
        "%(district)s); the ward is on staff's list to complete."
    ),
    "producer_by_tax_code": _("Producer found by its tax code: %(name)s."),
    "producer_by_name": _("Producer found by its name and province: %(name)s."),
    "producer_in_file": _("Same producer as row %(row)s."),
    "tax_code_filled": _("The producer's missing tax code is filled in: %(value)s."),
    "product_new": _("New product."),
    "product_public": _("Shown in the public catalogue at once, with its group's picture until a photo is added."),
    "product_existing": _("Product already in the portal."),
    "certificate_new": _("New certificate: %(stars)s stars, valid until %(valid_until)s."),
    "certificate_supersedes": _("It replaces the product's earlier certificate."),
    "certificate_recorded": _("Decision already recorded: nothing to change."),
    "certificate_lapsed": _(
        "The certificate ended on %(valid_until)s: it is recorded as expired and shown as expired."
    ),
    "five_stars_central": _("5 stars: recorded as recognised centrally (by the ministry)."),
}


def _decimal_text(value) -> str:
    try:
        return formats.number_format(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def star_bands_text() -> str:
    """The score bands of each star, in the active language's number format."""
    return " · ".join(f"{stars}★ {_decimal_text(low)}–{_decimal_text(high)}" for stars, low, high in STAR_BANDS)


def message_text(entry: dict, catalogue: dict) -> str:
    """One stored {"code", "params"} entry as a sentence in the active language."""
    template = catalogue.get(entry.get("code"))
    if template is None:
        return str(entry.get("code", ""))
    params = dict(entry.get("params") or {})
    if not params:
        return str(template)
    for name in DECIMAL_PARAMS & params.keys():
        params[name] = _decimal_text(params[name])
    if entry.get("code") == "stars_contradict_score":
        params["bands"] = star_bands_text()
    return str(template) % params


def error_text(entry: dict) -> str:
    return message_text(entry, ERRORS)


def note_text(entry: dict) -> str:
    return message_text(entry, NOTES)
