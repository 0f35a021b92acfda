"""Published data: catalogue and certificate-register downloads (CSV, XLSX), the register page, open data (JSON).

All of it is public, as the catalogue and the recognition decisions are: the files hold what the pages show.
A list longer than EXPORT_MAX_ROWS is not written in the request: its download address leads to the page that
offers to prepare the full file (reports.views.exports).
"""

import json

from django.conf import settings
from django.core.paginator import InvalidPage
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views import View
from django.views.generic import ListView, TemplateView

from reports import exports, opendata
from reports.selectors import downloads

# Public data changes a few times a day at most: caches may keep it a little while.
DOWNLOAD_MAX_AGE = 300
OPEN_DATA_MAX_AGE = 900


def _full_file_offer(request, *, kind: str, fmt: str) -> HttpResponseRedirect:
    """To the page that offers the full file of a list too long to write in the request, with its filters."""
    query = request.GET.copy()
    query.pop("page", None)
    query["kind"], query["fmt"] = kind, fmt
    return HttpResponseRedirect(f"{reverse('reports:export-new')}?{query.urlencode()}")


def _file_response(table, *, fmt: str, name: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(exports.tables_xlsx([table]), content_type=exports.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.tables_csv([table]), content_type=exports.CSV_CONTENT_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=DOWNLOAD_MAX_AGE)
    return response


class CatalogueExportView(View):
    """The catalogue as CSV or XLSX, with the catalogue page's filters and order (its query string)."""

    http_method_names = ["get", "head"]
    fmt = "csv"

    def get(self, request):
        products, more = downloads.catalogue_products(params=request.GET)
        if more is not None:
            return _full_file_offer(request, kind=downloads.CATALOGUE, fmt=self.fmt)
        table = downloads.catalogue_table(products, absolute_url=request.build_absolute_uri)
        return _file_response(table, fmt=self.fmt, name=downloads.FILE_NAMES[downloads.CATALOGUE])


class CertificateRegisterView(ListView):
    """The public register of OCOP recognition decisions, filterable, with the same list as files."""

    template_name = "reports/certificate_register.html"
    context_object_name = "certificates"
    paginate_by = downloads.REGISTER_PAGE_SIZE

    def get_queryset(self):
        self.filterset, certificates = downloads.certificate_register(params=self.request.GET)
        return certificates

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The downloads carry the page's filters (not its page number): the file holds the whole filtered list.
        filters = self.request.GET.copy()
        filters.pop("page", None)
        query = f"?{filters.urlencode()}" if filters else ""
        context.update(
            {
                "filter": self.filterset,
                "is_filtered": any(self.request.GET.get(name) for name in self.filterset.filters),
                "csv_url": reverse("reports:certificate-register-csv") + query,
                "xlsx_url": reverse("reports:certificate-register-xlsx") + query,
                # Past this many decisions the files are prepared by a worker: the page offers that instead.
                "export_max_rows": settings.EXPORT_MAX_ROWS,
                "export_filters": [
                    (name, value) for name in filters if name not in ("kind", "fmt") for value in filters.getlist(name)
                ],
            }
        )
        return context


class CertificateRegisterExportView(View):
    http_method_names = ["get", "head"]
    fmt = "csv"

    def get(self, request):
        certificates, more = downloads.register_certificates(params=request.GET)
        if more is not None:
            return _full_file_offer(request, kind=downloads.CERTIFICATES, fmt=self.fmt)
        table = downloads.register_table(certificates)
        return _file_response(table, fmt=self.fmt, name=downloads.FILE_NAMES[downloads.CERTIFICATES])


# --- Open data ----------------------------------------------------------------------------------------------------


def _json_response(payload, *, status=200, max_age=OPEN_DATA_MAX_AGE, content_type="application/json") -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder, indent=None, separators=(",", ":"))
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=f"{content_type}; charset=utf-8")
    # Open data: any site may read it, and nothing in it depends on who asks.
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    if status == 200:
        patch_cache_control(response, public=True, max_age=max_age)
    return response


class OpenDataProductsView(View):
    """/open-data/products.json: certified products, one page of PAGE_SIZE at a time (?page=2 …).

    Addresses in the document are the portal's public ones (PORTAL_URL) in the default language, so a record's
    `url` is the same whichever host or language prefix the file was fetched through.
    """

    http_method_names = ["get", "head"]

    def get(self, request):
        def absolute_url(path: str) -> str:
            return f"{settings.PORTAL_URL}{path}" if settings.PORTAL_URL else request.build_absolute_uri(path)

        def page_url(number: int) -> str:
            return absolute_url(reverse("reports:open-data-products") + "?" + urlencode({"page": number}))

        with translation.override(settings.LANGUAGE_CODE):
            try:
                document = opendata.products_document(
                    page_number=request.GET.get("page") or 1, absolute_url=absolute_url, page_url=page_url
                )
            except InvalidPage:
                return _json_response({"error": "There is no such page."}, status=404)
        return _json_response(document)


class OpenDataSchemaView(View):
    """/open-data/products.schema.json: the JSON Schema the products document follows."""

    http_method_names = ["get", "head"]

    def get(self, request):
        schema_url = request.build_absolute_uri(reverse("reports:open-data-schema"))
        return _json_response(opendata.products_schema(schema_url=schema_url), content_type="application/schema+json")


class OpenDataView(TemplateView):
    """The page that describes the open data: every field's type, meaning and example, the licence, the paging."""

    template_name = "reports/open_data.html"

    def get_context_data(self, **kwargs):
        example = opendata.example_document()
        return {
            **super().get_context_data(**kwargs),
            "schema_version": opendata.SCHEMA_VERSION,
            "page_size": opendata.PAGE_SIZE,
            "licence_name": opendata.LICENCE_NAME,
            "licence_url": opendata.LICENCE_URL,
            "document_fields": [_field_row(field) for field in opendata.DOCUMENT_FIELDS],
            "product_fields": [_field_row(field) for field in opendata.PRODUCT_FIELDS],
            "example": json.dumps(example["products"][0], ensure_ascii=False, indent=2),
            "max_age_minutes": OPEN_DATA_MAX_AGE // 60,
        }


def _field_row(field: opendata.Field) -> dict:
    # An object's example is its fields' examples, shown on their own rows.
    shown = (
        "" if field.type in ("object",) or field.path == "products" else json.dumps(field.example, ensure_ascii=False)
    )
    return {
        "path": field.path,
        "depth": field.depth,
        "type": field.type_label(),
        "description": field.description,
        "example": shown,
        "enum": ", ".join(field.enum),
    }
