"""Vietnamese full-text search on plain PostgreSQL (no unaccent, no pg_trgm).

Both the indexed text and the query are folded the same way in Python: NFC, NFD, combining marks
dropped, đ/Đ mapped to d, casefolded. Text copied from PDFs often writes Đ as the Icelandic eth (Ð, U+00D0;
ð, U+00F0), which looks the same: it is read as Đ. The document's `tsvector` ('simple' config) holds the folded
words with weight A and the original lower-cased words with weight B. A query matches on folded
prefixes (`mam:* & ca:*`) and ranks with the original words too, so "mắm" ranks mắm above mâm.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q, Value

SEARCH_CONFIG = "simple"
MAX_QUERY_TERMS = 8
MAX_TERM_LENGTH = 40
_WORD_RE = re.compile(r"\w+", re.UNICODE)
# Look-alikes of Đ/đ, read as Đ/đ before anything else.
_ETH = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def fold(text: str) -> str:
    """Fold Vietnamese text for matching: "Bánh PÍA Đồng" -> "banh pia dong"."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", (text or "").translate(_ETH)))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()


def original_lower(text: str) -> str:
    """Lower-case while keeping diacritics, in one canonical (NFC) form."""
    return unicodedata.normalize("NFC", (text or "").translate(_ETH)).casefold()


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def document_texts(parts: list[str]) -> tuple[str, str]:
    """The folded and the original lower-cased word lists of a document, as space-joined text."""
    joined = " ".join(part for part in parts if part)
    return " ".join(words(fold(joined))), " ".join(words(original_lower(joined)))


def document_vector(parts: list[str]):
    """A SearchVector expression for the given texts: folded words weight A, original words weight B."""
    folded, original = document_texts(parts)
    return SearchVector(Value(folded), weight="A", config=SEARCH_CONFIG) + SearchVector(
        Value(original), weight="B", config=SEARCH_CONFIG
    )


def _lexeme(word: str) -> str:
    # Words are \w+ only, so quoting is enough to keep tsquery syntax out of user input.
    return "'" + word[:MAX_TERM_LENGTH].replace("'", "''") + "':*"


def query_terms(raw: str) -> list[tuple[str, str]]:
    """(folded, original) pairs of the query's words, at most MAX_QUERY_TERMS, duplicates dropped."""
    pairs = []
    seen = set()
    for word in words(original_lower(raw or "")):
        folded = "".join(words(fold(word)))
        if not folded or (folded, word) in seen:
            continue
        seen.add((folded, word))
        pairs.append((folded, word))
        if len(pairs) == MAX_QUERY_TERMS:
            break
    return pairs


def match_tsquery(raw: str) -> str:
    """The tsquery text that decides what matches: every folded word as a prefix, joined with &."""
    return " & ".join(_lexeme(folded) for folded, _original in query_terms(raw))


def rank_tsquery(raw: str) -> str:
    """The tsquery text for ranking: each word as folded prefix or as typed, so exact accents rank first."""
    groups = []
    for folded, original in query_terms(raw):
        options = {_lexeme(folded), _lexeme(original)}
        groups.append("(" + " | ".join(sorted(options)) + ")")
    return " & ".join(groups)


def search_query(tsquery_text: str) -> SearchQuery:
    return SearchQuery(tsquery_text, search_type="raw", config=SEARCH_CONFIG)


def product_match(raw: str, *, path: str = "") -> Q | None:
    """Products whose search document holds every word of `raw` (folded prefixes); None when it has no word.

    `path` reaches the product from another model ("product__"); the condition reads the GIN index.
    """
    tsquery = match_tsquery(raw)
    return Q(**{f"{path}search_vector": search_query(tsquery)}) if tsquery else None
