import contextlib

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from accounts.permissions_setup import STAFF_GROUP_NAME
from tests import committed_db
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.jobs import run_queued_jobs


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with a copy of the rows its migrations wrote (tests/committed_db.py)."""
    with django_db_blocker.unblock():
        committed_db.take_snapshot()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a test that committed, once Django has emptied the database, put the migrated rows back."""
    result = yield
    if nextitem is not None and committed_db.commits(item):
        with item.config.stash[blocking_manager_key].unblock():
            committed_db.restore()
    return result


@pytest.fixture
def live_db(transactional_db):
    """Committed data that a live server, a worker or another thread sees; removed after the test."""


class DeliveredOutbox(list):
    """Django's test outbox, read after the queue's waiting email jobs have run (tests/jobs.py).

    Email goes through the task queue: a test that reads `mail.outbox` or `mailoutbox` reads what the
    queue would have delivered by then, delivered by the task's own code through the locmem backend.
    """

    def _deliver(self):
        if mail.outbox is not self:  # the live server's set-up gives Django's test outbox a new list
            list.extend(self, list.__iter__(mail.outbox))
            mail.outbox = self
        with contextlib.suppress(RuntimeError):  # a test without database access has queued nothing
            run_queued_jobs(queues=["email"])

    def __iter__(self):
        self._deliver()
        return super().__iter__()

    def __len__(self):
        self._deliver()
        return super().__len__()

    def __getitem__(self, index):
        self._deliver()
        return super().__getitem__(index)

    def clear(self):
        """Forget what was sent so far, the emails still waiting in the queue included."""
        self._deliver()
        super().clear()

    def __bool__(self):
        return len(self) > 0


@pytest.fixture(autouse=True)
def _outbox_after_the_queue(_dj_autoclear_mailbox):
    mail.outbox = DeliveredOutbox()
    return mail.outbox


@pytest.fixture
def mailoutbox(_outbox_after_the_queue):
    """pytest-django's fixture, as the outbox after the queue (whatever order the fixtures are set up in)."""
    return _outbox_after_the_queue


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing is not under test: the production hasher's million PBKDF2 rounds would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in Vietnamese: a request to /en/ leaves English active, and reverse() follows it."""
    translation.activate("vi")
    yield
    translation.deactivate()


@pytest.fixture
def producer_org(db):
    return OrganisationFactory(kind="producer", is_verified=True)


@pytest.fixture
def other_producer_org(db):
    return OrganisationFactory(kind="producer", is_verified=True)


@pytest.fixture
def buyer_org(db):
    return OrganisationFactory(kind="buyer", is_verified=True)


@pytest.fixture
def producer(producer_org):
    return UserFactory(organisation=producer_org)


@pytest.fixture
def other_producer(other_producer_org):
    return UserFactory(organisation=other_producer_org)


@pytest.fixture
def buyer(buyer_org):
    return UserFactory(organisation=buyer_org)


@pytest.fixture
def staff_group(db):
    return Group.objects.get(name=STAFF_GROUP_NAME)


@pytest.fixture
def staff(staff_group):
    """Sở Công Thương staff: in the staff group, with its permissions."""
    user = UserFactory(is_staff=True, organisation=OrganisationFactory(kind="agency", is_verified=True))
    user.groups.add(staff_group)
    return user


@pytest.fixture
def plain_staff(db):
    """A staff user outside the Sở Công Thương group: may log into the admin, holds no permission."""
    return UserFactory(is_staff=True)
