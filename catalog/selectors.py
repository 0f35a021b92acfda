"""Read use-cases of the catalogue.

The public catalogue and its downloads read through one selector, `catalogue_query`: it has the FilterSet
(catalog/filters.py) parse the URL, turns the cleaned values into conditions over the catalogue entries
(catalog/read_model.py) and settles the sort. `product_list` counts and pages that query for the catalogue
page; `catalogue_ids` lists it, in the same order, for a file.
"""

import datetime
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Prefetch, Q, Subquery, Value, When
from django.db.models.signals import post_delete, post_save
from django.http import Http404, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import Organisation, Province
from catalog import read_model
from catalog.cache import cached_data, rebuildable
from catalog.classification import CURRENT_RULE_SET
from catalog.filters import STAR_CHOICES, ProductFilter, product_filter
from catalog.models import (
    Application,
    Certificate,
    ProducerProfile,
    Product,
    ProductGroup,
    ProductPhoto,
    ProductSubGroup,
    Standard,
)
from catalog.search import rank_tsquery

PAGE_SIZE = 24
# Pages beyond this are not offered: a search that matches more is narrowed with a filter or a word.
MAX_PAGES = read_model.RANK_WINDOW // PAGE_SIZE


class KnownCountPaginator(Paginator):
    """A paginator told the total by the facet query, so it does not count again; at most `max_pages` pages."""

    def __init__(self, object_list, per_page, *, total: int, max_pages: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._total = total
        self._max_pages = max_pages

    @cached_property
    def count(self):
        return self._total

    @cached_property
    def num_pages(self):
        pages = super().num_pages
        return min(pages, self._max_pages) if self._max_pages else pages


# --- The catalogue query ---------------------------------------------------------------------------------------


@dataclass
class CatalogueQuery:
    """What a catalogue address asks for: its parsed filters, their conditions over the entries, and the order."""

    filterset: ProductFilter
    conditions: read_model.Conditions
    # The search text as typed, and the tsquery that ranks by it ("" without words).
    words: str
    rank_text: str
    sort: str
    day: datetime.date


def _sort(chosen: str, rank_text: str) -> str:
    """The order to read: the one chosen; by default relevance for a search and newest first otherwise."""
    sort = chosen or "relevance"
    return "newest" if sort == "relevance" and not rank_text else sort


def catalogue_query(*, params) -> CatalogueQuery:
    """The catalogue query of these URL parameters, for the catalogue page and its downloads alike."""
    filterset = product_filter(params)
    cleaned = filterset.form.cleaned_data
    day = timezone.localdate()
    words = cleaned.get("q") or ""
    rank_text = rank_tsquery(words) if words else ""
    return CatalogueQuery(
        filterset=filterset,
        conditions=read_model.conditions(filterset.filter_values(), day=day),
        words=words,
        rank_text=rank_text,
        sort=_sort(cleaned.get("sort") or "", rank_text),
        day=day,
    )


def product_cards(ids: list[int]) -> list[Product]:
    """The products of these ids, in their order, with what a card shows (descriptions and search document left out)."""
    products = (
        Product.objects.for_listing()
        .defer("description", "description_en", "search_vector")
        .order_by()  # the ids' order is the order
        .in_bulk(ids)
    )
    return [products[pk] for pk in ids if pk in products]


class _ResultWindow:
    """The sorted results, fetched one page at a time when the paginator slices them."""

    def __init__(self, query: CatalogueQuery, counted: read_model.FacetCounts):
        self.query, self.counted = query, counted

    def __getitem__(self, window: slice) -> list[Product]:
        ids = read_model.page_ids(
            conditions=self.query.conditions.all,
            sort=self.query.sort,
            rank_tsquery=self.query.rank_text,
            offset=window.start,
            limit=window.stop - window.start,
            total=self.counted.total,
            capped=self.counted.capped,
            window=self.counted.window,
            day=self.query.day,
        )
        return product_cards(ids)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    at_least: bool = False  # the count is a lower bound (a capped search)


@dataclass
class CatalogueResult:
    filterset: ProductFilter
    page: Page
    total: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    valid_count: int = 0
    sort: str = "newest"
    explicit_sorts: tuple[str, ...] = ("stars", "newest", "name")
    # How many of the `total` results the pages reach (the first MAX_PAGES pages).
    reachable: int = 0
    # A search matching more than read_model.SEARCH_CAP products: the total and the counts are "at least".
    capped: bool = False

    @property
    def truncated(self) -> bool:
        return self.total > self.reachable

    @property
    def chosen(self) -> list[tuple[str, FacetValue]]:
        """(facet name, value) of every selected filter value, in the sidebar's order."""
        return [(name, value) for name, values in self.facets.items() for value in values if value.selected]


# The facets' values (groups, sub-groups, provinces) are reference data: read once per process and language,
# for FACET_OPTIONS_SECONDS at most, and dropped at once in this process when the classification changes.
FACET_OPTIONS_SECONDS = 300
_facet_options_memo: dict[str, tuple[float, dict]] = {}


def facet_options_forget(**kwargs) -> None:
    _facet_options_memo.clear()


def connect_reference_signals() -> None:
    """Forget the facets' values in this process when the classification or a province changes."""
    for model in (ProductGroup, ProductSubGroup, Province):
        post_save.connect(facet_options_forget, sender=model, dispatch_uid=f"catalog-facets-{model._meta.label}-save")
        post_delete.connect(facet_options_forget, sender=model, dispatch_uid=f"catalog-facets-{model._meta.label}-del")


def _facet_options(language: str):
    """Every value a facet can take, with its label, in display order."""
    remembered = _facet_options_memo.get(language)
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    subgroups = list(
        ProductSubGroup.objects.filter(group__rule_set__code=CURRENT_RULE_SET)
        .select_related("group")
        .order_by("group__position", "position")
    )
    groups = list(dict.fromkeys(subgroup.group for subgroup in subgroups))
    options = {
        "stars": [(value, label) for value, label in STAR_CHOICES],
        "group": [(str(g.pk), g.localised_name(language)) for g in groups],
        "subgroup": [(str(s.pk), s.localised_name(language)) for s in subgroups],
        "province": list(Province.objects.order_by("name").values_list("code", "name")),
        "legal_form": list(ProducerProfile.LegalForm.choices),
        "standard": list(Standard.choices),
        "valid": [("1", "")],
    }
    _facet_options_memo[language] = (time.monotonic() + FACET_OPTIONS_SECONDS, options)
    return options


def _selected(filterset: ProductFilter, name: str) -> set[str]:
    value = filterset.form.cleaned_data.get(name)
    if value in (None, "", False):
        return set()
    if name == "valid":
        return {"1"}
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return {str(getattr(value, "pk", value))}


def _facets(query: CatalogueQuery, counted: read_model.FacetCounts, language: str) -> dict[str, list[FacetValue]]:
    """Every facet's values with their counts, the chosen ones marked."""
    facets = {}
    for name, values in _facet_options(language).items():
        selected, counts = _selected(query.filterset, name), counted.counts[name]
        facets[name] = [
            FacetValue(
                value=value,
                label=label,
                count=counts.get(value, 0),
                selected=value in selected,
                at_least=counted.capped,
            )
            for value, label in values
        ]
    return facets


def product_list(*, params, language: str = "vi") -> CatalogueResult:
    """The public catalogue: filtered, counted by facet, sorted and paginated in a fixed number of queries.

    Reads the catalogue entries (catalog/read_model.py): one statement counts the results and every facet,
    one fetches the page's ids, one the page's products (and one their photos).
    """
    query = catalogue_query(params=params)
    conditions = query.conditions
    # The counts depend on the conditions only (not on the sort, the page or the language): shared by all of them.
    if conditions.words:
        # A search counts at most SEARCH_CAP matches (milliseconds): computed by its reader when stale.
        counted = cached_data(
            f"facets:{conditions.key()}",
            lambda: read_model.facet_counts(
                conditions=conditions, day=query.day, cap=read_model.SEARCH_CAP, window=True
            ),
        )
    else:
        # The catalogue without words counts every product (seconds at a million): after a change, a worker
        # counts again while readers are given the previous counts.
        filters = _filter_query(params)
        counted = cached_data(
            f"facets:{conditions.key()}",
            lambda: facet_counts_of(filters=filters),
            rebuild=(facet_counts_of, {"filters": filters}),
        )
    facets = _facets(query, counted, language)
    paginator = KnownCountPaginator(_ResultWindow(query, counted), PAGE_SIZE, total=counted.total, max_pages=MAX_PAGES)
    return CatalogueResult(
        filterset=query.filterset,
        page=paginator.get_page(params.get("page")),
        total=counted.total,
        facets=facets,
        valid_count=facets["valid"][0].count,
        sort=query.sort,
        reachable=min(counted.total, MAX_PAGES * PAGE_SIZE),
        capped=counted.capped,
    )


def _filter_query(params) -> str:
    """The catalogue's filter parameters alone, as a query string (what its counts depend on)."""
    kept = QueryDict(mutable=True)
    for name in sorted(params.keys()):
        if name not in ("page", "sort"):
            kept.setlist(name, params.getlist(name) if hasattr(params, "getlist") else [params[name]])
    return kept.urlencode()


@rebuildable
def facet_counts_of(*, filters: str) -> read_model.FacetCounts:
    """Every facet's counts for the catalogue without words, filtered by this query string."""
    query = catalogue_query(params=QueryDict(filters))
    return read_model.facet_counts(conditions=query.conditions, day=query.day, cap=None, window=False)


def catalogue_ids(*, params, limit: int) -> tuple[list[int], int | None]:
    """The ids the catalogue lists for these parameters, in its order, at most `limit` of them.

    With the full count when there were more (None when all are there): what a download of the page holds.
    """
    query = catalogue_query(params=params)
    conditions = query.conditions.all
    ids = read_model.ordered_ids(
        conditions=conditions, sort=query.sort, rank_tsquery=query.rank_text, limit=limit + 1, day=query.day
    )
    if len(ids) <= limit:
        return ids, None
    return ids[:limit], read_model.match_count(conditions=conditions)


# --- Products and producers ------------------------------------------------------------------------------------


@dataclass
class ProductPage:
    product: Product
    photos: list[ProductPhoto]
    siblings: list[Product]


def product_page(*, pk: int, siblings: int = 4) -> ProductPage:
    """A public product with its photos and its producer's newest other public products, in two queries.

    The product and its siblings come in one statement (the product first, with what a card shows), their
    photos in another: the product's all, the siblings' primary ones.
    """
    producer = Product.objects.filter(pk=pk).values("producer_id")
    rows = list(
        Product.objects.public()
        .filter(producer_id=Subquery(producer[:1]))
        .for_listing(primary_photos=False)
        .alias(is_this=Case(When(pk=pk, then=Value(1)), default=Value(0)))
        .order_by("-is_this", "-published_at", "-pk")[: siblings + 1]
    )
    if not rows or rows[0].pk != pk:
        raise Http404
    product, others = rows[0], rows[1:]
    photos = list(
        ProductPhoto.objects.filter(
            Q(product_id=pk) | Q(product_id__in=[o.pk for o in others], is_primary=True)
        ).order_by("position", "pk")
    )
    for other in others:
        other.primary_photos = [photo for photo in photos if photo.product_id == other.pk]
    return ProductPage(product=product, photos=[p for p in photos if p.product_id == pk], siblings=others)


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


@rebuildable
def home_figures() -> dict:
    """The headline numbers: certified public products, their producers, and products by star."""
    return read_model.certified_figures(day=timezone.localdate())


def featured_products(*, limit: int = 8) -> list[Product]:
    """The home page's products: 5★ then 4★ with a valid certificate, most recently recognised first."""
    return product_cards(read_model.featured_ids(day=timezone.localdate(), limit=limit))


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
            "product__subgroup__group",
            "product__current_certificate",
        )
        .prefetch_related(
            Prefetch("product__photos", queryset=ProductPhoto.objects.filter(is_primary=True), to_attr="primary_photos")
        )
        .filter(verification_code=code)
        .first()
    )


def application_status_counts(applications=None) -> list[dict]:
    """Every application status with its count among `applications` (default: all), in one query.

    Each row links to the admin list filtered on the status, so staff go from a count to the files.
    """
    applications = Application.objects.all() if applications is None else applications
    counts = applications.aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value in Application.Status.values}
    )
    try:
        changelist = reverse("admin:catalog_application_changelist")
    except NoReverseMatch:  # the dashboards still show the figures without the admin
        changelist = None
    return [
        {
            "value": value,
            "label": label,
            "count": counts[value],
            "url": f"{changelist}?{urlencode({'status__exact': value})}" if changelist else None,
        }
        for value, label in Application.Status.choices
    ]
