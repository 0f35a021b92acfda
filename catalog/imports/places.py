"""Producers' addresses as lists write them, placed on today's units (the 2025 provinces and wards).

Lists decided before 1 July 2025 write the old three tiers ("Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng"), and
often the district alone ("huyện Cầu Kè, tỉnh Trà Vinh"). A former ward maps to one ward of today through the
former-ward table; a former district became several wards, so such an address keeps its province (known for
certain: provinces merged whole) and its former district, and the ward is left for staff to complete.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

from vietnamadminunits import ParseMode, parse_address

from accounts.models import LegacyWard, Ward
from catalog.imports.columns import header_key

DISTRICT_PREFIXES = ("huyen ", "thi xa ", "quan ", "thanh pho ", "tp ")
WARD_PREFIXES = ("xa ", "phuong ", "thi tran ")


@dataclass(frozen=True)
class ParsedAddress:
    text: str
    street: str
    legacy_code: str | None = None  # a former ward's code
    legacy_ward: str = ""
    legacy_district: str = ""  # the former district (and province) the parser recognised
    legacy_province: str = ""
    modern_code: str | None = None  # a ward of today, for an address already written in today's units


@dataclass
class Place:
    """Where a row's producer is: today's province always; the ward when the address names one."""

    province_id: str
    province_name: str
    ward: Ward | None
    former_district: str
    street: str

    @property
    def converted(self) -> str:
        local = self.ward.name if self.ward else self.former_district
        return ", ".join(part for part in (self.street, local, self.province_name) if part)


def address_parse(text: str, *, hints: tuple[str, ...] = ()) -> ParsedAddress:
    """Parse one address; section headings above the row ("Huyện Cầu Kè") complete one that stops short."""
    parsed = _parse(text)
    if parsed.legacy_code or parsed.modern_code or parsed.legacy_district or not hints:
        return parsed
    hinted = _parse(", ".join([text, *reversed(hints)]))
    # A hint adds the units above; a ward still has to be written in the address itself.
    if hinted.legacy_code and not _names(hinted.legacy_ward, text):
        hinted = replace(hinted, legacy_code=None)
    if hinted.legacy_code or (hinted.legacy_province and not parsed.legacy_province):
        return replace(hinted, text=text)
    return parsed


def _unit_core(unit: str, prefixes: tuple[str, ...]) -> str:
    """A unit's own name, folded, without the word that says its tier ("Xã Hòa Tân" -> "hoa tan")."""
    core = header_key(unit)
    prefix = next((prefix for prefix in prefixes if core.startswith(prefix)), "")
    return core[len(prefix) :]


def _names(unit: str, text: str) -> bool:
    """Whether an address writes a unit's own name ("Hòa Tân" of "Xã Hòa Tân")."""
    core = _unit_core(unit, WARD_PREFIXES)
    return bool(core) and f" {core} " in f" {header_key(text)} "


@lru_cache(maxsize=4096)  # a list repeats its producers' addresses; parsing one takes about a millisecond
def _parse(text: str) -> ParsedAddress:
    legacy = parse_address(text, mode=ParseMode.LEGACY, keep_street=True, level=3)
    if legacy.ward_code:
        return ParsedAddress(
            text,
            legacy.street or "",
            legacy_code=str(legacy.ward_code),
            legacy_ward=legacy.ward or "",
            legacy_district=legacy.district or "",
        )
    modern = parse_address(text, mode=ParseMode.FROM_2025, keep_street=True, level=2)
    # The 2025 parser matches short names anywhere; accept its ward only when the address writes its full name,
    # so "Xã Không Có, Huyện Mỹ Xuyên" never becomes the "Phường Mỹ Xuyên" that happens to share a word.
    if modern.ward_code and modern.ward and f" {header_key(modern.ward)} " in f" {header_key(text)} ":
        return ParsedAddress(text, modern.street or "", modern_code=str(modern.ward_code))
    district = legacy.district or ""
    return ParsedAddress(
        text,
        _street_before(text, district or legacy.province or ""),
        legacy_district=district,
        legacy_province=legacy.province or "",
    )


def _street_before(text: str, unit: str) -> str:
    """The parts of an address before the one that names a unit ("Ấp Phú Thành, huyện Cầu Kè" -> "Ấp Phú Thành")."""
    core = _unit_core(unit, (*DISTRICT_PREFIXES, "tinh "))
    if not core:
        return ""
    parts = [part.strip() for part in text.split(",")]
    for index, part in enumerate(parts):
        if f" {core} " in f" {header_key(part)} ":
            return ", ".join(parts[:index])
    return ""


class PlaceBook:
    """Today's units for a whole file's addresses, read in three queries whatever the number of rows."""

    def __init__(self, addresses: list[ParsedAddress]):
        legacy_codes = {a.legacy_code for a in addresses if a.legacy_code}
        modern_codes = {a.modern_code for a in addresses if a.modern_code}
        provinces = {a.legacy_province for a in addresses if a.legacy_province and not a.legacy_code}
        self.legacy: dict[str, list[LegacyWard]] = {}
        for former in LegacyWard.objects.filter(code__in=legacy_codes).select_related("ward__province"):
            self.legacy.setdefault(former.code, []).append(former)
        self.modern = {w.code: w for w in Ward.objects.filter(code__in=modern_codes).select_related("province")}
        # A former province (and each of its districts) lies in exactly one province of today.
        self.today: dict[tuple[str, str], tuple[str, str]] = {}
        for row in (
            LegacyWard.objects.filter(province_name__in=provinces, ward__isnull=False)
            .values_list("province_name", "district_name", "ward__province_id", "ward__province__name")
            .distinct()
        ):
            province_name, district_name, province_id, today_name = row
            self.today[(province_name, district_name)] = (province_id, today_name)
            self.today[(province_name, "")] = (province_id, today_name)

    def place(self, parsed: ParsedAddress) -> tuple[Place | None, str, dict]:
        """The place of an address, or None with an error code and its parameters."""
        if parsed.legacy_code:
            return self._former_ward(parsed)
        if parsed.modern_code and parsed.modern_code in self.modern:
            ward = self.modern[parsed.modern_code]
            return Place(ward.province_id, ward.province.name, ward, "", parsed.street[:255]), "", {}
        today = self.today.get((parsed.legacy_province, parsed.legacy_district)) or self.today.get(
            (parsed.legacy_province, "")
        )
        if today is None:
            return None, "address_unknown", {"value": parsed.text}
        district = parsed.legacy_district if (parsed.legacy_province, parsed.legacy_district) in self.today else ""
        return Place(today[0], today[1], None, district, parsed.street[:255]), "", {}

    def _former_ward(self, parsed: ParsedAddress):
        candidates = self.legacy.get(parsed.legacy_code, [])
        # A former ward's code is unique within its district; the district the address names picks among them.
        former = next((c for c in candidates if c.district_name == parsed.legacy_district), None) or (
            candidates[0] if candidates else None
        )
        if former is None:
            return None, "address_unknown", {"value": parsed.text}
        if former.ward is None:
            return (
                None,
                "address_no_current_ward",
                {"ward": former.name, "district": former.district_name, "province": former.province_name},
            )
        ward = former.ward
        return Place(ward.province_id, ward.province.name, ward, "", parsed.street[:255]), "", {}
