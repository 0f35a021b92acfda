import datetime
from decimal import Decimal

import pytest

from catalog.models import add_months
from catalog.ocop_rules import stars_for_score
from catalog.validators import gtin_check_digit, validate_gtin


@pytest.mark.parametrize(
    ("score", "stars"),
    [
        ("0", 1),
        ("29.9", 1),
        ("30", 2),
        ("49.9", 2),
        ("50", 3),
        ("69.9", 3),
        ("70", 4),
        ("89.9", 4),
        ("90", 5),
        ("100", 5),
    ],
)
def test_stars_follow_the_band_edges(score, stars):
    assert stars_for_score(Decimal(score)) == stars
    assert stars_for_score(float(score)) == stars


@pytest.mark.parametrize("score", ["-0.1", "100.1", "1000"])
def test_scores_outside_0_to_100_are_refused(score):
    with pytest.raises(ValueError, match="between 0 and 100"):
        stars_for_score(Decimal(score))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2020, 10, 27), datetime.date(2023, 10, 27)),
        (datetime.date(2021, 2, 28), datetime.date(2024, 2, 28)),
        (datetime.date(2023, 3, 31), datetime.date(2026, 3, 31)),
        (datetime.date(2022, 5, 31), datetime.date(2025, 5, 31)),
    ],
)
def test_validity_is_36_months(day, expected):
    assert add_months(day, 36) == expected


def test_month_end_falls_back_to_the_last_day():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)


@pytest.mark.parametrize("gtin", ["8935049500131", "8934588013010", "96385074", "036000291452"])
def test_valid_gtins(gtin):
    validate_gtin(gtin)


@pytest.mark.parametrize("gtin", ["8935049500132", "893504950013", "89350495001x", "123"])
def test_invalid_gtins(gtin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_gtin(gtin)


def test_check_digit():
    assert gtin_check_digit("893504950013") == 1
