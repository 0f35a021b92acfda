"""The catalogue's jobs on the task queue."""

import logging

from procrastinate.contrib.django import app

from catalog.services import certificates_expire

logger = logging.getLogger(__name__)


# Every day at 01:00 in Vietnam (18:00 UTC, the time the queue's schedule is read in). The management command
# certificates_expire does the same by hand; running both, or either twice, expires and notifies once.
@app.periodic(cron="0 18 * * *")
@app.task(name="catalog.certificates_expire", queueing_lock="catalog.certificates_expire")
def certificates_expire_daily(timestamp: int) -> dict[str, int]:
    result = certificates_expire()
    logger.info("Daily certificate expiry: %s", result)
    return result
