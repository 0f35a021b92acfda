"""Listing readiness: a public product's records against a verified buyer's listing checklist."""

from django.db.models import Count
from django.shortcuts import get_object_or_404

from catalog.models import Product
from matchmaking.models import BuyerProfile
from matchmaking.ranking import ProducerRecord, readiness
from matchmaking.selectors.suggestions import product_candidate


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
