"""The portal as real processes on loopback: gunicorn instances and workers of the task queue, and a browser.

Each process is started as README's "Deploying" runs it, configured by environment variables only, its output
kept in a log file; it is stopped, with its whole process group, when its block ends, whatever happened inside.
`Browser` is one visitor's cookie jar and forms over plain HTTP: cookies are not bound to a port, so one browser
talking to two instances on 127.0.0.1 is one visitor behind a load balancer's single host name.
"""

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOOPBACK = "http://127.0.0.1:"
START_SECONDS = 30  # a Django start on a loaded two-core machine; usually two or three seconds
STOP_SECONDS = 10


def wait_for(condition, *, seconds: float, what: str, log: Path | None = None):
    """Poll `condition` until it returns something truthy, and return that; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = f"\n--- {log} ---\n{log_tail(log)}" if log else ""
            raise AssertionError(f"{what}: not within {seconds} s{tail}")
        time.sleep(0.05)


def log_tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no output)"


def portal_env(**variables: str) -> dict[str, str]:
    """A child's whole environment: the system's essentials and the portal's variables, nothing inherited else."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return {**kept, "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "ocop_portal.settings", **variables}


@dataclass
class Process:
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_ready(self, ready, *, what: str) -> None:
        def answered():
            if not self.alive():
                raise AssertionError(f"{what}: exited with {self.popen.returncode}\n{log_tail(self.log)}")
            return ready()

        wait_for(answered, seconds=START_SECONDS, what=what, log=self.log)

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL, as a machine lost or the out-of-memory killer does: no clean-up runs."""
        self.signal_group(signal.SIGKILL)
        self.popen.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        if self.alive():
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()
        self.signal_group(signal.SIGKILL)  # a gunicorn worker left behind by its master


@contextlib.contextmanager
def started(args: list[str], *, env: dict[str, str], log: Path):
    """Run `args` in its own process group until the block ends; yields the Process."""
    with log.open("ab") as output:
        popen = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    process = Process(popen=popen, log=log)
    try:
        yield process
    finally:
        process.stop()


@dataclass
class WebServer:
    process: Process
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - our own loopback URL
            return json.load(response)["status"] == "ok"
    except (OSError, ValueError):
        return False


def free_ports(count: int) -> list[int]:
    """`count` different free loopback ports (all held open while chosen, so never the same one twice)."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


@contextlib.contextmanager
def app_servers(names: str, *, env: dict[str, str], logs: Path):
    """One app server per letter of `names`, each `gunicorn -c gunicorn.conf.py` with one worker on its own loopback
    port, started together; yields them once every one answers /healthz."""
    # Without a control socket: by default every instance would take the same $HOME/.gunicorn/gunicorn.ctl.
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket"]
    with contextlib.ExitStack() as stack:
        servers = []
        for name, port in zip(names, free_ports(len(names)), strict=True):
            bind = {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
            process = stack.enter_context(started(command, env={**env, **bind}, log=logs / f"gunicorn-{name}.log"))
            servers.append(WebServer(process=process, url=f"{LOOPBACK}{port}"))
        try:
            for server in servers:
                server.process.wait_ready(lambda url=server.url: healthy(url), what=f"gunicorn on {server.url} healthy")
            yield servers
        finally:
            for server in servers:  # all asked at once; each is then waited for, and killed if it lingers
                server.process.signal_group(signal.SIGTERM)


@contextlib.contextmanager
def worker(*, env: dict[str, str], log: Path, registered, queues: str = ""):
    """`manage.py procrastinate worker` (on `queues`, all when empty), once `registered()` sees it in the database."""
    command = [sys.executable, "manage.py", "procrastinate", "worker", f"--queues={queues}"]
    with started(command, env=env, log=log) as process:
        process.wait_ready(registered, what="the worker registered in the database")
        yield process


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def form(self, *, containing: str) -> "Form":
        """The page's form that has a field named `containing`, as a browser would submit it untouched."""
        parser = _FormParser()
        parser.feed(self.text)
        for form in parser.forms:
            if any(name == containing for name, _value in form.fields):
                return form
        raise AssertionError(f"no form with a field {containing!r} on the page")


@dataclass
class Form:
    fields: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str) -> str:
        return next(value for field_name, value in self.fields if field_name == name)

    def filled(self, **values: str) -> list[tuple[str, str]]:
        """The fields with `values` in place of the named ones' (added when the page had none)."""
        kept = [(name, value) for name, value in self.fields if name not in values]
        return kept + list(values.items())


class _FormParser(HTMLParser):
    """Each form's fields with the values the page gives them: inputs, ticked boxes, chosen options, text areas."""

    TEXT_INPUTS = {"text", "hidden", "email", "password", "number", "tel", "url", "date", "search", ""}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form()
            self.forms.append(self._form)
        elif self._form is None or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "").lower()
            if kind in self.TEXT_INPUTS or (kind in {"checkbox", "radio"} and "checked" in attrs):
                self._form.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = {"name": attrs["name"], "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]
            self._form.fields.extend((self._select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.fields.append((self._textarea["name"], self._textarea["text"].removeprefix("\n")))
            self._textarea = None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the test reads the 302 itself


class Browser:
    """One visitor: a cookie jar shared by every server it talks to, no redirect followed."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects())

    def get(self, url: str) -> Page:
        return self._open(url)

    def post(self, url: str, fields: list[tuple[str, str]]) -> Page:
        return self._open(url, data=urllib.parse.urlencode(fields).encode())

    def _open(self, url: str, data: bytes | None = None) -> Page:
        if not url.startswith(LOOPBACK):
            raise ValueError(f"not one of the servers on loopback: {url}")
        request = urllib.request.Request(url, data=data)  # noqa: S310 - plain HTTP to loopback, checked above
        try:
            response = self._opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # a 302, 403, 404 … is an answer to read, not a failure here
            response = error
        with response:
            headers = {name.lower(): value for name, value in response.headers.items()}
            return Page(status=response.status, headers=headers, text=response.read().decode())
