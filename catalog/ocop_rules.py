"""OCOP rules as plain functions over plain data (DOMAIN.md): the star bands, the application's moves, who recognises what."""

from decimal import Decimal

CERTIFIED_STARS = (3, 4, 5)
# (lowest score, stars), highest band first; each band includes its lower edge.
STAR_BANDS = ((Decimal(90), 5), (Decimal(70), 4), (Decimal(50), 3), (Decimal(30), 2), (Decimal(0), 1))


def stars_for_score(score) -> int:
    """The OCOP stars (1–5) for a total score out of 100; bands are inclusive at the bottom."""
    value = Decimal(str(score))
    if value < 0 or value > 100:
        raise ValueError(f"An OCOP score lies between 0 and 100, not {score}.")
    for lowest, stars in STAR_BANDS:
        if value >= lowest:
            return stars
    raise AssertionError("unreachable")


# The application's status flow (hồ sơ): who may move it from one status to the next.
PRODUCER = "producer"
REVIEWER = "reviewer"  # Sở Công Thương staff (catalog.change_application)
CERTIFIER = "certifier"  # staff holding catalog.certify

APPLICATION_MOVES: dict[tuple[str, str], str] = {
    ("draft", "submitted"): PRODUCER,
    ("returned", "submitted"): PRODUCER,
    ("submitted", "under_review"): REVIEWER,
    ("submitted", "returned"): REVIEWER,
    ("under_review", "returned"): REVIEWER,
    ("under_review", "scored"): CERTIFIER,
    ("scored", "under_review"): CERTIFIER,
    ("scored", "recognised"): CERTIFIER,
    ("scored", "not_recognised"): CERTIFIER,
    ("scored", "proposed_central"): CERTIFIER,
    ("proposed_central", "recognised"): CERTIFIER,
    ("proposed_central", "not_recognised"): CERTIFIER,
}
CENTRAL_CANDIDATE_SCORE = Decimal(90)
CERTIFIED_SCORE = Decimal(50)


def application_move_role(current: str, target: str) -> str | None:
    """The role allowed to move an application from `current` to `target`, or None if no one may."""
    return APPLICATION_MOVES.get((current, target))


def average_total(section_totals: list[Decimal]) -> Decimal:
    """The council's score: the average of the members' totals, to one decimal place (half up)."""
    if not section_totals:
        raise ValueError("No score has been entered.")
    mean = sum(section_totals, Decimal(0)) / len(section_totals)
    return mean.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")


def recognising_levels(rule_set_code: str, stars: int) -> tuple[str, ...]:
    """Who recognises a product of these stars under a rule set (DOMAIN.md: 148/2023 had districts)."""
    if stars == 5:
        return ("central",)
    if rule_set_code == "148/2023" and stars == 3:
        return ("district", "province")
    return ("province",)
