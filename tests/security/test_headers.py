"""Security headers on every kind of page, the Content-Security-Policy and what it forbids in our markup, cookies.

The policy allows only the portal's own scripts, styles, fonts and images (plus data: images), so the templates
hold no inline script, no on…= handler, no style attribute and no <style> block: checked in the template sources
and the Python that writes HTML, and on rendered pages of every area (public, workspace, buyer, staff, admin).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
# Script elements that hold data, not code: the browser never executes them, so CSP does not apply.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}


@pytest.fixture(autouse=True)
def _media_root(settings, security_media):
    """Overrides the root fixture: requests must find the files the module's world stored."""
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = security_media


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def assert_security_headers(response, what: str):
    assert csp_directives(response) == EXPECTED_CSP, what
    assert response["X-Frame-Options"] == "DENY", what
    assert response["X-Content-Type-Options"] == "nosniff", what
    assert response["Referrer-Policy"] == "same-origin", what
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", what
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, what


class InlineCodeFinder(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would refuse in a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.found.append("<style> block")
        if tag == "script" and "src" not in attributes:
            script_type = (attributes.get("type") or "").lower()
            if script_type not in DATA_SCRIPT_TYPES:
                self._in_inline_script = True
                self.found.append(f"inline <script type={script_type!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.found


# --- Pages of every area --------------------------------------------------------------------------------------


def pages(world):
    """(role, path) for pages of every area, each a different template family."""
    w = world
    slug = w.event.slug
    return [
        ("anonymous", reverse("home")),
        ("anonymous", reverse("catalog:product-list")),
        ("anonymous", reverse("catalog:product-detail", args=[w.product.pk])),  # with its JSON-LD
        ("anonymous", reverse("catalog:producer-detail", args=[w.producer_a.pk])),
        ("anonymous", reverse("catalog:certificate-verify", args=[w.certificate.verification_code])),
        ("anonymous", reverse("events:event-list")),
        ("anonymous", reverse("events:event-detail", args=[slug])),
        ("anonymous", reverse("events:event-agenda", args=[slug])),
        ("anonymous", reverse("events:mou-list")),
        ("anonymous", reverse("accounts:login")),
        ("anonymous", reverse("accounts:signup-kind", args=["producer"])),
        ("anonymous", reverse("accounts:password-reset")),
        ("anonymous", "/khong-co-trang-nay/"),  # the 404 page
        ("anonymous", reverse("reports:statistics")),  # SVG charts
        ("anonymous", reverse("reports:certificate-register")),
        ("anonymous", reverse("reports:open-data")),
        ("producer_a", reverse("accounts:dashboard")),
        ("producer_a", reverse("accounts:organisation-edit")),
        ("producer_a", reverse("catalog:my-products")),
        ("producer_a", reverse("catalog:my-product-edit", args=[w.draft_product.pk])),
        ("producer_a", reverse("catalog:my-product-photos", args=[w.product.pk])),
        ("producer_a", reverse("catalog:my-application-detail", args=[w.application.pk])),
        ("producer_a", reverse("matchmaking:meeting-detail", args=[w.meeting.pk])),
        ("producer_a", reverse("events:my-registration", args=[slug])),
        ("producer_a", reverse("events:mou-detail", args=[w.mou.pk])),
        ("producer_b", reverse("catalog:my-product-edit", args=[w.draft_product.pk])),  # the 404 page, signed in
        ("buyer", reverse("matchmaking:buyer-profile")),
        ("buyer", reverse("matchmaking:request-create")),
        ("buyer", reverse("matchmaking:offer-compare", args=[w.sourcing_request.pk])),
        ("buyer", reverse("matchmaking:meeting-create") + f"?producer={w.producer_a.pk}"),
        ("buyer", reverse("catalog:my-products")),  # the 403 page
        ("staff", reverse("accounts:staff-organisations")),
        ("staff", reverse("catalog:staff-certification")),
        ("staff", reverse("events:staff-checkin", args=[slug])),
        ("staff", reverse("matchmaking:event-meetings-board", args=[slug])),
        ("staff", reverse("reports:event-report", args=[slug])),
        ("staff", reverse("reports:staff-dashboard")),
        ("superuser", reverse("catalog:staff-import")),
        ("superuser", reverse("admin:index")),
        ("superuser", reverse("admin:catalog_product_changelist")),
        ("superuser", reverse("admin:catalog_product_change", args=[w.product.pk])),
        ("superuser", reverse("admin:accounts_province_changelist")),
        ("superuser", reverse("admin:catalog_product_history", args=[w.product.pk])),
        ("superuser", reverse("admin:catalog_certificate_history", args=[w.certificate.pk])),  # the audit trail
        ("superuser", reverse("admin:events_mou_change", args=[w.mou.pk])),
        ("superuser", reverse("admin:catalog_application_review", args=[w.submitted_app.pk])),
        ("superuser", reverse("admin:catalog_certificate_revoke", args=[w.certificate.pk])),
    ]


def sign_in_as(client, world, role):
    if role == "superuser":
        users = get_user_model().objects
        user = users.filter(email="quantri@sct.example").first() or users.create_superuser(
            email="quantri@sct.example", password="quan-tri-he-thong"
        )
    else:
        user = world.users[role]
    if user is not None:
        client.force_login(user)


def test_every_area_sends_the_headers_and_has_no_inline_code(client, world):
    problems, checked = [], 0
    current_role = None
    for role, path in pages(world):
        if role != current_role:
            client.logout()
            sign_in_as(client, world, role)
            current_role = role
        response = client.get(path)
        assert response.status_code in (200, 403, 404), f"GET {path} as {role}: {response.status_code}"
        assert_security_headers(response, f"GET {path} as {role}")
        assert response["Content-Type"].startswith("text/html")
        problems += [f"{path} ({role}): {found}" for found in inline_code(response.text)]
        checked += 1
    assert checked == len(pages(world))
    assert not problems, "\n".join(problems)


def test_the_product_page_keeps_its_json_ld_as_data(client, world):
    response = client.get(reverse("catalog:product-detail", args=[world.product.pk]))
    assert '<script type="application/ld+json">' in response.text
    assert not inline_code(response.text)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script>", "inline <script type=''>"),
        ('<script type="module">import "x"</script>', "inline <script type='module'>"),
        ('<button onclick="go()">', "<button onclick=…> event handler"),
        ('<p style="color: red">', "<p style='color: red'>"),
        ("<style>p { color: red }</style>", "<style> block"),
        ('<a href="javascript:go()">', "<a href='javascript:go()'>"),
    ],
)
def test_the_inline_code_finder_finds_each_kind(html, expected):
    assert inline_code(html) == [expected]


def test_the_inline_code_finder_lets_files_and_data_through():
    html = (
        '<script src="/static/js/portal.js" defer></script><script type="application/ld+json">{"a": 1}</script>'
        '<link rel="stylesheet" href="/static/css/portal.css"><svg><rect fill="#fff" width="2"/></svg>'
    )
    assert inline_code(html) == []


def test_redirects_errors_and_json_carry_the_headers_too(client, producer):
    for path, status in [(reverse("accounts:dashboard"), 302), ("/healthz", 200), ("/khong-co-trang-nay/", 404)]:
        response = client.get(path)
        assert response.status_code == status
        assert_security_headers(response, path)
    response = client.get(f"{settings.STATIC_URL}css/portal.css")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


# --- The sources ----------------------------------------------------------------------------------------------

INLINE_IN_TEMPLATES = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]
# Template comments may mention the element by name: {# … <script> … #} and {% comment %}…{% endcomment %}.
TEMPLATE_COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def test_no_template_holds_inline_script_or_style():
    problems = []
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 50
    for template in templates:
        source = TEMPLATE_COMMENTS.sub("", template.read_text(encoding="utf-8"))
        for pattern, kind in INLINE_IN_TEMPLATES:
            problems += [f"{template.relative_to(ROOT)}: {kind}" for _match in pattern.finditer(source)]
    assert not problems, "\n".join(problems)


def test_no_python_writes_inline_script_or_style_into_html():
    """format_html() and mark_safe() strings in the apps (admin previews, template tags, SVG charts)."""
    html_attribute = re.compile(r"""<[a-z][^<>]*\s(?:style|on[a-z]+)\s*=""", re.I)
    problems = []
    for app in ("accounts", "catalog", "events", "matchmaking", "reports", "ocop_portal", "core"):
        for module in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in module.parts:
                continue
            for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), start=1):
                if html_attribute.search(line) or re.search(r"<style\b|<script>", line, re.I):
                    problems.append(f"{module.relative_to(ROOT)}:{number}: {line.strip()}")
    allowed = {"catalog/structured_data.py"}  # its docstring and a comment name <script>, the JSON-LD's container
    problems = [problem for problem in problems if problem.split(":", 1)[0] not in allowed]
    assert not problems, "\n".join(problems)


def test_no_script_reads_the_csrf_cookie():
    """So CSRF_COOKIE_HTTPONLY can stay on: forms carry the token in their hidden field."""
    scripts = sorted((ROOT / "static" / "js").rglob("*.js"))
    assert scripts
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        assert "document.cookie" not in source, script.name
        assert "csrftoken" not in source.lower(), script.name


# --- Cookies --------------------------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_http_only_and_same_site_lax(client, producer):
    page = client.get(reverse("accounts:login"))
    csrf_cookie = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf_cookie["httponly"] is True
    assert csrf_cookie["samesite"] == "Lax"

    response = client.post(reverse("accounts:login"), {"username": producer.email, "password": PASSWORD})
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"


def test_the_login_form_works_without_reading_the_cookie(client, producer):
    """With enforce_csrf_checks the token in the page's hidden field is what lets the form through."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("accounts:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        reverse("accounts:login"), {"username": producer.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
