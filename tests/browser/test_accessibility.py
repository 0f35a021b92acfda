"""axe-core on every public page and the main forms, at both viewports: no serious or critical violation."""

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.conf import settings
from django.test import Client

from tests.browser.conftest import VIEWPORTS
from tests.browser.support import pages_to_check, showcase, vi

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
RUN_AXE = "async () => await axe.run(document, {resultTypes: ['violations']})"
PAGE_WIDTH = "document.documentElement.scrollWidth"
# Chart labels are SVG text, which does not wrap: the px by which the widest one passes its chart's right edge.
CHART_LABEL_OVERFLOW = """() => Math.max(0, ...Array.from(document.querySelectorAll('.chart__label'), (label) =>
    label.getBoundingClientRect().right - label.closest('svg').getBoundingClientRect().right))"""


def blocking_violations(page, name: str) -> list[str]:
    results = page.evaluate(RUN_AXE)
    return [
        f"{name} ({page.url}): {violation['id']} [{violation['impact']}] {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def signed_in(page, user, live_url):
    """Sign the page's browser in without the sign-in form (the journeys use the form; here only pages count)."""
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_url}])
    # axe-core (the copy axe-playwright-python ships) is loaded into every document the page opens.
    page.context.add_init_script(script=AXE_SCRIPT)
    return page


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_public_pages_and_main_forms_have_no_serious_accessibility_violations(open_page, live_db, live_url, viewport):
    data = showcase()
    accounts = {None: None, "producer": data["producer_user"], "buyer": data["buyer_user"], "staff": data["staff"]}
    pages = {}
    problems = []
    too_wide = []
    checked = []
    for name, who, path in pages_to_check(data):
        if who not in pages:
            pages[who] = signed_in(open_page(viewport), accounts[who], live_url)
        page = pages[who]
        response = page.goto(path)
        assert response.status == (404 if name in {"not-found", "verify-unknown"} else 200), name
        problems += blocking_violations(page, name)
        if viewport == "phone":
            # Wide tables scroll inside their own box; the page itself never scrolls sideways on a phone, down
            # to the narrowest one still in use (320 px).
            # (Compared with the screen's width, not innerWidth, which a phone widens to fit a page that is too wide.)
            for width in (390, 320):
                page.set_viewport_size({"width": width, "height": 844})
                if (page_width := page.evaluate(PAGE_WIDTH)) > width:
                    too_wide.append(f"{name} at {width} px: {page_width} px")
                if (overflow := page.evaluate(CHART_LABEL_OVERFLOW)) > 0:
                    too_wide.append(f"{name} at {width} px: a chart label passes its chart by {overflow:.0f} px")
            page.set_viewport_size(VIEWPORTS["phone"]["viewport"])
        checked.append(name)

    # A form sent empty: the error summary and the messages beside the fields.
    page = pages[None]
    page.goto("/accounts/signup/producer/")
    page.get_by_role("button", name=vi("Create account"), exact=True).click()
    page.get_by_role("heading", name=vi("There is a problem")).wait_for()
    problems += blocking_violations(page, "sign-up-errors")

    assert len(checked) == len(pages_to_check(data))
    assert not too_wide, "pages wider than the phone's screen: " + ", ".join(too_wide)
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)
