"""Reads of sourcing: the buyer profile and shortlist, who sees which sourcing request, and the offers."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import Actor
from catalog.models import Product
from matchmaking.filters import SourcingRequestFilter
from matchmaking.models import BuyerProfile, Offer, ShortlistItem, SourcingRequest

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


def shortlist_target_get(
    *, product_id: int | None, producer_id: int | None
) -> tuple[Product | None, Organisation | None]:
    """What a buyer asks to shortlist: a public product, else a verified producer; 404 when it is neither."""
    if product_id:
        return get_object_or_404(Product.objects.public(), pk=product_id), None
    return None, get_object_or_404(Organisation.objects.producers().verified(), pk=producer_id)


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


def request_rows():
    """Sourcing requests with the buyer, the sub-group and the delivery province their rows show."""
    return SourcingRequest.objects.select_related("buyer", "subgroup__group", "delivery_province")


def open_requests():
    """Requests taking offers: open, deadline not passed."""
    return SourcingRequest.objects.filter(status=SourcingRequest.Status.OPEN, deadline__gte=timezone.localdate())


def sourcing_request_list(*, actor: Actor, params) -> tuple[SourcingRequestFilter, object]:
    """The requests this actor may list, filtered by sub-group and province (and status for buyers and staff).

    Verified producers see open requests whose deadline has not passed; an unverified producer sees none.
    """
    audience = request_audience(actor)
    requests = request_rows().annotate(offer_count=Count("offers"))
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
        request_rows().select_related("created_by").annotate(offer_count=Count("offers")), pk=pk
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
    return get_object_or_404(request_rows(), pk=pk, buyer=actor.organisation)


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
