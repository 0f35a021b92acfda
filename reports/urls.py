from django.urls import path

from reports.views import events

app_name = "reports"

urlpatterns = [
    path("events/<slug:slug>/report/", events.EventReportView.as_view(), name="event-report"),
    path("events/<slug:slug>/report.csv", events.EventReportExportView.as_view(fmt="csv"), name="event-report-csv"),
    path("events/<slug:slug>/report.xlsx", events.EventReportExportView.as_view(fmt="xlsx"), name="event-report-xlsx"),
]
