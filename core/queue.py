"""The task queue as monitoring reads it: how many jobs wait, how long the oldest has waited, how many failed.

Failed jobs stay in the table (the admin lists them, with a retry); succeeded ones are deleted by the worker.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection


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
