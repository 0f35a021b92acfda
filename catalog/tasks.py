"""The catalogue's jobs on the task queue."""

import logging

from procrastinate.contrib.django import app

from catalog import cache
from catalog.services import catalogue_reindex, certificates_expire, imports, producer_reindex_run, products

logger = logging.getLogger(__name__)


# Every day at 01:00 in Vietnam (18:00 UTC, the time the queue's schedule is read in). The management command
# certificates_expire does the same by hand; running both, or either twice, expires and notifies once.
@app.periodic(cron="0 18 * * *")
@app.task(name="catalog.certificates_expire", queueing_lock="catalog.certificates_expire")
def certificates_expire_daily(timestamp: int) -> dict[str, int]:
    result = certificates_expire()
    logger.info("Daily certificate expiry: %s", result)
    return result


# A long list's dry run and import (catalog/services/imports.py queues them). Not retried by the queue: what
# fails there is the file or the data, and the batch's page says so; a run lost with its worker is put back
# by core.stalled_jobs_retry, and finds the batch as it was.
@app.task(name=imports.CHECK_TASK, queue="imports")
def import_check(*, batch_id: int) -> None:
    imports.import_batch_check_run(batch_id=batch_id)


@app.task(name=imports.CONFIRM_TASK, queue="imports")
def import_confirm(*, batch_id: int) -> None:
    imports.import_batch_confirm_run(batch_id=batch_id)


# A public figure made stale by a change (catalog/cache.py): computed once by a worker while visitors are given
# its previous value. The queueing lock keeps at most one waiting per figure.
@app.task(name=cache.REBUILD_TASK, queue="figures")
def public_figure_rebuild(*, name: str, path: str, kwargs: dict) -> bool:
    return cache.figure_rebuild(name=name, path=path, kwargs=kwargs)


# Search documents a change reaches beyond one product (catalog/services/products.py). Running one again rebuilds
# the same documents from the data as it is then.
@app.task(name=products.PRODUCER_REINDEX_TASK, queue="search")
def producer_reindex(*, organisation_id: int) -> int:
    return producer_reindex_run(organisation_id=organisation_id)


@app.task(name=products.CATALOGUE_REINDEX_TASK, queue="search")
def catalogue_reindex_all() -> int:
    count = catalogue_reindex()
    logger.info("Search documents rebuilt: %s products", count)
    return count
