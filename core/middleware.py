"""The portal's own middleware: response headers Django has no setting for, and a guard on the admin's filters."""

import functools
import re

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PermissionsPolicyMiddleware:
    """Send PERMISSIONS_POLICY as a Permissions-Policy header: the browser features no page of the portal uses.

    Turning them off means an injected script or a framed page cannot ask for the camera, the location, etc.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowlist)})" for feature, allowlist in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# A date part compared in an admin filter (`starts_at__year=…`, `decision_date__month__gte=…`), and its range.
_DATE_PART = re.compile(r"__(year|iso_year|quarter|month|week|week_day|iso_week_day|day|hour|minute|second)(?:__\w+)?$")
_DATE_PART_RANGE = {
    "year": (1, 9999),
    "iso_year": (1, 9999),
    "quarter": (1, 4),
    "month": (1, 12),
    "week": (1, 53),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}


def _readable_admin_query(query) -> bool:
    for name, values in query.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return False  # PostgreSQL cannot compare a text with a NUL byte
        part = _DATE_PART.search(name)
        if part:
            low, high = _DATE_PART_RANGE[part.group(1)]
            for value in values:
                if not (value.strip().lstrip("-").isdigit() and len(value.strip()) <= 6 and low <= int(value) <= high):
                    return False
    return True


class AdminQueryGuardMiddleware:
    """The admin's lists take their filters from the address; one Django cannot turn into SQL (a NUL byte, a year
    of twenty digits, month 13) would fail the page with a 500. Such a request gets the list unfiltered, as Django
    does for a filter it does not know (`?e=1`), with a message saying why. Every admin list is covered, those of
    third-party apps included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.GET
            and request.path_info.startswith(_admin_prefix())
            and not _readable_admin_query(request.GET)
        ):
            messages.warning(
                request, _("The filters in the address could not be read and were left out; the list is unfiltered.")
            )
            return HttpResponseRedirect(f"{request.path}?e=1")
        return self.get_response(request)


@functools.cache
def _admin_prefix() -> str:
    return reverse("admin:index")
