from django.urls import path

from reports.views import dashboard, data, events, exports, statistics

app_name = "reports"

urlpatterns = [
    path("statistics/", statistics.StatisticsView.as_view(), name="statistics"),
    path("staff/dashboard/", dashboard.StaffDashboardView.as_view(), name="staff-dashboard"),
    path("events/<slug:slug>/report/", events.EventReportView.as_view(), name="event-report"),
    path("events/<slug:slug>/report.csv", events.EventReportExportView.as_view(fmt="csv"), name="event-report-csv"),
    path("events/<slug:slug>/report.xlsx", events.EventReportExportView.as_view(fmt="xlsx"), name="event-report-xlsx"),
    # Published data: catalogue and certificate-register downloads, the register, open data
    path("products.csv", data.CatalogueExportView.as_view(fmt="csv"), name="catalogue-csv"),
    path("products.xlsx", data.CatalogueExportView.as_view(fmt="xlsx"), name="catalogue-xlsx"),
    path("certificates/", data.CertificateRegisterView.as_view(), name="certificate-register"),
    path("certificates.csv", data.CertificateRegisterExportView.as_view(fmt="csv"), name="certificate-register-csv"),
    path("certificates.xlsx", data.CertificateRegisterExportView.as_view(fmt="xlsx"), name="certificate-register-xlsx"),
    # The full file of a list too long for a download built at once, prepared by a worker
    path("exports/new/", exports.ExportNewView.as_view(), name="export-new"),
    path("exports/<uuid:pk>/", exports.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<uuid:pk>/download/", exports.ExportDownloadView.as_view(), name="export-download"),
    path("exports/<uuid:pk>/retry/", exports.ExportRetryView.as_view(), name="export-retry"),
    path("open-data/", data.OpenDataView.as_view(), name="open-data"),
    path("open-data/products.json", data.OpenDataProductsView.as_view(), name="open-data-products"),
    path("open-data/products.schema.json", data.OpenDataSchemaView.as_view(), name="open-data-schema"),
]
