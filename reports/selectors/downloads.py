"""The data the portal publishes as files: the catalogue and the certificate register, as `Table`s.

The catalogue file reads the catalogue page's own query (catalog.selectors.catalogue_ids: the same filters,
the same order), so a download holds what the page lists for the same address; the register file uses the
register page's filters.
Both become CSV or XLSX through reports.exports, which keeps every text cell safe from formula injection.
"""

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Certificate, ProducerProfile, Product
from catalog.selectors import catalogue_ids
from reports.filters import CertificateRegisterFilter
from reports.tables import Column, Table

REGISTER_PAGE_SIZE = 50
# A download is built in memory on request: past this many rows the file says it is cut and how to narrow it.
EXPORT_MAX_ROWS = 5000


def _limited(queryset) -> tuple[list, int | None]:
    """At most EXPORT_MAX_ROWS objects, and the full count when there were more (None when all are there)."""
    objects = list(queryset[: EXPORT_MAX_ROWS + 1])
    if len(objects) <= EXPORT_MAX_ROWS:
        return objects, None
    return objects[:EXPORT_MAX_ROWS], queryset.count()


def _title(title: str, total: int | None) -> str:
    if total is None:
        return title
    return _("%(title)s: the first %(shown)s of %(total)s rows; filter the list to download the others") % {
        "title": title,
        "shown": EXPORT_MAX_ROWS,
        "total": total,
    }


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


def catalogue_products(*, params) -> tuple[list[Product], int | None]:
    """The public products the catalogue page lists for these parameters, in the page's order, ready to write.

    At most EXPORT_MAX_ROWS of them, with the full count when there were more (None when all are there).
    """
    ids, total = catalogue_ids(params=params, limit=EXPORT_MAX_ROWS)
    products = Product.objects.select_related(
        "producer__province",
        "producer__ward",
        "producer__producer_profile",
        "subgroup__group",
        "current_certificate",
    ).in_bulk(ids)
    return [products[pk] for pk in ids if pk in products], total


def catalogue_table(products, *, total: int | None = None, absolute_url) -> Table:
    """One row per product: what its card and page show, with the certificate's figures."""
    columns = [
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
    rows = []
    for product in products:
        producer = product.producer
        certificate = product.current_certificate
        profile = getattr(producer, "producer_profile", None)
        live = certificate is not None and certificate.public_status == Certificate.Status.VALID
        rows.append(
            [
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
        )
    title = _("OCOP products, %(day)s") % {"day": timezone.localdate().strftime("%d/%m/%Y")}
    return Table(key="catalogue", title=_title(title, total), columns=columns, rows=rows)


# --- Certificate register -----------------------------------------------------------------------------------------


def certificate_register(*, params) -> tuple[CertificateRegisterFilter, object]:
    """Every OCOP recognition decision on record, newest first, filtered as the register page is."""
    base = Certificate.objects.all()
    filterset = _valid_filterset(CertificateRegisterFilter, params, queryset=base)
    certificates = filterset.qs.select_related(
        "rule_set", "product__producer__province", "product__producer__ward"
    ).order_by("-decision_date", "-pk")
    return filterset, certificates


def register_table(certificates) -> Table:
    columns = [
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
    certificates, total = _limited(certificates)
    rows = [
        [
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
        for certificate in certificates
    ]
    title = _("Register of OCOP certificates, %(day)s") % {"day": timezone.localdate().strftime("%d/%m/%Y")}
    return Table(key="register", title=_title(title, total), columns=columns, rows=rows)
