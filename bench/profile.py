"""`python -m bench --profile PAGE`: where a cold page spends its time, as pyinstrument sees it.

The page (catalogue, product, home or reference) is served in this process for distinct requests, the
same ones the cold throughput run sends, through the portal's WSGI handler with the production settings
and the page cache off. After a warm-up (templates compiled, reference data read), pyinstrument samples
the requests and writes `var/bench/profile-PAGE.html` (interactive) and `.txt` (the call tree).
"""

import time

from bench import measure
from bench.environment import OUTPUT

WARM_UP = 30


def run(page: str, *, requests: int, seed: int) -> tuple[str, float]:
    """Profile `requests` cold requests of `page`; return the text report and the milliseconds per request."""
    from pyinstrument import Profiler

    paths = measure.cold_paths(page, seed=seed, count=requests + WARM_UP)
    paths = (paths * (requests + WARM_UP))[: requests + WARM_UP]  # the home page is one path
    client = measure.InProcessClient()
    with measure.no_page_cache():
        for path in paths[:WARM_UP]:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        profiler = Profiler()
        started = time.perf_counter()
        profiler.start()
        for path in paths[WARM_UP:]:
            client.get(path)
        profiler.stop()
        per_request = (time.perf_counter() - started) * 1000 / requests
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"profile-{page}.txt").write_text(text, encoding="utf-8")
    (OUTPUT / f"profile-{page}.html").write_text(profiler.output_html(), encoding="utf-8")
    return text, per_request
