"""Read use-cases of the catalogue."""

import hashlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Prefetch, Q, Subquery, Value, When
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import Organisation, Province, Ward
from catalog import entries
from catalog.cache import cached_data
from catalog.classification import CURRENT_RULE_SET
from catalog.filters import FACETS, STAR_CHOICES, ProductFilter
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
MAX_PAGES = entries.RANK_WINDOW // PAGE_SIZE


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


class _ResultWindow:
    """The sorted results, fetched one page at a time when the paginator slices them."""

    def __init__(self, *, conditions, sort: str, rank_text: str, counted: entries.FacetCounts, day):
        self.conditions, self.sort, self.rank_text, self.day = conditions, sort, rank_text, day
        self.counted = counted

    def __getitem__(self, window: slice) -> list[Product]:
        ids = entries.page_ids(
            conditions=self.conditions,
            sort=self.sort,
            rank_tsquery=self.rank_text,
            offset=window.start,
            limit=window.stop - window.start,
            total=self.counted.total,
            capped=self.counted.capped,
            window=self.counted.window,
            day=self.day,
        )
        # Only what a product card shows: the descriptions and the search document stay in the database.
        products = (
            products_for_cards(Product.objects.all())
            .defer("description", "description_en", "search_vector")
            .order_by()  # the page's order is the ids' order
            .in_bulk(ids)
        )
        return _with_reference([products[pk] for pk in ids if pk in products])


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
    # A search matching more than entries.SEARCH_CAP products: the total and the counts are "at least".
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
    _reference_memo.clear()


def connect_reference_signals() -> None:
    """Forget the facets' values and the reference data in this process when the classification or a province changes."""
    for model in (ProductGroup, ProductSubGroup, Province):
        post_save.connect(facet_options_forget, sender=model, dispatch_uid=f"catalog-facets-{model._meta.label}-save")
        post_delete.connect(facet_options_forget, sender=model, dispatch_uid=f"catalog-facets-{model._meta.label}-del")


_reference_memo: dict[str, tuple[float, dict]] = {}


def _reference() -> dict:
    """Wards and provinces, and sub-groups (with their group), by key: reference data, read per process.

    Product cards and pages take their place and group names from here instead of joining four more tables
    into every product query (PostgreSQL spends longer planning a seven-table join than running it). The
    provinces come with the wards (no query of their own): a producer whose ward is not known yet still has one.
    """
    remembered = _reference_memo.get("all")
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    wards = {ward.pk: ward for ward in Ward.objects.select_related("province")}
    reference = {
        "wards": wards,
        "provinces": {ward.province_id: ward.province for ward in wards.values()},
        "subgroups": {subgroup.pk: subgroup for subgroup in ProductSubGroup.objects.select_related("group")},
    }
    _reference_memo["all"] = (time.monotonic() + FACET_OPTIONS_SECONDS, reference)
    return reference


def _with_reference(products, *, fresh: bool = False):
    """Attach each product's sub-group (and group), and its producer's ward and province, from `_reference`."""
    reference = _reference()
    for product in products:
        if not _attach_reference(product, reference) and not fresh:
            # Added or changed since the reference was read: read it again, once; what it still does not know
            # is left to Django's own lookups.
            facet_options_forget()
            return _with_reference(products, fresh=True)
    return products


def _attach_reference(product: Product, reference: dict) -> bool:
    """Fill the product's sub-group and its producer's place from `reference`; False if it lacks one of them.

    A producer without a ward (imported with its former district only) gets `ward = None` and its province.
    """
    producer = product.producer
    subgroup = reference["subgroups"].get(product.subgroup_id)
    province = reference["provinces"].get(producer.province_id)
    ward = reference["wards"].get(producer.ward_id) if producer.ward_id else None
    if subgroup is None or province is None:
        return False
    if producer.ward_id and (ward is None or ward.province_id != province.pk):
        return False
    producer._state.fields_cache["ward"] = ward
    producer._state.fields_cache["province"] = province
    product._state.fields_cache["subgroup"] = subgroup
    return True


def products_for_cards(queryset):
    """What a product card shows, in three queries' worth of joins: producer, certificate, primary photo.

    The place and the sub-group with its group (whose pictogram stands in for a missing photo) come from
    `_with_reference`, which the caller applies to the fetched products.
    """
    return queryset.select_related("producer", "current_certificate").prefetch_related(
        Prefetch("photos", queryset=ProductPhoto.objects.filter(is_primary=True).order_by(), to_attr="primary_photos")
    )


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


def product_list(*, params, language: str = "vi") -> CatalogueResult:
    """The public catalogue: filtered, counted by facet, sorted and paginated in a fixed number of queries.

    Reads the catalogue entries (catalog/entries.py): one statement counts the results and every facet,
    one fetches the page's ids, one the page's products (and one their photos).
    """
    base = Product.objects.public()
    filterset = ProductFilter(params, queryset=base)
    if not filterset.is_valid():
        # Unknown values (a removed group, a typo in a shared link) filter nothing rather than fail.
        filterset = ProductFilter(
            {key: value for key, value in params.items() if key not in filterset.errors}, queryset=base
        )
        filterset.is_valid()
    day = timezone.localdate()
    cleaned = filterset.form.cleaned_data
    common, facet_conditions = [], {}
    for name in ("q", *FACETS):
        condition = ProductFilter.entry_condition(name, cleaned.get(name), day)
        if condition is None:
            continue
        # The words are not a facet: every count applies them.
        if name == "q":
            common.append(entries.Condition(*condition))
        else:
            facet_conditions[name] = entries.Condition(*condition)

    # The counts depend on the conditions only (not on the sort, the page or the language): shared by all of them.
    described = [(c.sql, c.params) for c in common] + [(n, c.sql, c.params) for n, c in facet_conditions.items()]
    counted = cached_data(
        f"facets:{hashlib.sha256(repr(described).encode()).hexdigest()}",
        # Searches count at most SEARCH_CAP matches; the catalogue without words counts them all (it is cached).
        lambda: entries.facet_counts(
            common=common,
            facets=facet_conditions,
            day=day,
            cap=entries.SEARCH_CAP if common else None,
            window=bool(common),
        ),
    )
    options = _facet_options(language)
    facets = {}
    for name, values in options.items():
        selected = _selected(filterset, name)
        counts = counted.counts["valid" if name == "valid" else name]
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
    total = counted.total

    query_text = cleaned.get("q") or ""
    rank_text = rank_tsquery(query_text) if query_text else ""
    sort = cleaned.get("sort") or ("relevance" if query_text.strip() else "newest")
    if sort == "relevance" and not rank_text:
        sort = "newest"
    reachable = min(total, MAX_PAGES * PAGE_SIZE)
    window = _ResultWindow(
        conditions=[*common, *facet_conditions.values()],
        sort=sort,
        rank_text=rank_text,
        counted=counted,
        day=day,
    )
    paginator = KnownCountPaginator(window, PAGE_SIZE, total=total, max_pages=MAX_PAGES)
    page = paginator.get_page(params.get("page"))
    return CatalogueResult(
        filterset=filterset,
        page=page,
        total=total,
        facets=facets,
        valid_count=facets["valid"][0].count,
        sort=sort,
        reachable=reachable,
        capped=counted.capped,
    )


@dataclass
class ProductPage:
    product: Product
    photos: list[ProductPhoto]
    siblings: list[Product]


def product_page(*, pk: int, siblings: int = 4) -> ProductPage:
    """A public product with its photos and its producer's newest other public products, in two queries.

    The product and its siblings come in one statement (the product first), their photos in another: the
    product's all, the siblings' primary ones.
    """
    producer = Product.objects.filter(pk=pk).values("producer_id")
    rows = list(
        Product.objects.public()
        .filter(producer_id=Subquery(producer[:1]))
        .select_related("producer", "current_certificate")
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
    _with_reference(rows)
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


def home_figures() -> dict:
    """The headline numbers: certified public products, their producers, and products by star."""
    return entries.certified_figures(day=timezone.localdate())


def featured_products(*, limit: int = 8) -> list[Product]:
    """The home page's products: 5★ then 4★ with a valid certificate, most recently recognised first."""
    ids = entries.featured_ids(day=timezone.localdate(), limit=limit)
    products = (
        products_for_cards(Product.objects.all())
        .defer("description", "description_en", "search_vector")
        .order_by()
        .in_bulk(ids)
    )
    return _with_reference([products[pk] for pk in ids if pk in products])


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
