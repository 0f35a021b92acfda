"""SQL over the catalogue entries (`CatalogueEntry`): the public catalogue's counts and result pages.

Two statements serve a catalogue page whatever the size of the match set:

- `facet_counts`: the total and every facet's counts in one pass over the matching entries, with
  GROUPING SETS. A facet is counted with the *other* filters applied, so a row that fails exactly one
  chosen filter still counts for that filter's facet; rows failing two or more count for none. A search
  counts at most SEARCH_CAP matches (the page then says "more than"), and the same pass returns the
  RANK_WINDOW newest of them for relevance.
- `page_ids`: the product ids of one page, in the chosen order. Relevance ranks the window with the
  product's full search document, so ranking costs the same for "gạo" (a fifth of the catalogue) as for a
  rare word.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection

from catalog.filters import ENTRY_VALID_SQL
from catalog.search import SEARCH_CONFIG

LIVE_STARS_SQL = f"CASE WHEN {ENTRY_VALID_SQL} THEN certificate_stars END"
# GROUPING(group_id, subgroup_id, province_id, legal_form, live, standards): a set bit = not grouped by.
_GROUPING_SETS = {
    0b011111: "group",
    0b101111: "subgroup",
    0b110111: "province",
    0b111011: "legal_form",
    0b111101: "live",
    0b111110: "standard",
    0b111111: "total",
}


@dataclass
class Condition:
    sql: str
    params: list


@dataclass
class FacetCounts:
    total: int
    counts: dict[str, Counter]
    # True when the matches were more than the cap: the total and every count are then lower bounds.
    capped: bool = False
    # The newest RANK_WINDOW of the counted matches (newest first), when asked for: relevance ranks them.
    window: list[int] | None = None


def _where(conditions: list[Condition]) -> tuple[str, list]:
    sql = " AND ".join(["is_public", *(f"({condition.sql})" for condition in conditions)])
    params = [param for condition in conditions for param in condition.params]
    return sql, params


def facet_counts(
    *, common: list[Condition], facets: dict[str, Condition], day, cap: int | None = None, window: bool = False
) -> FacetCounts:
    """The total (every condition) and each facet's value counts (every condition but that facet's own).

    With a `cap`, at most that many matching entries are counted (the first ones the index finds): a word
    found in a fifth of a million products costs what a word found in `cap` products costs, and the page
    says "more than". With `window`, the same pass also returns the ids relevance ranks (RANK_WINDOW).
    """
    where, params = _where(common)
    chosen = list(facets.items())
    if chosen:
        fails = [(name, f"NOT COALESCE(({condition.sql}), false)", condition.params) for name, condition in chosen]
        fail_sql = "CASE " + " ".join(f"WHEN {sql} THEN '{name}'" for name, sql, _params in fails) + " ELSE '' END"
        fail_params = [param for _name, _sql, condition_params in fails for param in condition_params]
        at_most_one = " + ".join(f"({sql})::int" for _name, sql, _params in fails) + " <= 1"
        where += f" AND {at_most_one}"
        params += fail_params
    else:
        fail_sql, fail_params = "''", []
    window_sql = (
        "(SELECT array_agg(product_id ORDER BY published_at DESC, product_id DESC) FROM (SELECT product_id,"
        " published_at FROM matching WHERE fail = '' ORDER BY published_at DESC, product_id DESC LIMIT %s) AS newest)"
        if window
        else "NULL::bigint[]"
    )
    sql = (
        f"WITH matching AS MATERIALIZED (SELECT product_id, published_at, group_id, subgroup_id, province_id,"  # noqa: S608 - fixed fragments
        f" legal_form, standards, {LIVE_STARS_SQL} AS live, {fail_sql} AS fail FROM catalog_catalogueentry"
        f" WHERE {where}{' LIMIT %s' if cap else ''})"
        " SELECT fail, group_id, subgroup_id, province_id, legal_form, live, standards,"
        " GROUPING(group_id, subgroup_id, province_id, legal_form, live, standards), count(*),"
        f" CASE WHEN GROUPING(group_id, subgroup_id, province_id, legal_form, live, standards) = 63 AND fail = ''"
        f" THEN {window_sql} END FROM matching"
        " GROUP BY fail, GROUPING SETS ((group_id), (subgroup_id), (province_id), (legal_form), (live), (standards), ())"
    )
    counts = {name: Counter() for name in ("group", "subgroup", "province", "legal_form", "stars", "valid", "standard")}
    total = counted = 0
    newest = [] if window else None
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [day, *fail_params, *params, *([cap + 1] if cap else []), *([RANK_WINDOW] if window else [])],
        )
        rows = cursor.fetchall()
    for fail, group, subgroup, province, legal_form, live, standards, grouping, count, ids in rows:
        kind = _GROUPING_SETS[grouping]
        if kind == "total":
            counted += count
            total += count if fail == "" else 0
            if ids and window:
                newest = ids
        elif kind == "live":
            if live is not None and fail in ("", "stars"):
                counts["stars"][str(live)] += count
            if live is not None and fail in ("", "valid"):
                counts["valid"]["1"] += count
        elif kind == "standard":
            if fail in ("", "standard"):
                for standard in standards:
                    counts["standard"][standard] += count
        elif fail in ("", kind):
            value = {"group": group, "subgroup": subgroup, "province": province, "legal_form": legal_form}[kind]
            counts[kind][str(value)] += count
    capped = bool(cap) and counted > cap
    if capped:
        # "More than N" must hold: at least `total` matched, so N is one less (the cap itself without filters).
        total = max(min(total, cap + 1) - 1, 0)
    return FacetCounts(total=total, counts=counts, capped=capped, window=newest)


RANK_WINDOW = 480  # 20 pages of 24
# The most matches a search counts and ranks among (see facet_counts): beyond, the page says "more than".
SEARCH_CAP = 10_000
# A capped search still fills every reachable page.
assert SEARCH_CAP >= RANK_WINDOW  # noqa: S101 - a module invariant, checked at import
ORDERS = {
    "newest": "published_at DESC, product_id DESC",
    "name": "name, product_id",
    "stars": "live DESC NULLS LAST, published_at DESC, product_id DESC",
}


def page_ids(
    *,
    conditions: list[Condition],
    sort: str,
    rank_tsquery: str,
    offset: int,
    limit: int,
    total: int,
    capped: bool,
    day,
    window: list[int] | None = None,
) -> list[int]:
    """The ids of one page of public products matching every condition, in the sort's order.

    How the page is found depends on the number of matches (`total`, `capped`, from `facet_counts`), which
    the planner cannot estimate (prefix word searches defeat its statistics):
    - up to SEARCH_CAP matches, they are collected first (bitmap index scan) and sorted in memory;
    - beyond, the newest and name orders walk their index until the page is full, and relevance ranks the
      newest RANK_WINDOW of the first SEARCH_CAP matches the index finds.
    With `window` (from `facet_counts`), relevance ranks those ids without finding them again.
    Every SQL fragment below is fixed text; the values travel as parameters.
    """
    if sort == "relevance" and rank_tsquery and window is not None:
        sql = (
            "SELECT id FROM catalog_product WHERE id = ANY(%s)"  # noqa: S608 - fixed fragments
            f" ORDER BY ts_rank(search_vector, to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)) DESC,"
            " published_at DESC, id DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [window, rank_tsquery, limit, offset])
            return [row[0] for row in cursor.fetchall()]
    where, params = _where(conditions)
    if sort in ("relevance", "stars") or (not capped and total <= SEARCH_CAP):
        # The stars order has no index: its matches are always collected (at most every public product).
        limit_sql, limit_params = (" LIMIT %s", [SEARCH_CAP + 1]) if capped and sort == "relevance" else ("", [])
        prefix = (
            f"WITH matching AS MATERIALIZED (SELECT product_id, published_at, name, {LIVE_STARS_SQL} AS live"  # noqa: S608
            f" FROM catalog_catalogueentry WHERE {where}{limit_sql}) "
        )
        prefix_params, source, source_params = [day, *params, *limit_params], "matching", []
    else:
        prefix, prefix_params = "", []
        source, source_params = f"catalog_catalogueentry WHERE {where}", params
    if sort == "relevance" and rank_tsquery:
        sql = (
            f"{prefix}SELECT window_.product_id FROM (SELECT product_id, published_at FROM {source}"  # noqa: S608
            " ORDER BY published_at DESC, product_id DESC LIMIT %s) AS window_"
            " JOIN catalog_product product ON product.id = window_.product_id"
            f" ORDER BY ts_rank(product.search_vector, to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)) DESC,"
            " window_.published_at DESC, window_.product_id DESC LIMIT %s OFFSET %s"
        )
        all_params = [*prefix_params, *source_params, RANK_WINDOW, rank_tsquery, limit, offset]
    else:
        sql = f"{prefix}SELECT product_id FROM {source} ORDER BY {ORDERS[sort]} LIMIT %s OFFSET %s"  # noqa: S608
        all_params = [*prefix_params, *source_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return [row[0] for row in cursor.fetchall()]


def certified_figures(*, day) -> dict:
    """Public products with a valid certificate, their producers, and how many at each star."""
    sql = (
        "SELECT count(*), count(DISTINCT producer_id), count(*) FILTER (WHERE certificate_stars = 5),"  # noqa: S608
        " count(*) FILTER (WHERE certificate_stars = 4), count(*) FILTER (WHERE certificate_stars = 3)"
        f" FROM catalog_catalogueentry WHERE is_public AND {ENTRY_VALID_SQL}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        products, producers, five, four, three = cursor.fetchone()
    return {"products": products, "producers": producers, "five": five, "four": four, "three": three}


def featured_ids(*, day, stars: tuple[int, ...] = (4, 5), limit: int = 8) -> list[int]:
    """The best-rated, most recently recognised public products with a valid certificate."""
    sql = (
        "SELECT product_id FROM catalog_catalogueentry"  # noqa: S608
        f" WHERE is_public AND certificate_status = 'valid' AND certificate_stars = ANY(%s) AND {ENTRY_VALID_SQL}"
        " ORDER BY certificate_stars DESC, certificate_decision_date DESC, product_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(stars), day, limit])
        return [row[0] for row in cursor.fetchall()]
