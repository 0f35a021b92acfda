"""The portal's URLs plus the floor: a minimal view that returns a static page, through the same middleware."""

import os
from functools import cache
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from ocop_portal.urls import handler403, handler404, handler500
from ocop_portal.urls import urlpatterns as portal_urlpatterns


@cache
def _snapshot(name: str) -> bytes | None:
    file = Path(os.environ.get("BENCH_FLOOR_DIR", "var/bench/floor")) / f"{name}.html"
    return file.read_bytes() if file.is_file() else None


def floor(request, name: str):
    """The cheapest page Django can serve: a snapshot, read once, of the page it is compared to."""
    body = _snapshot(name)
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench-floor/<slug:name>/", floor, name="bench-floor"), *portal_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
