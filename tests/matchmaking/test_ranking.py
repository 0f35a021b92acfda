"""The explained-suggestions engine on hand-built cases: no database, every reason in words."""

from decimal import Decimal

import pytest
from django.utils import translation

from matchmaking.ranking import WEIGHTS, Candidate, Need, ProducerRecord, assess, rank, readiness

FISH_SAUCE = 14  # sub-group ids are plain numbers here
RICE = 3


@pytest.fixture(autouse=True)
def _english():
    """The reasons are asserted in English, the source language; Vietnamese comes from the .po files."""
    with translation.override("en"):
        yield


def need(**overrides) -> Need:
    values = {
        "subgroup_ids": frozenset({FISH_SAUCE}),
        "min_stars": 3,
        "standards": frozenset(),
        "quantity_per_month": None,
        "unit": "",
        "months": frozenset(),
        "province_code": None,
        "keywords": frozenset(),
        "target_price": None,
    }
    values.update(overrides)
    return Need(**values)


def candidate(id=1, **overrides) -> Candidate:
    values = {
        "id": id,
        "name": f"Nước mắm {id}",
        "subgroup_id": FISH_SAUCE,
        "stars": 3,
        "certificate_status": "valid",
        "standards": frozenset(),
        "monthly_capacity": None,
        "capacity_unit": "",
        "months": frozenset(),
        "province_code": "92",
        "words": frozenset({"nuoc", "mam"}),
        "price_min": None,
    }
    values.update(overrides)
    return Candidate(**values)


# --- Stars and certificates -----------------------------------------------------------------------------------


def test_four_stars_meet_three_required_with_the_reason_in_words():
    suggestion = assess(need(min_stars=3), candidate(stars=4))
    assert not suggestion.excluded
    assert "4★ ≥ 3★ required" in suggestion.reasons
    assert suggestion.score == WEIGHTS["stars"]


def test_stars_above_the_minimum_count_up_to_two():
    three = assess(need(min_stars=3), candidate(stars=3)).score
    five = assess(need(min_stars=3), candidate(stars=5)).score
    assert three == 0
    assert five == 2 * WEIGHTS["stars"]


def test_fewer_stars_than_required_exclude_with_the_rule_named():
    suggestion = assess(need(min_stars=4), candidate(stars=3))
    assert suggestion.excluded_by == ["3★ < 4★ required"]
    assert suggestion.reasons == []


def test_an_expired_certificate_counts_as_no_star_and_excludes():
    suggestion = assess(need(), candidate(stars=None, certificate_status="expired"))
    assert suggestion.excluded_by == ["certificate expired"]
    assert not any("★" in reason for reason in suggestion.reasons)


def test_a_revoked_certificate_excludes_with_its_own_rule():
    assert assess(need(), candidate(stars=None, certificate_status="revoked")).excluded_by == ["certificate revoked"]


def test_no_certificate_excludes():
    assert assess(need(), candidate(stars=None, certificate_status=None)).excluded_by == ["no OCOP certificate"]


def test_another_product_group_excludes():
    suggestion = assess(need(), candidate(subgroup_id=RICE))
    assert suggestion.excluded_by == ["another product group"]


def test_a_need_without_subgroups_accepts_every_group():
    assert not assess(need(subgroup_ids=frozenset()), candidate(subgroup_id=RICE)).excluded


# --- Standards ----------------------------------------------------------------------------------------------------


def test_missing_haccp_excludes_with_missing_haccp():
    suggestion = assess(need(standards=frozenset({"haccp"})), candidate(standards=frozenset({"vietgap"})))
    assert suggestion.excluded_by == ["missing HACCP"]


def test_held_standards_are_ticked_and_score():
    suggestion = assess(
        need(standards=frozenset({"haccp", "iso22000"})), candidate(standards=frozenset({"haccp", "iso22000", "gi"}))
    )
    assert not suggestion.excluded
    assert "HACCP ✓" in suggestion.reasons
    assert "ISO 22000 ✓" in suggestion.reasons
    assert suggestion.score == WEIGHTS["standards"]


def test_every_broken_rule_is_named_not_only_the_first():
    suggestion = assess(
        need(min_stars=4, standards=frozenset({"haccp"})), candidate(stars=None, certificate_status="expired")
    )
    assert suggestion.excluded_by == ["certificate expired", "missing HACCP"]


# --- Capacity, season, place, words, price ------------------------------------------------------------------------


def test_capacity_at_least_the_quantity_is_a_reason_with_both_figures():
    suggestion = assess(
        need(quantity_per_month=Decimal("1"), unit="tấn"),
        candidate(monthly_capacity=Decimal("2.00"), capacity_unit="tấn"),
    )
    assert "capacity 2 tấn/month ≥ 1 tấn" in suggestion.reasons
    assert suggestion.score == WEIGHTS["capacity"]


def test_capacity_below_the_quantity_is_said_and_scores_in_proportion():
    suggestion = assess(
        need(quantity_per_month=Decimal("2"), unit="tấn"),
        candidate(monthly_capacity=Decimal("0.5"), capacity_unit="Tấn "),
    )
    assert not suggestion.excluded
    assert "capacity 0.5 tấn/month < 2 tấn" in suggestion.reasons
    assert suggestion.score == WEIGHTS["capacity"] // 4


def test_capacity_in_another_unit_is_not_compared():
    suggestion = assess(
        need(quantity_per_month=Decimal("1"), unit="tấn"),
        candidate(monthly_capacity=Decimal("500"), capacity_unit="kg"),
    )
    assert "capacity not stated in tấn" in suggestion.reasons
    assert suggestion.score == 0


@pytest.mark.parametrize(
    ("available", "reason", "points"),
    [
        (frozenset(), "available in the months needed", WEIGHTS["season"]),  # all year
        (frozenset({11, 12, 1, 2}), "available in the months needed", WEIGHTS["season"]),
        (frozenset({12, 1, 2, 3}), "available in some of the months needed", WEIGHTS["season"] // 2),
    ],
)
def test_months_needed_fully_or_partly(available, reason, points):
    suggestion = assess(need(months=frozenset({11, 12, 1})), candidate(months=available))
    assert reason in suggestion.reasons
    assert suggestion.score == points


def test_months_needed_not_available_at_all_excludes():
    suggestion = assess(need(months=frozenset({11, 12})), candidate(months=frozenset({4, 5, 6})))
    assert suggestion.excluded_by == ["not available in the months needed"]


def test_same_province_is_a_reason():
    same = assess(need(province_code="92"), candidate(province_code="92"))
    other = assess(need(province_code="92"), candidate(province_code="79"))
    assert "same province" in same.reasons
    assert same.score == WEIGHTS["same_province"]
    assert "same province" not in other.reasons
    assert other.score == 0


def test_matched_keywords_are_named_and_score_in_proportion():
    suggestion = assess(
        need(keywords=frozenset({"mam", "ca", "com"})), candidate(words=frozenset({"nuoc", "mam", "ca", "com"}))
    )
    assert "matches “ca com mam”" in suggestion.reasons
    assert suggestion.score == WEIGHTS["keywords"]
    half = assess(need(keywords=frozenset({"mam", "tom"})), candidate(words=frozenset({"mam"})))
    assert "matches “mam”" in half.reasons
    assert half.score == WEIGHTS["keywords"] // 2


def test_price_against_the_target():
    within = assess(need(target_price=60000), candidate(price_min=55000))
    above = assess(need(target_price=60000), candidate(price_min=65000))
    assert "price within the target" in within.reasons
    assert within.score == WEIGHTS["price"]
    assert "price above the target" in above.reasons
    assert above.score == 0


# --- Ranking --------------------------------------------------------------------------------------------------------


def test_rank_orders_by_score_then_id_and_lists_the_excluded_with_their_rules():
    wanted = need(min_stars=3, standards=frozenset({"haccp"}), province_code="92")
    candidates = [
        candidate(id=7, stars=3, standards=frozenset({"haccp"}), province_code="79"),  # 0 + 20
        candidate(id=3, stars=4, standards=frozenset({"haccp"}), province_code="92"),  # 30 + 20 + 10
        candidate(id=5, stars=3, standards=frozenset({"haccp"}), province_code="79"),  # ties with 7 → id 5 first
        candidate(id=2, stars=None, certificate_status="expired", standards=frozenset({"haccp"})),
        candidate(id=1, stars=5, standards=frozenset()),
    ]
    suggested, excluded = rank(wanted, candidates)
    assert [s.candidate.id for s in suggested] == [3, 5, 7]
    assert [s.score for s in suggested] == [60, 20, 20]
    assert [(s.candidate.id, s.excluded_by) for s in excluded] == [(1, ["missing HACCP"]), (2, ["certificate expired"])]


def test_rank_is_deterministic_whatever_the_input_order():
    wanted = need(quantity_per_month=Decimal("10"), unit="kg", months=frozenset({6}))
    candidates = [
        candidate(
            id=i, stars=3 + i % 3, monthly_capacity=Decimal(i), capacity_unit="kg", months=frozenset({6, i % 12 + 1})
        )
        for i in range(1, 30)
    ]
    first = rank(wanted, candidates)
    again = rank(wanted, list(reversed(candidates)))
    assert [(s.candidate.id, s.score, s.reasons) for s in first[0]] == [
        (s.candidate.id, s.score, s.reasons) for s in again[0]
    ]
    assert [s.candidate.id for s in first[1]] == [s.candidate.id for s in again[1]]


# --- Readiness ------------------------------------------------------------------------------------------------------


def record(**overrides) -> ProducerRecord:
    values = {
        "candidate": candidate(
            stars=4, standards=frozenset({"haccp"}), monthly_capacity=Decimal("2"), capacity_unit="tấn"
        ),
        "has_gtin": True,
        "shelf_life_days": 365,
        "has_price": True,
        "photo_count": 3,
        "has_tax_code": True,
    }
    values.update(overrides)
    return ProducerRecord(**values)


EVERY_ITEM = [
    "ocop_certificate",
    "standards",
    "barcode",
    "shelf_life",
    "capacity",
    "price_list",
    "photos",
    "business_registration",
]


def test_readiness_lists_every_item_met_with_its_detail():
    items = readiness(EVERY_ITEM, min_stars=3, standards=frozenset({"haccp"}), record=record())
    assert [(item, met) for item, met, _detail in items] == [(item, True) for item in EVERY_ITEM]
    details = {item: detail for item, _met, detail in items}
    assert details["ocop_certificate"] == "4★, valid"
    assert details["standards"] == "all held"
    assert details["shelf_life"] == "365 days"
    assert details["capacity"] == "2 tấn/month"
    assert details["photos"] == "3 photos"


def test_readiness_lists_the_gaps():
    gaps = record(
        candidate=candidate(stars=None, certificate_status="expired", standards=frozenset()),
        has_gtin=False,
        shelf_life_days=60,
        has_price=False,
        photo_count=0,
        has_tax_code=False,
    )
    items = readiness(EVERY_ITEM, min_stars=3, standards=frozenset({"haccp", "iso22000"}), record=gaps)
    assert all(not met for _item, met, _detail in items)
    details = {item: detail for item, _met, detail in items}
    assert details["ocop_certificate"] == "no valid OCOP certificate"
    assert details["standards"] == "missing: HACCP, ISO 22000"
    assert details["barcode"] == "no GTIN barcode"
    assert details["shelf_life"] == "60 days"
    assert details["capacity"] == "monthly capacity not stated"
    assert details["price_list"] == "no price"
    assert details["photos"] == "no photo"
    assert details["business_registration"] == "no tax code"


def test_readiness_stars_below_the_chains_minimum_is_a_gap():
    items = readiness(
        ["ocop_certificate"], min_stars=4, standards=frozenset(), record=record(candidate=candidate(stars=3))
    )
    assert items == [("ocop_certificate", False, "3★, valid")]


def test_readiness_keeps_the_checklist_order_and_skips_unknown_items():
    items = readiness(["photos", "unknown", "barcode"], min_stars=3, standards=frozenset(), record=record())
    assert [item for item, _met, _detail in items] == ["photos", "barcode"]
