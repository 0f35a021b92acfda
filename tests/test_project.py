"""The foundation: health, languages, error pages, configuration and migrations."""

import json
import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation, User

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def run_manage(*args, env=None, timeout=120):
    full_env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": {"status": "ok", "waiting": 0, "oldest_waiting_seconds": 0, "failed": 0},
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_stuck_queue(client, settings):
    from django.db import connection

    from core.tasks import email_deliver

    settings.QUEUE_STUCK_SECONDS = 600
    job = email_deliver.defer(email_id=1)
    with connection.cursor() as cursor:  # deferred 20 minutes ago, and no worker took it
        cursor.execute("UPDATE procrastinate_events SET at = now() - interval '20 minutes' WHERE job_id = %s", [job])
    queue = client.get("/healthz").json()["queue"]
    assert queue["status"] == "stuck"
    assert queue["waiting"] == 1
    assert 1190 <= queue["oldest_waiting_seconds"] <= 1300


def test_healthz_is_503_when_the_database_is_unreachable():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    env = dict(os.environ)
    env.update(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing", "DJANGO_SETTINGS_MODULE": "ocop_portal.settings"}
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line == '503 {"status": "error", "database": "unreachable"}', result.stdout + result.stderr


def test_home_is_vietnamese_and_en_is_english(client):
    vi = client.get("/")
    en = client.get("/en/")
    assert vi.status_code == en.status_code == 200
    assert '<html lang="vi"' in vi.text
    assert '<html lang="en"' in en.text
    assert "Đăng nhập" in vi.text
    assert "Sign in" in en.text


def test_language_links_keep_the_page(client):
    response = client.get(reverse("accounts:login"))
    links = {link["code"]: link["url"] for link in response.context["language_links"]}
    assert links == {"vi": "/accounts/login/", "en": "/en/accounts/login/"}
    english = client.get(links["en"])
    assert english.status_code == 200
    assert '<html lang="en"' in english.text
    assert 'hreflang="vi"' in english.text


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_header_and_footer_links_are_in_the_page_language(client, prefix):
    """The site's links are reversed once per language (site_urls): each language's page links to its own URLs."""
    from ocop_portal.context_processors import SITE_URLS

    with translation.override("en" if prefix else "vi"):
        expected = {name: reverse(view, args=args) for name, (view, args) in SITE_URLS.items()}
    page = client.get(f"{prefix}/").text
    for name in ("home", "products", "events", "mous", "statistics", "certificate_register", "login", "signup_buyer"):
        assert expected[name].startswith(f"{prefix}/"), name
        assert f'href="{expected[name]}"' in page, name
    assert 'action="{}"'.format(expected["products"]) in page  # the header's search form
    if prefix:  # not the Vietnamese links remembered for the other language
        with translation.override("vi"):
            assert f'href="{reverse("events:event-list")}"' not in page


@pytest.mark.parametrize(("path", "lang"), [("/khong-co-trang-nay/", "vi"), ("/en/no-such-page/", "en")])
def test_404_page_in_each_language(client, path, lang):
    response = client.get(path)
    assert response.status_code == 404
    assert f'<html lang="{lang}"' in response.text


def test_403_page(client, producer):
    client.force_login(producer)
    response = client.get(reverse("accounts:staff-organisations"))
    assert response.status_code == 403
    assert '<html lang="vi"' in response.text


def test_500_page_renders_without_context(rf):
    from ocop_portal.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"<html" in response.content


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "k7#pX2vQ9!mZ4rT8wL1yB6nC3sD5fG0hJ-aE7uI2oP9qR4tY8zX1cV6bN3mK5jH",
            "ALLOWED_HOSTS": "ocop.cantho.gov.vn",
            "PORTAL_URL": "https://ocop.cantho.gov.vn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_is_https_only_with_secure_cookies_and_the_security_headers():
    """The production settings at work on real responses (no database needed: the redirect comes first, and
    /healthz answers 503 with its headers when the database is unreachable)."""
    code = (
        "import json; from django.conf import settings; from django.test import Client;"
        "client = Client(HTTP_HOST='ocop.cantho.gov.vn');"
        "plain = client.get('/accounts/login/');"
        "secure = client.get('/healthz', secure=True, headers={'x-forwarded-proto': 'https'});"
        "names = ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'LANGUAGE_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        " 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE'];"
        "print(json.dumps({'redirect': [plain.status_code, plain.get('Location')], 'headers': dict(secure.headers),"
        " 'settings': {name: getattr(settings, name) for name in names}}))"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        env={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "k7#pX2vQ9!mZ4rT8wL1yB6nC3sD5fG0hJ-aE7uI2oP9qR4tY8zX1cV6bN3mK5jH",
            "ALLOWED_HOSTS": "ocop.cantho.gov.vn",
            "PORTAL_URL": "https://ocop.cantho.gov.vn",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://ocop.cantho.gov.vn/accounts/login/"]
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert seen["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
    }


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check",
        env={"DJANGO_ENV": "production", "SECRET_KEY": "", "ALLOWED_HOSTS": "x.vn", "PORTAL_URL": "https://x.vn"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DJANGO_ENV=production."


@pytest.mark.parametrize("url", ["mysql://root@localhost/ocop", "not a url at all", "postgres://host:notaport/db"])
def test_a_wrong_database_url_is_one_line_naming_the_variable(url):
    result = run_manage("check", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DATABASE_URL" in lines[0]


def test_an_unreachable_database_url_is_one_line_naming_the_variable():
    result = run_manage("ensure_db", env={"DATABASE_URL": "postgres://postgres@127.0.0.1:1/ocop"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("CommandError: Cannot connect to DATABASE_URL:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_vietnamese_translation_is_complete_and_compiled():
    po_path = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural for entry in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr or entry.msgstr_plural), entry.msgid


def test_demo_data_loads_once():
    call_command("load_demo")
    counts = (Organisation.objects.count(), User.objects.count())
    call_command("load_demo")
    assert (Organisation.objects.count(), User.objects.count()) == counts
    assert User.objects.get(email="canbo@sct.example").has_perm("accounts.act_on_behalf")


def test_demo_figures_match_the_2020_report():
    """The home page and the certification pipeline on the demo data: 99 products, 52 producers, 8 for 5★."""
    from catalog.models import Application, ProducerProfile
    from catalog.selectors import home_figures

    call_command("load_demo")
    assert home_figures() == {"products": 99, "producers": 52, "five": 0, "four": 24, "three": 75}
    legal_forms = dict(
        ProducerProfile.objects.filter(organisation__products__isnull=False)
        .values_list("legal_form")
        .annotate(n=models.Count("pk", distinct=True))
    )
    assert legal_forms == {"enterprise": 17, "cooperative": 11, "household": 24}
    assert Application.objects.filter(status=Application.Status.PROPOSED_CENTRAL).count() == 8


def test_home_page_shows_the_demo_headline_numbers(client):
    call_command("load_demo")
    page = client.get("/")
    assert "99" in page.text and "52" in page.text
