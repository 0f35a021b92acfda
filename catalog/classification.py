"""The OCOP rule sets and product classification, as data the seed migration writes.

1489/QĐ-TTg (2025) changed who recognises what after districts were abolished; its score-sheet
maxima and groups are taken as those of 148/QĐ-TTg (2023) until the province records otherwise.
"""

import datetime

RULE_SETS = [
    {
        "code": "1048/2019",
        "name": "Quyết định 1048/QĐ-TTg ngày 21/8/2019",
        "decision_date": datetime.date(2019, 8, 21),
        "maxima": (35, 25, 40),
    },
    {
        "code": "148/2023",
        "name": "Quyết định 148/QĐ-TTg ngày 24/2/2023",
        "decision_date": datetime.date(2023, 2, 24),
        "maxima": (40, 25, 35),
    },
    {
        "code": "1489/2025",
        "name": "Quyết định 1489/QĐ-TTg ngày 6/7/2025",
        "decision_date": datetime.date(2025, 7, 6),
        "maxima": (40, 25, 35),
    },
]

# The rule set whose product groups the portal classifies by: 1489/2025 kept the groups of 148/2023.
CURRENT_RULE_SET = "148/2023"

# (code, name, English name, [(sub-group code, name, English name), …])
GROUPS_148_2023 = [
    (
        "1",
        "Thực phẩm",
        "Food",
        [
            (
                "1.1.1",
                "Thực phẩm tươi sống: rau, củ, quả, hạt tươi",
                "Fresh food: vegetables, tubers, fruit, fresh nuts",
            ),
            (
                "1.1.2",
                "Thực phẩm tươi sống: thịt, thủy sản, trứng, sữa tươi",
                "Fresh food: meat, seafood, eggs, fresh milk",
            ),
            ("1.2.1", "Thực phẩm thô, sơ chế: gạo, ngũ cốc, hạt", "Raw food: rice, cereals, grains"),
            ("1.2.2", "Thực phẩm thô, sơ chế: mật ong và nông sản khác", "Raw food: honey and other farm produce"),
            ("1.3.1", "Thực phẩm chế biến: đồ ăn nhanh", "Processed food: ready meals"),
            ("1.3.2", "Thực phẩm chế biến từ gạo, ngũ cốc", "Processed food from rice and cereals"),
            ("1.3.3", "Thực phẩm chế biến từ rau, củ, quả, hạt", "Processed food from vegetables, fruit and nuts"),
            (
                "1.3.4",
                "Thực phẩm chế biến từ thịt, trứng, sữa, thủy sản",
                "Processed food from meat, eggs, milk, seafood",
            ),
            ("1.4.1", "Gia vị: tương, nước mắm, gia vị lỏng", "Condiments: sauces, fish sauce, liquid seasonings"),
            ("1.4.2", "Gia vị khác", "Other condiments"),
            ("1.5.1", "Chè tươi, chè chế biến", "Tea, fresh and processed"),
            ("1.5.2", "Chè từ thực vật khác", "Herbal and other plant teas"),
            ("1.6.1", "Cà phê, ca cao", "Coffee, cocoa"),
        ],
    ),
    (
        "2",
        "Đồ uống",
        "Beverages",
        [
            ("2.1.1", "Đồ uống có cồn: rượu trắng", "Alcoholic: white spirits"),
            ("2.1.2", "Đồ uống có cồn khác", "Other alcoholic beverages"),
            ("2.2.1", "Nước khoáng, nước uống đóng chai", "Mineral and bottled water"),
            ("2.2.2", "Đồ uống không cồn", "Non-alcoholic beverages"),
        ],
    ),
    (
        "3",
        "Dược liệu và sản phẩm từ dược liệu",
        "Herbal products",
        [
            (
                "3.1.1",
                "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
                "Supplements, herbal and traditional medicines",
            ),
            ("3.2.1", "Mỹ phẩm từ dược liệu", "Herbal cosmetics"),
            ("3.3.1", "Tinh dầu và dược liệu khác", "Essential oils and other herbal products"),
        ],
    ),
    (
        "4",
        "Hàng thủ công mỹ nghệ",
        "Handicrafts",
        [
            ("4.1.1", "Thủ công mỹ nghệ gia dụng, trang trí", "Household and decorative handicrafts"),
            ("4.2.1", "Vải, may mặc", "Textiles and garments"),
        ],
    ),
    (
        "5",
        "Sinh vật cảnh",
        "Ornamental plants and animals",
        [
            ("5.1.1", "Hoa", "Flowers"),
            ("5.2.1", "Cây cảnh", "Ornamental plants"),
            ("5.3.1", "Động vật cảnh", "Ornamental animals"),
        ],
    ),
    (
        "6",
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
        "Community and eco-tourism services",
        [
            (
                "6.1.1",
                "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
                "Community and eco-tourism services",
            )
        ],
    ),
]

GROUPS_1048_2019 = [
    ("1", "Thực phẩm", "Food", [("1", "Thực phẩm", "Food")]),
    ("2", "Đồ uống", "Beverages", [("2", "Đồ uống", "Beverages")]),
    ("3", "Thảo dược", "Herbal products", [("3", "Thảo dược", "Herbal products")]),
    ("4", "Vải và may mặc", "Textiles and garments", [("4", "Vải và may mặc", "Textiles and garments")]),
    (
        "5",
        "Lưu niệm – nội thất – trang trí",
        "Souvenirs, furniture, decoration",
        [("5", "Lưu niệm – nội thất – trang trí", "Souvenirs, furniture, decoration")],
    ),
    (
        "6",
        "Dịch vụ du lịch nông thôn, bán hàng",
        "Rural tourism and sales services",
        [("6", "Dịch vụ du lịch nông thôn, bán hàng", "Rural tourism and sales services")],
    ),
]

GROUPS_BY_RULE_SET = {"1048/2019": GROUPS_1048_2019, CURRENT_RULE_SET: GROUPS_148_2023}

# The levels of 148/2023 above its sub-groups that hold more than one of them: a published list often classifies a
# product only this far ("Thực phẩm chế biến", "Gia vị", "Đồ uống có cồn", or the group itself). Kept as sub-groups
# marked broad, so that such a product is recorded at the level given until staff choose its sub-group.
# (group code, code, name, English name)
BROAD_148_2023 = [
    ("1", "1", "Thực phẩm", "Food"),
    ("1", "1.1", "Thực phẩm tươi sống", "Fresh food"),
    ("1", "1.2", "Thực phẩm thô, sơ chế", "Raw and minimally processed food"),
    ("1", "1.3", "Thực phẩm chế biến", "Processed food"),
    ("1", "1.4", "Gia vị", "Condiments"),
    ("1", "1.5", "Chè", "Tea"),
    ("2", "2", "Đồ uống", "Beverages"),
    ("2", "2.1", "Đồ uống có cồn", "Alcoholic beverages"),
    ("3", "3", "Dược liệu và sản phẩm từ dược liệu", "Herbal products"),
    ("4", "4", "Hàng thủ công mỹ nghệ", "Handicrafts"),
    ("5", "5", "Sinh vật cảnh", "Ornamental plants and animals"),
]
# Names of 1048/2019 (and other words lists use) and the 148/2023 code they stand for, folded.
FORMER_GROUP_NAMES = {
    "thao duoc": "3",
    "vai va may mac": "4.2.1",
    "vai may mac": "4.2.1",
    "luu niem noi that trang tri": "4.1.1",
    "dich vu du lich nong thon ban hang": "6.1.1",
    "dich vu du lich": "6.1.1",
    "thu cong my nghe": "4",
    "do uong khong con": "2.2.2",
}


def seed_classification(RuleSet, ProductGroup, ProductSubGroup) -> None:
    """Create or update the rule sets, groups and sub-groups (idempotent)."""
    for spec in RULE_SETS:
        max_a, max_b, max_c = spec["maxima"]
        rule_set, _ = RuleSet.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "decision_date": spec["decision_date"],
                "max_section_a": max_a,
                "max_section_b": max_b,
                "max_section_c": max_c,
            },
        )
        for group_position, (code, name, name_en, subgroups) in enumerate(GROUPS_BY_RULE_SET.get(spec["code"], [])):
            group, _ = ProductGroup.objects.update_or_create(
                rule_set=rule_set,
                code=code,
                defaults={"name": name, "name_en": name_en, "position": group_position},
            )
            for position, (sub_code, sub_name, sub_name_en) in enumerate(subgroups):
                ProductSubGroup.objects.update_or_create(
                    group=group,
                    code=sub_code,
                    defaults={"name": sub_name, "name_en": sub_name_en, "position": position},
                )


def seed_broad_levels(ProductGroup, ProductSubGroup) -> None:
    """Create or update the broad levels of 148/2023 (idempotent; migration 0007, after the field exists)."""
    for group_code, code, name, name_en in BROAD_148_2023:
        group = ProductGroup.objects.get(rule_set__code=CURRENT_RULE_SET, code=group_code)
        ProductSubGroup.objects.update_or_create(
            group=group,
            code=code,
            defaults={"name": name, "name_en": name_en, "position": 100 + len(code), "is_broad": True},
        )
