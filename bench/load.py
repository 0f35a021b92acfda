"""Throughput under load: gunicorn with the production config, a load generator on loopback.

Each page type is measured as a ratio to the floor: a minimal view of bench/urls.py that returns a
snapshot of the very page it is compared to, through the same middleware. Page and floor runs
alternate (page, floor, page, floor, …) in the same server, so both see the same machine: the ratio
holds even when other work slows the machine down, the absolute requests/s do not.
"""

import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.environment import OUTPUT, ROOT

WARM_UP_SECONDS = 2.0
WRK_SCRIPT = """
local paths = {}
local counter = 0

init = function(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  counter = tonumber(args[2] or "0")
end

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, {["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1"})
end
"""


@dataclass
class Run:
    requests_per_second: float
    errors: int
    requests: int = 0
    cpu_seconds: float = 0.0  # of the server: gunicorn's processes and their database backends

    @property
    def cpu_per_request(self) -> float:
        return self.cpu_seconds / self.requests if self.requests else 0.0


@dataclass
class Comparison:
    name: str
    page_rps: list[float] = field(default_factory=list)
    floor_rps: list[float] = field(default_factory=list)
    page_cpu_ms: list[float] = field(default_factory=list)
    floor_cpu_ms: list[float] = field(default_factory=list)
    errors: int = 0
    page_bytes: int = 0

    @property
    def cpu_ratio(self) -> float:
        """Server CPU per floor request / per page request: the throughput ratio of an otherwise idle machine."""
        page, floor = statistics.median(self.page_cpu_ms or [0]), statistics.median(self.floor_cpu_ms or [0])
        return floor / page if page else 0.0

    @property
    def ratios(self) -> list[float]:
        return [page / floor for page, floor in zip(self.page_rps, self.floor_rps, strict=True) if floor]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 0.0

    def as_dict(self) -> dict:
        return {
            "page_rps": round(statistics.median(self.page_rps), 1) if self.page_rps else 0,
            "floor_rps": round(statistics.median(self.floor_rps), 1) if self.floor_rps else 0,
            "ratio": round(self.ratio, 3),
            "ratios": [round(value, 3) for value in self.ratios],
            "page_cpu_ms_per_request": round(statistics.median(self.page_cpu_ms), 3) if self.page_cpu_ms else None,
            "floor_cpu_ms_per_request": round(statistics.median(self.floor_cpu_ms), 3) if self.floor_cpu_ms else None,
            "cpu_ratio": round(self.cpu_ratio, 3),
            "errors": self.errors,
            "page_bytes": self.page_bytes,
        }


class Server:
    """gunicorn -c gunicorn.conf.py on a loopback port, with the benchmark's environment."""

    def __init__(self, *, port: int, page_cache: bool, name: str):
        self.port, self.page_cache, self.name = port, page_cache, name
        self.process = None
        self.log = OUTPUT / f"gunicorn-{name}.log"

    def __enter__(self):
        env = dict(os.environ)
        env["GUNICORN_BIND"] = f"127.0.0.1:{self.port}"
        env["PAGE_CACHE_SECONDS"] = "600" if self.page_cache else "0"
        # No worker recycling during the measurement. At the floor's thousands of requests a second every worker
        # reaches max_requests within each floor run, and its replacement warms up (templates, reference data)
        # during the page run that follows: a cost production spreads over 2,000 requests landed on a few hundred.
        env["GUNICORN_MAX_REQUESTS"] = "0"
        gunicorn = Path(sys.executable).parent / "gunicorn"
        executable = str(gunicorn) if gunicorn.exists() else (shutil.which("gunicorn") or "gunicorn")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command
                [executable, "-c", str(ROOT / "gunicorn.conf.py")],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log}")
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def cpu_snapshot(self) -> tuple[float, dict[int, float]]:
        """CPU used so far by gunicorn (master, live workers, and the workers that exited), and by each backend."""
        ticks = 0
        master = _stat(self.process.pid)
        if master:
            ticks += sum(master[11:15])  # utime, stime, and those of the children that were waited for
        for pid in _pids():
            fields = _stat(pid)
            if fields and fields[1] == self.process.pid:  # a worker
                ticks += fields[11] + fields[12]
        backends = {}
        for pid in self.backend_pids():
            fields = _stat(pid)
            if fields:
                backends[pid] = (fields[11] + fields[12]) / CLOCK_TICKS
        return ticks / CLOCK_TICKS, backends

    @staticmethod
    def cpu_between(before, after) -> float:
        """Seconds of CPU between two snapshots; a database backend that started meanwhile counts from zero."""
        gunicorn = after[0] - before[0]
        backends = sum(seconds - before[1].get(pid, 0.0) for pid, seconds in after[1].items())
        return gunicorn + backends

    def backend_pids(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [row[0] for row in cursor.fetchall()]

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        # The access log of a load run is large and says nothing the table does not.
        self.log.write_text(
            "".join(line for line in self.log.read_text(errors="replace").splitlines(True) if '" 200 ' not in line)
        )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat(pid: int) -> list[int] | None:
    """/proc/<pid>/stat after the command name, as numbers (index 1 is the parent, 11–14 the CPU times)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return [int(field) if field.lstrip("-").isdigit() else 0 for field in fields]


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class LoadGenerator:
    """wrk when installed; otherwise a threaded Python client (far less efficient: the note says so)."""

    def __init__(self, *, connections: int, duration: float):
        self.connections, self.duration = connections, duration
        self.wrk = shutil.which("wrk")
        self.script = OUTPUT / "rotate.lua"
        self.script.write_text(WRK_SCRIPT)
        self.offset = 0

    @property
    def name(self) -> str:
        return "wrk" if self.wrk else "python threads"

    def run(self, server, paths: list[str], *, duration: float | None = None) -> Run:
        duration = duration or self.duration
        port = server.port
        cpu_before = server.cpu_snapshot()
        paths_file = OUTPUT / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        # Every run continues where the last one stopped, so "distinct" paths stay distinct across runs.
        offset, self.offset = self.offset, self.offset + 100_000
        if self.wrk:
            run = self._wrk(port, paths_file, duration, offset % max(len(paths), 1))
        else:
            run = self._threads(port, paths, duration, offset % max(len(paths), 1))
        _settle(port)  # the requests left queued are part of this run's cost
        run.cpu_seconds = server.cpu_between(cpu_before, server.cpu_snapshot())
        return run

    def _wrk(self, port, paths_file, duration, offset) -> Run:
        output = subprocess.run(  # noqa: S603 - fixed command
            [
                self.wrk,
                "-t1",
                f"-c{self.connections}",
                f"-d{duration:g}s",
                "--timeout",
                "10s",
                "-s",
                str(self.script),
                f"http://127.0.0.1:{port}",
                "--",
                str(paths_file),
                str(offset),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
        socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
        if socket_errors:
            errors += sum(int(n) for n in socket_errors.groups())
        return Run(requests_per_second=rps, errors=errors, requests=requests)

    def _threads(self, port, paths, duration, offset) -> Run:
        done = []
        errors = []
        lock = threading.Lock()
        counter = iter(range(offset, 10**12))
        deadline = time.monotonic() + duration

        def worker():
            while time.monotonic() < deadline:
                with lock:
                    index = next(counter)
                try:
                    status, _body = get(port, paths[index % len(paths)])
                except OSError:
                    status = 0
                with lock:
                    (done if status == 200 else errors).append(1)

        threads = [threading.Thread(target=worker) for _ in range(self.connections)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return Run(requests_per_second=len(done) / (time.monotonic() - started), errors=len(errors), requests=len(done))


def _settle(port: int, *, timeout: float = 10.0) -> None:
    """Wait until the requests the load generator left queued are served: the next run starts on an idle server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        get(port, "/healthz")
        if time.monotonic() - started < 0.02:
            return
        time.sleep(0.1)


def compare(*, name: str, server: Server, load: LoadGenerator, paths: list[str], rounds: int, log=print) -> Comparison:
    """Alternate page and floor runs; the floor serves a snapshot of the first page, byte for byte."""
    status, body = get(server.port, paths[0])
    if status != 200:
        raise RuntimeError(f"{paths[0]} answered {status}")
    floor_dir = Path(os.environ["BENCH_FLOOR_DIR"])
    floor_dir.mkdir(parents=True, exist_ok=True)
    (floor_dir / f"{name}.html").write_bytes(body)
    floor_paths = [f"/bench-floor/{name}/"]
    result = Comparison(name=name, page_bytes=len(body))
    # Warm every worker up (imports, compiled templates, database connection; the cache when it is on).
    load.run(server, paths, duration=WARM_UP_SECONDS)
    load.run(server, floor_paths, duration=WARM_UP_SECONDS)
    for _round in range(rounds):
        page = load.run(server, paths)
        floor = load.run(server, floor_paths)
        result.page_rps.append(page.requests_per_second)
        result.floor_rps.append(floor.requests_per_second)
        result.page_cpu_ms.append(page.cpu_per_request * 1000)
        result.floor_cpu_ms.append(floor.cpu_per_request * 1000)
        result.errors += page.errors + floor.errors
        log(
            f"    {name:<16} page {page.requests_per_second:7.1f}/s ({page.cpu_per_request * 1000:5.2f} ms CPU)"
            f"  floor {floor.requests_per_second:7.1f}/s ({floor.cpu_per_request * 1000:5.2f} ms CPU)"
            f"  ratio {page.requests_per_second / floor.requests_per_second if floor.requests_per_second else 0:.3f}"
        )
    return result
