"""Importing the province's OCOP list: each row's outcome and reasons, the one-transaction import, re-imports."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import ActionRecord, Organisation
from accounts.roles import Actor
from catalog.imports.messages import error_text
from catalog.imports.names import legal_form_of
from catalog.models import Certificate, ImportBatch, ProducerProfile, Product, add_months
from catalog.services import imports as services
from tests.accounts.factories import OrganisationFactory
from tests.catalog.factories import ProducerFactory, ProductFactory, certify
from tests.catalog.import_files import BAD_KINDS, HEADERS, csv_bytes, generated_list, xlsx_bytes
from tests.jobs import run_queued_jobs

pytestmark = pytest.mark.django_db

ADDRESS = "Ấp Phú Hữu, Xã Đại Tâm, Huyện Mỹ Xuyên, Tỉnh Sóc Trăng"


def actor(user):
    return Actor(user=user, organisation=None)


def upload(data: bytes, name="danh-sach.csv"):
    return SimpleUploadedFile(name, data)


def row(**values) -> list:
    """One row of the list in the HEADERS order; every value valid unless given."""
    today = timezone.localdate()
    defaults = {
        "STT": 1,
        "Tên sản phẩm": "Bánh pía sầu riêng trứng",
        "Tên chủ thể": "Công ty TNHH bánh pía Hải Sơn",
        "Loại hình": "Doanh nghiệp",
        "Mã số thuế": "2200010099",
        "Địa chỉ": ADDRESS,
        "Nhóm sản phẩm": "1.3.2",
        "Số sao": 4,
        "Điểm": "75,5",
        "Số quyết định": "123/QĐ-UBND",
        "Ngày quyết định": (today - datetime.timedelta(days=100)).strftime("%d/%m/%Y"),
    }
    defaults.update(values)
    return [defaults[header] for header in HEADERS]


def check(staff, *rows, fmt="csv"):
    data = xlsx_bytes([HEADERS, *rows]) if fmt == "xlsx" else csv_bytes([HEADERS, *rows])
    return services.import_batch_check(actor=actor(staff), upload=upload(data, f"list.{fmt}"))


def error_codes(batch) -> dict[int, list[str]]:
    return {r["row"]: [e["code"] for e in r["errors"]] for r in batch.rows if r["outcome"] == "error"}


def counts():
    return (
        Organisation.objects.count(),
        ProducerProfile.objects.count(),
        Product.objects.count(),
        Certificate.objects.count(),
    )


# --- The acceptance: 1,000 rows with 10 bad ones -------------------------------------------------------------------


def test_a_thousand_row_list_with_ten_bad_rows(staff, capsys):
    table, bad = generated_list(1000, bad_every=100)
    data = xlsx_bytes(table)
    assert sorted(bad.values()) == sorted(BAD_KINDS)
    before = counts()

    started = time.perf_counter()
    batch = services.import_batch_check(actor=actor(staff), upload=upload(data, "ocop-1000.xlsx"))
    # A list this long is read in the request (a file it cannot read is refused at once), judged by a worker.
    assert batch.status == ImportBatch.Status.CHECKING
    assert (batch.row_count, batch.rows, batch.counts) == (1000, [], {})
    assert run_queued_jobs() == 1
    batch.refresh_from_db()
    checked_in = time.perf_counter() - started
    # The dry run lists exactly the ten bad rows, each with the reason of its kind, and saves nothing.
    assert error_codes(batch) == {number: [kind] for number, kind in bad.items()}
    assert all(r["errors"] and error_text(r["errors"][0]) for r in batch.rows if r["outcome"] == "error")
    assert batch.counts == {"error": 10, "create": 990, "update": 0, "incomplete": 0, "unchanged": 0}
    assert counts() == before

    started = time.perf_counter()
    batch = services.import_batch_confirm(actor=actor(staff), batch=batch)
    imported_in = time.perf_counter() - started
    assert batch.status == ImportBatch.Status.IMPORTED
    assert batch.counts["create"] == 990
    organisations, profiles, products, certificates = (
        after - prior for after, prior in zip(counts(), before, strict=True)
    )
    assert products == 990
    assert certificates == 990
    assert organisations == profiles == len({r[2] for r in table[1:]})  # one per producer of the list
    imported = Product.objects.filter(producer__name__contains="Thử nghiệm")
    assert imported.filter(current_certificate__isnull=True).count() == 0
    assert imported.filter(search_vector__isnull=True).count() == 0
    # A certification is public record: published at once, a lapsed decision recorded (and shown) as expired.
    assert set(imported.values_list("status", flat=True)) == {Product.Status.PUBLISHED}
    assert imported.filter(published_at__isnull=True).count() == 0
    lapsed = imported.filter(current_certificate__valid_until__lt=timezone.localdate())
    assert set(lapsed.values_list("current_certificate__status", flat=True)) <= {Certificate.Status.EXPIRED}

    # The same file again: nothing created, nothing changed, the same ten errors.
    again = services.import_batch_check(actor=actor(staff), upload=upload(data, "ocop-1000.xlsx"))
    run_queued_jobs()
    again.refresh_from_db()
    assert again.counts == {"error": 10, "create": 0, "update": 0, "incomplete": 0, "unchanged": 990}
    services.import_batch_confirm(actor=actor(staff), batch=again)
    assert counts() == tuple(
        prior + delta for prior, delta in zip(before, (organisations, profiles, 990, 990), strict=True)
    )
    with capsys.disabled():
        print(f"\n1,000-row list: dry run {checked_in:.1f} s, import {imported_in:.1f} s")


def test_the_import_writes_in_a_bounded_number_of_queries(staff):
    """Ten rows or a hundred and twenty: the same statements (bulk), not one round of queries per row."""
    small = check(staff, *generated_list(10)[0][1:])
    table, _bad = generated_list(120)
    for values in table[1:]:
        values[2] = values[2].replace("Thử nghiệm", "Lô hai")
        values[4] = values[4].replace("31", "32", 1) if values[4] else ""
    large = check(staff, *table[1:])
    queries = []
    for batch in (small, large):
        with CaptureQueriesContext(connection) as captured:
            services.import_batch_confirm(actor=actor(staff), batch=batch)
        queries.append(len(captured))
    assert large.counts["create"] == 120
    assert queries[1] == queries[0]
    assert queries[0] < 60


# --- Each kind of bad row ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"Điểm": "=70+5"}, "formula"),
        ({"Tên chủ thể": '=HYPERLINK("http://x")'}, "formula"),
        ({"Số sao": 3, "Điểm": "75"}, "stars_contradict_score"),
        ({"Số sao": 5, "Điểm": "89,9"}, "stars_contradict_score"),
        ({"Số sao": "", "Điểm": "45"}, "score_not_certified"),
        ({"Điểm": "bảy mươi"}, "score_invalid"),
        ({"Điểm": "101"}, "score_range"),
        ({"Điểm": "75.25"}, "score_precision"),
        ({"Điểm": "", "Số sao": ""}, "stars_or_score_required"),
        ({"Điểm": "", "Số sao": 2}, "stars_not_certified"),
        ({"Số sao": "nhiều"}, "stars_invalid"),
        ({"Địa chỉ": "nowhere at all"}, "address_unknown"),
        ({"Địa chỉ": "Ấp Không Tên, Xứ Không Có"}, "address_unknown"),
        ({"Tên sản phẩm": ""}, "required"),
        ({"Tên chủ thể": ""}, "required"),
        ({"Số quyết định": ""}, "required"),
        ({"Ngày quyết định": "31/02/2020"}, "date_invalid"),
        ({"Ngày quyết định": "hôm qua"}, "date_invalid"),
        ({"Nhóm sản phẩm": "Nhóm không có"}, "group_unknown"),
        ({"Mã số thuế": "12345"}, "tax_code_invalid"),
        ({"Loại hình": "Liên doanh"}, "legal_form_unknown"),
        ({"Tên sản phẩm": "x" * 201}, "too_long"),
    ],
)
def test_a_bad_row_is_an_error_with_its_reason_and_nothing_is_saved(staff, values, code):
    before = counts()
    batch = check(staff, row(**values))
    assert code in error_codes(batch)[2]
    assert batch.counts["error"] == 1
    assert all(error_text(entry) for entry in batch.rows[0]["errors"])
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert counts() == before


def test_a_date_in_the_future_is_an_error(staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert error_codes(check(staff, row(**{"Ngày quyết định": tomorrow.strftime("%d/%m/%Y")})))[2] == ["date_future"]


def test_a_duplicated_row_names_the_earlier_row(staff):
    batch = check(
        staff, row(), row(**{"Tên sản phẩm": "Lạp xưởng"}), row(**{"Tên sản phẩm": "BÁNH PÍA SẦU RIÊNG TRỨNG"})
    )
    assert error_codes(batch) == {4: ["duplicate_row"]}
    assert "dòng 2" in error_text(batch.rows[2]["errors"][0]).lower()
    with translation.override("en"):
        assert "row 2" in error_text(batch.rows[2]["errors"][0])
    assert batch.counts["create"] == 2


def test_a_tax_code_of_a_buyer_is_not_a_producer(staff):
    buyer = OrganisationFactory(kind="buyer", tax_code="2200010099")
    batch = check(staff, row())
    assert error_codes(batch)[2] == ["tax_code_not_producer"]
    assert buyer.name in error_text(batch.rows[0]["errors"][0])


def test_two_producers_of_the_same_name_need_the_tax_code(staff):
    first = ProducerFactory(name="Hộ kinh doanh Út Hiền", tax_code="")
    ProducerFactory(name="Hộ kinh doanh Út Hiền", tax_code="", ward=first.ward)
    address = f"{first.ward.name}, {first.province.name}"
    batch = check(staff, row(**{"Tên chủ thể": "Hộ kinh doanh Út Hiền", "Mã số thuế": "", "Địa chỉ": address}))
    assert error_codes(batch)[2] == ["producer_ambiguous"]


# --- Values read and converted ----------------------------------------------------------------------------------------


def test_an_old_address_becomes_todays_ward_and_province(staff):
    batch = check(staff, row())
    result = batch.rows[0]
    assert result["outcome"] == "create"
    assert result["converted"] == "Ấp Phú Hữu, Phường Mỹ Xuyên, Thành phố Cần Thơ"
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    producer = Organisation.objects.get(tax_code="2200010099")
    assert (producer.ward.name, producer.province.name) == ("Phường Mỹ Xuyên", "Thành phố Cần Thơ")
    assert producer.street_address == "Ấp Phú Hữu"
    assert producer.kind == Organisation.Kind.PRODUCER
    assert producer.is_verified and producer.verified_by == staff
    assert producer.producer_profile.legal_form == ProducerProfile.LegalForm.ENTERPRISE


def test_todays_two_level_address_is_accepted_too(staff):
    batch = check(staff, row(**{"Địa chỉ": "Ấp 3, Phường Vĩnh Châu, Thành phố Cần Thơ"}))
    assert batch.rows[0]["converted"] == "Ấp 3, Phường Vĩnh Châu, Thành phố Cần Thơ"


@pytest.mark.parametrize(
    ("text", "legal_form"),
    [
        ("Doanh nghiệp", "enterprise"),
        ("DNTN", "enterprise"),
        ("Công ty cổ phần", "enterprise"),
        ("HTX", "cooperative"),
        ("Hợp tác xã", "cooperative"),
        ("Tổ hợp tác", "cooperative_group"),
        ("Hộ kinh doanh", "household"),
        ("hộ kinh doanh cá thể", "household"),
        ("Cơ sở sản xuất", "household"),
        ("Liên doanh", None),
    ],
)
def test_legal_forms_as_provinces_write_them(text, legal_form):
    assert legal_form_of(text) == legal_form


def test_an_empty_legal_form_is_told_from_the_producers_name(staff):
    batch = check(staff, row(**{"Loại hình": "", "Tên chủ thể": "HTX Nông nghiệp Phú Tâm"}))
    assert batch.rows[0]["legal_form"] == "cooperative"


def test_stars_left_empty_follow_from_the_score_and_written_stars_are_read(staff):
    batch = check(
        staff,
        row(**{"Số sao": "", "Điểm": "69,9"}),
        row(**{"Tên sản phẩm": "Lạp xưởng", "Số sao": "4 sao", "Điểm": "70"}),
        row(**{"Tên sản phẩm": "Trà", "Số sao": "★★★", "Điểm": "50"}),
    )
    assert [r["stars"] for r in batch.rows] == [3, 4, 3]
    assert batch.counts["error"] == 0


def test_a_tax_code_typed_as_a_number_keeps_its_leading_zero(staff):
    batch = check(staff, row(**{"Mã số thuế": 301234567}), fmt="xlsx")
    assert batch.rows[0]["tax_code"] == "0301234567"


def test_dates_and_scores_typed_as_spreadsheet_values(staff):
    day = timezone.localdate() - datetime.timedelta(days=30)
    batch = check(
        staff,
        row(**{"Ngày quyết định": datetime.datetime.combine(day, datetime.time()), "Điểm": 82.5}),  # noqa: DTZ001
        fmt="xlsx",
    )
    assert batch.rows[0]["decision_date"] == day.isoformat()
    assert batch.rows[0]["score"] == "82.5"


def test_a_five_star_row_is_recorded_as_recognised_centrally(staff):
    batch = services.import_batch_confirm(actor=actor(staff), batch=check(staff, row(**{"Số sao": 5, "Điểm": "92"})))
    assert batch.counts["create"] == 1
    certificate = Certificate.objects.get(decision_number="123/QĐ-UBND")
    assert (certificate.stars, certificate.level) == (5, Certificate.Level.CENTRAL)


def test_a_lapsed_decision_is_recorded_as_expired(staff):
    old = (timezone.localdate() - datetime.timedelta(days=1500)).strftime("%d/%m/%Y")
    services.import_batch_confirm(actor=actor(staff), batch=check(staff, row(**{"Ngày quyết định": old})))
    certificate = Certificate.objects.get(decision_number="123/QĐ-UBND")
    assert certificate.status == Certificate.Status.EXPIRED
    assert certificate.rule_set.code == "1048/2019"
    assert certificate.product.current_certificate == certificate


def test_the_imported_certificate_keeps_the_certificate_rules(staff):
    batch = services.import_batch_confirm(actor=actor(staff), batch=check(staff, row()))
    certificate = Certificate.objects.select_related("product").get()
    assert certificate.stars == 4 and certificate.total_score == Decimal("75.5")
    assert certificate.level == Certificate.Level.PROVINCE
    assert certificate.valid_until == add_months(certificate.decision_date, 36)
    assert certificate.product.current_certificate_id == certificate.pk
    assert certificate.history.get().history_user == staff  # the audit trail names who imported it
    assert ActionRecord.objects.filter(verb="ocop_list_import", actor=staff).count() == 1
    assert batch.rows[0]["outcome"] == "create"


# --- Matching what is already in the portal ---------------------------------------------------------------------------


def test_an_existing_producer_is_found_by_tax_code_and_gets_the_new_product(staff):
    producer = ProducerFactory(tax_code="2200010099", name="Cơ sở Hải Sơn (tên cũ)")
    batch = check(staff, row())
    assert batch.rows[0]["outcome"] == "create"
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert Product.objects.get(name="Bánh pía sầu riêng trứng").producer == producer
    assert Organisation.objects.filter(tax_code="2200010099").count() == 1


def test_an_existing_producer_without_tax_code_is_found_by_name_and_the_tax_code_filled_in(staff):
    producer = ProducerFactory(name="Công ty TNHH bánh pía Hải Sơn", tax_code="")
    address = f"{producer.ward.name}, {producer.province.name}"
    batch = check(staff, row(**{"Địa chỉ": address}))
    assert batch.rows[0]["outcome"] == "create"
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    producer.refresh_from_db()
    assert producer.tax_code == "2200010099"
    assert producer.products.count() == 1


def test_a_newer_decision_for_an_existing_product_supersedes_the_older_certificate(staff):
    product = ProductFactory(name="Bánh pía sầu riêng trứng", producer=ProducerFactory(tax_code="2200010099"))
    older = certify(product, score="65", days_ago=900)
    batch = check(staff, row())
    assert batch.rows[0]["outcome"] == "update"
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    older.refresh_from_db()
    product.refresh_from_db()
    assert older.status == Certificate.Status.SUPERSEDED
    assert product.current_certificate.decision_number == "123/QĐ-UBND"
    assert product.current_certificate.stars == 4


def test_an_older_decision_than_the_one_recorded_is_an_error(staff):
    product = ProductFactory(name="Bánh pía sầu riêng trứng", producer=ProducerFactory(tax_code="2200010099"))
    certify(product, score="80", days_ago=10)
    assert error_codes(check(staff, row()))[2] == ["later_decision"]


def test_a_recorded_decision_with_other_figures_is_not_overwritten(staff):
    product = ProductFactory(name="Bánh pía sầu riêng trứng", producer=ProducerFactory(tax_code="2200010099"))
    recorded = certify(product, score="80", days_ago=100)
    batch = check(staff, row(**{"Số quyết định": recorded.decision_number}))
    assert error_codes(batch)[2] == ["certificate_conflict"]


def test_the_same_decision_already_recorded_is_unchanged(staff):
    product = ProductFactory(name="Bánh pía sầu riêng trứng", producer=ProducerFactory(tax_code="2200010099"))
    recorded = certify(product, score="75.5", days_ago=100)
    batch = check(staff, row(**{"Số quyết định": recorded.decision_number.upper().replace("Đ", "D")}))
    assert batch.rows[0]["outcome"] == "unchanged"


# --- One transaction, one confirmation --------------------------------------------------------------------------------


def test_a_failure_while_writing_saves_nothing_and_the_batch_can_be_confirmed_again(staff, monkeypatch):
    batch = check(staff, row(), row(**{"Tên sản phẩm": "Lạp xưởng", "Mã số thuế": "2200010098"}))
    before = counts()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "product_reindex", broken)
    with pytest.raises(ValidationError) as caught:
        services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert caught.value.code == "failed"
    assert counts() == before  # the producers and products written before the failure are rolled back
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "disk full" in batch.failure

    monkeypatch.undo()
    services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert Product.objects.count() == before[2] + 2


def test_a_second_confirmation_is_refused_and_changes_nothing(staff):
    batch = services.import_batch_confirm(actor=actor(staff), batch=check(staff, row()))
    after = counts()
    with pytest.raises(ValidationError) as caught:
        services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert caught.value.code == "already_imported"
    assert counts() == after


def test_a_stored_file_that_changed_is_not_imported(staff):
    batch = check(staff, row())
    with batch.file.open("wb") as stored:
        stored.write(csv_bytes([HEADERS, row(**{"Tên sản phẩm": "Khác"})]))
    with pytest.raises(ValidationError) as caught:
        services.import_batch_confirm(actor=actor(staff), batch=batch)
    assert caught.value.code == "file_changed"
    assert Product.objects.count() == 0


@pytest.mark.parametrize("who", ["producer", "buyer", "plain_staff"])
def test_only_staff_with_the_permission_import(request, staff, who):
    batch = check(staff, row())
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.import_batch_check(actor=actor(user), upload=upload(csv_bytes([HEADERS, row()])))
    with pytest.raises(PermissionDenied):
        services.import_batch_confirm(actor=actor(user), batch=batch)
    assert Product.objects.count() == 0


def confirm_at_once(staff, batches) -> list[str]:
    """Confirm the batches from as many threads released together; the outcome of each."""
    outcomes = []
    barrier = threading.Barrier(len(batches))

    def confirm(batch):
        try:
            barrier.wait()
            imported = services.import_batch_confirm(actor=actor(staff), batch=batch)
            outcomes.append(f"imported {imported.counts['create']}")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_one_batch_at_once_import_once(staff):
    batch = check(staff, row(), row(**{"Tên sản phẩm": "Lạp xưởng"}))
    assert confirm_at_once(staff, [batch, batch]) == ["already_imported", "imported 2"]
    assert Product.objects.filter(name__in=["Bánh pía sầu riêng trứng", "Lạp xưởng"]).count() == 2
    assert Certificate.objects.filter(decision_number="123/QĐ-UBND").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_one_file_confirmed_at_once_create_each_product_once(staff):
    rows = [row(**{"Mã số thuế": ""}), row(**{"Tên sản phẩm": "Lạp xưởng", "Mã số thuế": ""})]
    first, second = check(staff, *rows), check(staff, *rows)
    assert confirm_at_once(staff, [first, second]) == ["imported 0", "imported 2"]
    assert Organisation.objects.filter(name="Công ty TNHH bánh pía Hải Sơn").count() == 1
    assert Product.objects.filter(name__in=["Bánh pía sầu riêng trứng", "Lạp xưởng"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(staff):
    batch = check(staff, row())
    writer = services.ProgressWriter(batch_id=batch.pk, rows=10)
    with transaction.atomic():
        ProductFactory()  # the import's own writes, not yet committed
        writer.write(7, force=True)
        # The import's own transaction reads what the other connection committed.
        seen = ImportBatch.objects.get(pk=batch.pk)
        assert (seen.progress_done, seen.progress_total) == (7, 20)
        assert services.import_progress(batch=seen) == {
            "status": "checked",
            "phase": "checking",
            "rows": 10,
            "checked": 7,
            "saved": 0,
            "percent": 35,
        }
    writer.close()


def test_progress_after_the_import_reads_done(staff):
    batch = services.import_batch_confirm(actor=actor(staff), batch=check(staff, row()))
    assert services.import_progress(batch=batch)["phase"] == "done"
    assert services.import_progress(batch=check(staff, row()))["phase"] == "waiting"


@pytest.mark.parametrize(
    ("status", "done", "total", "phase", "checked", "saved"),
    [
        ("checked", 0, 0, "waiting", 0, 0),
        ("checked", 3, 20, "checking", 3, 0),
        ("checked", 10, 20, "saving", 10, 0),
        ("checked", 14, 20, "saving", 10, 4),
        ("imported", 20, 20, "done", 10, 10),
        ("failed", 5, 20, "failed", 5, 0),
    ],
)
def test_progress_phases(status, done, total, phase, checked, saved):
    progress = services.import_progress(batch=ImportBatch(status=status, progress_done=done, progress_total=total))
    assert (progress["phase"], progress["checked"], progress["saved"]) == (phase, checked, saved)
