"""Downloads of the catalogue and the certificate register (CSV, XLSX), and the public register page."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, Ward
from accounts.roles import Actor
from catalog.models import Certificate, Product
from catalog.services import certificate_revoke
from tests.catalog.factories import ProducerFactory, ProductFactory, certify

pytestmark = pytest.mark.django_db

INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+84 299 3821 234", "-2+3", "@SUM(A1:A9)"]


def csv_rows(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> tuple[list[list], object]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)], sheet


@pytest.fixture
def catalogue(db):
    hai_son = ProducerFactory(name="Công ty TNHH bánh pía Hải Sơn", legal_form="enterprise")
    ward = Ward.objects.select_related("province").get(province_id="92", name="Phường Mỹ Xuyên")
    tam_hoi = ProducerFactory(name="Hộ kinh doanh Tám Hội", ward=ward)
    products = {
        "pia": ProductFactory(producer=hai_son, name="Bánh pía sầu riêng trứng"),
        "lap": ProductFactory(producer=hai_son, name="Lạp xưởng tươi"),
        "man": ProductFactory(producer=tam_hoi, name="Mận đường Tám Hội"),
        "draft": ProductFactory(
            producer=tam_hoi, name="Mứt mận (nháp)", status=Product.Status.DRAFT, published_at=None
        ),
    }
    certify(products["pia"], score="82")
    certify(products["lap"], score="60")
    certify(products["man"], score="75", days_ago=1200)  # lapsed: reads as expired
    certify(products["draft"], score="70")
    return products


# --- Catalogue ----------------------------------------------------------------------------------------------------


def test_the_catalogue_csv_holds_the_public_products_with_vietnamese_intact(client, catalogue):
    response = client.get(reverse("reports:catalogue-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="san-pham-ocop-')
    rows = csv_rows(response)
    names = {row[0] for row in rows[2:]}
    assert names == {"Bánh pía sầu riêng trứng", "Lạp xưởng tươi", "Mận đường Tám Hội"}  # no draft
    by_name = {row[0]: row for row in rows[2:]}
    stars = rows[1].index(next(label for label in rows[1] if "OCOP" in label))
    assert by_name["Bánh pía sầu riêng trứng"][stars] == "4"
    assert by_name["Mận đường Tám Hội"][stars] == ""  # an expired certificate shows no stars
    assert by_name["Bánh pía sầu riêng trứng"][4] == "Công ty TNHH bánh pía Hải Sơn"
    assert by_name["Mận đường Tám Hội"][6] == "Phường Mỹ Xuyên"
    assert by_name["Lạp xưởng tươi"][-1].endswith(catalogue["lap"].get_absolute_url())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stars": "4"}, {"Bánh pía sầu riêng trứng"}),
        ({"stars": ["3", "4"]}, {"Bánh pía sầu riêng trứng", "Lạp xưởng tươi"}),
        ({"q": "lap xuong"}, {"Lạp xưởng tươi"}),
        ({"q": "TAM HOI"}, {"Mận đường Tám Hội"}),
        ({"valid": "true"}, {"Bánh pía sầu riêng trứng", "Lạp xưởng tươi"}),
        ({"legal_form": "household"}, {"Mận đường Tám Hội"}),
        ({"group": "999999"}, {"Bánh pía sầu riêng trứng", "Lạp xưởng tươi", "Mận đường Tám Hội"}),  # ignored
    ],
)
def test_the_catalogue_files_honour_the_catalogue_pages_filters(client, catalogue, params, expected):
    page = client.get(reverse("catalog:product-list"), params)
    on_screen = {product.name for product in page.context["page_obj"].object_list}
    assert on_screen == expected
    csv_names = {row[0] for row in csv_rows(client.get(reverse("reports:catalogue-csv"), params))[2:]}
    xlsx_names = {row[0] for row in xlsx_rows(client.get(reverse("reports:catalogue-xlsx"), params))[0][3:]}
    assert csv_names == xlsx_names == expected


def test_the_catalogue_files_follow_the_pages_sort(client, catalogue):
    rows = csv_rows(client.get(reverse("reports:catalogue-csv"), {"sort": "name"}))
    assert [row[0] for row in rows[2:]] == ["Bánh pía sầu riêng trứng", "Lạp xưởng tươi", "Mận đường Tám Hội"]


def test_the_catalogue_page_links_to_the_files_with_its_filters(client, catalogue):
    body = client.get(reverse("catalog:product-list"), {"stars": "4", "page": "1"}).content.decode()
    assert f'href="{reverse("reports:catalogue-csv")}?stars=4"' in body
    assert f'href="{reverse("reports:catalogue-xlsx")}?stars=4"' in body


def test_the_catalogue_xlsx_keeps_numbers_and_dates_typed(client, catalogue):
    rows, _sheet = xlsx_rows(client.get(reverse("reports:catalogue-xlsx")))
    header = rows[2]
    pia = next(row for row in rows[3:] if row[0] == "Bánh pía sầu riêng trứng")
    assert pia[header.index(next(h for h in header if "OCOP" in h))] == 4
    assert isinstance(pia[header.index("Ngày quyết định")], datetime.datetime)  # a real date cell


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_that_looks_like_a_formula_stays_text(client, fmt):
    producer = ProducerFactory(name=INJECTIONS[1])
    for text in (INJECTIONS[0], INJECTIONS[2], INJECTIONS[3]):
        certify(ProductFactory(producer=producer, name=text), score="75")
    response = client.get(reverse(f"reports:catalogue-{fmt}"), {"sort": "name"})
    if fmt == "csv":
        rows = csv_rows(response)[2:]
        cells = {row[0] for row in rows} | {row[4] for row in rows}
        assert cells == {"'" + text for text in INJECTIONS}
    else:
        rows, sheet = xlsx_rows(response)
        cells = {row[0] for row in rows[3:]} | {row[4] for row in rows[3:]}
        assert cells == {"'" + text for text in INJECTIONS}
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_catalogue_file_costs_the_same_queries_for_more_products(client, django_assert_max_num_queries):
    producer = ProducerFactory()
    for index in range(3):
        certify(ProductFactory(producer=producer, name=f"Bánh {index}"), score="60")
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("reports:catalogue-csv"))
    for index in range(3, 40):
        certify(ProductFactory(producer=ProducerFactory(), name=f"Bánh {index}"), score="60")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("reports:catalogue-xlsx"))
    assert len(xlsx_rows(response)[0]) == 3 + 40


# --- Certificate register ---------------------------------------------------------------------------------------


@pytest.fixture
def register(catalogue, certifier_user):
    """The catalogue's certificates plus a revoked one and a superseded one."""
    revoked = certify(ProductFactory(name="Khô cá lóc"), score="65", days_ago=400)
    certificate_revoke(
        actor=_actor(certifier_user), certificate=revoked, reason="Vi phạm ATTP", revoked_on=timezone.localdate()
    )
    renewed = ProductFactory(name="Trà mãng cầu")
    old = certify(renewed, score="55", days_ago=1300)
    old.decision_number = "11/QĐ-UBND"
    old.save()
    certify(renewed, score="72", days_ago=30)
    return {"revoked": revoked, "old": old}


@pytest.fixture
def certifier_user(staff):
    staff.user_permissions.add(Permission.objects.get(codename="certify"))
    return User.objects.get(pk=staff.pk)  # a fresh instance: permissions are cached per instance


def _actor(user):
    return Actor(user=user, organisation=None)


def register_names(response) -> set[str]:
    return {certificate.product.name for certificate in response.context["certificates"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            {
                "Bánh pía sầu riêng trứng",
                "Lạp xưởng tươi",
                "Mận đường Tám Hội",
                "Mứt mận (nháp)",
                "Khô cá lóc",
                "Trà mãng cầu",
            },
        ),
        ({"status": "valid"}, {"Bánh pía sầu riêng trứng", "Lạp xưởng tươi", "Mứt mận (nháp)", "Trà mãng cầu"}),
        ({"status": "expired"}, {"Mận đường Tám Hội"}),  # still marked valid, but lapsed: a visitor reads expired
        ({"status": "revoked"}, {"Khô cá lóc"}),
        ({"status": "superseded"}, {"Trà mãng cầu"}),
        ({"stars": "4"}, {"Bánh pía sầu riêng trứng", "Mận đường Tám Hội", "Mứt mận (nháp)", "Trà mãng cầu"}),
        ({"province": "92", "stars": "3"}, {"Lạp xưởng tươi", "Khô cá lóc", "Trà mãng cầu"}),
        (
            {"status": "bogus"},
            {
                "Bánh pía sầu riêng trứng",
                "Lạp xưởng tươi",
                "Mận đường Tám Hội",
                "Mứt mận (nháp)",
                "Khô cá lóc",
                "Trà mãng cầu",
            },
        ),
    ],
)
def test_the_register_filters_by_status_stars_and_province(client, register, params, expected):
    response = client.get(reverse("reports:certificate-register"), params)
    assert response.status_code == 200
    assert register_names(response) == expected
    csv_names = {row[2] for row in csv_rows(client.get(reverse("reports:certificate-register-csv"), params))[2:]}
    assert csv_names == expected


def test_the_register_filters_by_year_of_the_decision(client, register):
    year = register["old"].decision_date.year
    response = client.get(reverse("reports:certificate-register"), {"year": str(year)})
    assert all(certificate.decision_date.year == year for certificate in response.context["certificates"])
    assert register["old"] in response.context["certificates"]
    assert str(year) in [value for value, _label in response.context["filter"].form.fields["year"].choices]


def test_the_register_files_hold_the_decisions_and_the_status_a_visitor_reads(client, register):
    rows = csv_rows(client.get(reverse("reports:certificate-register-csv"), {"status": "superseded"}))
    assert rows[2][0] == "11/QĐ-UBND"
    assert rows[2][2] == "Trà mãng cầu"
    assert rows[2][rows[1].index("Điểm")] == "55.0"
    workbook_rows, sheet = xlsx_rows(client.get(reverse("reports:certificate-register-xlsx"), {"status": "revoked"}))
    assert [row[2] for row in workbook_rows[3:]] == ["Khô cá lóc"]
    assert workbook_rows[3][workbook_rows[2].index("Hạng sao OCOP")] == 3  # stars stay a number
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_register_page_links_to_its_files_with_its_filters(client, register):
    body = client.get(reverse("reports:certificate-register"), {"stars": "4", "page": "1"}).content.decode()
    assert f'href="{reverse("reports:certificate-register-csv")}?stars=4"' in body
    assert f'href="{reverse("reports:certificate-register-xlsx")}?stars=4"' in body


def test_the_register_links_only_public_products(client, register):
    body = client.get(reverse("reports:certificate-register")).content.decode()
    assert f'href="{register["revoked"].product.get_absolute_url()}"' in body
    draft = Product.objects.get(name="Mứt mận (nháp)")
    assert draft.name in body
    assert f'href="{draft.get_absolute_url()}"' not in body


def test_the_register_escapes_formulas_in_its_files(client):
    certify(ProductFactory(name=INJECTIONS[0], producer=ProducerFactory(name=INJECTIONS[3])), score="80")
    rows = csv_rows(client.get(reverse("reports:certificate-register-csv")))
    assert rows[2][2] == "'" + INJECTIONS[0]
    assert rows[2][3] == "'" + INJECTIONS[3]


def test_the_register_is_paginated_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    producer = ProducerFactory()
    for index in range(60):
        certify(ProductFactory(producer=producer, name=f"Sản phẩm {index}"), score="70")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reports:certificate-register"))
    assert len(response.context["certificates"]) == 50
    assert response.context["page_obj"].paginator.count == 60
    with django_assert_max_num_queries(8):
        assert len(client.get(reverse("reports:certificate-register"), {"page": 2}).context["certificates"]) == 10
    with django_assert_max_num_queries(6):
        client.get(reverse("reports:certificate-register-csv"))


def test_an_empty_register_says_so(client, db):
    response = client.get(reverse("reports:certificate-register"), {"stars": "5"})
    assert response.status_code == 200
    assert list(response.context["certificates"]) == []
    assert "empty-state" in response.content.decode()


def test_the_footer_links_to_the_register_and_the_open_data(client, db):
    body = client.get(reverse("home")).content.decode()
    assert reverse("reports:certificate-register") in body
    assert reverse("reports:open-data") in body


def test_certificates_recorded_are_all_in_the_register(client, register):
    assert client.get(reverse("reports:certificate-register")).context["page_obj"].paginator.count == (
        Certificate.objects.count()
    )


@pytest.mark.parametrize("name", ["reports:catalogue-csv", "reports:certificate-register-csv"])
def test_a_download_past_the_row_limit_leads_to_the_full_file_instead(client, catalogue, settings, name):
    """A longer list is prepared by a worker (tests/reports/test_exports_large.py): nothing is cut."""
    assert len(csv_rows(client.get(reverse(name)))[2:]) >= 3
    settings.EXPORT_MAX_ROWS = 2
    response = client.get(reverse(name), {"province": "92", "page": "2"})
    assert response.status_code == 302
    kind = "catalogue" if name == "reports:catalogue-csv" else "certificates"
    assert response["Location"] == f"{reverse('reports:export-new')}?province=92&kind={kind}&fmt=csv"
