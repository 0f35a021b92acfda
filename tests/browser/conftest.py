"""Browser tests: Debian's Chromium, driven by Playwright, against a live server on the test database.

One browser and one live server serve the whole package; each test gets a fresh browser context (its own
cookies) at a desktop or a phone viewport. Chromium is found through CHROMIUM_PATH (default
/usr/bin/chromium); when it is missing the tests fail with a message, they are never skipped.
"""

import os
from pathlib import Path

import pytest
from django.test.utils import modify_settings
from playwright.sync_api import expect

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The test machines have no internet: without these flags Chromium waits on network look-ups it never gets.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "browser-screenshots"
# Actions and assertions wait up to 10 s for the page (the test machines are small and shared).
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def chromium_executable() -> str | None:
    """The browser to launch: CHROMIUM_PATH, or Playwright's own download when CHROMIUM_PATH is set empty."""
    if CHROMIUM_PATH == "":
        return None
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(
            f"Chromium is needed for the browser tests and was not found at {CHROMIUM_PATH!r}. "
            "Install Debian's package (apt-get install chromium), point CHROMIUM_PATH at a Chromium binary, "
            "or run `python -m playwright install chromium` and set CHROMIUM_PATH to an empty string.",
            pytrace=False,
        )
    return CHROMIUM_PATH


@pytest.fixture(scope="package")
def _allow_sync_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; Django would then refuse ORM calls there."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_allow_sync_orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def live_url(django_db_setup):
    """One live server for the package (pytest-django's `live_server` would start one per session and insist
    on its own database fixture order)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1")
    allowed = modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"})
    allowed.enable()
    yield server.url
    allowed.disable()
    server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def open_page(browser, live_url, live_db, request):
    """open_page(kind) -> a new page in its own context at the "desktop" or "phone" viewport."""
    contexts = []

    def _open(kind: str):
        context = browser.new_context(base_url=live_url, locale="vi-VN", **VIEWPORTS[kind])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    if getattr(request.node, "browser_call_failed", False):
        # What each page showed when the test failed, to read beside the traceback.
        for number, context in enumerate(contexts, start=1):
            for page in context.pages:
                save_screenshot(page, f"failed-{request.node.name}-{number}")
    for context in contexts:
        context.close()


def save_screenshot(page, name: str) -> Path:
    """A full-page screenshot of a journey's end, kept under var/ (not committed)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
