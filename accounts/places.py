"""The administrative units of 2025 and the former ones, loaded from `vietnamadminunits` (MIT).

The loader takes the model classes as arguments so the data migration can pass its historical
models and `manage.py load_admin_units` the current ones; a second run changes nothing.
"""

import json
import sqlite3
from pathlib import Path


def _dataset_dir() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


def _rows(sql: str) -> list[dict]:
    with sqlite3.connect(_dataset_dir() / "dataset.db") as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(sql)]


def _legacy_to_new_ward_keys() -> dict[str, tuple[str, str]]:
    """Map 'oldprovince_olddistrict_oldward' keys to (new province key, new ward key)."""
    data = json.loads((_dataset_dir() / "converter_2025.json").read_text(encoding="utf-8"))
    mapping: dict[str, tuple[str, str]] = {}
    for province_key, wards in data["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            for old_key in old_keys:
                mapping[old_key] = (province_key, ward_key)
    # A former ward split between several new ones maps to the one the dataset marks as default.
    for province_key, old_wards in data["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, candidates in old_wards.items():
            default = next((c for c in candidates if c.get("isDefaultNewWard")), candidates[0])
            mapping[old_key] = (province_key, default["newWardKey"])
    return mapping


def load_admin_units(Province, Ward, LegacyWard) -> dict[str, int]:
    """Insert or update every province, ward and former ward; return the counts."""
    units = _rows(
        "SELECT provinceCode, province, provinceShort, provinceKey, wardCode, ward, wardShort, wardType, wardKey"
        " FROM admin_units"
    )
    provinces = {}
    wards = []
    ward_code_by_key = {}
    for row in units:
        provinces[row["provinceCode"]] = Province(
            code=row["provinceCode"], name=row["province"], short_name=row["provinceShort"]
        )
        wards.append(
            Ward(
                code=row["wardCode"],
                province_id=row["provinceCode"],
                name=row["ward"],
                short_name=row["wardShort"],
                kind=row["wardType"],
            )
        )
        ward_code_by_key[(row["provinceKey"], row["wardKey"])] = row["wardCode"]
    Province.objects.bulk_create(
        provinces.values(), update_conflicts=True, unique_fields=["code"], update_fields=["name", "short_name"]
    )
    Ward.objects.bulk_create(
        wards,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["province", "name", "short_name", "kind"],
    )

    mapping = _legacy_to_new_ward_keys()
    legacy = []
    seen = set()
    for row in _rows(
        "SELECT wardCode, province, district, ward, provinceKey, districtKey, wardKey FROM admin_units_legacy"
    ):
        if not row["wardCode"]:
            continue  # island districts without wards
        key = (row["wardCode"], row["district"])
        if key in seen:
            continue
        seen.add(key)
        new_key = mapping.get(f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}")
        legacy.append(
            LegacyWard(
                code=row["wardCode"],
                province_name=row["province"],
                district_name=row["district"],
                name=row["ward"],
                ward_id=ward_code_by_key.get(new_key) if new_key else None,
            )
        )
    LegacyWard.objects.bulk_create(
        legacy,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code", "district_name"],
        update_fields=["province_name", "name", "ward"],
    )
    return {"provinces": len(provinces), "wards": len(wards), "legacy_wards": len(legacy)}
