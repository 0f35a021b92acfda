"""Importing the province's existing OCOP list: the dry run, then the confirmed import in one transaction.

The writes keep the invariants of `certificate_record` for many rows at once, in a fixed number of
statements per chunk of rows: stars and validity derived from the score and date, the product's older
certificates superseded, its current certificate pointed at the latest one, an audit-trail row per
certificate. A certified product is public record: an imported product is published at once (the catalogue shows
its group's pictogram until a photo exists), and a decision that has lapsed is recorded as expired, so the product
shows as expired, never with live stars.
"""

import hashlib
import logging
import time
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import ActionRecord, Organisation
from accounts.roles import Actor
from catalog import permissions
from catalog.imports.checking import CREATE, NEW_PRODUCER, UPDATE, CheckResult, RowCheck, rows_check
from catalog.imports.reading import MAX_FILE_BYTES, ImportFileError, sheet_read
from catalog.models import Certificate, ImportBatch, ProducerProfile, Product
from catalog.services.products import product_reindex
from core.forms import field_error

logger = logging.getLogger(__name__)

# Lists longer than this are checked and imported by a worker of the task queue, the page showing the progress.
BACKGROUND_ROWS = 300
CHECK_TASK = "catalog.import_check"
CONFIRM_TASK = "catalog.import_confirm"
# Rows written per round of bulk statements; the query count grows with rows / WRITE_CHUNK, not with rows.
WRITE_CHUNK = 250
# Confirmations are serialised on this advisory lock (namespace, 0), and a batch's checks on (namespace, its id).
ADVISORY_LOCK_NAMESPACE = 7301
ACTION_VERB = "ocop_list_import"


def _require_permission(actor: Actor) -> None:
    if not (actor.user.is_staff and actor.user.has_perm(permissions.IMPORT_OCOP_LIST)):
        raise PermissionDenied("Only Sở Công Thương staff may import the OCOP list.")


def _file_error(error: ImportFileError) -> ValidationError:
    return field_error("file", error.message, code=error.code)


def import_batch_check(*, actor: Actor, upload) -> ImportBatch:
    """The dry run: read the file, judge every row, and keep the file and the results for the confirmation.

    The file is read here, so that a file the portal cannot read is refused beside the upload field. A list
    of more than BACKGROUND_ROWS rows is then judged by a worker (`import_batch_check_run`): the batch is
    saved as being checked, and its page shows the progress.
    """
    _require_permission(actor)
    if getattr(upload, "size", 0) and upload.size > MAX_FILE_BYTES:
        raise _file_error(
            ImportFileError(
                _("The file is larger than %(limit)s MB. Split the list into several files.")
                % {"limit": MAX_FILE_BYTES // 1024 // 1024},
                code="too_large",
            )
        )
    upload.seek(0)
    data = upload.read(MAX_FILE_BYTES + 1)
    try:
        sheet = sheet_read(data)
    except ImportFileError as error:
        raise _file_error(error) from None
    batch = ImportBatch(
        layout=sheet.layout,
        uploaded_by=actor.user,
        original_name=(getattr(upload, "name", "") or "list")[-255:],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        file_kind=sheet.kind,
        row_count=len(sheet.rows),
    )
    background = len(sheet.rows) > BACKGROUND_ROWS
    if background:
        batch.status = ImportBatch.Status.CHECKING
    else:
        _checked(batch, rows_check(sheet, today=timezone.localdate()))
    batch.file.save(f"{uuid.uuid4().hex}.{sheet.kind}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            batch.save()
            if background:
                _later(CHECK_TASK, batch_id=batch.pk)
    except Exception:
        batch.file.delete(save=False)
        raise
    return batch


def _checked(batch: ImportBatch, result: CheckResult) -> None:
    batch.counts = result.counts()
    batch.rows = [row.as_json() for row in result.rows]


def _later(task: str, **kwargs) -> None:
    """Queue one of the import's tasks (catalog/tasks.py) in the caller's transaction."""
    app.configure_task(task, allow_unknown=False).defer(**kwargs)


def import_batch_check_run(*, batch_id: int) -> None:
    """The worker's side of a long list's dry run: judge every row, with progress, and save the results.

    Idempotent: a batch that is no longer being checked (done already, by a run that was thought lost) is left
    as it is. Two runs never check it at once: they take the batch's advisory lock, not a lock on its row,
    which the progress (written through a connection of its own) would wait for until the check ends.
    """
    with transaction.atomic():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, batch_id])
        batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.CHECKING).first()
        if batch is None:
            return
        progress = ProgressWriter(batch_id=batch.pk, rows=batch.row_count, steps=1)
        try:
            sheet = sheet_read(_stored_bytes(batch))
            progress.rows = len(sheet.rows)
            result = rows_check(
                sheet, today=timezone.localdate(), choices=batch.producer_choices, on_progress=progress.checked
            )
        except (ImportFileError, ValidationError) as error:
            batch.status = ImportBatch.Status.FAILED
            batch.failure = getattr(error, "message", None) or " ".join(error.messages)
            batch.finished_at = timezone.now()
            batch.save(update_fields=["status", "failure", "finished_at"])
            return
        finally:
            progress.close()
        _checked(batch, result)
        batch.status = ImportBatch.Status.CHECKED
        batch.row_count = len(result.rows)
        batch.progress_done = batch.progress_total = 0
        batch.failure = ""
        batch.save(
            update_fields=["counts", "rows", "status", "row_count", "progress_done", "progress_total", "failure"]
        )


def import_batch_choose(*, actor: Actor, batch: ImportBatch, choices: dict[str, str]) -> ImportBatch:
    """Record staff's answers for rows whose producer is only close to producers in the portal, and check again.

    `choices` maps a row number to one of that row's candidate organisations, or to "new" (a different producer).
    An answer for a row without candidates, or naming an organisation that is not a candidate, is refused.
    A long list is checked again by a worker, like its first dry run.
    """
    _require_permission(actor)
    if batch.status == ImportBatch.Status.IMPORTED:
        raise ValidationError(_("This list has already been imported."), code="already_imported")
    if batch.in_progress:
        raise ValidationError(_("This list is being checked or imported; wait until it is done."), code="busy")
    candidates = {str(row["row"]): {str(c["id"]) for c in row.get("candidates", [])} for row in batch.rows}
    for number, choice in choices.items():
        if not candidates.get(number) or (choice != NEW_PRODUCER and choice not in candidates[number]):
            raise ValidationError(
                _("Row %(row)s: choose one of the producers shown, or “a different producer”.") % {"row": number},
                code="choice_invalid",
            )
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.FAILED):
            raise ValidationError(_("This list is being checked or imported; wait until it is done."), code="busy")
        batch.producer_choices = {**batch.producer_choices, **choices}
        if batch.row_count > BACKGROUND_ROWS:
            batch.status = ImportBatch.Status.CHECKING
            batch.save(update_fields=["producer_choices", "status"])
            _later(CHECK_TASK, batch_id=batch.pk)
            return batch
        try:
            sheet = sheet_read(_stored_bytes(batch))
        except ImportFileError as error:
            raise ValidationError(error.message, code=error.code) from None
        _checked(batch, rows_check(sheet, today=timezone.localdate(), choices=batch.producer_choices))
        batch.save(update_fields=["producer_choices", "counts", "rows"])
    return batch


def import_batch_confirm_later(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Hand the import of a long list to a worker; the batch's page shows its progress, then its result.

    The batch is marked as being imported in the same statement that checks it may be (checked, or failed
    before), so two confirmations queue one import.
    """
    _require_permission(actor)
    with transaction.atomic():
        queued = ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportBatch.Status.CHECKED, ImportBatch.Status.FAILED]
        ).update(
            status=ImportBatch.Status.IMPORTING,
            confirmed_by=actor.user,
            progress_done=0,
            progress_total=0,
            failure="",
            started_at=None,
            finished_at=None,
        )
        if not queued:
            batch.refresh_from_db()
            if batch.status == ImportBatch.Status.IMPORTED:
                raise ValidationError(_("This list has already been imported."), code="already_imported")
            raise ValidationError(_("This list is being checked or imported; wait until it is done."), code="busy")
        _later(CONFIRM_TASK, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def import_batch_confirm_run(*, batch_id: int) -> None:
    """The worker's side of a long list's import, as the staff member who confirmed it; idempotent.

    A batch already imported (by a run that was thought lost) is left as it is; one that fails is marked failed
    with the reason, and nothing of it is saved (`import_batch_confirm`).
    """
    batch = ImportBatch.objects.select_related("confirmed_by").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.IMPORTING:
        return
    try:
        import_batch_confirm(actor=Actor(user=batch.confirmed_by, organisation=None), batch=batch)
    except (ValidationError, PermissionDenied) as error:
        if getattr(error, "code", None) == "already_imported":
            return
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ImportBatch.objects.filter(pk=batch_id).exclude(status=ImportBatch.Status.IMPORTED).update(
            status=ImportBatch.Status.FAILED, failure=reason[:2000], finished_at=timezone.now()
        )


def import_batch_confirm(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Import every valid row of a checked batch in one transaction; a second confirmation changes nothing.

    The rows are checked again on the stored bytes, against the data as it is now. If anything unexpected
    fails, the transaction is rolled back whole and the batch is marked failed (it may be confirmed again).
    """
    _require_permission(actor)
    try:
        with transaction.atomic():
            return _confirm(actor=actor, batch_id=batch.pk)
    except (ValidationError, PermissionDenied):
        raise
    except Exception as error:
        logger.exception("Import of OCOP list batch %s failed; nothing was saved.", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).exclude(status=ImportBatch.Status.IMPORTED).update(
            status=ImportBatch.Status.FAILED,
            failure=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise ValidationError(
            _("The import failed and nothing was saved. The error has been logged; try again or ask for help."),
            code="failed",
        ) from error


def _lock_imports() -> None:
    """Let one confirmation run at a time, until its transaction ends.

    Two confirmations of the same batch, or of two uploads of the same file, would otherwise both see the
    rows as new and create them twice. An advisory lock rather than SELECT … FOR UPDATE on the batch row:
    the progress of the running import is written to that row from a second connection, which a row lock
    would block.
    """
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, 0])


def _confirm(*, actor: Actor, batch_id: int) -> ImportBatch:
    _lock_imports()
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status == ImportBatch.Status.IMPORTED:
        raise ValidationError(_("This list has already been imported."), code="already_imported")
    if batch.status == ImportBatch.Status.CHECKING:
        raise ValidationError(_("This list is being checked or imported; wait until it is done."), code="busy")
    data = _stored_bytes(batch)
    started = timezone.now()
    progress = ProgressWriter(batch_id=batch.pk, rows=batch.row_count)
    try:
        try:
            sheet = sheet_read(data)
        except ImportFileError as error:
            raise ValidationError(error.message, code=error.code) from None
        progress.rows = len(sheet.rows)
        result = rows_check(
            sheet, today=timezone.localdate(), choices=batch.producer_choices, on_progress=progress.checked
        )
        _write(result=result, actor=actor, batch=batch, progress=progress)
    finally:
        progress.close()
    batch.status = ImportBatch.Status.IMPORTED
    batch.counts = result.counts()
    batch.rows = [row.as_json() for row in result.rows]
    batch.row_count = len(result.rows)
    batch.confirmed_by = actor.user
    batch.started_at = started
    batch.finished_at = timezone.now()
    batch.progress_done = batch.progress_total = 2 * len(result.rows)
    batch.failure = ""
    batch.save(
        update_fields=[
            "status",
            "counts",
            "rows",
            "row_count",
            "confirmed_by",
            "started_at",
            "finished_at",
            "progress_done",
            "progress_total",
            "failure",
        ]
    )
    return batch


def _stored_bytes(batch: ImportBatch) -> bytes:
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
    except (FileNotFoundError, ValueError):
        raise ValidationError(
            _("The uploaded file is no longer stored. Upload the list again."), code="file_missing"
        ) from None
    if hashlib.sha256(data).hexdigest() != batch.sha256:
        raise ValidationError(
            _("The stored file differs from the one that was checked. Upload the list again."), code="file_changed"
        )
    return data


# --- Progress -------------------------------------------------------------------------------------------------------


class ProgressWriter:
    """Writes how far the work is on the batch row through its own connection, which commits each write.

    The work's transaction is still open while it runs, so its own writes are invisible to the page that
    polls; this second connection is not. `progress_done` runs from 0 to `steps` × rows: checking, then (for
    an import) saving. Progress is a courtesy: if it cannot be written, the work goes on.
    """

    EVERY_SECONDS = 0.4

    def __init__(self, *, batch_id: int, rows: int, steps: int = 2):
        self.batch_id = batch_id
        self.rows = rows
        self.steps = steps
        self.last = 0.0
        self.connection = None
        try:
            default = connections[DEFAULT_DB_ALIAS]
            self.connection = type(default)(dict(default.settings_dict), DEFAULT_DB_ALIAS)
        except Exception:  # pragma: no cover - the import does not depend on it
            logger.warning("Import progress cannot be reported for batch %s.", batch_id, exc_info=True)

    def checked(self, done: int, total: int) -> None:
        self.write(done, force=done == total)

    def saved(self, done: int) -> None:
        self.write(self.rows + done, force=True)

    def write(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.connection is None or (not force and now - self.last < self.EVERY_SECONDS):
            return
        self.last = now
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportBatch._meta.db_table} SET progress_done = %s, progress_total = %s,"  # noqa: S608
                    " started_at = COALESCE(started_at, %s) WHERE id = %s",
                    [done, self.steps * self.rows, timezone.now(), self.batch_id],
                )
        except Exception:
            logger.warning("Import progress of batch %s not written.", self.batch_id, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


def import_progress(*, batch: ImportBatch) -> dict:
    """What the progress bar shows: the batch's status, how many rows are checked and saved, and the percentage.

    A dry run by a worker has one step (checking); an import has two (checking again, then saving).
    """
    steps = 1 if batch.status == ImportBatch.Status.CHECKING else 2
    rows = batch.progress_total // steps
    done = batch.progress_done
    if batch.status == ImportBatch.Status.IMPORTED:
        phase = "done"
    elif batch.status == ImportBatch.Status.FAILED:
        phase = "failed"
    elif not batch.progress_total:
        phase = "waiting"
    elif done < rows or steps == 1:
        phase = "checking"
    else:
        phase = "saving"
    if phase == "done":
        percent = 100
    elif batch.progress_total:
        percent = min(100, round(100 * done / batch.progress_total))
    else:
        percent = 0
    return {
        "status": batch.status,
        "phase": phase,
        "rows": rows,
        "checked": min(done, rows),
        "saved": max(0, done - rows) if steps == 2 else 0,
        "percent": percent,
    }


# --- Writing --------------------------------------------------------------------------------------------------------


def _write(*, result: CheckResult, actor: Actor, batch: ImportBatch, progress: ProgressWriter) -> None:
    rows = [row for row in result.rows if row.imports and row.action in (CREATE, UPDATE)]
    now = timezone.now()
    today = timezone.localdate()
    written: dict[int, int] = {}  # id(ProducerRef) -> organisation id, so a producer is created once
    done = 0
    for start in range(0, len(rows), WRITE_CHUNK):
        chunk = rows[start : start + WRITE_CHUNK]
        _write_chunk(chunk, actor=actor, batch=batch, now=now, today=today, written=written)
        done += len(chunk)
        progress.saved(done)
    progress.saved(len(result.rows))


def _write_chunk(rows: list[RowCheck], *, actor: Actor, batch: ImportBatch, now, today, written) -> None:
    _producers_create(rows, actor=actor, now=now, written=written)
    _tax_codes_fill(rows)
    for row in rows:
        row.values["organisation_id"] = written.get(id(row.producer), row.producer.organisation_id)

    new_products = [
        Product(
            producer_id=row.values["organisation_id"],
            subgroup_id=row.subgroup_id,
            name=row.values["product"],
            unit=row.values["unit"],
            # A certification is public record (a lapsed one shows as expired); the producer completes the photo
            # and the description later.
            status=Product.Status.PUBLISHED,
            published_at=now,
            created_at=now,
            updated_at=now,
        )
        for row in rows
        if row.product_id is None
    ]
    for product in new_products:
        product.clean_fields(exclude=["producer", "subgroup", "current_certificate", "search_vector", "unit"])
    Product.objects.bulk_create(new_products)
    created = iter(new_products)
    for row in rows:
        if row.product_id is None:
            row.product_id = next(created).pk
            row.values["product_id"] = row.product_id

    # Existing products about to get a newer certificate are locked, as certificate_record does.
    renewed = [row.product_id for row in rows if row.action == UPDATE and not row.values.get("recorded")]
    if renewed:
        list(Product.objects.select_for_update().filter(pk__in=renewed).values_list("pk", flat=True))

    certificates = []
    for row in rows:
        if row.values.get("recorded"):
            continue  # an existing producer's tax code filled in, nothing else
        certificate = Certificate(
            product_id=row.product_id,
            rule_set_id=row.rule_set_id,
            total_score=row.score,
            decision_number=row.values["decision_number"],
            decision_date=row.decision_date,
            level=Certificate.Level.CENTRAL if row.stars == 5 else Certificate.Level.PROVINCE,
            created_at=now,
        )
        # Without a published score the stars are the province's decision as recorded.
        certificate.stars = row.stars
        certificate.derive()
        # A lapsed decision is history: recorded as expired, so the daily job sends no expiry email for it.
        if certificate.valid_until < today:
            certificate.status = Certificate.Status.EXPIRED
        certificate.clean_fields(
            exclude=["product", "rule_set", "application", *([] if certificate.score_published else ["total_score"])]
        )
        certificates.append(certificate)
    bulk_create_with_history(
        certificates, Certificate, default_user=actor.user, default_change_reason=f"import {batch.pk}"
    )

    older = list(
        Certificate.objects.filter(
            product_id__in=[c.product_id for c in certificates],
            status__in=[Certificate.Status.VALID, Certificate.Status.EXPIRED],
        ).exclude(pk__in=[c.pk for c in certificates])
    )
    for certificate in older:
        certificate.status = Certificate.Status.SUPERSEDED
    if older:
        bulk_update_with_history(
            older, Certificate, ["status"], default_user=actor.user, default_change_reason=f"import {batch.pk}"
        )

    touched = {row.product_id for row in rows}
    # The same rule as product_current_certificate_refresh, for every product of the chunk in one statement.
    Product.objects.filter(pk__in=touched).update(
        current_certificate=Subquery(
            Certificate.objects.filter(product=OuterRef("pk"))
            .exclude(status=Certificate.Status.SUPERSEDED)
            .order_by("-decision_date", "-pk")
            .values("pk")[:1]
        )
    )
    product_reindex(product_ids=[product.pk for product in new_products])

    per_producer: dict[int, int] = {}
    for row in rows:
        per_producer[row.values["organisation_id"]] = per_producer.get(row.values["organisation_id"], 0) + 1
    ActionRecord.objects.bulk_create(
        ActionRecord(
            actor=actor.user,
            organisation_id=organisation_id,
            on_behalf=False,
            verb=ACTION_VERB,
            summary=(_("%(count)s rows of the OCOP list %(file)s") % {"count": count, "file": batch.original_name})[
                :255
            ],
            created_at=now,
        )
        for organisation_id, count in per_producer.items()
    )


def _producers_create(rows: list[RowCheck], *, actor: Actor, now, written: dict) -> list[Organisation]:
    refs = []
    for row in rows:
        ref = row.producer
        if ref.is_new and id(ref) not in written and all(ref is not other for other in refs):
            refs.append(ref)
    organisations = [
        Organisation(
            kind=Organisation.Kind.PRODUCER,
            name=ref.name,
            tax_code=ref.tax_code,
            province_id=ref.place.province_id,
            ward=ref.place.ward,
            former_district=ref.place.former_district if ref.place.ward is None else "",
            street_address=ref.place.street,
            # On the province's own list of certified producers: verified by the staff who import it.
            is_verified=True,
            verified_at=now,
            verified_by=actor.user,
            created_at=now,
        )
        for ref in refs
    ]
    for organisation in organisations:
        organisation.clean_fields(exclude=["province", "ward", "verified_by"])  # the ward may wait for staff
    Organisation.objects.bulk_create(organisations)
    ProducerProfile.objects.bulk_create(
        ProducerProfile(organisation=organisation, legal_form=ref.legal_form)
        for ref, organisation in zip(refs, organisations, strict=True)
    )
    for ref, organisation in zip(refs, organisations, strict=True):
        written[id(ref)] = organisation.pk
    return organisations


def _tax_codes_fill(rows: list[RowCheck]) -> None:
    fills = {
        row.producer.organisation_id: row.producer.fill_tax_code
        for row in rows
        if row.producer.fill_row == row.number and not row.producer.is_new
    }
    changed = list(Organisation.objects.filter(pk__in=fills, tax_code=""))
    for organisation in changed:
        organisation.tax_code = fills[organisation.pk]
    Organisation.objects.bulk_update(changed, ["tax_code"])
