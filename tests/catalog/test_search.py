import unicodedata

import pytest
from django.http import QueryDict

from catalog.search import fold, match_tsquery, query_terms, rank_tsquery
from catalog.selectors import product_list
from tests.catalog.factories import ProductFactory, subgroup


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Bánh pía", "banh pia"),
        ("BÁNH PÍA", "banh pia"),
        ("Đồng Tháp", "dong thap"),
        ("đường", "duong"),
        (unicodedata.normalize("NFD", "Mắm cá lóc"), "mam ca loc"),
        ("Hòa", "hoa"),
        ("Hoà", "hoa"),
        ("Thuỷ", "thuy"),
        ("Thủy", "thuy"),
        ("ẤP BIỂN DƯỚI", "ap bien duoi"),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_tone_placement_and_normal_forms_fold_alike():
    assert fold("Hòa Bình") == fold("Hoà Bình") == fold(unicodedata.normalize("NFD", "Hoà Bình"))


def test_match_query_is_folded_prefixes_joined_with_and():
    assert match_tsquery("Bánh pí") == "'banh':* & 'pi':*"


def test_rank_query_also_keeps_the_accented_word():
    assert rank_tsquery("mắm") == "('mam':* | 'mắm':*)"


@pytest.mark.parametrize("raw", ["", "   ", "!!! & | :*", "'", "()"])
def test_queries_without_words_match_nothing_special(raw):
    assert match_tsquery(raw) == ""


def test_tsquery_syntax_in_input_is_not_interpreted():
    assert query_terms("banh & !pia | (x:*)") == [("banh", "banh"), ("pia", "pia"), ("x", "x")]


def search(query, **params):
    data = QueryDict(mutable=True)
    data["q"] = query
    for key, value in params.items():
        data[key] = value
    return [product.name for product in product_list(params=data).page.object_list]


@pytest.fixture
def products(db):
    return {
        "pia": ProductFactory(name="Bánh pía sầu riêng trứng", subgroup=subgroup("1.3.2")),
        "pia_khoai": ProductFactory(name="Bánh pía khoai môn", subgroup=subgroup("1.3.2")),
        "mam": ProductFactory(name="Mắm cá lóc Thiện Mỹ", subgroup=subgroup("1.4.1")),
        "mam_tre": ProductFactory(name="Mâm tre đan", subgroup=subgroup("4.1.1")),
        "gao": ProductFactory(name="Gạo ST24", subgroup=subgroup("1.2.1")),
        "duong": ProductFactory(name="Mận đường Tám Hội", subgroup=subgroup("1.3.3")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["banh pia", "Bánh pía", "BANH PIA", "bánh pí", unicodedata.normalize("NFD", "Bánh pía"), "bánh   pía  "],
)
def test_banh_pia_is_found_however_it_is_typed(products, query):
    assert sorted(search(query)) == ["Bánh pía khoai môn", "Bánh pía sầu riêng trứng"]


@pytest.mark.django_db
def test_accented_query_ranks_the_exact_word_first(products):
    assert search("mắm") == ["Mắm cá lóc Thiện Mỹ", "Mâm tre đan"]
    assert search("mâm") == ["Mâm tre đan", "Mắm cá lóc Thiện Mỹ"]


@pytest.mark.django_db
def test_d_with_stroke_is_folded_in_query_and_document(products):
    assert search("mận duong") == ["Mận đường Tám Hội"]
    assert search("ĐƯỜNG") == ["Mận đường Tám Hội"]


@pytest.mark.django_db
def test_search_covers_producer_and_place(products):
    producer = products["gao"].producer
    assert "Gạo ST24" in search(producer.name)
    # Every factory producer is in Phường Vĩnh Châu, Thành phố Cần Thơ.
    assert len(search("vinh chau")) == 6
    assert len(search("can tho")) == 6


@pytest.mark.django_db
def test_a_word_nobody_uses_finds_nothing(products):
    assert search("xylanh") == []
