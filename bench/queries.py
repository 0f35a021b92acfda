"""The search queries the benchmark sends, chosen from the generated data and checked against it.

The latency set is 50 varied queries (one to three words, with and without diacritics, rare and
common); the worst case is a single word found in at least 10% of the public products. Every chosen
query's match-set size is measured and printed, so the table says what was measured.
"""

import random
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection

from bench import vocabulary
from catalog.search import fold, match_tsquery

WORST_CASE_CANDIDATES = ["gạo", "bánh", "trà", "khô", "cá"]
WORST_CASE_SHARE = 0.10


@dataclass
class Query:
    text: str
    kind: str
    matches: int = 0

    @property
    def path(self) -> str:
        return "/products/?" + urlencode({"q": self.text})


def public_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_catalogueentry WHERE is_public")
        return cursor.fetchone()[0]


def matches(text: str) -> int:
    tsquery = match_tsquery(text)
    if not tsquery:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM catalog_catalogueentry"
            " WHERE is_public AND folded_words @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
        )
        return cursor.fetchone()[0]


def _places(limit: int = 40) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.short_name FROM accounts_ward w WHERE w.province_id = '92' ORDER BY w.code LIMIT %s", [limit]
        )
        return [row[0].lower() for row in cursor.fetchall() if row[0]]


def _candidates(rng: random.Random) -> dict[str, list[str]]:
    terms = [term.lower() for terms in vocabulary.SUBGROUP_TERMS.values() for term, _en in terms]
    two_words = [term for term in terms if len(term.split()) == 2]
    three_words = [term for term in terms if len(term.split()) >= 3]
    brands = [f"{a} {b}".lower() for a, b in zip(*[iter(rng.sample(vocabulary.NAME_SYLLABLES, 40))] * 2, strict=True)]
    singles = sorted({word for term in terms for word in term.split() if len(word) > 2})
    variants = [f"{term.split()[0]} {variant}" for term in two_words[:30] for variant in vocabulary.VARIANTS[:6]]
    return {
        "two words": two_words + variants + [place for place in _places() if len(place.split()) == 2],
        "one word": singles,
        "three words": three_words + [f"{term} {brand.split()[0]}" for term in two_words[:20] for brand in brands[:3]],
        "rare": [f"{term} {brand}" for term in two_words[:25] for brand in brands[:4]] + brands,
        "english": ["soursop tea", "rice paper", "fish sauce", "dried mango", "coconut candy", "lotus tea"],
        "no match": ["bánh pizza margherita", "xyzzy"],
    }


# How many of each kind, and the match-set sizes that make a query that kind.
PLAN = [
    ("two words", 18, 100, 5000),
    ("one word", 8, 100, 8000),
    ("three words", 6, 1, 5000),
    ("rare", 8, 1, 99),
    ("english", 4, 1, 5000),
    ("two words", 4, 5001, 20000),
    ("no match", 2, 0, 0),
]


def latency_set(*, seed: int, size: int = 50) -> tuple[list[Query], Query, int]:
    """(the 50 queries, the worst case, the number of public products), each query with its match count."""
    rng = random.Random(seed)  # noqa: S311 - reproducible choice, not a secret
    total = public_count()
    candidates = _candidates(rng)
    chosen: list[Query] = []
    seen: set[str] = set()
    for kind, wanted, low, high in PLAN:
        pool = list(dict.fromkeys(candidates[kind]))
        rng.shuffle(pool)
        taken = 0
        for text in pool:
            if taken == wanted or len(chosen) == size:
                break
            # Half the queries are typed without diacritics, as many visitors do.
            typed = fold(text) if len(chosen) % 2 else text
            if typed in seen:
                continue
            count = matches(typed)
            if low <= count <= high and count < WORST_CASE_SHARE * total:
                chosen.append(Query(typed, kind, count))
                seen.add(typed)
                taken += 1
    # A kind short of queries at this size (its words match more or fewer products) is made up with two-word ones.
    spare = [text for text in dict.fromkeys(candidates["two words"]) if text not in seen and fold(text) not in seen]
    rng.shuffle(spare)
    for text in spare:
        if len(chosen) == size:
            break
        count = matches(text)
        if 1 <= count < WORST_CASE_SHARE * total:
            chosen.append(Query(text, "two words", count))
            seen.add(text)
    worst = None
    for text in WORST_CASE_CANDIDATES:
        count = matches(text)
        if count >= WORST_CASE_SHARE * total:
            worst = Query(text, "worst case", count)
            break
    if worst is None:
        worst = max(
            (Query(text, "worst case", matches(text)) for text in WORST_CASE_CANDIDATES), key=lambda q: q.matches
        )
    return chosen, worst, total


def distinct_paths(*, seed: int, count: int) -> list[str]:
    """Catalogue searches for the cold run: `count` distinct queries shaped like the typical ones."""
    rng = random.Random(seed + 1)  # noqa: S311 - reproducible choice, not a secret
    terms = [term.lower() for terms in vocabulary.SUBGROUP_TERMS.values() for term, _en in terms]
    extras = list(vocabulary.VARIANTS) + [name.lower() for name in vocabulary.NAME_SYLLABLES]
    paths: dict[str, None] = {}
    attempts = 0
    while len(paths) < count and attempts < count * 20:
        attempts += 1
        text = rng.choice(terms)
        if rng.random() < 0.8:
            text += " " + rng.choice(extras)
        if rng.random() < 0.5:
            text = fold(text)
        paths[Query(text, "cold").path] = None
    return list(paths)
