"""Explained suggestions: which products fit a buyer's need, how well, and why — plain data in, plain data out.

Hard rules exclude a candidate and name the rule ("missing HACCP", "certificate expired"); soft
criteria add points, each with its reason in words. The same function ranks products for a sourcing
request and for a buyer profile, and sourcing requests for a producer. Deterministic: ties break on
the candidate's id.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

WEIGHTS = {
    "stars": 30,  # per star above the minimum, up to two
    "standards": 20,
    "capacity": 25,
    "season": 15,
    "same_province": 10,
    "keywords": 20,
    "price": 10,
}


@dataclass(frozen=True)
class Need:
    """What is wanted: from a sourcing request, or from a buyer profile (without quantities)."""

    subgroup_ids: frozenset[int]
    min_stars: int = 3
    standards: frozenset[str] = frozenset()
    quantity_per_month: Decimal | None = None
    unit: str = ""
    months: frozenset[int] = frozenset()
    province_code: str | None = None
    keywords: frozenset[str] = frozenset()  # folded words
    target_price: int | None = None


@dataclass(frozen=True)
class Candidate:
    """What a product offers, as the catalogue records it."""

    id: int
    name: str
    subgroup_id: int
    stars: int | None  # the current VALID certificate's stars; None when none, expired or revoked
    certificate_status: str | None  # valid / expired / revoked / None
    standards: frozenset[str]
    monthly_capacity: Decimal | None
    capacity_unit: str
    months: frozenset[int]  # empty = all year
    province_code: str
    words: frozenset[str]  # folded words of name and description
    price_min: int | None = None


@dataclass
class Suggestion:
    candidate: Candidate
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    excluded_by: list[str] = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        return bool(self.excluded_by)


def _standard_label(code: str) -> str:
    from catalog.models import Standard

    return str(Standard(code).label) if code in Standard.values else code


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _check_stars(need: Need, candidate: Candidate, suggestion: Suggestion) -> None:
    """A valid certificate with at least the stars asked for; points per star above, up to two."""
    if candidate.stars is None:
        if candidate.certificate_status == "expired":
            suggestion.excluded_by.append(_("certificate expired"))
        elif candidate.certificate_status == "revoked":
            suggestion.excluded_by.append(_("certificate revoked"))
        else:
            suggestion.excluded_by.append(_("no OCOP certificate"))
    elif candidate.stars < need.min_stars:
        suggestion.excluded_by.append(
            _("%(stars)s★ < %(minimum)s★ required") % {"stars": candidate.stars, "minimum": need.min_stars}
        )
    else:
        suggestion.reasons.append(
            _("%(stars)s★ ≥ %(minimum)s★ required") % {"stars": candidate.stars, "minimum": need.min_stars}
        )
        suggestion.score += WEIGHTS["stars"] * min(candidate.stars - need.min_stars, 2)


def _check_standards(need: Need, candidate: Candidate, suggestion: Suggestion) -> None:
    """Every standard asked for is held; each one missing is a hard rule of its own."""
    for code in sorted(need.standards):
        if code in candidate.standards:
            suggestion.reasons.append(_("%(standard)s ✓") % {"standard": _standard_label(code)})
        else:
            suggestion.excluded_by.append(_("missing %(standard)s") % {"standard": _standard_label(code)})
    if need.standards and need.standards <= candidate.standards:
        suggestion.score += WEIGHTS["standards"]


def _score_capacity(need: Need, candidate: Candidate, suggestion: Suggestion) -> None:
    """Full points when the monthly capacity covers the quantity, a share of them when it covers part."""
    if need.quantity_per_month is None:
        return
    same_unit = candidate.capacity_unit.strip().lower() == need.unit.strip().lower()
    if candidate.monthly_capacity is None or not same_unit:
        suggestion.reasons.append(_("capacity not stated in %(unit)s") % {"unit": need.unit})
        return
    amounts = {
        "capacity": _amount(candidate.monthly_capacity),
        "quantity": _amount(need.quantity_per_month),
        "unit": need.unit,
    }
    if candidate.monthly_capacity >= need.quantity_per_month:
        suggestion.reasons.append(_("capacity %(capacity)s %(unit)s/month ≥ %(quantity)s %(unit)s") % amounts)
        suggestion.score += WEIGHTS["capacity"]
    else:
        suggestion.reasons.append(_("capacity %(capacity)s %(unit)s/month < %(quantity)s %(unit)s") % amounts)
        suggestion.score += int(WEIGHTS["capacity"] * candidate.monthly_capacity / need.quantity_per_month)


def _score_season(need: Need, candidate: Candidate, suggestion: Suggestion) -> None:
    """Available in every month needed, in some of them (half the points), or in none (excluded)."""
    if not need.months:
        return
    if not candidate.months or need.months <= candidate.months:
        suggestion.reasons.append(_("available in the months needed"))
        suggestion.score += WEIGHTS["season"]
    elif need.months & candidate.months:
        suggestion.reasons.append(_("available in some of the months needed"))
        suggestion.score += WEIGHTS["season"] // 2
    else:
        suggestion.excluded_by.append(_("not available in the months needed"))


def _score_place_words_and_price(need: Need, candidate: Candidate, suggestion: Suggestion) -> None:
    """The same province, the keywords the product's name and description share, a price within the target."""
    if need.province_code and candidate.province_code == need.province_code:
        suggestion.reasons.append(_("same province"))
        suggestion.score += WEIGHTS["same_province"]

    matched = sorted(need.keywords & candidate.words)
    if matched:
        suggestion.reasons.append(_("matches “%(words)s”") % {"words": " ".join(matched)})
        suggestion.score += WEIGHTS["keywords"] * len(matched) // max(len(need.keywords), 1)

    if need.target_price is not None and candidate.price_min is not None:
        if candidate.price_min <= need.target_price:
            suggestion.reasons.append(_("price within the target"))
            suggestion.score += WEIGHTS["price"]
        else:
            suggestion.reasons.append(_("price above the target"))


def assess(need: Need, candidate: Candidate) -> Suggestion:
    """Score one candidate against the need, with every reason and every hard rule it breaks."""
    suggestion = Suggestion(candidate=candidate)
    if need.subgroup_ids and candidate.subgroup_id not in need.subgroup_ids:
        suggestion.excluded_by.append(_("another product group"))
    for criterion in (_check_stars, _check_standards, _score_capacity, _score_season, _score_place_words_and_price):
        criterion(need, candidate, suggestion)
    return suggestion


def rank(need: Need, candidates: list[Candidate]) -> tuple[list[Suggestion], list[Suggestion]]:
    """The suggestions, best first, and the candidates excluded by a hard rule (each with its rules)."""
    assessed = [assess(need, candidate) for candidate in candidates]
    suggested = sorted((s for s in assessed if not s.excluded), key=lambda s: (-s.score, s.candidate.id))
    excluded = sorted((s for s in assessed if s.excluded), key=lambda s: s.candidate.id)
    return suggested, excluded


@dataclass(frozen=True)
class ProducerRecord:
    """What the portal knows of a producer's product, for a chain's listing checklist."""

    candidate: Candidate
    has_gtin: bool
    shelf_life_days: int | None
    has_price: bool
    photo_count: int
    has_tax_code: bool


MIN_SHELF_LIFE_DAYS = 90


def readiness(checklist: list[str], *, min_stars: int, standards: frozenset[str], record: ProducerRecord):
    """Compare a chain's listing checklist with a producer's records: (item, met, detail) for each item."""
    candidate = record.candidate
    results = []
    for item in checklist:
        if item == "ocop_certificate":
            met = candidate.stars is not None and candidate.stars >= min_stars
            detail = (
                _("%(stars)s★, valid") % {"stars": candidate.stars}
                if candidate.stars is not None
                else _("no valid OCOP certificate")
            )
        elif item == "standards":
            missing = sorted(standards - candidate.standards)
            met = not missing
            detail = (
                _("missing: %(standards)s") % {"standards": ", ".join(_standard_label(code) for code in missing)}
                if missing
                else _("all held")
            )
        elif item == "barcode":
            met, detail = record.has_gtin, (_("GTIN recorded") if record.has_gtin else _("no GTIN barcode"))
        elif item == "shelf_life":
            met = record.shelf_life_days is not None and record.shelf_life_days >= MIN_SHELF_LIFE_DAYS
            detail = (
                _("%(days)s days") % {"days": record.shelf_life_days}
                if record.shelf_life_days is not None
                else _("shelf life not stated")
            )
        elif item == "capacity":
            met = candidate.monthly_capacity is not None
            detail = (
                _("%(capacity)s %(unit)s/month")
                % {"capacity": _amount(candidate.monthly_capacity), "unit": candidate.capacity_unit}
                if met
                else _("monthly capacity not stated")
            )
        elif item == "price_list":
            met, detail = record.has_price, (_("price range stated") if record.has_price else _("no price"))
        elif item == "photos":
            met = record.photo_count > 0
            detail = _("%(count)s photos") % {"count": record.photo_count} if met else _("no photo")
        elif item == "business_registration":
            met, detail = record.has_tax_code, (_("tax code recorded") if record.has_tax_code else _("no tax code"))
        else:
            continue
        results.append((item, met, detail))
    return results
