"""Reading what a request carries: a `next` address to go back to, a number in the query string."""

from django.utils.http import url_has_allowed_host_and_scheme

# ASCII digits of a plausible length: int() refuses "²" and reads numbers of thousands of digits slowly.
MAX_ID_DIGITS = 18


def safe_next(request, default: str, *, under: str = "/") -> str:
    """The `next` address the form or link gave, when it is a path of this site under `under`; else `default`.

    Only a path: redirect() would take a bare word ("0") for a view name and fail, and another host is
    never a place to send a visitor.
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith(under) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def int_or_none(value, *, max_digits: int = MAX_ID_DIGITS) -> int | None:
    """The number a query parameter holds, or None unless it is ASCII digits of at most `max_digits`."""
    value = value if isinstance(value, str) else ""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= max_digits else None
