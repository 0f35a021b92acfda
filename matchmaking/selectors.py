"""Read use-cases of matchmaking: who sees which sourcing request, the offers, and the explained suggestions.

The suggestions turn catalogue rows into the ranking engine's plain `Need` and `Candidate` values
(`matchmaking.ranking`), so the ranking itself stays a pure, tested function.
"""

from dataclasses import dataclass, replace

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Actor
from catalog.models import Certificate, Product
from catalog.search import fold, product_match, words
from matchmaking.forms_sourcing import SourcingRequestFilter
from matchmaking.models import BuyerProfile, Offer, ShortlistItem, SourcingRequest
from matchmaking.ranking import Candidate, Need, ProducerRecord, Suggestion, assess, rank, readiness

# Candidates fetched for one need: enough for any sub-group of a province, bounded so a page stays fast.
MAX_CANDIDATES = 300
MAX_OPEN_REQUESTS = 200


# --- Buyer profile and shortlist ------------------------------------------------------------------------------------


def buyer_profile_get(*, organisation: Organisation) -> BuyerProfile | None:
    return (
        BuyerProfile.objects.filter(organisation=organisation)
        .select_related("organisation")
        .prefetch_related("subgroups", "provinces_served")
        .first()
    )


def shortlist_list(*, buyer: Organisation):
    """The buyer's shortlist, newest first, with what each row shows."""
    return ShortlistItem.objects.filter(buyer=buyer).select_related(
        "product__producer__province",
        "product__producer__ward",
        "product__subgroup",
        "product__current_certificate",
        "producer__province",
        "producer__ward",
    )


def shortlist_item_get(*, buyer: Organisation, pk: int) -> ShortlistItem:
    """One of the buyer's own items; another buyer's is not found."""
    return get_object_or_404(shortlist_list(buyer=buyer), pk=pk)


def shortlisted_product_ids(*, buyer: Organisation | None) -> set[int]:
    if buyer is None or buyer.kind != Organisation.Kind.BUYER:
        return set()
    return set(ShortlistItem.objects.filter(buyer=buyer, product__isnull=False).values_list("product_id", flat=True))


# --- Sourcing requests ------------------------------------------------------------------------------------------


def sees_every_request(actor: Actor) -> bool:
    """Staff of the Department, when not acting for an organisation, see every request."""
    return actor.user.is_authenticated and actor.user.is_staff and not actor.on_behalf


def request_audience(actor: Actor) -> str | None:
    """Which list this actor gets: "buyer" (its own), "producer" (open ones), "staff" (all), or None."""
    if actor.is_buyer:
        return "buyer"
    if actor.is_producer:
        return "producer"
    if sees_every_request(actor):
        return "staff"
    return None


def _request_rows():
    return SourcingRequest.objects.select_related("buyer", "subgroup__group", "delivery_province")


def open_requests():
    """Requests taking offers: open, deadline not passed."""
    return SourcingRequest.objects.filter(status=SourcingRequest.Status.OPEN, deadline__gte=timezone.localdate())


def sourcing_request_list(*, actor: Actor, params) -> tuple[SourcingRequestFilter, object]:
    """The requests this actor may list, filtered by sub-group and province (and status for buyers and staff).

    Verified producers see open requests whose deadline has not passed; an unverified producer sees none.
    """
    audience = request_audience(actor)
    requests = _request_rows().annotate(offer_count=Count("offers"))
    if audience == "buyer":
        requests = requests.filter(buyer=actor.organisation)
    elif audience == "producer":
        if not actor.organisation.is_verified:
            requests = requests.none()
        else:
            requests = requests.filter(status=SourcingRequest.Status.OPEN, deadline__gte=timezone.localdate()).annotate(
                offered=Exists(Offer.objects.filter(request=OuterRef("pk"), producer=actor.organisation)),
            )
    elif audience != "staff":
        requests = requests.none()
    filterset = SourcingRequestFilter(params, queryset=requests, with_status=audience in ("buyer", "staff"))
    queryset = filterset.qs if filterset.is_valid() else requests
    if audience == "producer":
        queryset = queryset.order_by("deadline", "-pk")
    else:
        queryset = queryset.order_by("-created_at", "-pk")
    return filterset, queryset


@dataclass(frozen=True)
class RequestAccess:
    sourcing_request: SourcingRequest
    role: str  # owner / staff / producer / viewer


def sourcing_request_get(*, actor: Actor, pk: int) -> RequestAccess:
    """A request and the actor's role on it: its buyer, staff, a verified producer, or another buyer (open only).

    Anyone else gets a 404, so that a private request's existence is not revealed.
    """
    sourcing_request = get_object_or_404(
        _request_rows().select_related("created_by").annotate(offer_count=Count("offers")), pk=pk
    )
    organisation = actor.organisation
    if organisation is not None and sourcing_request.buyer_id == organisation.pk:
        return RequestAccess(sourcing_request, "owner")
    if sees_every_request(actor):
        return RequestAccess(sourcing_request, "staff")
    if actor.is_producer and organisation.is_verified:
        return RequestAccess(sourcing_request, "producer")
    if actor.is_buyer and sourcing_request.status == SourcingRequest.Status.OPEN:
        return RequestAccess(sourcing_request, "viewer")
    raise Http404


def own_request_get(*, actor: Actor, pk: int) -> SourcingRequest:
    """The acting buyer's own request; any other is not found."""
    if not actor.is_buyer:
        raise Http404
    return get_object_or_404(_request_rows(), pk=pk, buyer=actor.organisation)


def offer_get(*, sourcing_request: SourcingRequest, producer: Organisation) -> Offer | None:
    return (
        Offer.objects.filter(request=sourcing_request, producer=producer)
        .prefetch_related(Prefetch("products", queryset=Product.objects.order_by("name", "pk")))
        .first()
    )


def offer_compare(*, sourcing_request: SourcingRequest) -> list[Offer]:
    """The request's offers, cheapest first, each with its producer and products (and their certificates)."""
    products = Product.objects.select_related("current_certificate").order_by("name", "pk")
    return list(
        Offer.objects.filter(request=sourcing_request)
        .exclude(status=Offer.Status.WITHDRAWN)
        .select_related("producer__province", "producer__ward")
        .prefetch_related(Prefetch("products", queryset=products, to_attr="product_list"))
        .order_by("price", "pk")
    )


# --- From catalogue rows to the ranking's plain values ----------------------------------------------------------


def folded_words(*texts: str) -> frozenset[str]:
    return frozenset(words(fold(" ".join(text for text in texts if text))))


def certificate_state(certificate: Certificate | None) -> tuple[int | None, str | None]:
    """(stars, status) as the ranking counts them: stars only while the certificate is valid today."""
    if certificate is None:
        return None, None
    status = certificate.public_status
    if status == Certificate.Status.VALID:
        return certificate.stars, "valid"
    if status in (Certificate.Status.EXPIRED, Certificate.Status.REVOKED):
        return None, str(status)
    return None, None


def product_candidate(product: Product) -> Candidate:
    """Needs `current_certificate` and `producer` loaded."""
    stars, status = certificate_state(product.current_certificate)
    return Candidate(
        id=product.pk,
        name=product.name,
        subgroup_id=product.subgroup_id,
        stars=stars,
        certificate_status=status,
        standards=frozenset(product.standards),
        monthly_capacity=product.monthly_capacity,
        capacity_unit=product.capacity_unit,
        months=frozenset(product.months_available),
        province_code=product.producer.province_id,
        words=folded_words(product.name, product.name_en, product.description, product.description_en),
        price_min=product.price_min,
    )


def request_need(sourcing_request: SourcingRequest) -> Need:
    return Need(
        subgroup_ids=frozenset({sourcing_request.subgroup_id}),
        min_stars=sourcing_request.min_stars,
        standards=frozenset(sourcing_request.standards_required),
        quantity_per_month=sourcing_request.quantity_per_month,
        unit=sourcing_request.unit,
        months=frozenset(sourcing_request.months_needed),
        province_code=sourcing_request.delivery_province_id,
        keywords=folded_words(sourcing_request.keywords),
        target_price=sourcing_request.target_price,
    )


def profile_need(profile: BuyerProfile) -> Need:
    """Needs `subgroups` prefetched. Places are compared per candidate (see `profile_suggestions`)."""
    return Need(
        subgroup_ids=frozenset(subgroup.pk for subgroup in profile.subgroups.all()),
        min_stars=profile.min_stars,
        standards=frozenset(profile.standards_required),
    )


@dataclass
class ProductSuggestion:
    product: Product
    suggestion: Suggestion

    @property
    def score(self) -> int:
        return self.suggestion.score

    @property
    def reasons(self) -> list[str]:
        return self.suggestion.reasons

    @property
    def excluded_by(self) -> list[str]:
        return self.suggestion.excluded_by


def _with_products(suggestions: list[Suggestion], products: dict[int, Product]) -> list[ProductSuggestion]:
    return [ProductSuggestion(products[s.candidate.id], s) for s in suggestions]


def request_candidates(sourcing_request: SourcingRequest) -> list[Product]:
    """Public products of the request's sub-group, and of other sub-groups when they match every keyword.

    The second kind is listed among the excluded ("another product group"), so a buyer sees why a
    product named like the need is not suggested. One query (plus the photos), at most MAX_CANDIDATES.
    """
    condition = Q(subgroup=sourcing_request.subgroup_id)
    keywords = product_match(sourcing_request.keywords)
    if keywords is not None:
        condition |= keywords
    same_group_first = Case(
        When(subgroup=sourcing_request.subgroup_id, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    products = Product.objects.public().filter(condition).for_listing().order_by(same_group_first, "-pk")
    return list(products[:MAX_CANDIDATES])


def request_suggestions(
    sourcing_request: SourcingRequest,
) -> tuple[list[ProductSuggestion], list[ProductSuggestion]]:
    """The products suggested for a request, best first, and those excluded with the rules named."""
    products = request_candidates(sourcing_request)
    suggested, excluded = rank(request_need(sourcing_request), [product_candidate(p) for p in products])
    by_id = {product.pk: product for product in products}
    return _with_products(suggested, by_id), _with_products(excluded, by_id)


def profile_candidates(profile: BuyerProfile) -> list[Product]:
    products = Product.objects.public().for_listing().order_by("-pk")
    subgroup_ids = [subgroup.pk for subgroup in profile.subgroups.all()]
    if subgroup_ids:
        products = products.filter(subgroup__in=subgroup_ids)
    return list(products[:MAX_CANDIDATES])


def profile_suggestions(profile: BuyerProfile) -> tuple[list[ProductSuggestion], list[ProductSuggestion]]:
    """Products for a buyer profile: its sub-groups, stars and standards; "same province" when it serves the place.

    Ranked like `ranking.rank` (score, then id); the province is set per candidate because a
    profile serves several provinces while a need names one.
    """
    need = profile_need(profile)
    served = {province.pk for province in profile.provinces_served.all()}
    products = profile_candidates(profile)
    assessed = []
    for product in products:
        candidate = product_candidate(product)
        local = replace(need, province_code=candidate.province_code if candidate.province_code in served else None)
        assessed.append(assess(local, candidate))
    suggested = sorted((s for s in assessed if not s.excluded), key=lambda s: (-s.score, s.candidate.id))
    excluded = sorted((s for s in assessed if s.excluded), key=lambda s: s.candidate.id)
    by_id = {product.pk: product for product in products}
    return _with_products(suggested, by_id), _with_products(excluded, by_id)


@dataclass
class Opportunity:
    """An open request, with the producer's product that fits it best and that product's assessment."""

    sourcing_request: SourcingRequest
    product: Product
    suggestion: Suggestion

    @property
    def score(self) -> int:
        return self.suggestion.score


def producer_opportunities(*, producer: Organisation) -> tuple[list[Opportunity], list[Opportunity]]:
    """Open requests that fit the producer's published products, best first; and those of its sub-groups
    that none of its products meets, with the rules its closest product breaks.
    """
    products = list(
        Product.objects.published()
        .filter(producer=producer)
        .select_related("producer", "current_certificate", "subgroup")
        .order_by("pk")
    )
    if not products:
        return [], []
    candidates = [(product, product_candidate(product)) for product in products]
    requests = list(_request_rows().filter(pk__in=open_requests().values("pk")).order_by("-pk")[:MAX_OPEN_REQUESTS])
    fitting, unmet = [], []
    for sourcing_request in requests:
        need = request_need(sourcing_request)
        assessed = [(product, assess(need, candidate)) for product, candidate in candidates]
        fits = [(product, s) for product, s in assessed if not s.excluded]
        if fits:
            product, best = min(fits, key=lambda pair: (-pair[1].score, pair[0].pk))
            fitting.append(Opportunity(sourcing_request, product, best))
            continue
        same_group = [(product, s) for product, s in assessed if product.subgroup_id == sourcing_request.subgroup_id]
        if same_group:
            product, closest = min(same_group, key=lambda pair: (len(pair[1].excluded_by), pair[0].pk))
            unmet.append(Opportunity(sourcing_request, product, closest))
    fitting.sort(key=lambda o: (-o.score, o.sourcing_request.pk))
    unmet.sort(key=lambda o: o.sourcing_request.pk)
    return fitting, unmet


# --- Readiness ----------------------------------------------------------------------------------------------------


def readiness_product_get(*, pk: int) -> Product:
    """A public product with what the checklist looks at."""
    products = Product.objects.public().for_listing().annotate(photo_count=Count("photos"))
    return get_object_or_404(products, pk=pk)


def readiness_buyers():
    """Verified buyers whose profile has a listing checklist, for a producer to compare against."""
    return (
        BuyerProfile.objects.filter(organisation__is_verified=True)
        .exclude(checklist=[])
        .select_related("organisation")
        .order_by("organisation__name")
    )


def readiness_buyer_get(*, organisation_id: int) -> BuyerProfile:
    """A verified buyer's profile, for a producer to compare its product with; 404 otherwise."""
    return get_object_or_404(
        BuyerProfile.objects.filter(organisation__is_verified=True).select_related("organisation"),
        organisation_id=organisation_id,
    )


def product_readiness(*, product: Product, profile: BuyerProfile) -> list[tuple[str, str, bool, str]]:
    """(code, label, met, detail) for every item of the buyer's checklist against this product's records."""
    record = ProducerRecord(
        candidate=product_candidate(product),
        has_gtin=bool(product.gtin),
        shelf_life_days=product.shelf_life_days,
        has_price=product.price_min is not None or product.price_max is not None,
        photo_count=product.photo_count,
        has_tax_code=bool(product.producer.tax_code),
    )
    labels = dict(BuyerProfile.Requirement.choices)
    items = readiness(
        list(profile.checklist),
        min_stars=profile.min_stars,
        standards=frozenset(profile.standards_required),
        record=record,
    )
    return [(code, labels.get(code, code), met, detail) for code, met, detail in items]
