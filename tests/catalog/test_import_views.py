"""The staff import pages: who may use them, the dry run page, confirming, progress and the template."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Actor
from catalog.imports.reading import ImportFileError, sheet_read
from catalog.models import ImportBatch, Product
from catalog.services import imports as services
from tests.catalog.import_files import HEADERS, csv_bytes, generated_list, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(staff):
    table, _bad = generated_list(60, bad_every=30)
    return services.import_batch_check(
        actor=Actor(user=staff, organisation=None), upload=SimpleUploadedFile("ds.xlsx", xlsx_bytes(table))
    )


PAGES = ["upload", "upload-post", "template", "batch", "progress", "confirm"]


def call(client, batch, page):
    """Request one import page as the client's user: (method, url, data) per page."""
    method, url, data = {
        "upload": ("get", reverse("catalog:staff-import"), None),
        "upload-post": (
            "post",
            reverse("catalog:staff-import"),
            {"file": SimpleUploadedFile("a.csv", csv_bytes([HEADERS, ["x"] * len(HEADERS)]))},
        ),
        "template": ("get", reverse("catalog:staff-import-template"), None),
        "batch": ("get", reverse("catalog:staff-import-batch", args=[batch.pk]), None),
        "progress": ("get", reverse("catalog:staff-import-progress", args=[batch.pk]), None),
        "confirm": ("post", reverse("catalog:staff-import-confirm", args=[batch.pk]), None),
    }[page]
    return getattr(client, method)(url, data) if data else getattr(client, method)(url)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["producer", "buyer", "plain_staff"])
def test_the_import_pages_refuse_everyone_but_staff_with_the_permission(client, request, batch, page, who):
    client.force_login(request.getfixturevalue(who))
    assert call(client, batch, page).status_code == 403
    assert Product.objects.count() == 0
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, batch, page):
    response = call(client, batch, page)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_upload_page_lists_columns_and_recent_lists(client, staff, batch):
    client.force_login(staff)
    response = client.get(reverse("catalog:staff-import"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tên sản phẩm" in body and "Ngày quyết định" in body
    assert batch.original_name in body
    assert reverse("catalog:staff-import-template") in body


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.4 not a list", "not a spreadsheet"),
        (csv_bytes([["Tên sản phẩm", "Tên chủ thể", "Địa chỉ"], ["a", "b", "c"]]), "Columns are missing"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97"),
    ],
)
def test_a_bad_file_gets_a_message_beside_the_field_and_saves_nothing(client, staff, data, expected):
    client.force_login(staff)
    response = client.post("/en" + reverse("catalog:staff-import"), {"file": SimpleUploadedFile("list.xlsx", data)})
    assert response.status_code == 200
    assert expected in " ".join(response.context["form"].errors["file"])
    assert ImportBatch.objects.count() == 0


def test_uploading_a_list_shows_its_dry_run_with_the_errors_first(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    table, bad = generated_list(120, bad_every=60)
    response = client.post(reverse("catalog:staff-import"), {"file": SimpleUploadedFile("ds.csv", csv_bytes(table))})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert Product.objects.count() == 0  # a dry run saves nothing

    with django_assert_max_num_queries(8):
        response = client.get(batch.get_absolute_url())
    body = response.content.decode()
    assert response.context["counts"] == {"error": 2, "create": 118, "update": 0, "incomplete": 0, "unchanged": 0}
    assert [row["row"] for row in response.context["rows"].errors] == sorted(bad)
    assert body.index("“Điểm”") < body.index("Sản phẩm thử nghiệm 0<")  # the formula error before the rows
    assert "Phường" in body  # addresses shown converted to today's wards
    assert len(response.context["page_obj"].object_list) == 50
    assert client.get(batch.get_absolute_url(), {"page": 3}).context["page_obj"].number == 3
    errors_only = client.get(batch.get_absolute_url(), {"outcome": "error"}).context["page_obj"]
    assert [row["outcome"] for row in errors_only.object_list] == ["error", "error"]


def test_the_dry_run_reads_in_english_under_en(client, staff, batch):
    client.force_login(staff)
    body = client.get("/en" + batch.get_absolute_url()).content.decode()
    assert "holds a formula" in body


def test_confirming_imports_the_valid_rows_and_a_second_post_changes_nothing(client, staff, batch):
    client.force_login(staff)
    url = reverse("catalog:staff-import-confirm", args=[batch.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == batch.get_absolute_url()
    assert Product.objects.count() == 58
    assert "58" in " ".join(str(message) for message in response.context["messages"])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert client.get(url).status_code == 405  # no state change over GET

    response = client.post(url, follow=True)
    assert Product.objects.count() == 58
    assert any(message.level_tag == "error" for message in response.context["messages"])


def test_the_progress_endpoint_answers_json_that_no_cache_keeps(client, staff, batch):
    client.force_login(staff)
    response = client.get(reverse("catalog:staff-import-progress", args=[batch.pk]))
    assert response.status_code == 200
    assert response.json() == {
        "status": "checked",
        "phase": "waiting",
        "rows": 0,
        "checked": 0,
        "saved": 0,
        "percent": 0,
    }
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_batch_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("catalog:staff-import-batch", args=[999999])).status_code == 404
    assert client.post(reverse("catalog:staff-import-confirm", args=[999999])).status_code == 404


def test_the_template_is_a_workbook_the_import_reads(client, staff):
    client.force_login(staff)
    response = client.get(reverse("catalog:staff-import-template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.worksheets[0][1]][:3] == ["Tên sản phẩm", "Tên chủ thể", "Loại hình"]
    assert "1.3.2" in [row[0] for row in workbook.worksheets[2].iter_rows(values_only=True)]
    with pytest.raises(ImportFileError) as caught:
        sheet_read(response.content)
    assert caught.value.code == "no_rows"  # every header recognised; only the products are missing


def test_the_certification_dashboard_links_to_the_import(client, staff):
    client.force_login(staff)
    body = client.get(reverse("catalog:staff-certification")).content.decode()
    assert reverse("catalog:staff-import") in body


def test_a_file_already_imported_is_pointed_out_before_it_is_imported_again(client, staff, batch):
    client.force_login(staff)
    client.post(reverse("catalog:staff-import-confirm", args=[batch.pk]))
    with batch.file.open("rb") as stored:
        again = client.post(reverse("catalog:staff-import"), {"file": SimpleUploadedFile("ds.xlsx", stored.read())})
    second = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert again["Location"] == second.get_absolute_url()
    response = client.get(second.get_absolute_url())
    assert response.context["earlier"] == batch
    assert response.context["counts"]["create"] == 0
    assert batch.get_absolute_url() in response.content.decode()
