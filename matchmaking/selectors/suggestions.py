"""Explained suggestions: products for a sourcing request or a buyer profile, open requests for a producer.

They turn catalogue rows into the ranking engine's plain `Need` and `Candidate` values
(`matchmaking.ranking`), so the ranking itself stays a pure, tested function.
"""

from dataclasses import dataclass, replace

from django.db.models import Case, IntegerField, Q, Value, When

from accounts.models import Organisation
from catalog.models import Certificate, Product
from catalog.search import fold, product_match, words
from matchmaking.models import BuyerProfile, SourcingRequest
from matchmaking.ranking import Candidate, Need, Suggestion, assess, rank
from matchmaking.selectors.sourcing import open_requests, request_rows

# Candidates fetched for one need: enough for any sub-group of a province, bounded so a page stays fast.
MAX_CANDIDATES = 300
MAX_OPEN_REQUESTS = 200


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


def has_published_products(producer: Organisation) -> bool:
    """The producer has a published product to fit requests with (its opportunities page says so when not)."""
    return Product.objects.published().filter(producer=producer).exists()


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
    requests = list(request_rows().filter(pk__in=open_requests().values("pk")).order_by("-pk")[:MAX_OPEN_REQUESTS])
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
