"""Staff pages of the Sở Công Thương: the OCOP certification workflow, and what imported records still lack."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.roles import StaffPermissionRequiredMixin
from catalog import completion, selectors
from catalog.models import Certificate
from catalog.querysets import lapsed_on_q, valid_on_q

EXPIRY_HORIZON_DAYS = 90
LIST_LIMIT = 50


class CertificationDashboardView(StaffPermissionRequiredMixin, TemplateView):
    """Applications by status, certificates about to expire or already lapsed, and the latest decisions."""

    template_name = "catalog/staff/certification.html"
    permission_required = ("catalog.view_application",)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        horizon = today + datetime.timedelta(days=EXPIRY_HORIZON_DAYS)
        certificates = Certificate.objects.select_related("product__producer")
        figures = Certificate.objects.aggregate(
            expiring=Count("pk", filter=valid_on_q(today) & Q(valid_until__lte=horizon)),
            lapsed=Count("pk", filter=lapsed_on_q(today)),
        )
        expiring = [
            (certificate, (certificate.valid_until - today).days)
            for certificate in certificates.expiring_within(EXPIRY_HORIZON_DAYS).order_by("valid_until", "pk")[
                :LIST_LIMIT
            ]
        ]
        lapsed = (
            list(certificates.lapsed_on(today).order_by("valid_until", "pk")[:LIST_LIMIT]) if figures["lapsed"] else []
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
            "to_complete": self.to_complete(),
        }

    def to_complete(self) -> list[completion.KindCount]:
        """What the list import left to complete, for staff who may complete it."""
        return completion.kind_counts() if self.request.user.has_perms(completion.PERMISSIONS) else []

    @staticmethod
    def application_statuses() -> list[dict]:
        """Every application status with its count (one query), linked to the admin list filtered on it."""
        return selectors.application_status_counts()


class ToCompleteMixin(StaffPermissionRequiredMixin):
    permission_required = completion.PERMISSIONS


class ToCompleteView(ToCompleteMixin, TemplateView):
    """What imported records still lack, each kind with its count."""

    template_name = "catalog/staff/to_complete.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "counts": completion.kind_counts()}


class ToCompleteKindView(ToCompleteMixin, TemplateView):
    """One kind's records, a page at a time, each linked to where staff complete it."""

    template_name = "catalog/staff/to_complete_kind.html"

    def get_context_data(self, **kwargs):
        kind = completion.kind_get(kwargs["kind"])
        counts = completion.kind_counts()
        total = next(row.count for row in counts if row.kind is kind)
        return {
            **super().get_context_data(**kwargs),
            "kind": kind,
            "counts": counts,
            "total": total,
            "page_obj": completion.kind_page(kind=kind, total=total, page=self.request.GET.get("page")),
        }
