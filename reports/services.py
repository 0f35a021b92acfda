"""Files of long lists, prepared by a worker: asking for one, writing it, trying again, removing old ones.

A download of more than EXPORT_MAX_ROWS rows is not built in the request. `export_request` finds or creates the
`DataExport` of the list (by its key: the same list, language, day and catalogue generation is one file, built
once) and queues `reports.export_build`; `export_build` writes the file in batches to a temporary file, then to
the private storage (S3 when configured), and marks it ready. Anyone may ask (the lists are public), so new
exports are throttled per client address; a request for an export that exists already is never refused.
"""

import datetime
import hashlib
import hmac
import json
import logging
import tempfile
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from catalog.cache import generation
from catalog.storage import private_storage
from reports import exports
from reports.models import DataExport
from reports.selectors import downloads

logger = logging.getLogger(__name__)

# The job that writes an export's file (reports.tasks.export_build), queued here by its name.
EXPORT_BUILD_TASK = "reports.export_build"
EXPORT_QUEUE = "exports"
# New exports one client address may ask for in THROTTLE_WINDOW; asking for one that exists is not counted.
THROTTLE_LIMIT = 5
THROTTLE_WINDOW = datetime.timedelta(hours=1)
# Rows read and written per batch (and between two progress updates).
BATCH_SIZE = 2000
# Storage errors worth trying again: the disk, the network, S3 (when boto3 is installed).
try:
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - boto3 is in requirements.txt
    STORAGE_ERRORS = (OSError,)
# A run that fails this many times is given up (the job's retry strategy stops there too).
MAX_ATTEMPTS = 6


class ExportThrottled(ValidationError):
    """Too many new exports from one client address: when it may ask again."""

    def __init__(self, *, retry_at: datetime.datetime):
        self.retry_at = retry_at
        super().__init__(
            _(
                "You have asked for %(limit)s new files in the last hour, the most the portal prepares for one "
                "address. You can ask again at %(time)s; files already prepared stay available."
            ),
            code="throttled",
            params={"limit": THROTTLE_LIMIT, "time": formats.time_format(timezone.localtime(retry_at), "H:i")},
        )


class _Superseded(Exception):
    """Another run of the same export took over (a retried job): this one stops."""


def client_key(address: str | None) -> str:
    """A keyed hash of a client address: the throttle compares them, and the address itself is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _generation() -> str:
    try:
        return str(generation())
    except Exception:  # the cache is down: the file cannot be shared, but it can be made
        logger.exception("Catalogue generation unavailable: this export is not shared")
        return f"unshared-{uuid.uuid4().hex}"


def export_key(*, kind: str, fmt: str, params: dict, language: str) -> str:
    """The name of one list's file today, while the catalogue does not change (its generation)."""
    described = json.dumps(
        [kind, fmt, params, language, timezone.localdate().isoformat(), _generation()],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(described.encode()).hexdigest()


def _throttle_check(client: str) -> None:
    since = timezone.now() - THROTTLE_WINDOW
    recent = list(
        DataExport.objects.filter(client=client, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:THROTTLE_LIMIT]
    )
    if len(recent) >= THROTTLE_LIMIT:
        raise ExportThrottled(retry_at=recent[-1] + THROTTLE_WINDOW)


def _build_queue(export: DataExport) -> None:
    """Queue the export's build, once: a job already waiting for it is enough (its queueing lock)."""
    job = app.configure_task(
        EXPORT_BUILD_TASK, allow_unknown=False, queueing_lock=f"{EXPORT_BUILD_TASK}:{export.pk}", queue=EXPORT_QUEUE
    )
    try:
        with transaction.atomic():  # a refused lock must not spoil the caller's transaction
            job.defer(export_id=str(export.pk))
    except AlreadyEnqueued:
        pass


@transaction.atomic
def export_request(*, kind: str, fmt: str, params: dict, total: int, client: str) -> DataExport:
    """The export of this list (normalised `params`, downloads.export_params), found or created and queued.

    The same list asked for again gets the same export; a failed one is tried again. Raises ExportThrottled when
    the client asked for THROTTLE_LIMIT new exports within THROTTLE_WINDOW.
    """
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = export_key(kind=kind, fmt=fmt, params=params, language=language)
    export = DataExport.objects.filter(key=key).first()
    if export is None:
        _throttle_check(client)
        export, created = DataExport.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "fmt": fmt,
                "params": params,
                "language": language,
                "rows_total": total,
                "client": client,
            },
        )
        if created:
            _build_queue(export)
            return export
    if export.status == DataExport.Status.FAILED or export.stalled:
        export_retry(export=export)
    return export


@transaction.atomic
def export_retry(*, export: DataExport) -> bool:
    """Queue a failed or stalled export again, from the start; False (and nothing done) for any other."""
    locked = DataExport.objects.select_for_update().get(pk=export.pk)
    if not (locked.status == DataExport.Status.FAILED or locked.stalled):
        return False
    DataExport.objects.filter(pk=export.pk).update(
        status=DataExport.Status.QUEUED,
        attempts=0,
        rows_written=0,
        error="",
        finished_at=None,
        progress_at=timezone.now(),  # stalled again only if nothing moves from now on
    )
    _build_queue(locked)
    export.refresh_from_db()
    return True


def _claim(export_id) -> tuple[DataExport, uuid.UUID] | None:
    """Mark the export as being written by this run (a new token); None when it is ready or gone."""
    token, now = uuid.uuid4(), timezone.now()
    claimed = (
        DataExport.objects.filter(pk=export_id)
        .exclude(status=DataExport.Status.READY)
        .update(
            status=DataExport.Status.RUNNING,
            run_token=token,
            attempts=F("attempts") + 1,
            rows_written=0,
            error="",
            started_at=now,
            progress_at=now,
            finished_at=None,
        )
    )
    if not claimed:
        return None
    return DataExport.objects.get(pk=export_id), token


def _mine(export: DataExport, token: uuid.UUID):
    return DataExport.objects.filter(pk=export.pk, run_token=token)


def _absolute_url(path: str) -> str:
    return f"{settings.PORTAL_URL}{path}"


def _write(export: DataExport, token: uuid.UUID, file) -> int:
    """Write the export's list to `file`, telling its progress after each batch; the rows written."""
    table = downloads.export_stream(
        kind=export.kind,
        params=downloads.export_query(export.params),
        size=BATCH_SIZE,
        absolute_url=_absolute_url,
    )
    if not _mine(export, token).update(rows_total=table.total):
        raise _Superseded

    def counted(batches):
        done = 0
        for batch in batches:
            yield batch
            done += len(batch)
            if not _mine(export, token).update(rows_written=done, progress_at=timezone.now()):
                raise _Superseded

    table.batches = counted(table.batches)
    writer = exports.stream_xlsx if export.fmt == DataExport.Format.XLSX else exports.stream_csv
    return writer(table, file)


def export_build(*, export_id) -> None:
    """Write the export's file unless it is ready; a run that was interrupted starts the file over.

    Storage errors are raised for the job to be retried; after MAX_ATTEMPTS runs, or on any other error, the
    export is marked failed, with the error for staff (the page says it in words and offers to try again).
    """
    claimed = _claim(export_id)
    if claimed is None:
        return
    export, token = claimed
    started = time.monotonic()
    name = None
    try:
        with translation.override(export.language), tempfile.TemporaryFile() as temporary:
            rows = _write(export, token, temporary)
            size = temporary.tell()
            temporary.seek(0)
            stamp = timezone.localtime(export.created_at).strftime("%Y%m%d")
            name = private_storage.save(f"exports/{stamp}-{export.pk.hex}.{export.fmt}", File(temporary))
        finished = _mine(export, token).update(
            status=DataExport.Status.READY,
            file=name,
            size=size,
            rows_written=rows,
            finished_at=timezone.now(),
            progress_at=timezone.now(),
        )
        if not finished:
            raise _Superseded
    except _Superseded:
        logger.info("Export %s: another run took over, this one stops", export_id)
        if name:
            private_storage.delete(name)
        return
    except Exception as error:
        retried = isinstance(error, STORAGE_ERRORS) and export.attempts < MAX_ATTEMPTS
        reason = f"{type(error).__name__}: {error}"[:2000]
        logger.warning("Export %s failed (attempt %s, %s): %s", export_id, export.attempts, retried, reason)
        _mine(export, token).update(
            status=DataExport.Status.QUEUED if retried else DataExport.Status.FAILED,
            error=reason,
            finished_at=None if retried else timezone.now(),
        )
        raise
    logger.info("Export %s: %s rows in %.1f s", export_id, rows, time.monotonic() - started)


def exports_remove_old(*, now: datetime.datetime | None = None) -> int:
    """Remove the exports, and their files, asked for more than EXPORT_KEEP_HOURS ago; how many were removed.

    A file that cannot be deleted keeps its row, for the next run to try again.
    """
    before = (now or timezone.now()) - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)
    removed = 0
    for export in DataExport.objects.filter(created_at__lt=before).only("pk", "file").iterator(chunk_size=500):
        if export.file.name:
            try:
                private_storage.delete(export.file.name)
            except STORAGE_ERRORS:
                logger.warning("Export %s: its file could not be deleted, kept for the next run", export.pk)
                continue
        DataExport.objects.filter(pk=export.pk).delete()
        removed += 1
    return removed
