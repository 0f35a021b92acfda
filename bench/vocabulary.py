"""The words of the generated catalogue: real product terms first, then a long Zipf tail.

A real catalogue is not uniform: a few words ("sản phẩm", "gạo", "bánh") are in a large share of the
products, most words are rare. Product names are built from the product terms of DOMAIN.md and the
demo data (by OCOP sub-group), a variant and a brand; descriptions draw their filler words from a
ranked vocabulary (common Vietnamese words, then generated Vietnamese syllables and trade names —
search folds tones, so the distinct search terms come mostly from brands and pack sizes, as in a real
catalogue) with Zipf weights,
so that a typical two-word query matches hundreds to a few thousand products, not a third of them.
"""

import itertools
import random
import unicodedata

# Sub-group code -> (Vietnamese term, English term), most frequent first.
SUBGROUP_TERMS = {
    "1.1.1": [
        ("Hành tím", "Purple shallot"),
        ("Bưởi Năm Roi", "Nam Roi pomelo"),
        ("Xoài cát Hòa Lộc", "Hoa Loc mango"),
        ("Tỏi", "Garlic"),
        ("Nấm rơm", "Straw mushroom"),
        ("Dừa sáp", "Wax coconut"),
        ("Mãng cầu xiêm", "Soursop"),
        ("Sầu riêng", "Durian"),
        ("Chôm chôm", "Rambutan"),
        ("Thanh long", "Dragon fruit"),
        ("Cam sành", "King orange"),
        ("Khoai lang tím", "Purple sweet potato"),
        ("Rau má", "Pennywort"),
        ("Bưởi da xanh", "Green-skin pomelo"),
        ("Mận hồng đào", "Rose apple"),
        ("Vú sữa", "Star apple"),
        ("Dưa lưới", "Melon"),
        ("Ớt chỉ thiên", "Bird's eye chilli"),
    ],
    "1.1.2": [
        ("Yến sào", "Bird's nest"),
        ("Sữa tươi", "Fresh milk"),
        ("Trứng vịt", "Duck eggs"),
        ("Tôm sú", "Tiger prawn"),
        ("Cá tra", "Pangasius"),
        ("Cua biển", "Mud crab"),
        ("Cá lóc đồng", "Snakehead fish"),
        ("Heo rừng lai", "Crossbred wild pig"),
        ("Gà thả vườn", "Free-range chicken"),
        ("Sò huyết", "Blood cockle"),
    ],
    "1.2.1": [
        ("Gạo ST25", "ST25 rice"),
        ("Gạo ST24", "ST24 rice"),
        ("Gạo thơm", "Fragrant rice"),
        ("Gạo sữa", "Milk rice"),
        ("Gạo lứt", "Brown rice"),
        ("Nếp cẩm", "Black glutinous rice"),
        ("Gạo hữu cơ", "Organic rice"),
        ("Đậu xanh", "Mung beans"),
        ("Hạt sen", "Lotus seeds"),
    ],
    "1.2.2": [
        ("Mật ong hoa tràm", "Melaleuca honey"),
        ("Mật hoa dừa", "Coconut nectar"),
        ("Hạt điều", "Cashew nuts"),
        ("Đường thốt nốt", "Palm sugar"),
        ("Mật ong rừng", "Wild honey"),
        ("Tinh bột nghệ", "Turmeric starch"),
    ],
    "1.3.1": [
        ("Bánh cống", "Banh cong fritters"),
        ("Hủ tiếu", "Hu tieu noodles"),
        ("Bún nước lèo", "Khmer noodle soup"),
        ("Cơm cháy", "Crispy rice"),
        ("Chả giò", "Spring rolls"),
    ],
    "1.3.2": [
        ("Bánh pía", "Pia cake"),
        ("Bánh tráng", "Rice paper"),
        ("Bánh in", "Banh in cake"),
        ("Bánh phồng tôm", "Prawn crackers"),
        ("Bún tươi", "Fresh rice vermicelli"),
        ("Bánh bò thốt nốt", "Palm sugar sponge cake"),
        ("Bánh tét", "Banh tet"),
        ("Bánh ít lá gai", "Ramie leaf cake"),
        ("Bánh phồng", "Rice crackers"),
        ("Cốm dẹp", "Flattened rice"),
    ],
    "1.3.3": [
        ("Mứt mận", "Candied plum"),
        ("Chuối sấy dẻo", "Dried banana"),
        ("Kẹo dừa", "Coconut candy"),
        ("Củ cải muối", "Salted radish"),
        ("Mận đường", "Sugared plum"),
        ("Xoài sấy", "Dried mango"),
        ("Mít sấy", "Dried jackfruit"),
        ("Dưa kiệu", "Pickled scallion"),
    ],
    "1.3.4": [
        ("Lạp xưởng", "Chinese sausage"),
        ("Khô cá lóc", "Dried snakehead fish"),
        ("Khô trâu", "Dried buffalo meat"),
        ("Tôm khô", "Dried shrimp"),
        ("Chả cá thác lác", "Featherback fish cake"),
        ("Khô cá sặc rằn", "Dried snakeskin gourami"),
        ("Khô cá dứa", "Dried pangasius"),
        ("Nem chua", "Fermented pork roll"),
        ("Trứng vịt muối", "Salted duck eggs"),
    ],
    "1.4.1": [
        ("Nước mắm", "Fish sauce"),
        ("Mắm cá lóc", "Fermented snakehead fish"),
        ("Tương ớt", "Chilli sauce"),
        ("Mắm tôm chua", "Sour shrimp paste"),
        ("Mắm bò hóc", "Prahok fish paste"),
        ("Nước tương", "Soy sauce"),
    ],
    "1.4.2": [
        ("Muối tôm", "Shrimp salt"),
        ("Bột nghệ", "Turmeric powder"),
        ("Tiêu đen", "Black pepper"),
        ("Muối ớt", "Chilli salt"),
        ("Sả sấy", "Dried lemongrass"),
    ],
    "1.5.1": [
        ("Chè xanh", "Green tea"),
        ("Chè Shan tuyết", "Shan tuyet tea"),
        ("Trà ô long", "Oolong tea"),
    ],
    "1.5.2": [
        ("Trà mãng cầu", "Soursop tea"),
        ("Trà sen", "Lotus tea"),
        ("Trà atiso", "Artichoke tea"),
        ("Trà đông trùng hạ thảo", "Cordyceps tea"),
        ("Trà gừng", "Ginger tea"),
        ("Trà khổ qua rừng", "Wild bitter melon tea"),
    ],
    "1.6.1": [
        ("Cà phê rang xay", "Ground coffee"),
        ("Cà phê hạt", "Coffee beans"),
        ("Ca cao", "Cocoa"),
    ],
    "2.1.1": [("Rượu nếp than", "Black glutinous rice wine"), ("Rượu đế", "Rice spirit")],
    "2.1.2": [("Rượu vang mãng cầu", "Soursop wine"), ("Rượu sim", "Rose myrtle wine")],
    "2.2.1": [("Nước uống đóng chai", "Bottled water"), ("Nước khoáng", "Mineral water")],
    "2.2.2": [("Nước ép mãng cầu", "Soursop juice"), ("Nước cốt dừa", "Coconut milk"), ("Sữa đậu nành", "Soy milk")],
    "3.1.1": [("Cao dược liệu", "Herbal extract"), ("Viên nghệ mật ong", "Turmeric honey pills")],
    "3.2.1": [("Xà bông thảo mộc", "Herbal soap"), ("Dầu gội bồ kết", "Soapberry shampoo")],
    "3.3.1": [("Tinh dầu tràm", "Cajeput oil"), ("Tinh dầu sả", "Lemongrass oil")],
    "4.1.1": [
        ("Nón lá", "Conical hat"),
        ("Giỏ lục bình", "Water hyacinth basket"),
        ("Mâm tre đan", "Woven bamboo tray"),
        ("Chiếu cói", "Sedge mat"),
        ("Gốm đỏ", "Red pottery"),
    ],
    "4.2.1": [("Khăn rằn", "Checked scarf"), ("Vải thổ cẩm", "Brocade cloth")],
    "5.1.1": [("Hoa lan", "Orchids"), ("Hoa kiểng", "Ornamental flowers")],
    "5.2.1": [("Mai vàng", "Yellow apricot tree"), ("Bonsai", "Bonsai")],
    "5.3.1": [("Cá cảnh", "Ornamental fish")],
    "6.1.1": [("Du lịch sinh thái", "Eco-tourism"), ("Điểm du lịch cộng đồng", "Community tourism site")],
}

# Share of products per sub-group: food first, as in every province's OCOP list.
SUBGROUP_WEIGHTS = {
    "1.1.1": 11,
    "1.1.2": 6,
    "1.2.1": 8,
    "1.2.2": 5,
    "1.3.1": 3,
    "1.3.2": 12,
    "1.3.3": 8,
    "1.3.4": 9,
    "1.4.1": 5,
    "1.4.2": 3,
    "1.5.1": 2,
    "1.5.2": 5,
    "1.6.1": 3,
    "2.1.1": 2,
    "2.1.2": 1,
    "2.2.1": 1,
    "2.2.2": 2,
    "3.1.1": 2,
    "3.2.1": 2,
    "3.3.1": 2,
    "4.1.1": 4,
    "4.2.1": 1,
    "5.1.1": 1,
    "5.2.1": 1,
    "5.3.1": 0.5,
    "6.1.1": 0.5,
}

VARIANTS = [
    "sầu riêng",
    "trứng muối",
    "đậu xanh",
    "khoai môn",
    "đặc biệt",
    "loại 1",
    "hữu cơ",
    "truyền thống",
    "cao cấp",
    "thượng hạng",
    "nguyên chất",
    "ít đường",
    "cay",
    "một nắng",
    "sấy lạnh",
    "túi lọc",
    "hộp quà",
    "lá dứa",
    "mè đen",
    "thốt nốt",
]


def _split(text: str, separator: str | None = None) -> list[str]:
    return [item.strip() for item in text.split(separator) if item.strip()]


# Frequent words and phrases of product descriptions, most frequent first (the head of the Zipf curve).
COMMON_PHRASES = _split(
    "và, của, được, sản phẩm, từ, với, có, là, cho, tại, không, theo, làm, một, các, những, nhiều, đã, "
    "trong, người dân, nguyên liệu, địa phương, chất lượng, an toàn, thực phẩm, quy trình, truyền thống, "
    "hương vị, thơm ngon, tự nhiên, đóng gói, tiện lợi, phù hợp, quà biếu, bày bán, siêu thị, vùng đất, "
    "miền Tây, Nam Bộ, đặc sản, chế biến, bảo quản, nơi khô ráo, thoáng mát, tránh ánh nắng, sử dụng, hạn "
    "dùng, ngày, sau khi mở, bao bì, đạt tiêu chuẩn, vệ sinh, chứng nhận, nguồn gốc, rõ ràng, truy xuất, mã "
    "vạch, cơ sở, hợp tác xã, hộ kinh doanh, gia đình, lâu năm, kinh nghiệm, tay nghề, khéo léo, tỉ mỉ, "
    "tươi, sạch, chọn lọc, kỹ càng, giữ trọn, vị ngọt, béo, bùi, giòn, dẻo, thanh mát, bổ dưỡng, tốt cho "
    "sức khỏe, người già, trẻ em, mọi lứa tuổi, dịp lễ, tết, bạn bè, đối tác, khách hàng, trong nước, "
    "ngoài nước, xuất khẩu, thị trường, thương hiệu, uy tín, giải thưởng, hội chợ, triển lãm, kết nối cung "
    "cầu, nhà phân phối, cửa hàng, điểm giới thiệu, trực tuyến, sàn thương mại điện tử, giao hàng, toàn "
    "quốc, đơn đặt, số lượng lớn, giá sỉ, giá lẻ, hấp dẫn, ưu đãi, mùa vụ, thu hoạch, chăm sóc, canh tác, "
    "nông nghiệp sạch, hữu cơ, không chất bảo quản, phẩm màu, hóa chất, máy móc hiện đại, kết hợp, thủ "
    "công, bí quyết, gia truyền, ông bà, cha mẹ, để lại, phát triển bền vững, bảo vệ môi trường, tạo việc "
    "làm, lao động nông thôn, phụ nữ, thu nhập, ổn định",
    ",",
)

ENGLISH_WORDS = _split(
    "the and of made from local ingredients traditional process quality safe food packed convenient "
    "gift supermarket region delta southern specialty processed store dry cool place away sunlight use "
    "within days after opening meets standard hygiene certified origin traceable barcode cooperative "
    "household family business years experience skilled careful fresh clean selected sweet rich crispy "
    "soft healthy nutritious elderly children all ages holiday friends partners customers domestic export "
    "market brand trusted award fair exhibition distributor shop showroom online delivery nationwide bulk "
    "order wholesale retail price season harvest farming organic natural no preservatives colouring "
    "chemicals modern machinery handmade recipe generations sustainable environment jobs rural women income"
)

# Syllables of Vietnamese personal and place names, for brands ("Hải Sơn", "Út Hiền", "Thuận Phát").
NAME_SYLLABLES = _split(
    "An Anh Bảo Bích Bình Cẩm Chí Cường Danh Diệp Dũng Duy Đạt Đức Giang Hà Hải Hạnh Hằng Hậu Hiền Hiếu "
    "Hòa Hoàng Hồng Huê Hùng Hưng Hương Khánh Khang Kiên Kim Lan Liên Linh Loan Lộc Long Lợi Mai Minh Mỹ "
    "Nam Nga Ngân Ngọc Nguyên Nhân Nhi Nhung Phát Phong Phú Phúc Phương Quang Quế Quý Sang Sơn Tài Tâm "
    "Tân Thái Thanh Thành Thảo Thịnh Thoa Thu Thủy Thuận Tiến Toàn Trang Trí Trinh Trọng Trung Tú Tuấn "
    "Tùng Tươi Uyên Vân Viên Việt Vinh Vĩnh Xuân Yến Hai Ba Tư Năm Sáu Bảy Tám Chín Út Cô Chú Bác"
)

ONSETS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
# Rhymes with the index of the vowel that carries the tone mark.
RHYMES = [
    ("a", 0),
    ("ai", 0),
    ("am", 0),
    ("an", 0),
    ("ang", 0),
    ("anh", 0),
    ("ao", 0),
    ("au", 0),
    ("ay", 0),
    ("ac", 0),
    ("ach", 0),
    ("at", 0),
    ("ăm", 0),
    ("ăn", 0),
    ("ăng", 0),
    ("ăc", 0),
    ("ăt", 0),
    ("âm", 0),
    ("ân", 0),
    ("âng", 0),
    ("âu", 0),
    ("ây", 0),
    ("âc", 0),
    ("ât", 0),
    ("e", 0),
    ("em", 0),
    ("en", 0),
    ("eo", 0),
    ("ec", 0),
    ("et", 0),
    ("ê", 0),
    ("êm", 0),
    ("ên", 0),
    ("ênh", 0),
    ("êu", 0),
    ("êch", 0),
    ("êt", 0),
    ("i", 0),
    ("ia", 0),
    ("im", 0),
    ("in", 0),
    ("inh", 0),
    ("iu", 0),
    ("ich", 0),
    ("it", 0),
    ("iêm", 1),
    ("iên", 1),
    ("iêng", 1),
    ("iêu", 1),
    ("iêt", 1),
    ("o", 0),
    ("oa", 1),
    ("oai", 1),
    ("oan", 1),
    ("oang", 1),
    ("oanh", 1),
    ("oat", 1),
    ("oe", 1),
    ("oi", 0),
    ("om", 0),
    ("on", 0),
    ("ong", 0),
    ("oc", 0),
    ("ot", 0),
    ("ô", 0),
    ("ôi", 0),
    ("ôm", 0),
    ("ôn", 0),
    ("ông", 0),
    ("ôc", 0),
    ("ôt", 0),
    ("ơ", 0),
    ("ơi", 0),
    ("ơm", 0),
    ("ơn", 0),
    ("ơt", 0),
    ("u", 0),
    ("ua", 0),
    ("ui", 0),
    ("um", 0),
    ("un", 0),
    ("ung", 0),
    ("uc", 0),
    ("ut", 0),
    ("uy", 1),
    ("uyên", 2),
    ("uôi", 1),
    ("uôn", 1),
    ("uông", 1),
    ("uôc", 1),
    ("uôt", 1),
    ("ư", 0),
    ("ưa", 0),
    ("ưi", 0),
    ("ưng", 0),
    ("ưc", 0),
    ("ưt", 0),
    ("ươi", 1),
    ("ươn", 1),
    ("ương", 1),
    ("ươc", 1),
    ("ươt", 1),
    ("ưu", 0),
]
# No tone, huyền, sắc, hỏi, ngã, nặng. Rhymes ending in c/ch/t/p take only sắc or nặng.
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
STOP_ENDINGS = ("c", "ch", "t", "p")
VOWELS = set("aăâeêioôơuưy")


def _syllable(onset: str, rhyme: str, tone_at: int, tone: str) -> str:
    vowel_positions = [i for i, char in enumerate(rhyme) if char in VOWELS]
    position = vowel_positions[min(tone_at, len(vowel_positions) - 1)]
    marked = rhyme[: position + 1] + tone + rhyme[position + 1 :]
    return unicodedata.normalize("NFC", onset + marked)


def generated_syllables() -> list[str]:
    """Plausible Vietnamese syllables (onset + rhyme + tone), in a fixed order."""
    result = []
    for onset, (rhyme, tone_at) in itertools.product(ONSETS, RHYMES):
        # Spelling rules: k before e/ê/i, c elsewhere; "qu" needs no "u" after it; "gi" + "i" is "gi".
        if (onset == "c" and rhyme[0] in "eêi") or (onset == "k" and rhyme[0] not in "eêi"):
            continue
        if onset in ("qu", "gi") and rhyme[0] in "uiư":
            continue
        tones = TONES[2::3] if rhyme.endswith(STOP_ENDINGS) else TONES
        result.extend(_syllable(onset, rhyme, tone_at, tone) for tone in tones)
    return result


def trade_names(rng: random.Random) -> list[str]:
    """Words of a catalogue that are not dictionary syllables: brand names written as one unaccented word
    of two name syllables ("Tanphat", "Hoanglong"), and pack sizes ("250g", "500ml"). They make most of the
    distinct search terms of a real catalogue, because search folds the tones of the syllables together."""
    from catalog.search import fold

    plain = sorted({fold(syllable).lower() for syllable in NAME_SYLLABLES})
    names = {a + b for a, b in itertools.product(plain, plain) if a != b}
    sizes = {f"{amount}{unit}" for amount in (50, 100, 150, 200, 250, 300, 400, 500, 750, 900) for unit in ("g", "ml")}
    result = sorted(names) + sorted(sizes)
    rng.shuffle(result)
    return result


def ranked_vocabulary(seed: int, size: int = 9000) -> list[str]:
    """Description words and phrases by rank: the common phrases, then a seeded mix of generated syllables
    and trade names.

    The generated tail pairs some syllables into two-syllable words, as Vietnamese writes compounds.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not a secret
    common = set(COMMON_PHRASES)
    tail = [word for word in generated_syllables() if word not in common]
    rng.shuffle(tail)
    names = iter(trade_names(rng))
    units = list(dict.fromkeys(COMMON_PHRASES))
    index = 0
    while len(units) < size and index < len(tail):
        draw = rng.random()
        name = next(names, None) if draw < 0.45 else None
        if name is not None:
            units.append(name)
        elif draw < 0.6 and index + 1 < len(tail):
            units.append(f"{tail[index]} {tail[index + 1]}")
            index += 2
        else:
            units.append(tail[index])
            index += 1
    return units


def zipf_cumulative_weights(count: int, exponent: float = 1.05) -> list[float]:
    """Cumulative weights of ranks 1..count for random.choices (weight of rank r is 1 / r**exponent)."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, count + 1)))
