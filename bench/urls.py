"""The portal's URLs plus two reference views, through the same middleware as every page.

- the floor: a static copy of the page it is compared to (the cheapest response Django can give);
- the minimal page: the portal's layout around one product's name and description, read with one indexed
  query. It is the cheapest real page, so its ratio shows how much of a cold target the layout and a single
  query already take.
"""

import os
from functools import cache
from pathlib import Path

from django.http import Http404, HttpResponse
from django.template import engines
from django.urls import path

from catalog.models import Product
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


@cache
def _minimal_template():
    return engines["django"].from_string(
        '{% extends "base.html" %}{% block title %}{{ product.name }}{% endblock %}'
        "{% block content %}<h1>{{ product.name }}</h1><p>{{ product.description }}</p>{% endblock %}"
    )


def minimal_page(request, pk: int):
    """The layout and one indexed query: what every cold page pays before its own content."""
    product = Product.objects.public().filter(pk=pk).values("name", "description").first()
    if product is None:
        raise Http404
    return HttpResponse(_minimal_template().render({"product": product}, request))


urlpatterns = [
    path("bench-floor/<slug:name>/", floor, name="bench-floor"),
    path("bench-minimal/<int:pk>/", minimal_page, name="bench-minimal"),
    *portal_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
