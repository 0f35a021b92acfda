"""Open data: the certified products as JSON, checked against the schema the page documents."""

import json

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator

from catalog.models import Product
from reports import opendata
from tests.catalog.factories import ProducerFactory, ProductFactory, certify

pytestmark = pytest.mark.django_db


def validator(schema=None) -> Draft202012Validator:
    schema = schema or opendata.products_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(document, schema=None) -> None:
    errors = sorted(validator(schema).iter_errors(document), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]


@pytest.fixture
def products(db):
    producer = ProducerFactory(name="Công ty TNHH MTV Cẩm Thiều", legal_form="enterprise")
    made = {
        "tea": ProductFactory(producer=producer, name="Trà mãng cầu", name_en="Soursop tea", standards=["haccp"]),
        "four": ProductFactory(producer=producer, name="Yến sào"),
        "expired": ProductFactory(producer=producer, name="Mứt mận"),
        "draft": ProductFactory(producer=producer, name="Nháp", status=Product.Status.DRAFT, published_at=None),
        "uncertified": ProductFactory(producer=producer, name="Chưa chứng nhận"),
        "unverified": ProductFactory(producer=ProducerFactory(is_verified=False), name="Chưa xác minh"),
    }
    certify(made["tea"], score="92.5", level="central")
    certify(made["four"], score="75")
    certify(made["expired"], score="75", days_ago=1200)
    certify(made["draft"], score="75")
    certify(made["unverified"], score="75")
    return made


def test_the_document_follows_its_schema_and_holds_only_valid_certified_public_products(client, products):
    response = client.get(reverse("reports:open-data-products"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.content)
    assert_valid(document)
    assert {record["name"] for record in document["products"]} == {"Trà mãng cầu", "Yến sào"}
    assert document["count"] == 2 and document["pages"] == 1 and document["next"] is None
    tea = next(record for record in document["products"] if record["name"] == "Trà mãng cầu")
    assert tea["certificate"]["stars"] == 5 and tea["certificate"]["level"] == "central"
    assert tea["certificate"]["score"] == 92.5
    assert tea["producer"]["legal_form"] == "enterprise"
    assert tea["producer"]["province"] == {"code": "92", "name": "Thành phố Cần Thơ"}
    assert tea["standards"] == ["haccp"] and tea["name_en"] == "Soursop tea"
    assert tea["url"].endswith(products["tea"].get_absolute_url())
    assert "Trà mãng cầu" in response.content.decode("utf-8")  # Vietnamese written as is, not \\u escapes


def test_every_field_written_is_documented_and_every_documented_field_is_written(products):
    """The schema forbids fields it does not name: a field added to the output but not documented fails here."""
    record = opendata.product_record(
        opendata.certified_products().get(pk=products["four"].pk), absolute_url=lambda path: path
    )

    def paths(value, prefix=""):
        for key, child in value.items():
            yield prefix + key
            if isinstance(child, dict):
                yield from paths(child, prefix + key + ".")

    assert list(paths(record)) == [field.path for field in opendata.PRODUCT_FIELDS]


def test_an_undocumented_field_fails_the_schema(products):
    document = json.loads(
        json.dumps(opendata.products_document(page_number=1, absolute_url=lambda path: path, page_url=str))
    )
    document["products"][0]["secret"] = "x"
    assert list(validator().iter_errors(document))


def test_the_example_on_the_page_follows_the_schema_too():
    assert_valid(opendata.example_document())


def test_pages_link_to_each_other(client, products, monkeypatch):
    monkeypatch.setattr(opendata, "PAGE_SIZE", 1)
    first = json.loads(client.get(reverse("reports:open-data-products")).content)
    assert first["pages"] == 2 and first["previous"] is None
    assert first["next"].endswith(reverse("reports:open-data-products") + "?page=2")
    second = json.loads(client.get(reverse("reports:open-data-products"), {"page": "2"}).content)
    assert second["next"] is None and second["previous"].endswith("?page=1")
    assert [record["id"] for record in first["products"] + second["products"]] == sorted(
        [products["tea"].pk, products["four"].pk]
    )
    assert_valid(second)


@pytest.mark.parametrize("page", ["3", "0", "abc"])
def test_a_page_that_does_not_exist_is_a_json_404(client, products, monkeypatch, page):
    monkeypatch.setattr(opendata, "PAGE_SIZE", 1)
    response = client.get(reverse("reports:open-data-products"), {"page": page})
    assert response.status_code == 404
    assert "error" in json.loads(response.content)


def test_an_empty_data_set_is_one_empty_page(client, db):
    document = json.loads(client.get(reverse("reports:open-data-products")).content)
    assert (document["count"], document["pages"], document["products"]) == (0, 1, [])
    assert_valid(document)


def test_the_document_is_cacheable_and_readable_from_any_site(client, products):
    response = client.get(reverse("reports:open-data-products"))
    assert "public" in response["Cache-Control"] and "max-age=900" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_addresses_do_not_depend_on_the_language_prefix(client, products):
    vietnamese = json.loads(client.get(reverse("reports:open-data-products")).content)
    english = json.loads(client.get("/en" + reverse("reports:open-data-products")).content)
    assert [record["url"] for record in english["products"]] == [record["url"] for record in vietnamese["products"]]
    assert not any("/en/" in record["url"] for record in english["products"])


def test_the_document_costs_the_same_queries_for_more_products(client, db, django_assert_max_num_queries):
    producer = ProducerFactory()
    for index in range(30):
        certify(ProductFactory(producer=producer, name=f"Sản phẩm {index}"), score="70")
    with django_assert_max_num_queries(3):
        document = json.loads(client.get(reverse("reports:open-data-products")).content)
    assert document["count"] == 30


def test_the_schema_is_served_as_generated(client, db):
    response = client.get(reverse("reports:open-data-schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/schema+json")
    schema = json.loads(response.content)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(reverse("reports:open-data-schema"))
    assert schema["$defs"]["product"]["required"] == [
        field.path for field in opendata.PRODUCT_FIELDS if "." not in field.path
    ]


def test_the_page_describes_every_field_from_the_same_definition(client, db):
    response = client.get(reverse("reports:open-data"))
    assert response.status_code == 200
    body = response.content.decode()
    for field in (*opendata.DOCUMENT_FIELDS, *opendata.PRODUCT_FIELDS):
        assert f"<code>{field.path}</code>" in body
    assert reverse("reports:open-data-products") in body and reverse("reports:open-data-schema") in body
    assert opendata.LICENCE_URL in body
