"""The task queue's worker against committed data, and email through a real SMTP server.

No request waits for the mail server: a sign-up, a meeting request and a recognition answer at once with the
mail server hung, and their emails arrive, once, when it is back. A message the server refuses is retried
and arrives once. These tests commit (transactional_db) because the worker reads the queue over its own
connections, as it does in production.
"""

import datetime
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from core.mail import email_send
from core.models import OutgoingEmail
from matchmaking.models import MeetingRequest
from tests.accounts.test_signup import signup_data
from tests.catalog.factories import ProductFactory
from tests.catalog.test_certification_admin import CERTIFYING_GROUP_NAME, admin_url, scored, submitted_application
from tests.catalog.test_certification_admin import cycle as cycle  # noqa: F401 - the fixture
from tests.mail_server import Inbox, blackholed_port, smtp_server
from tests.matchmaking.test_meetings import create_url, request_data

# The acceptance bound: an action that sends email answers within this, whatever the mail server does.
ANSWER_SECONDS = 0.2


def run_worker():
    """A real worker on the email queue, as `manage.py procrastinate worker` builds it, until no job is due."""
    worker_app = app.with_connector(app.connector.get_worker_connector())
    worker_app.run_worker(queues=["email"], wait=False, install_signal_handlers=False, listen_notify=False)


def jobs_due_now():
    """Bring every retry scheduled for later to now: the wait a retry would have, without waiting it."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'")


@pytest.fixture
def smtp(settings):
    """Email goes over SMTP to a real server; point it with `use(port)`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_TIMEOUT = 1

    def use(port):
        settings.EMAIL_PORT = port

    return use


def test_a_message_refused_then_accepted_arrives_once(smtp):
    inbox = Inbox(refuse=1)
    email_send(to=["htx@example.vn"], subject="Thử", template="catalog/email/certificate_expired.txt", context={})
    with smtp_server(inbox) as port:
        smtp(port)
        run_worker()
        email = OutgoingEmail.objects.get()
        assert (inbox.refused, len(inbox.messages), email.sent_at) == (1, 0, None)
        assert "451" in email.last_error
        jobs_due_now()
        run_worker()
        run_worker()  # nothing left: the retried job succeeded
    email.refresh_from_db()
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["Message-ID"] == email.message_id
    assert inbox.messages[0]["X-Envelope-To"] == "htx@example.vn"
    assert (email.sent_at is not None, email.attempts, email.last_error) == (True, 2, "")


def test_the_same_email_asked_twice_or_its_job_run_twice_goes_once(smtp):
    from core.tasks import email_deliver

    inbox = Inbox()
    for _ in range(2):
        email_send(
            to=["htx@example.vn"],
            subject="Hết hạn",
            template="catalog/email/certificate_expired.txt",
            context={},
            key="k1",
        )
    email_deliver.defer(email_id=OutgoingEmail.objects.get().pk)  # a duplicate job for the same email
    with smtp_server(inbox) as port:
        smtp(port)
        run_worker()
    assert len(inbox.messages) == 1


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def deliver_when_back(smtp, *, expected: int) -> Inbox:
    """Start a real mail server, let the worker retry what is due, and return what arrived."""
    inbox = Inbox()
    with smtp_server(inbox) as port:
        smtp(port)
        jobs_due_now()
        run_worker()
    assert len(inbox.messages) == expected
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    return inbox


def test_a_sign_up_answers_at_once_with_the_mail_server_hung(client, smtp, staff):
    url = reverse("accounts:signup-kind", args=["producer"])
    assert client.get(url).status_code == 200  # the visitor opens the form first
    with blackholed_port() as port:
        smtp(port)
        response, seconds = timed(lambda: client.post(url, signup_data()))
        assert response.status_code == 302
        assert seconds < ANSWER_SECONDS, f"the sign-up took {seconds:.3f} s"
        run_worker()  # the first attempt meets the hung server and gives up after EMAIL_TIMEOUT
        assert OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    queued = OutgoingEmail.objects.count()
    inbox = deliver_when_back(smtp, expected=queued)
    assert any("ngoctran@example.vn" in message["X-Envelope-To"] for message in inbox.messages)


def test_a_meeting_request_answers_at_once_with_the_mail_server_hung(client, smtp, buyer, producer):
    producer_org = producer.organisation
    product = ProductFactory(producer=producer_org)
    client.force_login(buyer)
    url = create_url(producer=producer_org.pk, product=product.pk)
    assert client.get(url).status_code == 200
    with blackholed_port() as port:
        smtp(port)
        response, seconds = timed(lambda: client.post(url, request_data(products=[product.pk])))
        assert response.status_code == 302
        assert MeetingRequest.objects.count() == 1
        assert seconds < ANSWER_SECONDS, f"the meeting request took {seconds:.3f} s"
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() >= 1
    deliver_when_back(smtp, expected=OutgoingEmail.objects.count())


def test_a_recognition_answers_at_once_with_the_mail_server_hung(client, smtp, staff, producer, cycle):  # noqa: F811
    from django.contrib.auth.models import Group

    staff.groups.add(Group.objects.get(name=CERTIFYING_GROUP_NAME))
    application = submitted_application(producer, cycle)
    scored(application, staff)
    before = OutgoingEmail.objects.count()
    client.force_login(staff)
    assert client.get(admin_url("catalog_application_recognise", application.pk)).status_code == 200
    decided = timezone.localdate() - datetime.timedelta(days=1)
    with blackholed_port() as port:
        smtp(port)
        response, seconds = timed(
            lambda: client.post(
                admin_url("catalog_application_recognise", application.pk),
                {"decision_number": "2150/QĐ-UBND", "decision_date": decided.isoformat(), "level": "province"},
            )
        )
        assert response.status_code == 302
        assert seconds < ANSWER_SECONDS, f"the recognition took {seconds:.3f} s"
    assert OutgoingEmail.objects.count() > before
    inbox = deliver_when_back(smtp, expected=OutgoingEmail.objects.count())
    assert any(producer.email in message["X-Envelope-To"] for message in inbox.messages)
