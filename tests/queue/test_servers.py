"""The portal on more than one server: two gunicorn instances and the queue's workers, real processes on loopback.

They share what production shares (README, "Deploying"): one PostgreSQL database (committed rows: sessions, data,
the job queue), one Redis for the page cache and one SMTP server, and nothing else. A visitor's browser talks to
either instance, as a load balancer would send it. Every process is configured by environment variables only.
"""

import contextlib
import datetime
import re
import signal
import time
from urllib.parse import quote

import pytest
import redis
from django.conf import global_settings
from django.db import connection
from django.db.models.functions import Now
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob, ProcrastinateWorker

from catalog.models import Product
from core.models import OutgoingEmail
from tests.accounts.factories import PASSWORD, UserFactory
from tests.catalog.factories import ProducerFactory, ProductFactory
from tests.mail_server import Inbox, smtp_server
from tests.servers import Browser, app_servers, portal_env, wait_for, worker

# A Redis database of its own, emptied before and after: the other tests' cache is local memory.
CACHE_URL = "redis://127.0.0.1:6379/9"
# Above the workers' 5 s heartbeat (settings.PROCRASTINATE_WORKER_DEFAULTS): a live worker's job is never stalled.
STALLED_SECONDS = 6
DELIVERY_SECONDS = 20


@pytest.fixture(scope="module")
def redis_cache():
    client = redis.Redis.from_url(CACHE_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def inbox():
    return Inbox()


@pytest.fixture(scope="module")
def smtp_port(inbox):
    with smtp_server(inbox) as port:
        yield port


@pytest.fixture(scope="module")
def environment(django_db_setup, redis_cache, smtp_port, tmp_path_factory):
    """What every process of the portal is started with: the test database, the shared cache and mail server."""
    database = connection.settings_dict
    credentials = quote(database["USER"]) + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
    files = tmp_path_factory.mktemp("files")
    return portal_env(
        DJANGO_ENV="development",
        DEBUG="false",
        DATABASE_URL=f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        CACHE_URL=CACHE_URL,
        PAGE_CACHE_SECONDS="600",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="30",
        WORKER_STALLED_SECONDS=str(STALLED_SECONDS),
        MEDIA_ROOT=str(files / "media"),
        PRIVATE_MEDIA_ROOT=str(files / "private"),
    )


@pytest.fixture(scope="module", autouse=True)
def _no_connection_outlives_the_servers(django_db_setup, django_db_blocker):
    """A process killed by a test leaves its PostgreSQL session behind until the server notices: end those, so the
    test database can be dropped when the suite ends."""
    yield
    others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute(others)
            if not cursor.fetchall():
                return
            time.sleep(0.1)
        cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({others}) AS left_behind")  # noqa: S608


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="module")
def servers(environment, logs):
    """Instances A and B, as two machines behind the load balancer."""
    with app_servers("ab", env=environment, logs=logs) as (a, b):
        yield a, b


def registered_workers() -> set[int]:
    return set(ProcrastinateWorker.objects.values_list("pk", flat=True))


@contextlib.contextmanager
def queue_worker(env: dict[str, str], log, *, queues: str = ""):
    before = registered_workers()
    with worker(env=env, log=log, queues=queues, registered=lambda: registered_workers() - before) as process:
        yield process


@pytest.fixture
def the_worker(environment, logs, live_db):
    with queue_worker(environment, logs / "worker.log") as process:
        yield process


def _queue_emptied():
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE procrastinate_periodic_defers, procrastinate_events, procrastinate_jobs, procrastinate_workers"
        )


@pytest.fixture(autouse=True)
def _fresh_queue(live_db):
    """The queue's tables are not among those flushed after each test: the jobs and periodic defers of the tests
    before must neither run here nor keep this test's worker from deferring its own periodic jobs."""
    _queue_emptied()
    yield
    _queue_emptied()


@pytest.fixture(autouse=True)
def _inbox_emptied(inbox):
    inbox.clear()


@pytest.fixture(autouse=True)
def _hashers_the_servers_know(settings):
    """The servers check passwords with the production hashers, not the tests' fast one."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def maker(live_db):
    return UserFactory(organisation=ProducerFactory(legal_form="cooperative"), full_name="Trần Thị Mỹ Nhung")


def sign_in(browser: Browser, server, user) -> None:
    login = reverse("accounts:login")
    form = browser.get(server(login)).form(containing="username")
    response = browser.post(server(login), form.filled(username=user.email, password=PASSWORD))
    assert (response.status, response.location) == (302, reverse("accounts:dashboard")), response.text[:2000]


def arrived(inbox: Inbox, email: OutgoingEmail) -> list:
    return [message for message in inbox.messages if message["Message-ID"] == email.message_id]


def email_jobs_left() -> int:
    return ProcrastinateJob.objects.filter(task_name="core.email_deliver", status__in=["todo", "doing"]).count()


def test_a_session_signed_in_on_one_server_holds_on_the_other(servers, maker):
    a, b = servers
    browser = Browser()
    sign_in(browser, a, maker)
    dashboard = reverse("accounts:dashboard")
    for server in (b, a, b, a, b, a):
        page = browser.get(server(dashboard))
        assert (page.status, maker.full_name in page.text) == (200, True), server.url
    assert Browser().get(b(dashboard)).location.startswith(reverse("accounts:login"))  # no session, no page

    edit = reverse("accounts:organisation-edit")
    form = browser.get(a(edit)).form(containing="street_address")
    forged = browser.post(b(edit), form.filled(street_address="Giả mạo", csrfmiddlewaretoken="x" * 64))
    assert forged.status == 403
    saved = browser.post(b(edit), form.filled(street_address="25 Hai Bà Trưng"))  # A's token, sent to B
    assert (saved.status, saved.location) == (302, dashboard)
    maker.organisation.refresh_from_db()
    assert maker.organisation.street_address == "25 Hai Bà Trưng"

    signed_out = browser.post(
        b(reverse("accounts:logout")), [("csrfmiddlewaretoken", form.value("csrfmiddlewaretoken"))]
    )
    assert signed_out.status == 302
    assert browser.get(a(dashboard)).location.startswith(reverse("accounts:login"))


def test_a_product_changed_through_one_server_shows_at_once_on_the_others_cached_page(servers, maker):
    a, b = servers
    product = ProductFactory(producer=maker.organisation, name="Khô cá sặc Hai Nhung")
    visitor = Browser()
    page = product.get_absolute_url()
    first = visitor.get(b(page))
    assert (first.status, "Khô cá sặc Hai Nhung" in first.text, list(visitor.cookies)) == (200, True, [])
    # A write behind the portal's back makes nothing stale: B still serving the old page is B's cache at work.
    Product.objects.filter(pk=product.pk).update(name="Chỉ có trong cơ sở dữ liệu")
    assert visitor.get(b(page)).text == first.text

    producer = Browser()
    sign_in(producer, a, maker)
    edit = reverse("catalog:my-product-edit", args=[product.pk])
    form = producer.get(a(edit)).form(containing="name")
    saved = producer.post(a(edit), form.filled(name="Khô cá lóc Hai Nhung"))
    assert (saved.status, saved.location) == (302, reverse("catalog:my-products"))

    after = visitor.get(b(page))
    assert after.status == 200
    assert "Khô cá lóc Hai Nhung" in after.text
    assert "Khô cá sặc" not in after.text
    assert "Chỉ có trong cơ sở dữ liệu" not in after.text


def request_reset(server, user) -> None:
    """A visitor asks on `server` for the email that resets `user`'s password."""
    reset = reverse("accounts:password-reset")
    visitor = Browser()
    form = visitor.get(server(reset)).form(containing="email")
    response = visitor.post(server(reset), form.filled(email=user.email))
    assert (response.status, response.location) == (302, reverse("accounts:password-reset-done"))


def test_an_email_asked_for_on_one_server_is_sent_once_by_the_worker(servers, the_worker, maker, inbox):
    a, b = servers
    request_reset(a, maker)

    email = wait_for(
        lambda: OutgoingEmail.objects.filter(to=[maker.email], sent_at__isnull=False).first(),
        seconds=DELIVERY_SECONDS,
        what="the reset email, stored by A, sent by the worker",
        log=the_worker.log,
    )
    wait_for(lambda: email_jobs_left() == 0, seconds=DELIVERY_SECONDS, what="the delivery job finished")
    assert (len(inbox.messages), len(arrived(inbox, email))) == (1, 1)
    assert inbox.messages[0]["X-Envelope-To"] == maker.email
    assert email.attempts == 1

    # The link A wrote opens on B, and the session B starts for it is read on A.
    link = re.search(r"https?://[^/\s]+(/\S+/)", inbox.messages[0].get_payload(decode=True).decode()).group(1)
    browser = Browser()
    opened = browser.get(b(link))
    assert opened.status == 302
    form = browser.get(a(opened.location))
    assert (form.status, 'name="new_password1"' in form.text) == (200, True)


def test_a_job_whose_worker_is_killed_midway_is_run_again_and_its_email_arrives_once(
    servers, environment, logs, maker, inbox
):
    a, _b = servers
    inbox.hang()
    # An email-only worker: the recovery of lost jobs (periodic, each minute) that it defers at start is left waiting
    # in the default queue, to run on the next worker rather than now, when there is nothing to recover yet.
    with queue_worker(environment, logs / "killed-worker.log", queues="email") as first:
        request_reset(a, maker)
        wait_for(
            lambda: inbox.hung, seconds=DELIVERY_SECONDS, what="the worker talking to the mail server", log=first.log
        )
        wait_for(
            lambda: ProcrastinateJob.objects.filter(task_name="core.stalled_jobs_retry", status="todo").exists(),
            seconds=DELIVERY_SECONDS,
            what="the recovery of lost jobs deferred",
            log=first.log,
        )
        job = ProcrastinateJob.objects.get(task_name="core.email_deliver")
        assert job.status == "doing"
        first.kill()
    assert first.popen.returncode == -signal.SIGKILL
    job.refresh_from_db()
    email = OutgoingEmail.objects.get()
    assert (job.status, email.sent_at, email.attempts) == ("doing", None, 0)  # left as it was at the kill

    wait_for(
        lambda: ProcrastinateWorker.objects.filter(
            pk=job.worker_id, last_heartbeat__lt=Now() - datetime.timedelta(seconds=STALLED_SECONDS)
        ).exists(),
        seconds=STALLED_SECONDS + 10,
        what="the killed worker's heartbeat older than WORKER_STALLED_SECONDS",
    )
    inbox.answer()
    with queue_worker(environment, logs / "next-worker.log") as second:
        wait_for(
            lambda: email_jobs_left() == 0 and OutgoingEmail.objects.filter(sent_at__isnull=False).exists(),
            seconds=DELIVERY_SECONDS,
            what="the email sent by the next worker",
            log=second.log,
        )
    email.refresh_from_db()
    assert (len(inbox.messages), len(arrived(inbox, email)), inbox.hung) == (1, 1, 1)
    assert email.attempts == 1  # the killed attempt's transaction was rolled back with its connection
    assert f"Job {job.pk} (core.email_deliver) of a lost worker is put back in the queue" in second.log.read_text()
