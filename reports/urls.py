from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("events/<slug:slug>/report/", views.EventReportView.as_view(), name="event-report"),
    path("events/<slug:slug>/report.csv", views.EventReportExportView.as_view(fmt="csv"), name="event-report-csv"),
    path("events/<slug:slug>/report.xlsx", views.EventReportExportView.as_view(fmt="xlsx"), name="event-report-xlsx"),
]
