"""Published data of records from the province's lists: a producer without a ward, a decision without a score.

The register page says "Score not published"; the files leave the score's cell empty and the open data writes
null, never 0; a producer whose ward is not recorded yet is placed by the former district its list gave.
"""

import json

import pytest
from django.urls import reverse

from reports import opendata
from tests.catalog.factories import ProductFactory, certify
from tests.catalog.listed import FORMER_DISTRICT, listed_product, record_without_score
from tests.reports.test_data_exports import csv_rows, xlsx_rows
from tests.reports.test_open_data import assert_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    """A 4★ decision without score for a producer without ward, beside a scored one of a producer with its ward."""
    listed = listed_product(name="Nước dừa Cầu Kè")
    record_without_score(listed, stars=4)
    scored = ProductFactory(name="Bánh pía Vĩnh Châu")
    certify(scored, score="82.5")
    return {"listed": listed, "scored": scored}


def open_data(client) -> dict:
    document = json.loads(client.get(reverse("reports:open-data-products")).content)
    assert_valid(document)
    return {record["name"]: record for record in document["products"]}


def test_open_data_writes_null_for_an_unknown_ward_and_an_unpublished_score(client, records):
    by_name = open_data(client)

    listed = by_name["Nước dừa Cầu Kè"]
    assert listed["producer"]["ward"] is None
    assert listed["producer"]["former_district"] == FORMER_DISTRICT
    assert listed["producer"]["province"]["name"] == "Tỉnh Vĩnh Long"
    assert listed["certificate"]["score"] is None
    assert listed["certificate"]["stars"] == 4

    scored = by_name["Bánh pía Vĩnh Châu"]
    assert scored["producer"]["ward"] == {"code": scored["producer"]["ward"]["code"], "name": "Phường Vĩnh Châu"}
    assert scored["producer"]["former_district"] is None
    assert scored["certificate"]["score"] == 82.5


def test_the_schema_allows_null_exactly_where_the_documentation_says(client, db):
    schema = json.loads(client.get(reverse("reports:open-data-schema")).content)
    producer = schema["$defs"]["product"]["properties"]["producer"]["properties"]
    certificate = schema["$defs"]["product"]["properties"]["certificate"]["properties"]

    assert producer["ward"]["type"] == ["object", "null"]
    assert producer["ward"]["required"] == ["code", "name"]
    assert producer["former_district"]["type"] == ["string", "null"]
    assert certificate["score"]["type"] == ["number", "null"]
    assert certificate["stars"]["type"] == "integer"  # the stars are always known
    assert schema["x-schema-version"] == opendata.SCHEMA_VERSION == "1.1"
    # Null is not zero: a score, when there is one, is still between 50 and 100.
    assert (certificate["score"]["minimum"], certificate["score"]["maximum"]) == (50, 100)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_field_page_documents_the_nullable_ward_score_and_former_district(client, db, prefix):
    body = client.get(prefix + reverse("reports:open-data")).content.decode()
    assert "<code>producer.former_district</code>" in body
    assert "<code>object or null</code>" in body  # the ward
    assert "<code>number or null</code>" in body  # the score


@pytest.mark.parametrize(
    ("prefix", "words", "score"),
    [("", "Điểm không công bố", "82,5 / 100"), ("/en", "Score not published", "82.5 / 100")],
)
def test_the_register_page_says_score_not_published_and_places_by_former_district(
    client, records, prefix, words, score
):
    body = client.get(prefix + reverse("reports:certificate-register")).content.decode()
    assert words in body
    assert score in body
    assert f'{FORMER_DISTRICT}<span class="table__secondary">Tỉnh Vĩnh Long</span>' in body
    assert "None" not in body


def test_the_register_files_leave_an_unpublished_score_empty(client, records):
    rows = csv_rows(client.get(reverse("reports:certificate-register-csv")))
    header, by_product = rows[1], {row[2]: row for row in rows[2:]}
    listed, scored = by_product["Nước dừa Cầu Kè"], by_product["Bánh pía Vĩnh Châu"]
    assert listed[header.index("Điểm")] == ""
    assert scored[header.index("Điểm")] == "82.5"
    assert listed[header.index("Hạng sao OCOP")] == "4"
    assert (listed[header.index("Phường/xã")], listed[header.index("Huyện cũ")]) == ("", FORMER_DISTRICT)
    assert listed[header.index("Tỉnh/thành phố")] == "Tỉnh Vĩnh Long"

    workbook, _sheet = xlsx_rows(client.get(reverse("reports:certificate-register-xlsx")))
    header, by_product = workbook[2], {row[2]: row for row in workbook[3:]}
    assert by_product["Nước dừa Cầu Kè"][header.index("Điểm")] is None
    assert by_product["Bánh pía Vĩnh Châu"][header.index("Điểm")] == 82.5


def test_the_catalogue_files_place_a_producer_without_ward_by_its_former_district(client, records):
    rows = csv_rows(client.get(reverse("reports:catalogue-csv")))
    header, by_name = rows[1], {row[0]: row for row in rows[2:]}
    listed, scored = by_name["Nước dừa Cầu Kè"], by_name["Bánh pía Vĩnh Châu"]
    assert (listed[header.index("Phường/xã")], listed[header.index("Huyện cũ")]) == ("", FORMER_DISTRICT)
    assert (scored[header.index("Phường/xã")], scored[header.index("Huyện cũ")]) == ("Phường Vĩnh Châu", "")
    assert listed[header.index("Hạng sao OCOP")] == "4"


def test_the_statistics_count_a_producer_without_ward_under_its_former_district(client, records):
    response = client.get(reverse("reports:statistics"), {"province": "86"})
    wards = {str(row[0]): row[1:] for row in response.context["stats"].wards.table.rows}
    assert wards == {f"{FORMER_DISTRICT} (huyện cũ, chưa ghi phường/xã)": [1, 1]}
    assert "None" not in response.content.decode()
