"""The data the portal publishes as files: the catalogue and the certificate register, as `Table`s.

The catalogue file reads the catalogue page's own query (catalog.selectors.catalogue_query: the same filters,
the same order), so a download holds what the page lists for the same address; the register file uses the
register page's filters.
Both become CSV or XLSX through reports.exports, which keeps every text cell safe from formula injection.

A list of at most settings.EXPORT_MAX_ROWS rows is a `Table` built in the request. A longer one is written by a
worker (reports.services.exports) from `export_stream`: the same columns and rows, read in batches.
"""

from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import read_model
from catalog.filters import product_filter
from catalog.models import Certificate, ProducerProfile, Product
from catalog.selectors import catalogue_ids, catalogue_query
from reports.filters import CertificateRegisterFilter
from reports.tables import Column, Table, TableStream

REGISTER_PAGE_SIZE = 50
CATALOGUE, CERTIFICATES = "catalogue", "certificates"
# The downloaded files' names, before the day and the extension.
FILE_NAMES = {CATALOGUE: "san-pham-ocop", CERTIFICATES: "so-chung-nhan-ocop"}


def _limited(queryset) -> tuple[list, int | None]:
    """All the objects when they are at most EXPORT_MAX_ROWS; else none, and their count."""
    limit = settings.EXPORT_MAX_ROWS
    objects = list(queryset[: limit + 1])
    if len(objects) <= limit:
        return objects, None
    return [], queryset.count()


def _valid_filterset(filterset_class, params, **kwargs):
    """A FilterSet of the params, leaving out the values it cannot read (a shared link with a removed group)."""
    filterset = filterset_class(params, **kwargs)
    if not filterset.is_valid():
        kept = QueryDict(mutable=True)
        for key in params:
            if key not in filterset.errors:
                kept.setlist(key, params.getlist(key) if hasattr(params, "getlist") else [params[key]])
        filterset = filterset_class(kept, **kwargs)
        filterset.is_valid()
    return filterset


def _place_columns() -> list[Column]:
    return [Column(_("Ward/commune")), Column(_("Former district")), Column(_("Province/city"))]


def _place_cells(producer) -> list[str]:
    """The producer's ward (empty until staff record it), the former district a list gave instead, its province."""
    return [producer.ward.name if producer.ward_id else "", producer.former_district, producer.province.name]


def _score(certificate) -> float | None:
    """The total score as a number; None, an empty cell, for a decision that published only its stars."""
    return float(certificate.total_score) if certificate.score_published else None


# --- Catalogue --------------------------------------------------------------------------------------------------


def _catalogue_products(ids: list[int]) -> list[Product]:
    """The products of these ids, in their order, with everything a row of the file shows (one query)."""
    products = Product.objects.select_related(
        "producer__province",
        "producer__ward",
        "producer__producer_profile",
        "subgroup__group",
        "current_certificate",
    ).in_bulk(ids)
    return [products[pk] for pk in ids if pk in products]


def catalogue_products(*, params) -> tuple[list[Product], int | None]:
    """The public products the catalogue page lists for these parameters, in the page's order, ready to write.

    When they are more than EXPORT_MAX_ROWS: none, and their count (None when all are there).
    """
    ids, total = catalogue_ids(params=params, limit=settings.EXPORT_MAX_ROWS)
    if total is not None:
        return [], total
    return _catalogue_products(ids), None


def _catalogue_columns() -> list[Column]:
    return [
        Column(_("Product")),
        Column(_("Name in English")),
        Column(_("Product group")),
        Column(_("Sub-group")),
        Column(_("Producer")),
        Column(_("Legal form")),
        *_place_columns(),
        Column(_("OCOP stars"), "count"),
        Column(_("Certificate status")),
        Column(_("Decision number")),
        Column(_("Decision date"), "date"),
        Column(_("Valid until"), "date"),
        Column(_("Standards held")),
        Column(_("Lowest price (VND)"), "vnd"),
        Column(_("Highest price (VND)"), "vnd"),
        Column(_("Sales unit")),
        Column(_("Address on the portal")),
    ]


def _catalogue_row(product: Product, absolute_url: Callable[[str], str]) -> list:
    producer = product.producer
    certificate = product.current_certificate
    profile = getattr(producer, "producer_profile", None)
    live = certificate is not None and certificate.public_status == Certificate.Status.VALID
    return [
        product.name,
        product.name_en,
        product.subgroup.group.name,
        product.subgroup.name,
        producer.name,
        ProducerProfile.LegalForm(profile.legal_form).label if profile else "",
        *_place_cells(producer),
        certificate.stars if live else None,
        certificate.get_public_status_display() if certificate else _("Not certified"),
        certificate.decision_number if certificate else "",
        certificate.decision_date if certificate else None,
        certificate.valid_until if certificate else None,
        ", ".join(str(label) for label in product.standard_labels),
        product.price_min,
        product.price_max,
        product.unit,
        absolute_url(product.get_absolute_url()),
    ]


def _catalogue_title() -> str:
    return _("OCOP products, %(day)s") % {"day": timezone.localdate().strftime("%d/%m/%Y")}


def catalogue_table(products, *, absolute_url) -> Table:
    """One row per product: what its card and page show, with the certificate's figures."""
    rows = [_catalogue_row(product, absolute_url) for product in products]
    return Table(key="catalogue", title=_catalogue_title(), columns=_catalogue_columns(), rows=rows)


# --- Certificate register -----------------------------------------------------------------------------------------


def certificate_register(*, params) -> tuple[CertificateRegisterFilter, object]:
    """Every OCOP recognition decision on record, newest first, filtered as the register page is."""
    base = Certificate.objects.all()
    filterset = _valid_filterset(CertificateRegisterFilter, params, queryset=base)
    certificates = filterset.qs.select_related(
        "rule_set", "product__producer__province", "product__producer__ward"
    ).order_by("-decision_date", "-pk")
    return filterset, certificates


def _register_columns() -> list[Column]:
    return [
        Column(_("Decision number")),
        Column(_("Decision date"), "date"),
        Column(_("Product")),
        Column(_("Producer")),
        *_place_columns(),
        Column(_("OCOP stars"), "count"),
        Column(_("Score")),
        Column(_("Recognised by")),
        Column(_("Rule set")),
        Column(_("Valid until"), "date"),
        Column(_("Status")),
    ]


def _register_row(certificate: Certificate) -> list:
    return [
        certificate.decision_number,
        certificate.decision_date,
        certificate.product.name,
        certificate.product.producer.name,
        *_place_cells(certificate.product.producer),
        certificate.stars,
        _score(certificate),
        certificate.get_level_display(),
        certificate.rule_set.code,
        certificate.valid_until,
        certificate.get_public_status_display(),
    ]


def _register_title() -> str:
    return _("Register of OCOP certificates, %(day)s") % {"day": timezone.localdate().strftime("%d/%m/%Y")}


def register_certificates(*, params) -> tuple[list[Certificate], int | None]:
    """The register's decisions for these parameters, newest first, ready to write.

    When they are more than EXPORT_MAX_ROWS: none, and their count (None when all are there).
    """
    _filterset, certificates = certificate_register(params=params)
    return _limited(certificates)


def register_table(certificates) -> Table:
    rows = [_register_row(certificate) for certificate in certificates]
    return Table(key="register", title=_register_title(), columns=_register_columns(), rows=rows)


# --- Long lists, written by a worker ----------------------------------------------------------------------------


def _param_values(value) -> list[str]:
    """A cleaned filter value as the text values of a query string, in one order; [] when it filters nothing."""
    if value is None or value is False or value == "" or value == []:
        return []
    if value is True:
        return ["1"]
    if isinstance(value, str):
        return [" ".join(value.split())] if value.split() else []
    if isinstance(value, list | tuple | set):
        return sorted({str(getattr(item, "pk", item)) for item in value})
    return [str(getattr(value, "pk", value))]


def export_params(*, kind: str, params) -> dict[str, list[str]]:
    """The parameters of a list as its filters read them: every address that lists the same rows gives the same.

    What a filter cannot read, the page number and unknown names are left out; values are in one order.
    """
    if kind == CATALOGUE:
        cleaned = product_filter(params).form.cleaned_data
    else:
        cleaned = _valid_filterset(
            CertificateRegisterFilter, params, queryset=Certificate.objects.none()
        ).form.cleaned_data
    normalised = {name: _param_values(value) for name, value in sorted(cleaned.items())}
    return {name: values for name, values in normalised.items() if values}


def export_query(params: dict[str, list[str]]) -> QueryDict:
    """The query string of normalised parameters (export_params), as the list pages read one."""
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    return query


def export_total(*, kind: str, params) -> int:
    """How many rows the file of this list holds (one count)."""
    if kind == CATALOGUE:
        return read_model.match_count(conditions=catalogue_query(params=params).conditions.all)
    _filterset, certificates = certificate_register(params=params)
    return certificates.count()


def _catalogue_batches(params, *, size: int, absolute_url) -> Iterator[list[list]]:
    query = catalogue_query(params=params)
    for ids in read_model.ordered_id_batches(
        conditions=query.conditions.all, sort=query.sort, rank_tsquery=query.rank_text, day=query.day, size=size
    ):
        yield [_catalogue_row(product, absolute_url) for product in _catalogue_products(ids)]


def _register_batches(params, *, size: int) -> Iterator[list[list]]:
    _filterset, certificates = certificate_register(params=params)
    batch = []
    for certificate in certificates.iterator(chunk_size=size):
        batch.append(_register_row(certificate))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def export_stream(*, kind: str, params, size: int, absolute_url: Callable[[str], str]) -> TableStream:
    """The whole list, of any length, as the small files write it: its rows read `size` at a time.

    The catalogue's ids come in the page's order from a server-side cursor, and each batch's products in one
    query; the register's decisions come from a server-side cursor, with what a row shows.
    """
    if kind == CATALOGUE:
        return TableStream(
            title=_catalogue_title(),
            columns=_catalogue_columns(),
            total=export_total(kind=kind, params=params),
            batches=_catalogue_batches(params, size=size, absolute_url=absolute_url),
        )
    return TableStream(
        title=_register_title(),
        columns=_register_columns(),
        total=export_total(kind=kind, params=params),
        batches=_register_batches(params, size=size),
    )
