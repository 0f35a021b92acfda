"""No state change over GET: every URL of the portal, fetched with GET as every role, writes nothing.

The URLs and the objects they point at are the permission matrix's (tests/security/test_permission_matrix.py,
which fails when a URL has no row); in the admin, every registered model's changelist and add page, and the
change, history and delete-confirmation pages of one of its objects, are fetched too (as the superuser, who may
open them all). After each request
PostgreSQL's per-transaction counters say whether any row of any table was inserted, updated or deleted
(tests/security/db_writes.py); only the visitor's session may change.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from matchmaking.models import MeetingMessage
from tests.security.conftest import ROLES
from tests.security.db_writes import recorded_writes
from tests.security.test_permission_matrix import ADMIN_MATRIX, MATRIX, endpoints

pytestmark = pytest.mark.django_db

# Reading a meeting's thread marks the other side's messages read: the unread count in the header is about
# what the member has seen, so showing the messages is the event it records. Nothing else may be written.
READ_RECEIPTS = {"matchmaking:meeting-detail": {"matchmaking_meetingmessage": "updates"}}
# Not fetched: the admin's logout (POST only), its own password change, its JavaScript lookups (read-only), and
# the pages of one history record or of one user's password, which need an id the walk does not have.
NOT_WALKED = {
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
}
NOT_WALKED_SUFFIXES = ("_simple_history", "_password_change")


@pytest.fixture(autouse=True)
def _media_root(settings, security_media):
    """Overrides the root fixture: requests must find the files the module's world stored."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = security_media


@pytest.fixture
def sign_in_records(world):
    """A failed attempt, its failure log and a sign-in record, so the sign-in throttling's admin pages have rows."""
    username = world.users["producer_b"].email
    AccessAttempt.objects.create(username=username, ip_address="203.0.113.7", user_agent="test", failures_since_start=2)
    AccessFailureLog.objects.create(username=username, ip_address="203.0.113.7", user_agent="test")
    AccessLog.objects.create(username=username, ip_address="203.0.113.7", user_agent="test")


def rows(table):
    for name, entry in table.items():
        yield from ((name, row) for row in (entry if isinstance(entry, tuple) else (entry,)))


def admin_model_pages():
    """Every registered model's changelist and add page, and the change, history and delete pages of one object."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        instance = model._default_manager.order_by("pk").first()
        pages = [("changelist", {}), ("add", {})]
        if instance is not None:
            pages += [(suffix, {"object_id": instance.pk}) for suffix in ("change", "history", "delete")]
        for suffix, kwargs in pages:
            yield f"{prefix}_{suffix}", reverse(f"{prefix}_{suffix}", kwargs=kwargs), None


def every_get(world, *, admin_models=True):
    """(name, path, query) for every row of the matrix and, unless told not to, every registered model's admin pages.

    The model pages run the same views for every member of staff; the superuser, who may open them all, walks them.
    """
    for name, row in [*rows(MATRIX), *rows(ADMIN_MATRIX)]:
        yield name, reverse(name, kwargs=row.kwargs(world)), row.query(world) if row.query else None
    if admin_models:
        yield from admin_model_pages()


def unexpected(name: str, written: dict[str, tuple[int, int, int]]) -> dict[str, tuple[int, int, int]]:
    allowed = READ_RECEIPTS.get(name, {})
    return {
        table: counts
        for table, counts in written.items()
        if not (allowed.get(table) == "updates" and counts[0] == counts[2] == 0)
    }


def test_the_walk_covers_every_named_url(world, sign_in_records):
    walked = {name for name, _path, _query in every_get(world)}
    missing = sorted(
        endpoint.name
        for endpoint in endpoints()
        if endpoint.name
        and endpoint.name not in walked
        and endpoint.name not in NOT_WALKED
        and not (endpoint.name.startswith("admin:") and endpoint.name.endswith(NOT_WALKED_SUFFIXES))
    )
    assert not missing, f"URLs the GET walk does not fetch: {missing}"


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_get_changes_nothing(client, world, sign_in_records, role):
    if role == "superuser":
        user = get_user_model().objects.create_superuser(email="quantri@sct.example", password="quan-tri-he-thong")
    else:
        user = world.users[role]
    if user is not None:
        client.force_login(user)

    changed, fetched = [], 0
    for name, path, query in every_get(world, admin_models=role == "superuser"):
        with recorded_writes() as writes:
            response = client.get(path, query)
        fetched += 1
        assert response.status_code < 500, f"GET {path} as {role}: {response.status_code}"
        if wrong := unexpected(name, writes.portal_data()):
            changed.append(f"GET {path} ({name}) wrote {wrong}")

    assert fetched > (250 if role == "superuser" else 100)
    assert not changed, f"as {role}:\n" + "\n".join(changed)


def test_a_meeting_thread_read_by_the_other_side_only_marks_its_messages_read(client, world):
    """The one write a GET may make (READ_RECEIPTS), checked to be exactly that: read_at on unread messages."""
    message = MeetingMessage.objects.create(
        meeting=world.meeting, organisation=world.buyer, author=world.users["buyer"], text="Chào anh chị"
    )
    client.force_login(world.users["producer_a"])
    with recorded_writes() as writes:
        response = client.get(reverse("matchmaking:meeting-detail", kwargs={"pk": world.meeting.pk}))
    assert response.status_code == 200
    assert writes.portal_data() == {"matchmaking_meetingmessage": (0, 1, 0)}
    assert not unexpected("matchmaking:meeting-detail", writes.portal_data())
    message.refresh_from_db()
    assert message.read_at is not None


def test_the_write_detector_sees_a_post_that_changes_something(client, world):
    """The same check on a POST that does change state: it must report the table written to."""
    client.force_login(world.users["buyer"])
    with recorded_writes() as writes:
        response = client.post(reverse("matchmaking:shortlist-add"), {"product": world.product.pk})
    assert response.status_code == 302
    assert "matchmaking_shortlistitem" in unexpected("matchmaking:shortlist-add", writes.portal_data())


def test_logout_is_post_only(client, world):
    client.force_login(world.users["producer_a"])
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # still signed in
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302  # signed out: sent to the login page
