"""Staff pages of the Sở Công Thương for the OCOP certification workflow."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.roles import StaffPermissionRequiredMixin
from catalog.models import Application, Certificate

EXPIRY_HORIZON_DAYS = 90
LIST_LIMIT = 50


def _admin_url(name: str, *args) -> str | None:
    # A model not (yet) in the admin has no page to link to; the dashboard still shows its figures.
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return None


class CertificationDashboardView(StaffPermissionRequiredMixin, TemplateView):
    """Applications by status, certificates about to expire or already lapsed, and the latest decisions."""

    template_name = "catalog/staff/certification.html"
    permission_required = ("catalog.view_application",)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        horizon = today + datetime.timedelta(days=EXPIRY_HORIZON_DAYS)
        certificates = Certificate.objects.select_related("product__producer")
        lapsed_condition = Q(status=Certificate.Status.VALID, valid_until__lt=today)
        figures = Certificate.objects.aggregate(
            expiring=Count("pk", filter=Q(status=Certificate.Status.VALID, valid_until__range=(today, horizon))),
            lapsed=Count("pk", filter=lapsed_condition),
        )
        expiring = [
            (certificate, (certificate.valid_until - today).days)
            for certificate in certificates.expiring_within(EXPIRY_HORIZON_DAYS).order_by("valid_until", "pk")[
                :LIST_LIMIT
            ]
        ]
        lapsed = (
            list(certificates.filter(lapsed_condition).order_by("valid_until", "pk")[:LIST_LIMIT])
            if figures["lapsed"]
            else []
        )
        return {
            **super().get_context_data(**kwargs),
            "today": today,
            "horizon_days": EXPIRY_HORIZON_DAYS,
            "application_statuses": self.application_statuses(),
            "expiring": expiring,
            "expiring_count": figures["expiring"],
            "lapsed": lapsed,
            "lapsed_count": figures["lapsed"],
            "recent": certificates.order_by("-created_at", "-pk")[:10],
            "list_limit": LIST_LIMIT,
        }

    @staticmethod
    def application_statuses() -> list[dict]:
        """Every application status with its count (one query), linked to the admin list filtered on it."""
        counts = Application.objects.aggregate(
            **{value: Count("pk", filter=Q(status=value)) for value in Application.Status.values}
        )
        changelist = _admin_url("catalog_application_changelist")
        return [
            {
                "value": value,
                "label": label,
                "count": counts[value],
                "url": f"{changelist}?{urlencode({'status__exact': value})}" if changelist else None,
            }
            for value, label in Application.Status.choices
        ]
