"""Read use-cases of the catalogue."""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchRank
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, Prefetch, Q, When
from django.http import Http404
from django.utils.functional import cached_property

from accounts.models import Organisation, Province
from catalog.filters import STAR_CHOICES, ProductFilter, valid_certificate_q
from catalog.models import (
    Certificate,
    ProducerProfile,
    Product,
    ProductGroup,
    ProductPhoto,
    ProductSubGroup,
    Standard,
)
from catalog.search import rank_tsquery, search_query

PAGE_SIZE = 24


class KnownCountPaginator(Paginator):
    """A paginator told the total by the facet query, so it does not count again."""

    def __init__(self, object_list, per_page, *, total: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._total = total

    @cached_property
    def count(self):
        return self._total


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class CatalogueResult:
    filterset: ProductFilter
    page: Page
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    valid_count: int = 0
    sort: str = "newest"
    explicit_sorts: tuple[str, ...] = ("stars", "newest", "name")


def _facet_options(language: str):
    """Every value a facet can take, with its label and its own condition."""
    groups = list(ProductGroup.objects.filter(rule_set__code="148/2023").order_by("position"))
    subgroups = list(
        ProductSubGroup.objects.filter(group__rule_set__code="148/2023").order_by("group__position", "position")
    )
    provinces = list(Province.objects.order_by("name"))
    valid = valid_certificate_q()
    return {
        "stars": [(value, label, valid & Q(current_certificate__stars=int(value))) for value, label in STAR_CHOICES],
        "group": [(str(g.pk), g.localised_name(language), Q(subgroup__group=g.pk)) for g in groups],
        "subgroup": [(str(s.pk), s.localised_name(language), Q(subgroup=s.pk)) for s in subgroups],
        "province": [(p.code, p.name, Q(producer__province=p.code)) for p in provinces],
        "legal_form": [
            (value, label, Q(producer__producer_profile__legal_form=value))
            for value, label in ProducerProfile.LegalForm.choices
        ],
        "standard": [(value, label, Q(standards__contains=[value])) for value, label in Standard.choices],
        "valid": [("1", "", valid)],
    }


def _selected(filterset: ProductFilter, name: str) -> set[str]:
    value = filterset.form.cleaned_data.get(name)
    if value in (None, "", False):
        return set()
    if name == "valid":
        return {"1"}
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return {str(getattr(value, "pk", value))}


def product_list(*, params, language: str = "vi") -> CatalogueResult:
    """The public catalogue: filtered, counted by facet, sorted and paginated in a fixed number of queries."""
    base = Product.objects.public()
    filterset = ProductFilter(params, queryset=base)
    if not filterset.is_valid():
        # Unknown values (a removed group, a typo in a shared link) filter nothing rather than fail.
        filterset = ProductFilter(
            {key: value for key, value in params.items() if key not in filterset.errors}, queryset=base
        )
        filterset.is_valid()

    options = _facet_options(language)
    aggregates = {"total": Count("pk", filter=filterset.conditions()) if filterset.conditions() else Count("pk")}
    for name, values in options.items():
        others = filterset.conditions(exclude=name)
        for index, (_value, _label, condition) in enumerate(values):
            aggregates[f"{name}__{index}"] = Count("pk", filter=others & condition)
    counts = base.aggregate(**aggregates)

    facets = {}
    for name, values in options.items():
        selected = _selected(filterset, name)
        facets[name] = [
            FacetValue(value=value, label=label, count=counts[f"{name}__{index}"], selected=value in selected)
            for index, (value, label, _condition) in enumerate(values)
        ]
    total = counts["total"]

    query_text = filterset.form.cleaned_data.get("q") or ""
    sort = filterset.form.cleaned_data.get("sort") or ("relevance" if query_text.strip() else "newest")
    results = filterset.qs.for_listing()
    rank_text = rank_tsquery(query_text) if query_text else ""
    if sort == "relevance" and rank_text:
        results = results.annotate(rank=SearchRank(F("search_vector"), search_query(rank_text))).order_by(
            "-rank", "-published_at", "-pk"
        )
    elif sort == "stars":
        # An expired or revoked certificate counts as no star.
        live_stars = Case(When(valid_certificate_q(), then=F("current_certificate__stars")), default=None)
        results = results.order_by(live_stars.desc(nulls_last=True), "-published_at", "-pk")
    elif sort == "name":
        results = results.order_by("name", "pk")
    else:
        sort = "newest" if sort == "relevance" else sort
        results = results.order_by("-published_at", "-pk")

    paginator = KnownCountPaginator(results, PAGE_SIZE, total=total)
    page = paginator.get_page(params.get("page"))
    return CatalogueResult(
        filterset=filterset,
        page=page,
        total=total,
        facets=facets,
        valid_count=facets["valid"][0].count,
        sort=sort,
    )


def product_get_public(*, pk: int) -> Product:
    product = Product.objects.public().for_listing().filter(pk=pk).first()
    if product is None:
        raise Http404
    return product


def producer_get_public(*, pk: int) -> Organisation:
    producer = (
        Organisation.objects.producers()
        .verified()
        .select_related("province", "ward", "producer_profile")
        .filter(pk=pk)
        .first()
    )
    if producer is None:
        raise Http404
    return producer


def home_figures() -> dict:
    """The headline numbers: certified public products, their producers, and products by star."""
    certified = Product.objects.public().filter(valid_certificate_q())
    figures = certified.aggregate(
        products=Count("pk"),
        producers=Count("producer", distinct=True),
        five=Count("pk", filter=Q(current_certificate__stars=5)),
        four=Count("pk", filter=Q(current_certificate__stars=4)),
        three=Count("pk", filter=Q(current_certificate__stars=3)),
    )
    return figures


CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,32}")


def certificate_get_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, with everything its public page shows; None if unknown."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    return (
        Certificate.objects.select_related(
            "rule_set",
            "product__producer__province",
            "product__producer__ward",
            "product__current_certificate",
        )
        .prefetch_related(
            Prefetch("product__photos", queryset=ProductPhoto.objects.filter(is_primary=True), to_attr="primary_photos")
        )
        .filter(verification_code=code)
        .first()
    )
