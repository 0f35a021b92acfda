"""Sign-in throttling with django-axes: who counts as the same client, and the page a locked-out client sees.

Failures are counted per (email, client address) pair, so a guesser cannot lock a member out from everywhere
and one member's mistakes never lock out colleagues behind the same office router. The settings are in
ocop_portal/settings.py (AXES_*); staff lift a lock early with `manage.py axes_reset_username <email>`.
"""

import functools
import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User


def login_username(request, credentials=None) -> str | None:
    """The email being tried, folded as sign-in folds it, so "Ha@X.vn" and "ha@x.vn" share one counter."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    if not value:
        return None
    return User.objects.normalize_email(str(value))


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries if entry != "*")
    except ValueError as error:
        raise ImproperlyConfigured(f"FORWARDED_ALLOW_IPS holds something that is not an address: {error}") from None


def _trusted_proxy(address: str | None) -> bool:
    entries = tuple(settings.TRUSTED_PROXIES)
    if "*" in entries:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _networks(entries))


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one saw.

    X-Forwarded-For is read only in a request from one of our proxies (TRUSTED_PROXIES): a client that reaches
    the app server directly could write anything there. Then only the entries our own proxies appended are
    trusted (counted from the right, each hop after the outermost one being one of ours); a client can put
    anything on the left. Anything that is not an IP address falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count and _trusted_proxy(remote):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count and all(_trusted_proxy(hop) for hop in hops[len(hops) - count + 1 :]):
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return remote


def lockout_response(request, original_response=None, credentials=None):
    """The "too many attempts" page: when the member may try again, and that a password reset works at once."""
    cool_off = get_cool_off(request)
    retry_at = timezone.localtime(timezone.now() + cool_off)
    context = {
        "retry_at": retry_at,
        "cool_off_minutes": math.ceil(cool_off.total_seconds() / 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
