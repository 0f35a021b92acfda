"""The full file of a long list: asking for it, following its progress, downloading it when it is ready.

Public, as the lists are: anyone who can see the catalogue or the register may ask. An export's page and file
are reached by its random id only (the address the asker is sent to).
"""

import math

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views import View
from django.views.generic import DetailView

from accounts.throttling import client_ip
from reports import exports, services
from reports.forms import ExportRequestForm
from reports.models import DataExport
from reports.selectors import downloads

# The page of an export in progress reloads itself (or, with JavaScript, updates in place) this often.
REFRESH_SECONDS = 3
CONTENT_TYPES = {DataExport.Format.CSV: exports.CSV_CONTENT_TYPE, DataExport.Format.XLSX: exports.XLSX_CONTENT_TYPE}
DOWNLOAD_MAX_AGE = 300


def _direct_url(kind: str, fmt: str, params: dict) -> str:
    """The download built in the request, for a list short enough."""
    name = "catalogue" if kind == DataExport.Kind.CATALOGUE else "certificate-register"
    query = downloads.export_query(params).urlencode()
    return reverse(f"reports:{name}-{fmt}") + (f"?{query}" if query else "")


def list_url(kind: str, params: dict) -> str:
    """The page that lists what the file holds."""
    name = "catalog:product-list" if kind == DataExport.Kind.CATALOGUE else "reports:certificate-register"
    query = downloads.export_query(params).urlencode()
    return reverse(name) + (f"?{query}" if query else "")


class ExportNewView(View):
    """GET: the full file a long list would make, with the button that prepares it; POST: prepare it.

    The list's filters come beside `kind` and `fmt` (the query string, or the form's hidden fields). A list
    short enough for a file built at once goes to that download instead.
    """

    http_method_names = ["get", "head", "post"]
    template_name = "reports/export_new.html"

    def _read(self, data):
        form = ExportRequestForm(data)
        if not form.is_valid():
            return form, None
        kind, fmt = form.cleaned_data["kind"], form.cleaned_data["fmt"]
        params = downloads.export_params(kind=kind, params=data)
        total = downloads.export_total(kind=kind, params=downloads.export_query(params))
        return form, {"kind": kind, "fmt": fmt, "params": params, "total": total}

    def _page(self, request, form, asked, *, status=200, refusal=None):
        context = {
            "form": form,
            "refusal": refusal,
            "max_rows": settings.EXPORT_MAX_ROWS,
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        }
        if asked:
            context.update(
                asked,
                kind_label=DataExport.Kind(asked["kind"]).label,
                fmt_label=DataExport.Format(asked["fmt"]).label,
                hidden=[(name, value) for name, values in asked["params"].items() for value in values],
                list_url=list_url(asked["kind"], asked["params"]),
            )
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        form, asked = self._read(request.GET)
        if asked is None:
            return self._page(request, form, None, status=400)
        if asked["total"] <= settings.EXPORT_MAX_ROWS:
            return redirect(_direct_url(asked["kind"], asked["fmt"], asked["params"]))
        return self._page(request, form, asked)

    def post(self, request):
        form, asked = self._read(request.POST)
        if asked is None:
            return self._page(request, form, None, status=400)
        if asked["total"] <= settings.EXPORT_MAX_ROWS:
            return redirect(_direct_url(asked["kind"], asked["fmt"], asked["params"]))
        try:
            export = services.export_request(**asked, client=services.client_key(client_ip(request)))
        except services.ExportThrottled as refusal:
            response = self._page(request, form, asked, status=429, refusal=refusal.messages[0])
            response["Retry-After"] = str(max(1, math.ceil((refusal.retry_at - timezone.now()).total_seconds())))
            return response
        return redirect(export)


class ExportDetailView(DetailView):
    """An export's page: preparing (with its progress), ready (with the download), or failed (try again)."""

    model = DataExport
    template_name = "reports/export.html"
    context_object_name = "export"

    def get_context_data(self, **kwargs):
        export = self.object
        return {
            **super().get_context_data(**kwargs),
            "list_url": list_url(export.kind, export.params),
            "refresh_seconds": REFRESH_SECONDS,
            "may_retry": export.status == DataExport.Status.FAILED or export.stalled,
        }


class ExportDownloadView(View):
    """The ready file, streamed from the private storage as a download."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        export = get_object_or_404(DataExport, pk=pk, status=DataExport.Status.READY)
        try:
            stream = export.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        stamp = timezone.localtime(export.created_at).strftime("%Y%m%d")
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=f"{downloads.FILE_NAMES[export.kind]}-{stamp}.{export.fmt}",
            content_type=CONTENT_TYPES[export.fmt],
        )
        response["X-Content-Type-Options"] = "nosniff"
        patch_cache_control(response, private=True, max_age=DOWNLOAD_MAX_AGE)
        return response


class ExportRetryView(View):
    """Start a failed (or stalled) export again; any other is left as it is."""

    http_method_names = ["post"]

    def post(self, request, pk):
        export = get_object_or_404(DataExport, pk=pk)
        services.export_retry(export=export)
        return redirect(export)
