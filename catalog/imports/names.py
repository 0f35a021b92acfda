"""Producers' names as provinces write them: legal forms, abbreviations, and when two spellings are one producer.

A published list writes the same cooperative as "HTX Mỹ Xuyên" on one row and "Hợp tác xã Mỹ Xuyên" on the
next, a company as "Cty TNHH MTV …" or "Công ty Trách nhiệm hữu hạn Một thành viên …", and sometimes puts its
representative first ("Nguyễn Văn A – Công ty …"). `producer_key` spells every abbreviation out, so one producer
written two ways has one key; `legal_form_of` reads the legal form from the words; `closeness` tells staff which
producers already in the portal a new name only resembles.
"""

import re
from difflib import SequenceMatcher

from catalog.models import ProducerProfile
from catalog.search import fold, words

LEGAL = ProducerProfile.LegalForm

# Folded abbreviations and what they stand for, word by word.
ABBREVIATIONS = {
    "htx": "hop tac xa",
    "htxnn": "hop tac xa nong nghiep",
    "htxdv": "hop tac xa dich vu",
    "tht": "to hop tac",
    "cty": "cong ty",
    "ctcp": "cong ty co phan",
    "ctytnhh": "cong ty trach nhiem huu han",
    "tnhh": "trach nhiem huu han",
    "mtv": "mot thanh vien",
    "cp": "co phan",
    "dntn": "doanh nghiep tu nhan",
    "dn": "doanh nghiep",
    "hkd": "ho kinh doanh",
    "sxkd": "san xuat kinh doanh",
    "sx": "san xuat",
    "kd": "kinh doanh",
    "tm": "thuong mai",
    "dv": "dich vu",
    "nn": "nong nghiep",
    "xnk": "xuat nhap khau",
    "csx": "co so san xuat",
    "cssx": "co so san xuat",
}

# Spelled-out phrases that name a legal form, the most specific first.
LEGAL_FORM_PHRASES = (
    ("to hop tac", LEGAL.COOPERATIVE_GROUP),
    ("hop tac xa", LEGAL.COOPERATIVE),
    ("ho kinh doanh", LEGAL.HOUSEHOLD),
    ("ho san xuat", LEGAL.HOUSEHOLD),
    ("ho gia dinh", LEGAL.HOUSEHOLD),
    ("ca the", LEGAL.HOUSEHOLD),
    ("co so", LEGAL.HOUSEHOLD),
    ("doanh nghiep", LEGAL.ENTERPRISE),
    ("cong ty", LEGAL.ENTERPRISE),
    ("trach nhiem huu han", LEGAL.ENTERPRISE),
    ("co phan", LEGAL.ENTERPRISE),
)
# Words of a legal form, left out when comparing what remains of two names ("HTX Mỹ Xuyên" ~ "Công ty Mỹ Xuyên").
LEGAL_WORDS = frozenset(
    [
        "to",
        "hop",
        "tac",
        "xa",
        "ho",
        "kinh",
        "doanh",
        "san",
        "xuat",
        "gia",
        "dinh",
        "ca",
        "the",
        "co",
        "so",
        "nghiep",
        "cong",
        "ty",
        "trach",
        "nhiem",
        "huu",
        "han",
        "phan",
        "mot",
        "thanh",
        "vien",
        "tu",
        "nhan",
        "nong",
        "dich",
        "vu",
        "thuong",
        "mai",
    ]
)
# "Nguyễn Văn A – Công ty …", "Công ty … - Nguyễn Văn A": a dash between spaces separates the two.
REPRESENTATIVE_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s*[–—]\s*")
REPRESENTATIVE_TITLES = re.compile(
    r"^(người đại diện|đại diện|chủ cơ sở|chủ hộ|ông|bà)\s*[:.]?\s*", re.IGNORECASE | re.UNICODE
)
# A name that resembles an existing producer this much (0–1) is shown to staff as a candidate.
CLOSE_RATIO = 0.86


def producer_key(name: str) -> str:
    """A name as compared: folded, abbreviations spelled out ("Cty TNHH MTV Cẩm Thiều" -> "cong ty trach …")."""
    expanded = (ABBREVIATIONS.get(word, word) for word in words(fold(name or "")))
    return " ".join(expanded)


def legal_form_of(text: str, *, anywhere: bool = True) -> str | None:
    """The legal form the words name: at the start of a producer's name, or anywhere in a "Loại hình" cell."""
    key = producer_key(text)
    for phrase, value in LEGAL_FORM_PHRASES:
        if key == phrase or key.startswith(phrase + " "):
            return value
    if anywhere:
        padded = f" {key} "
        for phrase, value in LEGAL_FORM_PHRASES:
            if f" {phrase} " in padded:
                return value
    return None


def producer_and_representative(text: str) -> tuple[str, str]:
    """Split "Người đại diện – Công ty …" into the producer's name and its representative (empty if none)."""
    parts = [part.strip() for part in REPRESENTATIVE_SEPARATOR.split(text or "") if part.strip()]
    if len(parts) != 2:
        return text, ""
    with_form = [part for part in parts if legal_form_of(part, anywhere=False)]
    if len(with_form) != 1:
        return text, ""
    other = next(part for part in parts if part is not with_form[0])
    return with_form[0], REPRESENTATIVE_TITLES.sub("", other).strip()


def core_words(key: str) -> list[str]:
    """The words of a producer key that are not legal-form words: what names this producer in particular."""
    return [word for word in key.split() if word not in LEGAL_WORDS]


def _core(key: str) -> str:
    return " ".join(core_words(key))


def closeness(key: str, other_key: str) -> float:
    """How much two producer keys resemble each other (1 when what remains without legal-form words is equal)."""
    core, other_core = _core(key), _core(other_key)
    if core and core == other_core:
        return 1.0
    return SequenceMatcher(None, key, other_key, autojunk=False).ratio()


def is_close(key: str, other_key: str) -> bool:
    return key != other_key and closeness(key, other_key) >= CLOSE_RATIO


class CloseNames:
    """The producers of one province by the words of their names, to find close names without comparing every pair.

    Only producers sharing at least half of a name's own words (legal-form words aside) are compared with it; a
    word that hundreds of names share ("bánh", "gạo") does not make them candidates by itself.
    """

    COMMON_WORD = 300  # names containing a word, beyond which the word does not select candidates

    def __init__(self):
        self.keys: list[str] = []
        self.items: list[object] = []
        self.by_word: dict[str, list[int]] = {}

    def add(self, key: str, item) -> None:
        index = len(self.keys)
        self.keys.append(key)
        self.items.append(item)
        for word in set(core_words(key)):
            self.by_word.setdefault(word, []).append(index)

    def close_to(self, key: str) -> list:
        words_ = set(core_words(key))
        shared: dict[int, int] = {}
        for word in words_:
            postings = self.by_word.get(word, ())
            if len(postings) > self.COMMON_WORD:
                continue
            for index in postings:
                shared[index] = shared.get(index, 0) + 1
        needed = max(1, (len(words_) + 1) // 2)
        return [
            self.items[index]
            for index, count in sorted(shared.items())
            if count >= needed and is_close(key, self.keys[index])
        ]
