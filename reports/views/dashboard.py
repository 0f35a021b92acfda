"""The staff dashboard: certification pipeline, certificates to renew, matchmaking funnel and event figures."""

from urllib.parse import urlencode

from django.utils import timezone
from django.views.generic import TemplateView

from accounts.roles import StaffPermissionRequiredMixin
from core.queue import queue_health
from reports.forms import DashboardFilterForm, year_presets
from reports.selectors import statistics

DASHBOARD_PERMISSIONS = (
    "catalog.view_application",
    "catalog.view_certificate",
    "events.view_event",
    "matchmaking.view_meetingrequest",
)


class StaffDashboardView(StaffPermissionRequiredMixin, TemplateView):
    """For staff who read applications, certificates, events and meetings; filtered by period and province."""

    template_name = "reports/dashboard.html"
    permission_required = DASHBOARD_PERMISSIONS

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        form = DashboardFilterForm(self.request.GET or None)
        period = form.period()
        province = {"province": period.province.code} if period.province else {}
        presets = [
            (label, f"?{urlencode({**{key: value.isoformat() for key, value in dates.items()}, **province})}")
            for label, dates in year_presets(today)
        ]
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "today": today,
            "presets": presets,
            "dashboard": statistics.staff_dashboard(period=period, today=today),
            "queue": queue_health(),
        }
