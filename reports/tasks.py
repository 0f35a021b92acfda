"""The reports' jobs on the task queue: writing the file of a long list, removing old files."""

import logging

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.tasks import connections_checked
from reports import services

logger = logging.getLogger(__name__)

# 12 s, 14 s, 18 s, 26 s, 42 s: a storage server that stops answering for a minute or two still gets the file.
# The export's own attempts stop at the same count (services.MAX_ATTEMPTS): the last failure marks it failed.
EXPORT_RETRY = RetryStrategy(
    max_attempts=services.MAX_ATTEMPTS - 1, wait=10, exponential_wait=2, retry_exceptions=set(services.STORAGE_ERRORS)
)


@app.task(name=services.EXPORT_BUILD_TASK, queue=services.EXPORT_QUEUE, retry=EXPORT_RETRY)
def export_build(*, export_id: str) -> None:
    """Write one export's file; nothing for an export already ready (services.export_build)."""
    connections_checked()
    try:
        services.export_build(export_id=export_id)
    finally:
        connections_checked()


# Every hour, at 40 minutes past: what was asked for more than EXPORT_KEEP_HOURS ago goes, file and row.
@app.periodic(cron="40 * * * *")
@app.task(name="reports.exports_remove_old", queueing_lock="reports.exports_remove_old")
def exports_remove_old(timestamp: int) -> int:
    connections_checked()
    removed = services.exports_remove_old()
    if removed:
        logger.info("Old exports removed: %s", removed)
    return removed
