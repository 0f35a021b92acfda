"""How a published list's producers, product groups and addresses are understood (catalog.imports names/groups/places)."""

import pytest

from catalog.imports.groups import Classification
from catalog.imports.names import is_close, legal_form_of, producer_and_representative, producer_key
from catalog.imports.places import PlaceBook, address_parse
from catalog.models import ProducerProfile
from catalog.search import fold
from tests.catalog.factories import ProducerFactory, ProductFactory, certify

LEGAL = ProducerProfile.LegalForm


# --- Producers' names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("HTX Nông nghiệp Mỹ Xuyên", "Hợp tác xã Nông nghiệp Mỹ Xuyên"),
        ("HTXNN Mỹ Xuyên", "Hợp tác xã nông nghiệp Mỹ Xuyên"),
        ("Cty TNHH MTV Cẩm Thiều", "Công ty Trách nhiệm hữu hạn Một thành viên Cẩm Thiều"),
        ("Công ty TNHH Tân Huê Viên", "CÔNG TY TRÁCH NHIỆM HỮU HẠN TÂN HUÊ VIÊN"),
        ("Hộ SXKD Trần Văn Tư", "Hộ sản xuất kinh doanh Trần Văn Tư"),
        ("DNTN Hải Sơn", "Doanh nghiệp tư nhân Hải Sơn"),
        ("THT Ba Rẫy", "Tổ hợp tác Ba Rẫy"),
        ("Cơ sở Ðường Phèn", "Cơ sở Đường Phèn"),
    ],
)
def test_one_producer_written_two_ways_has_one_key(one, other):
    assert producer_key(one) == producer_key(other)


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("HTX Nông nghiệp Mỹ Xuyên", LEGAL.COOPERATIVE),
        ("HTXNN Thạnh Phú", LEGAL.COOPERATIVE),
        ("Hợp tác xã Cờ Ðỏ", LEGAL.COOPERATIVE),
        ("THT trồng bưởi Ba Rẫy", LEGAL.COOPERATIVE_GROUP),
        ("Hộ SXKD Trần Văn Tư", LEGAL.HOUSEHOLD),
        ("HKD Lê Thị Mai", LEGAL.HOUSEHOLD),
        ("Cơ sở Tài Trung", LEGAL.HOUSEHOLD),
        ("DNTN Hải Sơn", LEGAL.ENTERPRISE),
        ("Cty CP Mía đường Sóc Trăng", LEGAL.ENTERPRISE),
        ("Công ty TNHH MTV Cẩm Thiều", LEGAL.ENTERPRISE),
        ("Nguyễn Văn Út", None),  # a person's name alone: the check records a household business, with a note
    ],
)
def test_the_legal_form_is_read_from_the_name(name, form):
    assert legal_form_of(name, anywhere=False) == form


def test_a_household_name_that_mentions_a_company_is_a_household():
    # The start of the name says what the producer is; words further on are only its trade.
    assert legal_form_of("Cơ sở sản xuất bánh của công ty cũ", anywhere=False) == LEGAL.HOUSEHOLD
    assert legal_form_of("Loại hình: hợp tác xã") == LEGAL.COOPERATIVE


@pytest.mark.parametrize(
    ("written", "name", "representative"),
    [
        ("Nguyễn Văn A – Công ty TNHH Thực phẩm Cầu Kè", "Công ty TNHH Thực phẩm Cầu Kè", "Nguyễn Văn A"),
        ("Người đại diện: Trần Thị B - HTX Long Hưng", "HTX Long Hưng", "Trần Thị B"),
        ("Công ty CP Trà Vinh — Ông Lê Văn C", "Công ty CP Trà Vinh", "Lê Văn C"),
        ("Cơ sở Bánh tét Trà Cuôn", "Cơ sở Bánh tét Trà Cuôn", ""),
        # Two parts that both look like producers: kept whole, nothing guessed.
        ("HTX A - HTX B", "HTX A - HTX B", ""),
    ],
)
def test_the_representative_is_set_apart(written, name, representative):
    assert producer_and_representative(written) == (name, representative)


def test_close_names_are_candidates_but_equal_keys_are_not():
    assert is_close(producer_key("HTX Mỹ Xuyên"), producer_key("Công ty TNHH Mỹ Xuyên"))
    assert is_close(producer_key("Cơ sở bánh pía Tân Huê Viên"), producer_key("Cơ sở bánh pía Tân Huê Viên 2"))
    assert not is_close(producer_key("HTX Mỹ Xuyên"), producer_key("Hợp tác xã Mỹ Xuyên"))
    assert not is_close(producer_key("HTX Mỹ Xuyên"), producer_key("Cơ sở Tài Trung"))


# --- Product groups at any level --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code", "broad"),
    [
        ("1.3.2", "1.3.2", False),
        ("Gia vị: tương, nước mắm, gia vị lỏng", "1.4.1", False),
        ("Thực phẩm chế biến", "1.3", True),
        ("Thực phẩm tươi sống", "1.1", True),
        ("Chè", "1.5", True),
        ("Gia vị", "1.4", True),
        ("Đồ uống có cồn", "2.1", True),
        ("Thực phẩm", "1", True),
        ("Cà phê, ca cao", "1.6.1", False),
        ("Thảo dược", "3", True),
        ("Vải và may mặc", "4.2.1", False),
        ("Lưu niệm – nội thất – trang trí", "4.1.1", False),
        ("Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", "6.1.1", False),
        ("Thực phẩm/Gia vị", "1.4", True),
        ("Nhóm: Đồ uống - Phân nhóm: Đồ uống có cồn", "2.1", True),
        ("1.4 Gia vị", "1.4", True),
    ],
)
def test_groups_are_read_at_the_level_given(db, written, code, broad):
    match = Classification().resolve(written)
    assert not match.error
    assert (match.subgroup.code, match.subgroup.is_broad) == (code, broad)


def test_an_unknown_group_is_an_error(db):
    assert Classification().resolve("Máy nông nghiệp").error == "group_unknown"


# --- Addresses --------------------------------------------------------------------------------------------------------


def places(*texts, hints=()):
    parsed = [address_parse(text, hints=hints) for text in texts]
    book = PlaceBook(parsed)
    return [book.place(address) for address in parsed]


def test_a_former_ward_becomes_todays_ward(db):
    [(place, error, _)] = places("Ấp Phú Hữu, Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng")
    assert not error
    assert place.ward is not None and place.province_name == "Thành phố Cần Thơ"
    assert place.street == "Ấp Phú Hữu"


def test_a_district_only_address_keeps_its_province_and_former_district(db):
    [(place, error, _)] = places("Ấp Phú Thành, huyện Cầu Kè, tỉnh Trà Vinh")
    assert not error
    assert place.ward is None
    assert (place.province_name, place.former_district, place.street) == (
        "Tỉnh Vĩnh Long",
        "Huyện Cầu Kè",
        "Ấp Phú Thành",
    )
    assert place.converted == "Ấp Phú Thành, Huyện Cầu Kè, Tỉnh Vĩnh Long"


def test_a_section_heading_completes_an_address_that_stops_short(db):
    [(place, error, _)] = places("Xã Hòa Tân", hints=("TỈNH TRÀ VINH", "Huyện Cầu Kè"))
    assert not error
    assert place.ward is not None and place.province_name == "Tỉnh Vĩnh Long"


def test_an_address_with_no_known_unit_is_an_error(db):
    [(place, error, params)] = places("Số 5, đường không tên")
    assert place is None and error == "address_unknown" and params["value"] == "Số 5, đường không tên"


# --- Text copied from PDFs --------------------------------------------------------------------------------------------


def test_eth_reads_as_d_in_folding_and_search(db, client):
    assert fold("Cờ Ðỏ") == fold("Cờ Đỏ") == "co do"
    product = ProductFactory(name="Gạo thơm Cờ Ðỏ", producer=ProducerFactory(name="HTX Cờ Ðỏ"))
    certify(product)
    ProductFactory(name="Gạo thơm Long Phú")
    for words in ("co do", "Cờ Đỏ", "CỜ ÐỎ"):
        page = client.get("/products/", {"q": words}).content.decode()
        assert "Gạo thơm Cờ Ðỏ" in page, words
        assert "Gạo thơm Long Phú" not in page, words
