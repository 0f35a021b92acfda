"""The catalogue's read model: SQL over the catalogue entries (`CatalogueEntry`), one row per product.

Every filter of the public catalogue is a condition here, in `FILTERS` (filter name → SQL over the
entries), and the catalogue page and its downloads both read through these conditions. A new filter so
takes two edits: its field in catalog/filters.py (which only reads the URL into cleaned values) and its
condition in `FILTERS`; it then filters the page, its facet counts and the files alike. What a valid
certificate means over the entries is `VALID_SQL`, the same condition as catalog.querysets.valid_on_q over
products. Besides the conditions, this module owns the statements that read the entries:

- `facet_counts`: the total and every facet's counts in one pass over the matching entries, with
  GROUPING SETS. A facet is counted with the *other* filters applied, so a row that fails exactly one
  chosen filter still counts for that filter's facet; rows failing two or more count for none. A search
  counts at most SEARCH_CAP matches (the page then says "more than"), and the same pass returns the
  RANK_WINDOW newest of them for relevance.
- `page_ids`: the product ids of one page, in the chosen order. Relevance ranks the window with the
  product's full search document, so ranking costs the same for "gạo" (a fifth of the catalogue) as for a
  rare word.
- `ordered_ids`, `ordered_id_batches` and `match_count`: every match in the chosen order, for the downloads.
- `certified_figures` and `featured_ids`: the home page's numbers and products.

It imports nothing from the modules that use it (filters, selectors): values come in already cleaned.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection

from catalog.search import SEARCH_CONFIG, match_tsquery

# A certificate valid on the day (the one parameter), over catalog_catalogueentry.
VALID_SQL = "(certificate_status = 'valid' AND certificate_valid_until >= %s)"
LIVE_STARS_SQL = f"CASE WHEN {VALID_SQL} THEN certificate_stars END"
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


def _pk(value):
    return getattr(value, "pk", value)


def _words(value, day) -> Condition | None:
    tsquery = match_tsquery(value)
    if not tsquery:
        return None
    return Condition(f"folded_words @@ to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)", [tsquery])


@dataclass(frozen=True)
class Filter:
    """One filter's condition over the entries, from its cleaned value and the day (None: it filters nothing)."""

    condition: Callable[[object, object], Condition | None]
    # A facet is counted with the other filters applied; the words are not a facet: every count applies them.
    facet: bool = True


FILTERS: dict[str, Filter] = {
    "q": Filter(_words, facet=False),
    "stars": Filter(
        lambda value, day: Condition(
            f"({VALID_SQL} AND certificate_stars = ANY(%s))", [day, [int(star) for star in value]]
        )
    ),
    "group": Filter(lambda value, day: Condition("group_id = %s", [_pk(value)])),
    "subgroup": Filter(lambda value, day: Condition("subgroup_id = %s", [_pk(value)])),
    "province": Filter(lambda value, day: Condition("province_id = %s", [_pk(value)])),
    "legal_form": Filter(lambda value, day: Condition("legal_form = ANY(%s)", [list(value)])),
    "standard": Filter(lambda value, day: Condition("standards @> %s::varchar[]", [list(value)])),
    "valid": Filter(lambda value, day: Condition(VALID_SQL, [day])),
}


@dataclass
class Conditions:
    """The chosen filters' conditions: the words' (applied to every count) and the facets' (counted apart)."""

    words: list[Condition] = field(default_factory=list)
    facets: dict[str, Condition] = field(default_factory=dict)

    @property
    def all(self) -> list[Condition]:
        return [*self.words, *self.facets.values()]

    def key(self) -> str:
        """A short text that differs whenever the conditions do: what they count is cached under it."""
        described = [(c.sql, c.params) for c in self.words] + [(n, c.sql, c.params) for n, c in self.facets.items()]
        return hashlib.sha256(repr(described).encode()).hexdigest()


def conditions(values: dict, *, day) -> Conditions:
    """The conditions of the filters' cleaned `values` (name → value); a value that filters nothing adds none."""
    chosen = Conditions()
    for name, value in values.items():
        spec = FILTERS[name]
        condition = None if value in (None, "", [], False) else spec.condition(value, day)
        if condition is None:
            continue
        if spec.facet:
            chosen.facets[name] = condition
        else:
            chosen.words.append(condition)
    return chosen


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


def _facet_sql(conditions: Conditions, *, day, cap: int | None, window: bool) -> tuple[str, list]:
    """The statement of `facet_counts` and its parameters."""
    where, params = _where(conditions.words)
    chosen = list(conditions.facets.items())
    fail_sql, fail_params = "''", []
    if chosen:
        fails = [(name, f"NOT COALESCE(({condition.sql}), false)", condition.params) for name, condition in chosen]
        fail_sql = "CASE " + " ".join(f"WHEN {sql} THEN '{name}'" for name, sql, _params in fails) + " ELSE '' END"
        fail_params = [param for _name, _sql, condition_params in fails for param in condition_params]
        at_most_one = " + ".join(f"({sql})::int" for _name, sql, _params in fails) + " <= 1"
        where += f" AND {at_most_one}"
        params += fail_params
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
    all_params = [day, *fail_params, *params, *([cap + 1] if cap else [])]
    return sql, [*all_params, *([RANK_WINDOW] if window else [])]


def _count_row(counts: dict[str, Counter], kind: str, fail: str, row: tuple) -> None:
    """Add one grouped row (a facet's value with its count) to the facet it counts for."""
    group, subgroup, province, legal_form, live, standards, count = row
    if kind == "live":
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


def facet_counts(*, conditions: Conditions, day, cap: int | None = None, window: bool = False) -> FacetCounts:
    """The total (every condition) and each facet's value counts (every condition but that facet's own).

    With a `cap`, at most that many matching entries are counted (the first ones the index finds): a word
    found in a fifth of a million products costs what a word found in `cap` products costs, and the page
    says "more than". With `window`, the same pass also returns the ids relevance ranks (RANK_WINDOW).
    """
    sql, params = _facet_sql(conditions, day=day, cap=cap, window=window)
    counts = {name: Counter() for name in ("group", "subgroup", "province", "legal_form", "stars", "valid", "standard")}
    total = counted = 0
    newest = [] if window else None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for fail, group, subgroup, province, legal_form, live, standards, grouping, count, ids in rows:
        kind = _GROUPING_SETS[grouping]
        if kind == "total":
            counted += count
            total += count if fail == "" else 0
            if ids and window:
                newest = ids
        else:
            _count_row(counts, kind, fail, (group, subgroup, province, legal_form, live, standards, count))
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


def _ordered_sql(*, conditions: list[Condition], sort: str, rank_tsquery: str, day) -> tuple[str, list]:
    """The statement listing the ids of the public products matching every condition, in the sort's order."""
    where, params = _where(conditions)
    if sort == "relevance" and rank_tsquery:
        sql = (
            "SELECT matching.product_id FROM (SELECT product_id, published_at FROM catalog_catalogueentry"  # noqa: S608
            f" WHERE {where}) AS matching JOIN catalog_product product ON product.id = matching.product_id"
            f" ORDER BY ts_rank(product.search_vector, to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)) DESC,"
            " matching.published_at DESC, matching.product_id DESC"
        )
        return sql, [*params, rank_tsquery]
    order = ORDERS["newest" if sort == "relevance" else sort]
    sql = (
        f"SELECT product_id FROM (SELECT product_id, published_at, name, {LIVE_STARS_SQL} AS live"  # noqa: S608
        f" FROM catalog_catalogueentry WHERE {where}) AS matching ORDER BY {order}"
    )
    return sql, [day, *params]


def ordered_ids(*, conditions: list[Condition], sort: str, rank_tsquery: str, limit: int, day) -> list[int]:
    """The ids of the first `limit` public products matching every condition, in the sort's order.

    For the downloads: the same order as the pages, except that relevance ranks every match (a file is not
    bounded by the pages' RANK_WINDOW).
    """
    sql, params = _ordered_sql(conditions=conditions, sort=sort, rank_tsquery=rank_tsquery, day=day)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def ordered_id_batches(
    *, conditions: list[Condition], sort: str, rank_tsquery: str, day, size: int
) -> Iterator[list[int]]:
    """Every id `ordered_ids` would list, without a limit, `size` at a time: for a file of any length.

    A server-side cursor holds the ordered ids, so the whole list is never in this process's memory.
    """
    sql, params = _ordered_sql(conditions=conditions, sort=sort, rank_tsquery=rank_tsquery, day=day)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield [row[0] for row in rows]


def match_count(*, conditions: list[Condition]) -> int:
    """How many public products match every condition, exactly (no cap)."""
    where, params = _where(conditions)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM catalog_catalogueentry WHERE {where}", params)  # noqa: S608
        return cursor.fetchone()[0]


def certified_figures(*, day) -> dict:
    """Public products with a valid certificate, their producers, and how many at each star."""
    sql = (
        "SELECT count(*), count(DISTINCT producer_id), count(*) FILTER (WHERE certificate_stars = 5),"  # noqa: S608
        " count(*) FILTER (WHERE certificate_stars = 4), count(*) FILTER (WHERE certificate_stars = 3)"
        f" FROM catalog_catalogueentry WHERE is_public AND {VALID_SQL}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        products, producers, five, four, three = cursor.fetchone()
    return {"products": products, "producers": producers, "five": five, "four": four, "three": three}


def featured_ids(*, day, stars: tuple[int, ...] = (4, 5), limit: int = 8) -> list[int]:
    """The best-rated, most recently recognised public products with a valid certificate.

    The status is also written out on its own: the featured index holds the valid entries only, and the
    planner reads it only for a condition that says so literally.
    """
    sql = (
        "SELECT product_id FROM catalog_catalogueentry"  # noqa: S608
        f" WHERE is_public AND certificate_status = 'valid' AND certificate_stars = ANY(%s) AND {VALID_SQL}"
        " ORDER BY certificate_stars DESC, certificate_decision_date DESC, product_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(stars), day, limit])
        return [row[0] for row in cursor.fetchall()]
