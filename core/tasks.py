"""The portal's own jobs on the task queue: delivering email, and putting back the jobs of a lost worker.

Each task is idempotent: run twice, it does its work once. Tasks whose cause of failure lies outside the
portal (the mail server) retry with a growing wait.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.models import OutgoingEmail

logger = logging.getLogger(__name__)

# 7 s, 9 s, 13 s, 21 s … doubling, about 18 hours over 15 attempts: a mail server down for a night gets the mail.
EMAIL_RETRY = RetryStrategy(
    max_attempts=15, wait=5, exponential_wait=2, retry_exceptions={smtplib.SMTPException, OSError, TimeoutError}
)


def email_message(email: OutgoingEmail) -> EmailMessage:
    """The message Django's mail backend sends for an OutgoingEmail row."""
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.to),
        headers={"Message-ID": email.message_id},
    )


@app.task(name="core.email_deliver", queue="email", retry=EMAIL_RETRY)
def email_deliver(*, email_id: int) -> None:
    """Send one OutgoingEmail unless it was sent already; its row stays locked while the server is talked to.

    The lock makes two workers given the same email (a job retried while its first worker still runs) send it
    once: the second waits, then finds it sent.
    """
    connections_checked()
    try:
        with transaction.atomic():
            email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, sent_at__isnull=True).first()
            if email is None:
                return
            with get_connection(timeout=settings.EMAIL_TIMEOUT) as connection:
                connection.send_messages([email_message(email)])
            email.sent_at = timezone.now()
            email.attempts += 1
            email.last_error = ""
            email.save(update_fields=["sent_at", "attempts", "last_error"])
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:500]
        logger.warning("Email %s not delivered, to be retried: %s", email_id, reason)
        OutgoingEmail.objects.filter(pk=email_id).update(attempts=F("attempts") + 1, last_error=reason)
        raise
    finally:
        connections_checked()


def connections_checked() -> None:
    """As around a request: a worker thread's connection that failed or outlived CONN_MAX_AGE is closed.

    Never inside a transaction the caller holds (a test running the task in its own transaction).
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


@app.periodic(cron="* * * * *")
@app.task(name="core.stalled_jobs_retry", queueing_lock="core.stalled_jobs_retry", pass_context=True)
async def stalled_jobs_retry(context, timestamp: int) -> int:
    """Put back in the queue the jobs of workers that stopped sending their heartbeat (killed, machine lost)."""
    stalled = await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.WORKER_STALLED_SECONDS)
    for job in stalled:
        logger.warning("Job %s (%s) of a lost worker is put back in the queue", job.id, job.task_name)
        await context.app.job_manager.retry_job(job)
    return len(stalled)
