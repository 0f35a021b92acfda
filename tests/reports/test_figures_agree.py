"""The statistics page, the certificate register and the open data agree on every count they share.

Each figure counts what its label says: "certified products" are the public products whose certificate is valid
today (the open data's products, the home page's figures); "certificates issued per year" are the recognition
decisions on record (the register's, which lists every one: renewed, expired, revoked, and those of products
not or no longer public). The catalogue below holds every case that could make them drift apart.
"""

import json
from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Actor
from catalog.models import Certificate, Product
from catalog.selectors import home_figures
from catalog.services import certificate_revoke
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify, subgroup
from tests.catalog.listed import listed_product, producer_without_ward, record_without_score

pytestmark = pytest.mark.django_db


def _revoke(certificate) -> None:
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="certify"))
    certificate_revoke(
        actor=Actor(user=User.objects.get(pk=staff.pk), organisation=None),
        certificate=certificate,
        reason="Vi phạm an toàn thực phẩm.",
        revoked_on=timezone.localdate(),
    )


@pytest.fixture
def catalogue():
    """Public, draft and unverified products; valid, lapsed, expired, revoked, superseded and score-less decisions."""
    enterprise = ProducerFactory(legal_form="enterprise")
    household = producer_without_ward()
    cooperative = ProducerFactory(legal_form="cooperative")
    unverified = ProducerFactory(is_verified=False, verified_at=None)

    certify(ProductFactory(producer=enterprise, name="Gạo 4 sao"), score="78", days_ago=100)
    certify(ProductFactory(producer=enterprise, name="Mắm 3 sao", subgroup=subgroup("1.4.1")), score="61")
    record_without_score(listed_product(producer=household, name="Nước dừa 4 sao, không điểm"), stars=4)
    record_without_score(listed_product(producer=household, name="Rượu 3 sao, không điểm", code="2.1.1"), stars=3)
    certify(ProductFactory(producer=enterprise, name="Trà hết hạn"), score="72", days_ago=1200)  # lapsed, "valid"
    record_without_score(  # imported after its end: recorded as expired
        listed_product(producer=household, name="Mứt đã hết hạn"),
        stars=3,
        days_ago=1400,
        status=Certificate.Status.EXPIRED,
    )
    _revoke(certify(ProductFactory(producer=cooperative, name="Khô bị thu hồi"), score="66", days_ago=400))
    renewed = ProductFactory(producer=cooperative, name="Bánh pía cấp lại", subgroup=subgroup("4.1.1"))
    certify(renewed, score="58", days_ago=1150)  # superseded by the next decision
    record_without_score(renewed, stars=5, days_ago=20)
    ProductFactory(producer=enterprise, name="Chưa chứng nhận")
    certify(
        ProductFactory(producer=enterprise, name="Nháp", status=Product.Status.DRAFT, published_at=None),
        score="80",
        days_ago=300,
    )
    certify(ProductFactory(producer=unverified, name="Chưa xác minh"), score="90", days_ago=500, level="central")
    listed_draft = listed_product(producer=household, name="Nháp không điểm", status=Product.Status.DRAFT)
    record_without_score(listed_draft, stars=4, days_ago=700)


def _open_data(client) -> list[dict]:
    document = json.loads(client.get(reverse("reports:open-data-products")).content)
    assert document["pages"] == 1 and document["count"] == len(document["products"])
    return document["products"]


def _register_count(client, **params) -> int:
    return client.get(reverse("reports:certificate-register"), params).context["paginator"].count


def _figures(table) -> dict[str, list]:
    return {str(row[0]): row[1:] for row in table.rows}


def test_certified_products_are_the_open_datas_products_counted_the_same_way(client, catalogue):
    stats = client.get(reverse("reports:statistics")).context["stats"]
    records = _open_data(client)

    assert stats.summary["products"] == len(records) == 5
    assert {record["name"] for record in records} == {
        "Gạo 4 sao",
        "Mắm 3 sao",
        "Nước dừa 4 sao, không điểm",
        "Rượu 3 sao, không điểm",
        "Bánh pía cấp lại",
    }
    assert stats.summary["producers"] == len({record["producer"]["id"] for record in records})
    stars = Counter(record["certificate"]["stars"] for record in records)
    assert {s: stats.summary[f"stars_{s}"] for s in (5, 4, 3)} == {s: stars[s] for s in (5, 4, 3)}
    assert [row[1] for row in stats.stars.table.rows] == [stars[5], stars[4], stars[3]]
    home = home_figures()
    assert (home["products"], home["producers"], home["five"], home["four"], home["three"]) == (
        len(records),
        stats.summary["producers"],
        stars[5],
        stars[4],
        stars[3],
    )


def test_groups_places_and_legal_forms_count_the_open_datas_products(client, catalogue):
    stats = client.get(reverse("reports:statistics")).context["stats"]
    records = _open_data(client)

    groups = Counter(record["group"]["name"] for record in records)
    assert {name: row[3] for name, row in _figures(stats.groups.table).items() if row[3]} == dict(groups)
    provinces = Counter(record["producer"]["province"]["name"] for record in records)
    assert {name: row[0] for name, row in _figures(stats.provinces.table).items()} == dict(provinces)
    by_form = Counter(record["producer"]["legal_form"] for record in records)
    forms = {str(row[0]): row[2] for row in stats.legal_forms.table.rows if row[2]}
    assert sorted(forms.values()) == sorted(by_form.values())
    assert stats.legal_forms.table.totals[2] == len(records)


def test_the_wards_of_a_province_count_its_open_data_products_with_the_former_district_for_no_ward(client, catalogue):
    records = _open_data(client)
    for province in {record["producer"]["province"]["code"] for record in records}:
        stats = client.get(reverse("reports:statistics"), {"province": province}).context["stats"]
        expected = Counter(
            record["producer"]["ward"]["name"] if record["producer"]["ward"] else record["producer"]["former_district"]
            for record in records
            if record["producer"]["province"]["code"] == province
        )
        wards = {label.split(" (")[0]: row[0] for label, row in _figures(stats.wards.table).items()}
        assert wards == dict(expected), province


def test_certificates_per_year_are_the_registers_decisions_year_by_year_and_star_by_star(client, catalogue):
    stats = client.get(reverse("reports:statistics")).context["stats"]
    years = stats.years.table

    assert years.totals[4] == _register_count(client) == Certificate.objects.count() == 12
    for row in years.rows:
        year, by_stars, total = str(row[0]), dict(zip((3, 4, 5), row[1:4], strict=True)), row[4]
        if not total:
            continue
        assert total == _register_count(client, year=year), year
        for stars, count in by_stars.items():
            assert count == _register_count(client, year=year, stars=stars), (year, stars)
        assert row[0].url == f"{reverse('reports:certificate-register')}?year={year}"  # the register's own list


def test_the_registers_valid_decisions_are_the_certified_products_plus_those_not_public(client, catalogue):
    records = _open_data(client)
    response = client.get(reverse("reports:certificate-register"), {"status": "valid"})
    valid = list(response.context["certificates"])
    public = set(Product.objects.public().values_list("pk", flat=True))

    assert {c.product_id for c in valid if c.product_id in public} == {record["id"] for record in records}
    assert {c.product.name for c in valid if c.product_id not in public} == {"Nháp", "Chưa xác minh", "Nháp không điểm"}
    assert len(valid) == len(records) + 3
    # Every other status, as the register reads it, accounts for the rest of the decisions.
    others = {status: _register_count(client, status=status) for status in ("expired", "revoked", "superseded")}
    assert others == {"expired": 2, "revoked": 1, "superseded": 1}
    assert len(valid) + sum(others.values()) == _register_count(client)
