"""Downloads past EXPORT_MAX_ROWS rows: prepared by a worker as one shared file, offered when ready.

EXPORT_MAX_ROWS is lowered to 3 here, so a handful of products make a "long" list.
"""

import csv
import datetime
import io
import uuid

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from procrastinate.contrib.django.models import ProcrastinateJob

from catalog.storage import private_storage
from reports import services, tasks
from reports.models import DataExport
from reports.selectors import downloads
from tests.catalog.factories import ProducerFactory, ProductFactory, certify
from tests.jobs import run_queued_jobs

pytestmark = pytest.mark.django_db

MAX_ROWS = 3
INJECTION = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.EXPORT_MAX_ROWS = MAX_ROWS
    settings.PORTAL_URL = "https://ocop.example.vn"


@pytest.fixture
def catalogue(db):
    """Six public certified products (one named like a formula, its producer too) and a draft."""
    producer = ProducerFactory(name="@SUM(A1:A9) Hợp tác xã")
    products = [ProductFactory(producer=producer, name=f"Bánh pía số {index}") for index in range(5)]
    products.append(ProductFactory(producer=producer, name=INJECTION))
    for product in products:
        certify(product, score="75")
    certify(ProductFactory(producer=producer, name="Mứt (nháp)", status="draft", published_at=None), score="70")
    return products


def export_jobs() -> int:
    return ProcrastinateJob.objects.filter(task_name=services.EXPORT_BUILD_TASK, status="todo").count()


def ask(client, data, **extra):
    return client.post(reverse("reports:export-new"), data, **extra)


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def direct_rows(client, name: str, params, settings) -> list[list[str]]:
    """The download built in the request, with the limit raised: what the full file must hold."""
    settings.EXPORT_MAX_ROWS = 10_000
    try:
        return csv_rows(client.get(reverse(name), params).content)
    finally:
        settings.EXPORT_MAX_ROWS = MAX_ROWS


def built(client, data) -> DataExport:
    response = ask(client, data)
    assert response.status_code == 302
    run_queued_jobs(queues=[services.EXPORT_QUEUE])
    export = DataExport.objects.get()
    assert response["Location"] == export.get_absolute_url()
    return export


# --- Asking -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [("catalogue", "catalogue"), ("certificate-register", "certificates")])
def test_a_long_list_is_not_built_in_the_request_but_offered_as_a_full_file(client, catalogue, name, kind):
    response = client.get(reverse(f"reports:{name}-xlsx"), {"stars": "4", "page": "2"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:export-new") + "?")
    offer = client.get(response["Location"])
    assert offer.status_code == 200
    assert offer.context["kind"] == kind
    assert offer.context["fmt"] == "xlsx"
    assert offer.context["total"] == (6 if kind == "catalogue" else 7)  # the draft's decision is on record
    assert offer.context["params"] == {"stars": ["4"]}  # the page number left out
    html = offer.content.decode()
    assert 'name="robots" content="noindex"' in html
    assert f'action="{reverse("reports:export-new")}"' in html
    assert '<input type="hidden" name="stars" value="4">' in html
    assert not DataExport.objects.exists()  # a GET asks for nothing


def test_a_short_list_still_downloads_at_once(client, catalogue):
    response = client.get(reverse("reports:catalogue-csv"), {"q": "pia so 1"})
    assert response.status_code == 200
    assert [row[0] for row in csv_rows(response.content)[2:]] == ["Bánh pía số 1"]
    # Asking for the full file of a short list leads to that download, and prepares nothing.
    response = ask(client, {"kind": "catalogue", "fmt": "csv", "q": "pia so 1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:catalogue-csv") + "?q=pia+so+1"
    assert not DataExport.objects.exists()


def test_the_catalogue_page_offers_the_full_file_past_the_limit(client, catalogue):
    html = client.get(reverse("catalog:product-list"), {"stars": "4", "page": "1"}).content.decode()
    offer = reverse("reports:export-new")
    assert f'href="{offer}?stars=4&amp;kind=catalogue&amp;fmt=csv"' in html
    assert f'href="{offer}?stars=4&amp;kind=catalogue&amp;fmt=xlsx"' in html
    assert reverse("reports:catalogue-csv") not in html
    # The page keeps no form of its own, so visitors' copies stay cacheable.
    assert "csrfmiddlewaretoken" not in html
    html = client.get(reverse("catalog:product-list"), {"q": "pia so 1"}).content.decode()
    assert f'href="{reverse("reports:catalogue-csv")}?q=pia+so+1"' in html
    assert offer not in html


def test_the_register_offers_the_full_file_as_a_form_past_the_limit(client, catalogue):
    html = client.get(reverse("reports:certificate-register"), {"stars": "4", "page": "1"}).content.decode()
    assert f'action="{reverse("reports:export-new")}"' in html
    assert '<input type="hidden" name="stars" value="4">' in html
    assert 'name="page"' not in html
    assert '<input type="hidden" name="kind" value="certificates">' in html
    assert 'name="fmt" value="csv"' in html and 'name="fmt" value="xlsx"' in html
    assert reverse("reports:certificate-register-csv") not in html


def test_the_same_list_asked_twice_is_one_export_and_one_job(client, catalogue):
    first = ask(client, {"kind": "catalogue", "fmt": "csv", "stars": ["4", "3"], "q": " pia "})
    assert first.status_code == 302
    export = DataExport.objects.get()
    assert first["Location"] == reverse("reports:export-detail", kwargs={"pk": export.pk})
    assert export.status == DataExport.Status.QUEUED
    assert export.params == {"q": ["pia"], "stars": ["3", "4"]}
    assert export.rows_total == 5
    assert export_jobs() == 1
    # The same list, written another way (another order, spaces, a page number, an unknown filter).
    again = ask(client, {"fmt": "csv", "kind": "catalogue", "q": "pia", "stars": ["3", "4"], "page": "3", "x": "1"})
    assert again["Location"] == first["Location"]
    assert DataExport.objects.count() == 1
    assert export_jobs() == 1
    # Another format, or another list, is another file.
    ask(client, {"kind": "catalogue", "fmt": "xlsx", "stars": ["3", "4"], "q": "pia"})
    assert DataExport.objects.count() == 2
    assert export_jobs() == 2


def test_a_change_to_the_catalogue_makes_a_new_file(client, catalogue):
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    catalogue[0].name = "Bánh pía đổi tên"
    catalogue[0].save()  # the catalogue's generation moves on
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    assert DataExport.objects.count() == 2


def test_a_signed_in_member_may_ask_too(client, catalogue, producer):
    client.force_login(producer)
    assert ask(client, {"kind": "certificates", "fmt": "csv"}).status_code == 302
    assert DataExport.objects.get().kind == DataExport.Kind.CERTIFICATES


@pytest.mark.parametrize("data", [{}, {"kind": "users", "fmt": "csv"}, {"kind": "catalogue", "fmt": "pdf"}])
def test_a_request_naming_no_known_list_is_refused_in_words(client, catalogue, data):
    assert client.get(reverse("reports:export-new"), data).status_code == 400
    response = ask(client, data)
    assert response.status_code == 400
    assert "alert--error" in response.content.decode()
    assert not DataExport.objects.exists()


def test_new_files_are_throttled_per_address_with_a_message(client, catalogue, monkeypatch):
    monkeypatch.setattr(services, "THROTTLE_LIMIT", 2)
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    ask(client, {"kind": "catalogue", "fmt": "xlsx"})
    refused = ask(client, {"kind": "certificates", "fmt": "csv"})
    assert refused.status_code == 429
    first = DataExport.objects.order_by("created_at").first()
    expected = services.ExportThrottled(retry_at=first.created_at + services.THROTTLE_WINDOW)
    assert refused.context["refusal"] == expected.messages[0]
    assert expected.messages[0] in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert DataExport.objects.count() == 2
    # A file already asked for is never refused; another address may ask for new ones.
    assert ask(client, {"kind": "catalogue", "fmt": "csv"}).status_code == 302
    assert ask(client, {"kind": "certificates", "fmt": "csv"}, REMOTE_ADDR="203.0.113.9").status_code == 302
    assert DataExport.objects.count() == 3
    assert not DataExport.objects.filter(client__contains="127.0.0.1").exists()  # addresses are not stored


# --- Building -------------------------------------------------------------------------------------------------------


def test_the_full_csv_holds_every_row_as_the_small_download_writes_it(client, catalogue, settings):
    export = built(client, {"kind": "catalogue", "fmt": "csv", "sort": "name"})
    assert export.status == DataExport.Status.READY
    assert export.rows_written == export.rows_total == 6
    response = client.get(reverse("reports:export-download", kwargs={"pk": export.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="san-pham-ocop-{stamp}.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = csv_rows(body(response))
    expected = direct_rows(client, "reports:catalogue-csv", {"sort": "name"}, settings)
    assert rows[:2] == expected[:2]  # the title and the header
    assert [row[:-1] for row in rows[2:]] == [row[:-1] for row in expected[2:]]
    assert len(rows[2:]) == 6
    first = next(row for row in rows[2:] if row[0] == catalogue[0].name)
    assert first[-1] == f"https://ocop.example.vn{catalogue[0].get_absolute_url()}"
    names = {row[0] for row in rows[2:]}
    assert "'" + INJECTION in names and INJECTION not in names
    assert {row[4] for row in rows[2:]} == {"'@SUM(A1:A9) Hợp tác xã"}
    assert "Mứt (nháp)" not in names


def test_the_full_xlsx_holds_every_row_as_text_never_a_formula(client, catalogue, settings):
    export = built(client, {"kind": "catalogue", "fmt": "xlsx", "sort": "name"})
    response = client.get(reverse("reports:export-download", kwargs={"pk": export.pk}))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = direct_rows(client, "reports:catalogue-csv", {"sort": "name"}, settings)
    assert rows[0][0] == expected[0][0]
    assert list(rows[2]) == expected[1]
    assert [row[0] for row in rows[3:]] == [row[0] for row in expected[2:]]
    stars = rows[2].index(expected[1][9])
    assert rows[3][stars] == 4  # numbers stay numbers
    assert isinstance(rows[3][stars + 3], datetime.datetime)  # dates stay dates
    assert "'" + INJECTION in {row[0] for row in rows[3:]}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_full_register_holds_every_decision_of_the_filters(client, catalogue, settings):
    export = built(client, {"kind": "certificates", "fmt": "csv", "stars": "4"})
    rows = csv_rows(body(client.get(reverse("reports:export-download", kwargs={"pk": export.pk}))))
    assert rows == direct_rows(client, "reports:certificate-register-csv", {"stars": "4"}, settings)
    assert len(rows[2:]) == 7  # the draft's decision is on record too
    response = client.get(reverse("reports:export-download", kwargs={"pk": export.pk}))
    assert response["Content-Disposition"].startswith('attachment; filename="so-chung-nhan-ocop-')


def test_the_file_is_written_in_the_language_it_was_asked_in(client, catalogue, settings):
    with translation.override("en"):
        response = client.post(reverse("reports:export-new"), {"kind": "catalogue", "fmt": "csv"})
        assert response["Location"].startswith("/en/exports/")
        expected = direct_rows(client, "reports:catalogue-csv", {}, settings)
    run_queued_jobs(queues=[services.EXPORT_QUEUE])
    export = DataExport.objects.get()
    assert export.language == "en"
    rows = csv_rows(body(client.get(reverse("reports:export-download", kwargs={"pk": export.pk}))))
    assert rows[:2] == expected[:2]


def test_the_page_shows_the_progress_then_the_download(client, catalogue):
    response = ask(client, {"kind": "catalogue", "fmt": "csv"})
    export = DataExport.objects.get()
    download = reverse("reports:export-download", kwargs={"pk": export.pk})
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="robots" content="noindex"' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'data-state="queued"' in html
    assert "<progress" in html
    assert "js/export.js" in html
    assert download not in html
    assert client.get(download).status_code == 404  # no file yet

    DataExport.objects.filter(pk=export.pk).update(status="running", rows_written=2, rows_total=6)
    html = client.get(response["Location"]).content.decode()
    assert 'data-state="running"' in html
    assert 'value="33"' in html  # 2 of 6 rows

    run_queued_jobs(queues=[services.EXPORT_QUEUE])
    html = client.get(response["Location"]).content.decode()
    assert 'data-state="ready"' in html
    assert f'href="{download}"' in html
    assert "http-equiv" not in html
    assert "<progress" not in html
    assert "js/export.js" not in html


def test_a_ready_export_is_not_built_again(client, catalogue):
    export = built(client, {"kind": "catalogue", "fmt": "csv"})
    services.export_build(export_id=export.pk)
    again = DataExport.objects.get()
    assert (again.file.name, again.finished_at, again.attempts) == (export.file.name, export.finished_at, 1)
    assert private_storage.listdir("exports")[1] == [export.file.name.split("/")[-1]]


def test_an_interrupted_run_is_started_over_and_the_old_run_stops(client, catalogue, monkeypatch):
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    export = DataExport.objects.get()
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    real_stream = downloads.export_stream

    def taken_over_after_one_batch(**kwargs):
        table = real_stream(**kwargs)
        batches = table.batches

        def interrupted():
            yield next(batches)
            services._claim(export.pk)  # a retried job starts while this run is still writing
            yield from batches

        table.batches = interrupted()
        return table

    monkeypatch.setattr(downloads, "export_stream", taken_over_after_one_batch)
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.RUNNING  # the first run left it to the second
    assert not export.file
    assert export.rows_written == 0
    monkeypatch.setattr(downloads, "export_stream", real_stream)
    services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert export.rows_written == 6
    assert export.attempts == 3
    assert len(private_storage.listdir("exports")[1]) == 1  # the stopped run stored nothing


def test_storage_errors_are_retried_then_the_export_fails_with_a_way_to_try_again(client, catalogue, monkeypatch):
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    export = DataExport.objects.get()

    def unreachable(name, content, max_length=None):
        raise OSError("connection refused")

    monkeypatch.setattr(private_storage, "save", unreachable)
    with pytest.raises(OSError):
        run_queued_jobs(queues=[services.EXPORT_QUEUE])
    export.refresh_from_db()
    assert export.status == DataExport.Status.QUEUED  # to be retried by the queue
    assert "OSError" in export.error
    html = client.get(export.get_absolute_url()).content.decode()
    assert 'data-state="queued"' in html
    for _attempt in range(services.MAX_ATTEMPTS - 1):
        with pytest.raises(OSError):
            services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == DataExport.Status.FAILED
    assert export.attempts == services.MAX_ATTEMPTS
    assert tasks.EXPORT_RETRY.max_attempts == services.MAX_ATTEMPTS - 1

    page = client.get(export.get_absolute_url())
    html = page.content.decode()
    retry = reverse("reports:export-retry", kwargs={"pk": export.pk})
    assert 'data-state="failed"' in html
    assert "alert--error" in html
    assert f'action="{retry}"' in html
    assert "connection refused" not in html  # the details are for staff, in the admin
    assert "http-equiv" not in html

    monkeypatch.undo()
    response = client.post(retry)
    assert response["Location"] == export.get_absolute_url()
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == (DataExport.Status.QUEUED, 0, "")
    assert export_jobs() == 1
    run_queued_jobs(queues=[services.EXPORT_QUEUE])
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


def test_an_error_that_is_not_the_storages_fails_at_once(client, catalogue, monkeypatch):
    ask(client, {"kind": "catalogue", "fmt": "csv"})

    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(downloads, "export_stream", broken)
    with pytest.raises(ValueError):
        run_queued_jobs(queues=[services.EXPORT_QUEUE])
    export = DataExport.objects.get()
    assert export.status == DataExport.Status.FAILED
    assert export.error == "ValueError: a bug"
    # Asking again for the same list starts it again.
    monkeypatch.undo()
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    export.refresh_from_db()
    assert export.status == DataExport.Status.QUEUED
    assert export_jobs() == 1


def test_a_retry_of_an_export_that_did_not_fail_changes_nothing(client, catalogue):
    export = built(client, {"kind": "catalogue", "fmt": "csv"})
    response = client.post(reverse("reports:export-retry", kwargs={"pk": export.pk}))
    assert response.status_code == 302
    assert DataExport.objects.get().status == DataExport.Status.READY
    assert export_jobs() == 0
    assert client.get(reverse("reports:export-retry", kwargs={"pk": export.pk})).status_code == 405


def test_a_stalled_export_may_be_started_again(client, catalogue):
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    run_queued_jobs(queues=[services.EXPORT_QUEUE])
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    DataExport.objects.update(status="running", progress_at=long_ago)
    export = DataExport.objects.get()
    html = client.get(export.get_absolute_url()).content.decode()
    assert reverse("reports:export-retry", kwargs={"pk": export.pk}) in html
    client.post(reverse("reports:export-retry", kwargs={"pk": export.pk}))
    assert DataExport.objects.get().status == DataExport.Status.QUEUED
    assert export_jobs() == 1
    html = client.get(export.get_absolute_url()).content.decode()
    assert reverse("reports:export-retry", kwargs={"pk": export.pk}) not in html  # started again: not stalled


def test_the_database_refuses_a_ready_export_without_its_file(client, catalogue):
    ask(client, {"kind": "catalogue", "fmt": "csv"})
    with pytest.raises(IntegrityError), transaction.atomic():
        DataExport.objects.update(status=DataExport.Status.READY)


@pytest.mark.parametrize("name", ["reports:export-detail", "reports:export-download", "reports:export-retry"])
def test_an_unknown_export_is_not_found(client, catalogue, name):
    path = reverse(name, kwargs={"pk": uuid.uuid4()})
    response = client.post(path) if name.endswith("retry") else client.get(path)
    assert response.status_code == 404


def test_an_address_that_is_no_export_id_is_not_found(client, db):
    assert client.get("/exports/12/").status_code == 404
    assert client.get("/exports/not-a-uuid/download/").status_code == 404


def test_the_build_costs_the_same_queries_for_more_rows(client, django_assert_max_num_queries):
    producer = ProducerFactory()
    for index in range(4):
        certify(ProductFactory(producer=producer, name=f"Gạo {index}"), score="60")
    ask(client, {"kind": "catalogue", "fmt": "xlsx"})
    export = DataExport.objects.get()
    with django_assert_max_num_queries(12) as few:
        services.export_build(export_id=export.pk)
    queries = len(few.captured_queries)  # before a request resets Django's log of queries
    for index in range(4, 60):
        certify(ProductFactory(producer=ProducerFactory(), name=f"Gạo {index}"), score="60")
    ask(client, {"kind": "catalogue", "fmt": "xlsx"})  # the catalogue changed: a new export
    export = DataExport.objects.latest("created_at")
    with django_assert_max_num_queries(queries):
        services.export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.rows_written == 60


def test_old_exports_and_their_files_are_removed(client, catalogue):
    old = built(client, {"kind": "catalogue", "fmt": "csv"})
    ask(client, {"kind": "catalogue", "fmt": "xlsx"})
    recent = DataExport.objects.exclude(pk=old.pk).get()
    DataExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    assert private_storage.exists(old.file.name)
    assert tasks.exports_remove_old(timestamp=0) == 1
    assert list(DataExport.objects.all()) == [recent]
    assert not private_storage.exists(old.file.name)
    assert client.get(reverse("reports:export-detail", kwargs={"pk": old.pk})).status_code == 404


def test_staff_read_exports_in_the_admin(admin_client, catalogue, client):
    export = built(client, {"kind": "catalogue", "fmt": "csv"})
    assert admin_client.get(reverse("admin:reports_dataexport_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:reports_dataexport_change", args=[export.pk]))
    assert page.status_code == 200
    assert export.file.name in page.content.decode()
    assert admin_client.get(reverse("admin:reports_dataexport_add")).status_code == 403
