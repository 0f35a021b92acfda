"""A long list is read in the request, then checked and imported by a worker, its page showing the progress.

The province's whole list (5,000 rows, the most one file may hold) goes in within the request timeout: the
upload and the confirmation answer at once, the worker does the rest, each run idempotent.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.imports.reading import MAX_ROWS
from catalog.models import Certificate, ImportBatch, Product
from catalog.services import imports as services
from tests.catalog.import_files import generated_list, xlsx_bytes
from tests.jobs import run_queued_jobs

pytestmark = pytest.mark.django_db

with translation.override("vi"):
    BUSY = _("This list is being checked or imported; wait until it is done.")


def queued(task: str) -> int:
    from procrastinate.contrib.django.models import ProcrastinateJob

    return ProcrastinateJob.objects.filter(task_name=task, status="todo").count()


def upload_list(client, rows: int, **kwargs):
    table, _bad = generated_list(rows, **kwargs)
    data = xlsx_bytes(table)
    started = time.perf_counter()
    response = client.post(reverse("catalog:staff-import"), {"file": SimpleUploadedFile("ds.xlsx", data)})
    return response, time.perf_counter() - started


def test_the_provinces_whole_list_goes_in_through_the_worker(client, staff, capsys):
    client.force_login(staff)
    response, uploaded_in = upload_list(client, MAX_ROWS, bad_every=1000)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert (batch.status, batch.row_count, batch.rows) == (ImportBatch.Status.CHECKING, MAX_ROWS, [])
    assert queued(services.CHECK_TASK) == 1

    # While it waits for a worker, the page says so, shows the bar, and refreshes itself without JavaScript.
    page = client.get(batch.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in html
    assert 'data-status="checking"' in html
    assert "catalog/staff/_import_running.html" in [template.name for template in page.templates]
    assert page.context["progress"]["phase"] == "waiting"
    progress = client.get(reverse("catalog:staff-import-progress", args=[batch.pk])).json()
    assert (progress["status"], progress["phase"], progress["percent"]) == ("checking", "waiting", 0)

    started = time.perf_counter()
    assert run_queued_jobs() == 1
    checked_in = time.perf_counter() - started
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.counts["error"] == 5
    assert batch.counts["create"] == MAX_ROWS - 5
    assert (batch.progress_done, batch.progress_total) == (0, 0)
    page = client.get(batch.get_absolute_url())
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert page.context["can_confirm"]

    started = time.perf_counter()
    response = client.post(reverse("catalog:staff-import-confirm", args=[batch.pk]))
    confirmed_in = time.perf_counter() - started
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by) == (ImportBatch.Status.IMPORTING, staff)
    assert Product.objects.count() == 0
    # A second click queues nothing more: the import is already on its way.
    again = client.post(reverse("catalog:staff-import-confirm", args=[batch.pk]), follow=True)
    assert any(str(message) == BUSY for message in again.context["messages"])
    assert queued(services.CONFIRM_TASK) == 1
    assert 'data-status="importing"' in client.get(batch.get_absolute_url()).content.decode()

    started = time.perf_counter()
    assert run_queued_jobs() == 1
    imported_in = time.perf_counter() - started
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert Product.objects.count() == Certificate.objects.count() == MAX_ROWS - 5
    progress = client.get(reverse("catalog:staff-import-progress", args=[batch.pk])).json()
    assert (progress["phase"], progress["percent"]) == ("done", 100)
    assert client.get(batch.get_absolute_url()).context["counts"]["create"] == MAX_ROWS - 5
    with capsys.disabled():
        print(
            f"\n{MAX_ROWS:,}-row list: upload answered in {uploaded_in:.1f} s, confirmation in {confirmed_in:.2f} s;"
            f" the worker checked it in {checked_in:.1f} s and imported it in {imported_in:.1f} s"
        )


@pytest.fixture
def long_list(monkeypatch):
    """Lists of more than 3 rows go to the worker, so that a few rows show the background path."""
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 3)


def test_a_short_list_is_still_checked_in_the_request(client, staff, long_list):
    client.force_login(staff)
    upload_list(client, 3)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.counts["create"] == 3
    assert queued(services.CHECK_TASK) == 0


def test_each_run_of_the_workers_work_does_it_once(client, staff, long_list):
    client.force_login(staff)
    upload_list(client, 6)
    batch = ImportBatch.objects.get()
    services.import_batch_check_run(batch_id=batch.pk)
    batch.refresh_from_db()
    checked = (batch.status, batch.counts, len(batch.rows))
    assert checked[0] == ImportBatch.Status.CHECKED
    # A run thought lost and put back by the queue finds the batch checked, and leaves it as it is.
    services.import_batch_check_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.counts, len(batch.rows)) == checked

    client.post(reverse("catalog:staff-import-confirm", args=[batch.pk]))
    services.import_batch_confirm_run(batch_id=batch.pk)
    services.import_batch_confirm_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert Product.objects.count() == 6
    # The job still queued runs as well, and changes nothing.
    assert run_queued_jobs() >= 1
    assert Product.objects.count() == Certificate.objects.count() == 6


def test_a_file_lost_before_its_check_fails_the_batch_with_the_reason(client, staff, long_list):
    client.force_login(staff)
    upload_list(client, 5)
    batch = ImportBatch.objects.get()
    batch.file.delete(save=False)
    run_queued_jobs()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    with translation.override("vi"):  # the worker writes in the portal's language
        assert batch.failure == _("The uploaded file is no longer stored. Upload the list again.")
    page = client.get(batch.get_absolute_url())
    assert page.status_code == 200
    assert not page.context["can_confirm"]
    assert reverse("catalog:staff-import") in page.content.decode()
    assert Product.objects.count() == 0


def test_an_import_by_someone_no_longer_allowed_fails_and_saves_nothing(client, staff, long_list):
    client.force_login(staff)
    upload_list(client, 5)
    run_queued_jobs()
    batch = ImportBatch.objects.get()
    client.post(reverse("catalog:staff-import-confirm", args=[batch.pk]))
    staff.groups.clear()  # the staff member left the department before a worker took the job
    run_queued_jobs()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.failure
    assert Product.objects.count() == 0


def test_a_list_being_checked_can_be_neither_confirmed_nor_imported(client, staff, long_list):
    client.force_login(staff)
    upload_list(client, 5)
    run_queued_jobs()
    batch = ImportBatch.objects.get()
    batch.status = ImportBatch.Status.CHECKING
    batch.save(update_fields=["status"])
    # While a worker checks it, the list can be neither confirmed nor re-checked.
    response = client.post(reverse("catalog:staff-import-confirm", args=[batch.pk]), follow=True)
    assert any(str(message) == BUSY for message in response.context["messages"])
    with pytest.raises(services.ValidationError):
        services.import_batch_confirm(actor=services.Actor(user=staff, organisation=None), batch=batch)
    assert Product.objects.count() == 0
