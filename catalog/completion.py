"""Reads of the staff "to complete" pages: records the province's published list left for staff to finish.

A published list may lack what the portal otherwise requires, and its rows are recorded all the same: a producer
whose list named only its former district (no ward yet), a product classified only at a broader level of
148/2023, a certified product published without a photo, a decision published with its stars and no score. Each
kind below is the list of the records still in that state, with the count the dashboards show. The last kind is
for information: a decision's score is a fact of record, which only a new evaluation can add.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import LegacyWard, Organisation
from catalog.models import Certificate, Product, ProductPhoto
from catalog.selectors import KnownCountPaginator

# Who completes these records: the Sở Công Thương group's rights to change products and organisations.
PERMISSIONS = ("catalog.change_product", "accounts.change_organisation")
PAGE_SIZE = 25


def producers_without_ward() -> QuerySet:
    return (
        Organisation.objects.filter(kind=Organisation.Kind.PRODUCER, ward__isnull=True)
        .select_related("province")
        .order_by("province__name", "former_district", "name", "pk")
    )


def products_to_classify() -> QuerySet:
    """Products still at a broader level than a sub-group; a withdrawn (archived) product is no longer work."""
    return (
        Product.objects.filter(subgroup__is_broad=True)
        .exclude(status=Product.Status.ARCHIVED)
        .select_related("producer", "subgroup")
        .order_by("subgroup__code", "name", "pk")
    )


def certified_products_without_photo() -> QuerySet:
    """Published products with a valid certificate that the catalogue shows with the placeholder."""
    return (
        Product.objects.published()
        .certified()
        .filter(~Exists(ProductPhoto.objects.filter(product=OuterRef("pk"))))
        .select_related("producer", "current_certificate")
        .order_by("producer__name", "name", "pk")
    )


def certificates_without_score() -> QuerySet:
    return (
        Certificate.objects.valid_now()
        .filter(total_score__isnull=True)
        .select_related("product__producer")
        .order_by("-decision_date", "decision_number", "pk")
    )


def ward_hints(organisations: list[Organisation]) -> None:
    """Give each producer the wards its former district became (`ward_hints`), in one query for the page.

    Two former provinces merged into one may each have had a district of that name: the hint then lists the
    wards of both, which is still a short list to choose from.
    """
    keys = {(o.former_district, o.province_id) for o in organisations if o.former_district}
    wards: dict[tuple[str, str], list[str]] = {}
    if keys:
        rows = (
            LegacyWard.objects.filter(
                district_name__in={district for district, _province in keys},
                ward__province_id__in={province for _district, province in keys},
            )
            .values_list("district_name", "ward__province_id", "ward__name")
            .distinct()
            .order_by("ward__name")
        )
        for district, province, ward in rows:
            wards.setdefault((district, province), []).append(ward)
    for organisation in organisations:
        organisation.ward_hints = wards.get((organisation.former_district, organisation.province_id), [])


@dataclass(frozen=True)
class Kind:
    """One kind of record to complete: how to find its records, and how the pages name it."""

    slug: str
    title: Promise
    summary: Promise
    empty: Promise
    rows_template: str
    records: Callable[[], QuerySet]
    decorate: Callable[[list], None] | None = None
    informational: bool = False  # nothing to do here: the figure is shown for the record

    @property
    def url(self) -> str:
        return reverse("catalog:staff-to-complete-kind", kwargs={"kind": self.slug})


KINDS = (
    Kind(
        slug="ward",
        title=_("Producers without a ward or commune"),
        summary=_(
            "The list named only the district before 1 July 2025. A district has since become several wards and "
            "communes: choose the producer's own in its record."
        ),
        empty=_("Every producer has its ward or commune."),
        rows_template="catalog/staff/to_complete/_ward.html",
        records=producers_without_ward,
        decorate=ward_hints,
    ),
    Kind(
        slug="subgroup",
        title=_("Products to classify in a sub-group"),
        summary=_(
            "The list gave only a broader level of Decision 148/2023 (such as “1.3 Thực phẩm chế biến”). Choose "
            "the product's sub-group: buyers and the catalogue's filters search by sub-group."
        ),
        empty=_("Every product is classified in a sub-group."),
        rows_template="catalog/staff/to_complete/_subgroup.html",
        records=products_to_classify,
    ),
    Kind(
        slug="photo",
        title=_("Certified products without a photo"),
        summary=_(
            "Published with a valid certificate, they show a placeholder in the catalogue until the producer or "
            "staff add a photo."
        ),
        empty=_("Every certified product in the catalogue has a photo."),
        rows_template="catalog/staff/to_complete/_photo.html",
        records=certified_products_without_photo,
    ),
    Kind(
        slug="score",
        title=_("Certificates without a published score"),
        summary=_(
            "For information: the list published the stars but not the score. A score is added only by recording "
            "a new evaluation."
        ),
        empty=_("Every valid certificate has its score."),
        rows_template="catalog/staff/to_complete/_score.html",
        records=certificates_without_score,
        informational=True,
    ),
)
KINDS_BY_SLUG = {kind.slug: kind for kind in KINDS}


@dataclass(frozen=True)
class KindCount:
    kind: Kind
    count: int


def kind_counts() -> list[KindCount]:
    """Every kind with the number of its records, counted in one statement (the dashboard shows all four)."""
    parts, params = [], []
    for kind in KINDS:
        sql, kind_params = kind.records().order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) AS records)")  # noqa: S608 - SQL compiled by the ORM
        params.extend(kind_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = cursor.fetchone()
    return [KindCount(kind, count) for kind, count in zip(KINDS, counts, strict=True)]


def kind_get(slug: str) -> Kind:
    try:
        return KINDS_BY_SLUG[slug]
    except KeyError:
        raise Http404("No such kind of record to complete.") from None


def kind_page(*, kind: Kind, total: int, page: str | None) -> Page:
    """One page of the kind's records; `total` is its count, already read for the tabs."""
    paginated = KnownCountPaginator(kind.records(), PAGE_SIZE, total=total).get_page(page)
    if kind.decorate is not None:
        paginated.object_list = list(paginated.object_list)
        kind.decorate(paginated.object_list)
    return paginated
