"""Product groups as lists write them, at any level of 148/2023 or by the names of 1048/2019.

A list may give a sub-group ("1.4.1", "Gia vị: tương, nước mắm, gia vị lỏng"), a level above it ("Thực phẩm chế
biến", "Gia vị", "Chè"), a group ("Thực phẩm"), a name of the former rule set ("Thảo dược", "Vải và may mặc"), or
two levels in one cell ("Thực phẩm/Gia vị"). What names exactly one sub-group becomes that sub-group; a level with
several is kept as given (a broad sub-group, catalog.classification.BROAD_148_2023) for staff to refine.
"""

import re
from dataclasses import dataclass

from catalog.classification import CURRENT_RULE_SET, FORMER_GROUP_NAMES
from catalog.imports.columns import header_key
from catalog.models import ProductGroup, ProductSubGroup

GROUP_CODE_RE = re.compile(r"^(\d+(?:\.\d+){0,2})(?![\d.]*\d)")
LEVEL_SEPARATORS = re.compile(r"\s*[/>›:;|–—]\s*|\s+-\s+")
# Words that label a level rather than name it ("Nhóm: Thực phẩm", "Phân nhóm Gia vị").
LEVEL_LABELS = ("phan nhom", "nhom san pham", "nhom", "bo san pham", "nganh hang")


def _key(text: str) -> str:
    key = header_key(text)
    for label in LEVEL_LABELS:
        if key.startswith(label + " "):
            return key[len(label) + 1 :]
    return key


@dataclass(frozen=True)
class GroupMatch:
    subgroup: ProductSubGroup | None
    error: str = ""  # an error code of catalog.imports.messages when nothing matches

    @property
    def is_broad(self) -> bool:
        return self.subgroup is not None and self.subgroup.is_broad


class Classification:
    """The 148/2023 sub-groups and broad levels by code and folded name, read in two queries."""

    def __init__(self):
        subgroups = list(
            ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET).order_by(
                "group__position", "position"
            )
        )
        self.by_code = {subgroup.code: subgroup for subgroup in subgroups}
        self.by_name = {}
        for subgroup in sorted(subgroups, key=lambda s: s.is_broad):  # a real sub-group wins a shared name
            self.by_name.setdefault(_key(subgroup.name), subgroup)
        # "Thực phẩm tươi sống: rau, củ, quả, hạt tươi" is often written by its own part ("Rau, củ, quả, hạt tươi").
        self.leaf_names = []
        for subgroup in subgroups:
            if subgroup.is_broad:
                continue
            names = {_key(subgroup.name), _key(subgroup.name.split(":", 1)[-1])}
            self.leaf_names.extend((name, subgroup) for name in names)
            self.by_name.setdefault(_key(subgroup.name.split(":", 1)[-1]), subgroup)
        by_group: dict[int, list[ProductSubGroup]] = {}
        for subgroup in subgroups:
            if not subgroup.is_broad:
                by_group.setdefault(subgroup.group_id, []).append(subgroup)
        for group in ProductGroup.objects.filter(rule_set__code=CURRENT_RULE_SET):
            members = by_group.get(group.pk, [])
            # A group with one sub-group is that sub-group; with several, its broad level of the same code.
            chosen = members[0] if len(members) == 1 else self.by_code.get(group.code)
            if chosen is not None:
                self.by_name.setdefault(_key(group.name), chosen)
        for name, code in FORMER_GROUP_NAMES.items():
            if code in self.by_code:
                self.by_name.setdefault(name, self.by_code[code])

    def resolve(self, text: str) -> GroupMatch:
        text = (text or "").strip()
        found = self._one(text)
        if found is None:
            # Two levels in one cell: the most specific part that is understood.
            parts = [part for part in LEVEL_SEPARATORS.split(text) if part.strip()]
            found = next((self._one(part) for part in reversed(parts) if self._one(part)), None)
        if found is None:
            return GroupMatch(None, "group_unknown")
        return GroupMatch(found)

    def _one(self, text: str) -> ProductSubGroup | None:
        match = GROUP_CODE_RE.match(text.strip())
        if match and match.group(1) in self.by_code:
            return self.by_code[match.group(1)]
        key = _key(text)
        if not key:
            return None
        if key in self.by_name:
            return self.by_name[key]
        # The start of exactly one sub-group's name ("Gạo, ngũ cốc" for "Gạo, ngũ cốc, hạt").
        starting = {subgroup.pk: subgroup for name, subgroup in self.leaf_names if name.startswith(key + " ")}
        return next(iter(starting.values())) if len(starting) == 1 else None
