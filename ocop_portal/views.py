import logging

from django.core.cache import cache
from django.db.utils import DatabaseError
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from core.queue import queue_health

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness and readiness for the load balancer, and figures for monitoring.

    503 only when the database is unreachable: without it nothing works. The cache (a miss when it does not
    answer) and the task queue (its waiting jobs, the oldest one's wait, the failed ones) are reported.
    """
    try:
        queue = queue_health()
    except DatabaseError as error:
        logger.error("Health check: the database is unreachable: %s", str(error).strip().splitlines()[0:1])
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": _cache_status(), "queue": queue.as_dict()})


def _cache_status() -> str:
    try:
        cache.set("healthz", "1", timeout=10)
        answered = cache.get("healthz") == "1"
    except Exception:  # noqa: BLE001 - any failure of the cache backend means the same thing here
        answered = False
    return "ok" if answered else "unreachable"


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): say in words that nothing was saved.

    Django has already logged the refusal and its reason (logger django.security.csrf).
    """
    return render(request, "403_csrf.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request context: the failure may lie in a context processor or the database.
    return HttpResponseServerError(loader.get_template("500.html").render())
