"""The page cache of the public catalogue (home, catalogue, product pages) for anonymous visitors.

Pages are stored in the shared cache (Redis in production: every gunicorn worker and app server sees
the same entries) under a key made of today's date (a certificate lapses at midnight without any write),
the language and the full absolute URL (scheme, host, path and query string), together with the
catalogue's *generation*: a number that every write able to change one of these pages bumps
(`public_pages_changed`: called by the signal receivers below for products, photos, certificates,
producer profiles, organisations, the classification and a finished import, whose bulk writes send no
per-row signals). A page stored under an older generation is never served: the next visitor gets a freshly
rendered page. The generation and the page are read in one round trip.

Only GET requests without a session cookie (so from visitors who are not signed in) and without
pending messages are served from, or stored in, the cache (`VisitorPageCacheMiddleware`, before the
session and the view run); a response is stored only when its view allows it (`VisitorPageCacheMixin`),
the visitor is anonymous, and it is a 200 that sets no cookie and did not use the CSRF token, so no
visitor ever receives a page made for someone else. Every cache error is logged and the page is
rendered as if there were no cache.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone

from core.queue import defer_unless_waiting

logger = logging.getLogger(__name__)

GENERATION_KEY = "catalog:public-pages:generation"
PAGE_KEY_PREFIX = "catalog:public-page"
DATA_KEY_PREFIX = "catalog:public-data"
MESSAGES_COOKIE = CookieStorage.cookie_name


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def generation() -> int:
    """The current generation; a fresh, never-used number when the cache has none (first use, eviction)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A timestamp, not 0: after an eviction the counter must not come back to a number already used.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: starting one is a change too
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.exception("Could not invalidate the public page cache")


def public_pages_changed() -> None:
    """Make every cached public page stale: now, and again once the current transaction commits.

    The second bump drops a page that another request rendered from the old data between the first bump
    and the commit. Bumped even where this process does not cache pages (a command run from cron, an
    import): the web servers that do share the cache.
    """
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    public_pages_changed()


def _import_saved(sender, instance, **kwargs) -> None:
    # An import writes products and certificates in bulk (no per-row signals); its batch is saved when done.
    if instance.status == instance.Status.IMPORTED:
        public_pages_changed()


def connect_signals() -> None:
    """Bump the generation on every save or delete of what the public pages show (see CatalogConfig.ready)."""
    from accounts.models import Organisation, Province, Ward
    from catalog.models import (
        Certificate,
        ImportBatch,
        ProducerProfile,
        Product,
        ProductGroup,
        ProductPhoto,
        ProductSubGroup,
    )

    post_save.connect(_import_saved, sender=ImportBatch, dispatch_uid="catalog-cache-import")
    for model in (
        Product,
        ProductPhoto,
        Certificate,
        ProducerProfile,
        Organisation,
        ProductGroup,
        ProductSubGroup,
        Province,
        Ward,
    ):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog-cache-{model._meta.label}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog-cache-{model._meta.label}-delete")


# The figures a worker may compute again (`rebuildable`), by dotted path: name → function.
REBUILDERS: dict[str, Callable] = {}
REBUILD_TASK = "catalog.public_figure_rebuild"
# A figure is kept this long whatever the generation: after a change its previous value is served until a
# worker has computed the new one; a figure nobody reads for this long is computed again by its next reader.
STALE_FIGURE_SECONDS = 7 * 24 * 3600
# Set when a page used a figure older than the data: such a page is never stored (VisitorPageCacheMiddleware).
_served_stale: ContextVar[bool] = ContextVar("catalog_cache_served_stale", default=False)


def rebuildable(function: Callable) -> Callable:
    """Let a worker compute this figure again after a change: `cached_data(..., rebuild=(function, kwargs))`.

    Its keyword arguments must be JSON (they travel in the job), and its value must be what `cached_data` keeps.
    """
    REBUILDERS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def _data_key(name: str) -> str:
    return f"{DATA_KEY_PREFIX}:{name}"


def cached_data(name: str, compute, *, rebuild: tuple[Callable, dict] | None = None):
    """`compute()`, kept in the shared cache until the generation or the date changes.

    With `rebuild` (a `rebuildable` function and its arguments, computing the same value), a figure made stale
    by a change is not computed in the visitor's request: its previous value is returned, and a worker computes
    the new one (`figure_rebuild`). Without a previous value (first use, eviction) the reader computes it.
    """
    if not enabled():
        return compute()
    try:
        current, today = generation(), timezone.localdate().isoformat()
        stored = cache.get(_data_key(name))
    except Exception:
        logger.exception("Page cache unavailable")
        return compute()
    if stored is not None:
        stored_generation, stored_day, value = stored
        if (stored_generation, stored_day) == (current, today):
            return value
        if rebuild is not None:
            _rebuild_later(name, rebuild, generation=current)
            _served_stale.set(True)
            return value
    value = compute()
    _figure_store(name, value, generation=current, day=today)
    return value


def _figure_store(name: str, value, *, generation: int, day: str) -> None:
    try:
        cache.set(_data_key(name), (generation, day, value), STALE_FIGURE_SECONDS)
    except Exception:
        logger.exception("Page cache unavailable")


def _rebuild_later(name: str, rebuild: tuple[Callable, dict], *, generation: int) -> None:
    """Queue one computation of a stale figure per change, however many visitors read it meanwhile.

    A marker in the cache (added by the first reader after the change) keeps the others from writing a job; the
    job's queueing lock keeps a second one from waiting beside it if the marker is lost.
    """
    function, kwargs = rebuild
    path = f"{function.__module__}.{function.__qualname__}"
    if REBUILDERS.get(path) is not function:
        raise ImproperlyConfigured(f"{path} is not marked @rebuildable.")
    try:
        if not cache.add(f"{DATA_KEY_PREFIX}:queued:{generation}:{name}", 1, REBUILD_MARKER_SECONDS):
            return
        defer_unless_waiting(REBUILD_TASK, lock=f"figure:{name}", name=name, path=path, kwargs=kwargs)
    except Exception:
        logger.exception("The figure %s could not be queued for computing; its previous value is served.", name)


# A figure whose computation was queued is not queued again for this long (if that job was lost, the next reader
# after this queues another).
REBUILD_MARKER_SECONDS = 300


def figure_rebuild(*, name: str, path: str, kwargs: dict) -> bool:
    """A worker's computation of a stale figure: computed from the data as it is now, then stored.

    Idempotent: a figure already current (computed by another job, or by a reader) is left as it is. Returns
    whether it was computed.
    """
    module = path.rpartition(".")[0]
    import_module(module)  # registers the module's @rebuildable functions in this process
    function = REBUILDERS.get(path)
    if function is None:
        raise ImproperlyConfigured(f"{path} is not marked @rebuildable.")
    current, today = generation(), timezone.localdate().isoformat()
    stored = cache.get(_data_key(name))
    if stored is not None and stored[:2] == (current, today):
        return False
    _figure_store(name, function(**kwargs), generation=current, day=today)
    return True


def served_stale() -> bool:
    """Whether this request was given a figure older than the data (so its page must not be stored)."""
    return _served_stale.get()


# The pages the cache may hold, by path (after the optional language prefix): home, catalogue, product pages.
CACHED_PATHS = re.compile(r"^/(?:[a-z]{2}/)?(?:products/(?:\d+/)?)?$")


def _cacheable_request(request) -> bool:
    """A GET of a cached path by a visitor without a session or pending messages (so certainly anonymous)."""
    return (
        enabled()
        and request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and MESSAGES_COOKIE not in request.COOKIES
        and CACHED_PATHS.match(request.path_info) is not None
    )


def known_parameters(request) -> frozenset[str]:
    """The query parameters a cached page reads: the catalogue's filters, its sort and page; none elsewhere."""
    if request.path_info.rstrip("/").endswith("/products"):
        from catalog.filters import ProductFilter

        return frozenset(ProductFilter.base_filters) | {"page"}
    return frozenset()


def canonical_query(request) -> str:
    """The known parameters that hold a value, sorted by name, each name's values sorted: the page's identity."""
    known = known_parameters(request)
    pairs = sorted(
        (name, value) for name in request.GET if name in known for value in request.GET.getlist(name) if value.strip()
    )
    return urlencode(pairs)


def canonical_redirect(request) -> HttpResponse | None:
    """For a visitor's cached page asked with parameters it does not read (`?q=gạo&r=123`), a redirect to the same
    page without them: the unknown ones change nothing on the page, and must not make a new cache entry each."""
    if not request.GET or not _cacheable_request(request):
        return None
    known = known_parameters(request)
    if set(request.GET) <= known:
        return None
    kept = [(name, value) for name in request.GET if name in known for value in request.GET.getlist(name)]
    location = request.path + (f"?{urlencode(kept)}" if kept else "")
    return HttpResponseRedirect(location)


def page_key(request) -> str | None:
    """The cache key of this request's page (the language is in the path), or None when it must be rendered.

    Keyed on the path and the canonical query only (see canonical_query): the same filters in another order or
    with empty values are one entry, not one each.
    """
    if not _cacheable_request(request):
        return None
    identity = hashlib.sha256(f"{request.path}?{canonical_query(request)}".encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{timezone.localdate().isoformat()}:{identity}"


def _may_add_a_page(request) -> bool:
    """At most PAGE_CACHE_ADDS_PER_MINUTE new pages stored for one client address a minute: a visitor walking
    through every combination of filters is served, but fills the cache no faster than that."""
    from accounts.throttling import client_ip

    limit = settings.PAGE_CACHE_ADDS_PER_MINUTE
    key = f"{PAGE_KEY_PREFIX}:adds:{client_ip(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # evicted between the two calls
        return True


def page_lookup(key: str) -> tuple[int, HttpResponse | None]:
    """The current generation and, when stored under it, the page: one round trip to the cache."""
    found = cache.get_many([GENERATION_KEY, key])
    current = found.get(GENERATION_KEY)
    if current is None:
        return generation(), None
    stored = found.get(key)
    if stored is None or stored[0] != current:
        return current, None  # never stored, or stored before a change
    _generation, headers, content = stored
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return current, response


def page_store(key: str, request, response, *, generation: int) -> None:
    """Store a rendered response when it is the same for every anonymous visitor.

    `generation` is the one read before rendering: if a change bumped it meanwhile, the page is stored as
    already stale, so the next visitor gets a fresh one.
    """
    if response.status_code != 200 or response.streaming or response.cookies:
        return
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.has_header("Set-Cookie"):
        return  # the page holds a CSRF token: it belongs to this visitor only
    headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
    cache.set(key, (generation, headers, response.content), settings.PAGE_CACHE_SECONDS)


class VisitorPageCacheMixin:
    """For a public view whose page is the same for every anonymous visitor: lets the middleware store it."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if not request.user.is_authenticated:
            request.visitor_page_cacheable = True
        return response


class VisitorPageCacheMiddleware:
    """Serves anonymous visitors' cached pages before the session, language and view run; stores new ones.

    It sits below the security headers (so they are set on every response) and above the session: a page
    served from here carries the headers the rest of the stack gave it when it was rendered (Vary,
    Content-Language, X-Frame-Options …). Only views with VisitorPageCacheMixin mark a page storable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stale = _served_stale.set(False)
        try:
            return self._respond(request)
        finally:
            _served_stale.reset(stale)

    def _respond(self, request):
        key = current = None
        redirect = canonical_redirect(request)
        if redirect is not None:
            return redirect
        try:
            key = page_key(request)
            if key is not None:
                current, cached = page_lookup(key)
                if cached is not None:
                    return cached
        except Exception:
            logger.exception("Page cache unavailable")
            key = None
        response = self.get_response(request)
        # A page drawn with a figure older than the data is served, not stored: the next visitor gets the new one.
        if key is not None and getattr(request, "visitor_page_cacheable", False) and not served_stale():
            try:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                if current is not None and _may_add_a_page(request):
                    page_store(key, request, response, generation=current)
            except Exception:
                logger.exception("Page cache unavailable")
        return response
