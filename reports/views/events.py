"""An event's report: the public page once staff publish it, and the staff's CSV and XLSX exports."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import StaffPermissionRequiredMixin
from events.models import Event
from reports import exports
from reports.selectors import event_report

VIEW_EVENT_PERMISSION = "events.view_event"


def staff_reads_events(user) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm(VIEW_EVENT_PERMISSION)


def _event(slug: str) -> Event:
    return get_object_or_404(Event.objects.select_related("organiser", "province"), slug=slug)


class EventReportView(TemplateView):
    """Public once the report is published; staff who read events see it at any time, anyone else gets a 404."""

    template_name = "reports/event_report.html"

    def get_context_data(self, **kwargs):
        event = _event(kwargs["slug"])
        is_staff = staff_reads_events(self.request.user)
        if not (event.report_published or is_staff):
            raise Http404
        return {
            **super().get_context_data(**kwargs),
            "event": event,
            "report": event_report.event_report(event=event),
            "can_export": is_staff,
        }


class EventReportExportView(StaffPermissionRequiredMixin, View):
    """The report's figures, the registrations and the MoUs as a CSV or XLSX file, for staff."""

    permission_required = (VIEW_EVENT_PERMISSION,)
    http_method_names = ["get", "head"]
    fmt = "csv"

    def get(self, request, slug):
        event = _event(slug)
        report = event_report.event_report(event=event)
        tables = [
            event_report.event_details_table(event),
            *report.tables,
            *([] if report.meetings is not None else [event_report.meetings_placeholder_table()]),
            event_report.registration_table(event),
            event_report.mou_table(event),
        ]
        if self.fmt == "xlsx":
            response = HttpResponse(exports.tables_xlsx(tables), content_type=exports.XLSX_CONTENT_TYPE)
        else:
            response = HttpResponse(exports.tables_csv(tables), content_type=exports.CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{event.slug}-report.{self.fmt}"'
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True, no_store=True)
        return response
