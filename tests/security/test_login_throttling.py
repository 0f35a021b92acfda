"""Sign-in throttling (django-axes, accounts/throttling.py): 5 wrong passwords for one email from one address lock
that pair for 15 minutes, on the public sign-in and the admin's alike; the lockout is logged and explained."""

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.throttling import client_ip
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "sai-mat-khau-roi"
LIMIT = 5


def sign_in(client, email, password, *, url=None, **extra):
    return client.post(url or reverse("accounts:login"), {"username": email, "password": password}, **extra)


def fail(client, email, times, **kwargs):
    return [sign_in(client, email, WRONG, **kwargs) for _ in range(times)]


def test_settings_are_five_failures_fifteen_minutes_by_email_and_address(settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_four_failures_leave_the_door_open(client, producer):
    responses = fail(client, producer.email, LIMIT - 1)
    assert [response.status_code for response in responses] == [200] * (LIMIT - 1)
    assert all(response.context["form"].has_error("__all__", "invalid_login") for response in responses)

    response = sign_in(client, producer.email, PASSWORD)
    assert response.status_code == 302
    assert get_user(client).pk == producer.pk


def test_the_fifth_failure_locks_even_the_right_password_out(client, producer):
    responses = fail(client, producer.email, LIMIT)
    assert [response.status_code for response in responses] == [200] * (LIMIT - 1) + [429]

    response = sign_in(client, producer.email, PASSWORD)

    assert response.status_code == 429
    assert not get_user(client).is_authenticated
    assert "accounts/locked_out.html" in [template.name for template in response.templates]
    assert response["Retry-After"] == "900"


def test_the_lockout_page_says_when_to_retry_and_how_to_reset_the_password(client, producer):
    fail(client, producer.email, LIMIT)
    before = timezone.localtime()
    with translation.override("en"):
        response = sign_in(client, producer.email, PASSWORD)
        reset_url = reverse("accounts:password-reset")
    text = response.text

    assert response.status_code == 429
    assert '<html lang="en"' in text
    assert "Too many sign-in attempts" in text
    assert f'href="{reset_url}"' in text
    retry_at = re.search(r"try again after <strong>(\d\d:\d\d)</strong>", text).group(1)
    expected = {(before + datetime.timedelta(minutes=15, seconds=s)).strftime("%H:%M") for s in (0, 60)}
    assert retry_at in expected  # local time (Asia/Ho_Chi_Minh), 15 minutes on
    assert "starts the 15-minute wait again" in text


def test_the_lockout_page_in_vietnamese_links_to_the_password_reset(client, producer):
    fail(client, producer.email, LIMIT)
    response = sign_in(client, producer.email, PASSWORD)
    assert response.status_code == 429
    assert '<html lang="vi"' in response.text
    assert f'href="{reverse("accounts:password-reset")}"' in response.text


def test_a_success_resets_the_count(client, producer):
    fail(client, producer.email, LIMIT - 1)
    assert sign_in(client, producer.email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=producer.email).exists()
    client.post(reverse("accounts:logout"))

    responses = fail(client, producer.email, LIMIT - 1)
    assert [response.status_code for response in responses] == [200] * (LIMIT - 1)
    assert sign_in(client, producer.email, PASSWORD).status_code == 302


def test_the_email_is_counted_whatever_its_case_or_spaces(client, producer):
    for variant in [producer.email.upper(), f" {producer.email} ", producer.email.title(), producer.email]:
        assert sign_in(client, variant, WRONG).status_code == 200
    response = sign_in(client, producer.email.upper(), WRONG)
    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [producer.email]


def test_another_member_at_the_same_address_is_not_locked_out(client, producer, buyer):
    fail(client, producer.email, LIMIT)
    response = sign_in(client, buyer.email, PASSWORD)
    assert response.status_code == 302
    assert get_user(client).pk == buyer.pk


def test_the_same_member_from_another_address_is_not_locked_out(producer):
    office, home = Client(REMOTE_ADDR="203.0.113.10"), Client(REMOTE_ADDR="198.51.100.20")
    fail(office, producer.email, LIMIT)
    assert sign_in(office, producer.email, PASSWORD).status_code == 429
    assert sign_in(home, producer.email, PASSWORD).status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, staff):
    admin_login = reverse("admin:login")
    responses = fail(client, staff.email, LIMIT, url=admin_login)
    assert [response.status_code for response in responses] == [200] * (LIMIT - 1) + [429]

    response = sign_in(client, staff.email, PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert not get_user(client).is_authenticated
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to the admin's login page


def test_failures_on_both_sign_in_pages_add_up(client, staff):
    fail(client, staff.email, 3)
    fail(client, staff.email, LIMIT - 3, url=reverse("admin:login"))
    assert sign_in(client, staff.email, PASSWORD).status_code == 429
    assert sign_in(client, staff.email, PASSWORD, url=reverse("admin:login")).status_code == 429


def test_the_lock_ends_fifteen_minutes_after_the_last_attempt(client, producer):
    fail(client, producer.email, LIMIT)
    attempt = AccessAttempt.objects.get(username=producer.email)

    attempt.attempt_time = timezone.now() - datetime.timedelta(minutes=14)
    attempt.save(update_fields=["attempt_time"])
    assert sign_in(client, producer.email, PASSWORD).status_code == 429  # and that attempt starts the wait again

    attempt.refresh_from_db()
    attempt.attempt_time = timezone.now() - datetime.timedelta(minutes=15, seconds=5)
    attempt.save(update_fields=["attempt_time"])
    assert sign_in(client, producer.email, PASSWORD).status_code == 302


def test_lockouts_are_logged_with_the_email_and_address_never_the_password(client, producer, caplog):
    with caplog.at_level(logging.INFO, logger="axes"):
        fail(client, producer.email, LIMIT)
    warnings = [record for record in caplog.records if record.name.startswith("axes") and record.levelname == "WARNING"]
    lockouts = [record.getMessage() for record in warnings if "Locking out" in record.getMessage()]
    assert len(lockouts) == 1
    assert producer.email in lockouts[0]
    assert "127.0.0.1" in lockouts[0]
    assert sum("login failure by" in record.getMessage() for record in warnings) == LIMIT
    assert all(WRONG not in record.getMessage() for record in caplog.records)


def test_the_logging_configuration_sends_axes_warnings_to_standard_output(settings):
    config = settings.LOGGING
    axes_level = config["loggers"]["axes"]["level"]
    assert logging.getLevelName(axes_level) <= logging.WARNING
    assert config["loggers"]["axes"].get("propagate", True)
    assert config["root"]["handlers"] == ["stdout"]


def test_a_password_reset_lifts_the_lock(client, producer, mailoutbox):
    fail(client, producer.email, LIMIT)
    client.post(reverse("accounts:password-reset"), {"email": producer.email})
    link = re.search(r"https?://[^/\s]+(/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "banh-pia-soc-trang-2026"
    assert client.post(form_url, {"new_password1": new_password, "new_password2": new_password}).status_code == 302

    response = sign_in(client, producer.email, new_password)
    assert response.status_code == 302
    assert get_user(client).pk == producer.pk


def test_staff_lift_a_lock_with_axes_reset_username(client, producer):
    fail(client, producer.email, LIMIT)
    assert sign_in(client, producer.email, PASSWORD).status_code == 429

    call_command("axes_reset_username", producer.email, verbosity=0)

    assert sign_in(client, producer.email, PASSWORD).status_code == 302


def test_force_login_still_works_for_tests_and_sign_up(client):
    user = UserFactory()
    client.force_login(user)
    assert get_user(client).pk == user.pk


# --- The client's address behind the reverse proxy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.20", "10.0.0.2"),  # no proxy trusted: X-Forwarded-For is the client's own word
        (1, "198.51.100.20", "198.51.100.20"),
        (1, "6.6.6.6, 198.51.100.20", "198.51.100.20"),  # the left entry was written by the client
        (2, "198.51.100.20, 10.0.0.9", "198.51.100.20"),
        (2, "10.0.0.9", "10.0.0.2"),  # fewer hops than proxies: not forwarded by ours
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_counts_only_the_trusted_proxies_entries(rf, settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = rf.post("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_two_clients_are_counted_apart(settings, producer):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    guesser = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
    member = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    fail(guesser, producer.email, LIMIT)
    assert sign_in(guesser, producer.email, PASSWORD).status_code == 429
    assert sign_in(member, producer.email, PASSWORD).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.7", "198.51.100.20", "203.0.113.7"),  # gunicorn reached directly: the header is the client's
        ("203.0.113.7", "", "203.0.113.7"),
        ("127.0.0.1", "198.51.100.20", "198.51.100.20"),  # from the proxy on this machine
        ("::1", "198.51.100.20", "198.51.100.20"),
        ("10.1.2.3", "198.51.100.20", "198.51.100.20"),  # from the proxies' network
        ("10.1.2.3", "6.6.6.6, 198.51.100.20", "198.51.100.20"),
    ],
)
def test_x_forwarded_for_is_believed_only_from_the_proxies(rf, settings, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]
    request = rf.post("/accounts/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_with_two_proxies_the_inner_hop_must_be_one_of_ours(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The CDN (10.0.0.9) saw 198.51.100.20; an entry the client wrote in the CDN's place is not believed.
    ours = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20, 10.0.0.9")
    spoofed = rf.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")
    assert client_ip(ours) == "198.51.100.20"
    assert client_ip(spoofed) == "10.0.0.2"


@pytest.mark.parametrize("behind_the_proxy", [False, True], ids=["gunicorn reached directly", "behind the proxy"])
def test_thirty_wrong_passwords_with_a_new_x_forwarded_for_each_are_locked_out(settings, producer, behind_the_proxy):
    """The attack of the report: a different X-Forwarded-For on each attempt, to be a new client each time."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    remote = "127.0.0.1" if behind_the_proxy else "203.0.113.7"
    statuses = []
    for attempt in range(30):
        # Behind the proxy, the client writes the left part and the proxy appends the address it saw.
        spoof = f"198.51.100.{attempt + 1}"
        forwarded = f"{spoof}, 203.0.113.7" if behind_the_proxy else spoof
        guesser = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        statuses.append(sign_in(guesser, producer.email, f"wrong-{attempt}").status_code)
    # The fifth wrong password locks the pair out (as for one client in the tests above), and every attempt after.
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert set(statuses[LIMIT - 1 :]) == {429}
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]
