"""The task queue as the apps use it: a job queued once per lock, and as monitoring reads it (how many jobs wait,
how long the oldest has waited, how many failed).

Failed jobs stay in the table (the admin lists them, with a retry); succeeded ones are deleted by the worker.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued


def defer_unless_waiting(task: str, *, lock: str, **kwargs) -> bool:
    """Queue `task` (by name) in the caller's transaction unless a job with this queueing lock already waits.

    The refused INSERT runs in a savepoint, so the caller's transaction (a request's, a test's) goes on. Returns
    whether a job was queued: the one already waiting reads the data as it will be when it runs.
    """
    try:
        with transaction.atomic():
            app.configure_task(task, queueing_lock=lock[:200], allow_unknown=False).defer(**kwargs)
    except AlreadyEnqueued:
        return False
    return True


@dataclass(frozen=True)
class QueueHealth:
    waiting: int
    oldest_waiting_seconds: int
    failed: int

    @property
    def stuck(self) -> bool:
        """Jobs are due and none has been taken for QUEUE_STUCK_SECONDS: no worker runs, or all are blocked."""
        return self.oldest_waiting_seconds >= settings.QUEUE_STUCK_SECONDS

    @property
    def oldest_waiting_minutes(self) -> int:
        return self.oldest_waiting_seconds // 60

    def as_dict(self) -> dict:
        return {
            "status": "stuck" if self.stuck else "ok",
            "waiting": self.waiting,
            "oldest_waiting_seconds": self.oldest_waiting_seconds,
            "failed": self.failed,
        }


def queue_health() -> QueueHealth:
    """One statement over procrastinate's tables; a job scheduled for later is not waiting until it is due."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(coalesce(job.scheduled_at, deferred.at))), 0),"
            " (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed')"
            " FROM procrastinate_jobs job LEFT JOIN procrastinate_events deferred"
            " ON deferred.job_id = job.id AND deferred.type = 'deferred'"
            " WHERE job.status = 'todo' AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())"
        )
        waiting, oldest, failed = cursor.fetchone()
    return QueueHealth(waiting=waiting, oldest_waiting_seconds=int(oldest), failed=failed)
