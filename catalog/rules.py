"""OCOP rules as plain functions over plain data (DOMAIN.md: star bands)."""

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


def is_certified(stars: int | None) -> bool:
    return stars in CERTIFIED_STARS
