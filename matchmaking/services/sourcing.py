"""Sourcing: the buyer profile, the shortlist, sourcing requests and the producers' offers."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Province
from accounts.roles import Actor
from accounts.services import action_record
from catalog.models import Product, ProductSubGroup
from core.forms import field_error
from core.mail import email_send
from matchmaking.models import BuyerProfile, Offer, ShortlistItem, SourcingRequest


def _require_buyer(actor: Actor) -> Organisation:
    if not actor.is_buyer:
        raise ValidationError(_("Only buyer organisations can do this."), code="not_buyer")
    return actor.organisation


def _require_verified_producer(actor: Actor) -> Organisation:
    if not actor.is_producer:
        raise ValidationError(_("Only producers can send offers."), code="not_producer")
    if not actor.organisation.is_verified:
        raise ValidationError(
            _("Your organisation must be verified by the Department before it sends offers."), code="not_verified"
        )
    return actor.organisation


# --- Buyer profile ------------------------------------------------------------------------------------------------


@transaction.atomic
def buyer_profile_save(
    *,
    actor: Actor,
    profile: BuyerProfile,
    subgroups: list[ProductSubGroup],
    provinces_served: list[Province],
) -> BuyerProfile:
    """Create or update the acting buyer's profile with its sub-groups and provinces."""
    organisation = _require_buyer(actor)
    if profile.organisation_id and profile.organisation_id != organisation.pk:
        raise ValidationError(_("This is another organisation's profile."), code="not_owner")
    profile.organisation = organisation
    profile.standards_required = sorted(set(profile.standards_required))
    profile.checklist = [code for code in BuyerProfile.Requirement.values if code in set(profile.checklist)]
    profile.full_clean()
    profile.save()
    profile.subgroups.set(subgroups)
    profile.provinces_served.set(provinces_served)
    action_record(actor=actor, verb="buyer_profile_save", summary=profile.get_kind_display())
    return profile


# --- Shortlist ----------------------------------------------------------------------------------------------------


@transaction.atomic
def shortlist_add(
    *, actor: Actor, product: Product | None = None, producer: Organisation | None = None, note: str = ""
) -> tuple[ShortlistItem, bool]:
    """Keep a public product or a verified producer on the buyer's shortlist; (item, created)."""
    buyer = _require_buyer(actor)
    if (product is None) == (producer is None):
        raise ValidationError(_("Choose one product or one producer to shortlist."), code="one_target")
    if product is not None and not Product.objects.public().filter(pk=product.pk).exists():
        raise ValidationError(_("This product is not public."), code="product_not_public")
    if producer is not None and not (producer.kind == Organisation.Kind.PRODUCER and producer.is_verified):
        raise ValidationError(_("Only verified producers can be shortlisted."), code="producer_not_verified")
    target = {"product": product} if product is not None else {"producer": producer}
    existing = ShortlistItem.objects.filter(buyer=buyer, **target).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = ShortlistItem.objects.create(buyer=buyer, note=note.strip(), **target)
    except IntegrityError:
        # Added meanwhile in another tab: the uniqueness constraint keeps one.
        return ShortlistItem.objects.get(buyer=buyer, **target), False
    action_record(actor=actor, verb="shortlist_add", summary=str(item))
    return item, True


def _own_item(actor: Actor, item: ShortlistItem) -> None:
    if item.buyer_id != _require_buyer(actor).pk:
        raise ValidationError(_("This is another organisation's shortlist."), code="not_owner")


@transaction.atomic
def shortlist_note_update(*, actor: Actor, item: ShortlistItem, note: str) -> ShortlistItem:
    _own_item(actor, item)
    item.note = note.strip()
    item.save(update_fields=["note"])
    return item


@transaction.atomic
def shortlist_remove(*, actor: Actor, item: ShortlistItem) -> None:
    _own_item(actor, item)
    summary = str(item)
    item.delete()
    action_record(actor=actor, verb="shortlist_remove", summary=summary)


# --- Sourcing requests --------------------------------------------------------------------------------------------


@transaction.atomic
def sourcing_request_create(*, actor: Actor, sourcing_request: SourcingRequest) -> SourcingRequest:
    """Post the acting buyer's sourcing request (open, visible to verified producers)."""
    buyer = _require_buyer(actor)
    if sourcing_request.quantity_per_month is None or sourcing_request.quantity_per_month <= 0:
        raise field_error("quantity_per_month", _("Enter a quantity above zero."), code="quantity_not_positive")
    if sourcing_request.target_price is not None and sourcing_request.target_price <= 0:
        raise field_error("target_price", _("Enter a price above zero, or leave it empty."), code="price_not_positive")
    if sourcing_request.deadline is None or sourcing_request.deadline < timezone.localdate():
        raise field_error("deadline", _("The deadline cannot be in the past."), code="deadline_past")
    sourcing_request.buyer = buyer
    sourcing_request.created_by = actor.user
    sourcing_request.status = SourcingRequest.Status.OPEN
    sourcing_request.created_at = timezone.now()
    sourcing_request.months_needed = sorted(set(sourcing_request.months_needed))
    sourcing_request.standards_required = sorted(set(sourcing_request.standards_required))
    sourcing_request.full_clean()
    sourcing_request.save()
    action_record(actor=actor, verb="sourcing_request_create", summary=sourcing_request.title)
    return sourcing_request


STATUS_MOVES = {
    SourcingRequest.Status.OPEN: {SourcingRequest.Status.CLOSED, SourcingRequest.Status.FILLED},
    SourcingRequest.Status.CLOSED: {SourcingRequest.Status.FILLED},
    SourcingRequest.Status.FILLED: set(),
}


@transaction.atomic
def sourcing_request_set_status(*, actor: Actor, sourcing_request: SourcingRequest, status: str) -> SourcingRequest:
    """Close the request or mark it filled (its buyer only); no more offers after that."""
    buyer = _require_buyer(actor)
    locked = SourcingRequest.objects.select_for_update().get(pk=sourcing_request.pk)
    if locked.buyer_id != buyer.pk:
        raise ValidationError(_("This is another organisation's sourcing request."), code="not_owner")
    if status not in STATUS_MOVES.get(locked.status, set()):
        raise ValidationError(
            _("A request that is %(current)s cannot become %(new)s.")
            % {
                "current": locked.get_status_display().lower(),
                "new": str(SourcingRequest.Status(status).label).lower()
                if status in SourcingRequest.Status.values
                else status,
            },
            code="invalid_status",
        )
    locked.status = status
    locked.save(update_fields=["status"])
    action_record(actor=actor, verb=f"sourcing_request_{status}", summary=locked.title)
    sourcing_request.status = status
    return locked


def offers_accepted(sourcing_request: SourcingRequest) -> bool:
    """A request takes offers while it is open and its deadline has not passed."""
    return sourcing_request.status == SourcingRequest.Status.OPEN and sourcing_request.deadline >= timezone.localdate()


@transaction.atomic
def offer_submit(
    *,
    actor: Actor,
    sourcing_request: SourcingRequest,
    products: list[Product],
    quantity_per_month: Decimal,
    unit: str,
    price: int,
    message: str = "",
) -> Offer:
    """A verified producer's one offer on an open request; the buyer is emailed."""
    producer = _require_verified_producer(actor)
    locked = (
        SourcingRequest.objects.select_for_update(of=("self",))
        .select_related("buyer", "created_by")
        .get(pk=sourcing_request.pk)
    )
    if locked.status != SourcingRequest.Status.OPEN:
        raise ValidationError(
            _("This sourcing request is %(status)s: it takes no more offers.")
            % {"status": locked.get_status_display().lower()},
            code="request_not_open",
        )
    if locked.deadline < timezone.localdate():
        raise ValidationError(_("The deadline for offers has passed."), code="deadline_passed")
    if quantity_per_month is None or quantity_per_month <= 0:
        raise field_error("quantity_per_month", _("Enter a quantity above zero."), code="quantity_not_positive")
    if price is None or price <= 0:
        raise field_error("price", _("Enter a price above zero."), code="price_not_positive")
    if not unit.strip():
        raise field_error("unit", _("Say in which unit the quantity is counted."), code="unit_missing")
    product_ids = {product.pk for product in products}
    if not product_ids:
        raise field_error("products", _("Choose at least one of your products."), code="no_products")
    own = set(Product.objects.published().filter(producer=producer, pk__in=product_ids).values_list("pk", flat=True))
    if own != product_ids:
        raise field_error("products", _("Offer only your own published products."), code="not_own_products")
    if Offer.objects.filter(request=locked, producer=producer).exists():
        raise ValidationError(
            _("Your organisation has already sent an offer on this request."), code="offer_already_sent"
        )
    offer = Offer(
        request=locked,
        producer=producer,
        quantity_per_month=quantity_per_month,
        unit=unit.strip(),
        price=price,
        message=message.strip(),
        created_by=actor.user,
        created_at=timezone.now(),
    )
    offer.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        raise ValidationError(
            _("Your organisation has already sent an offer on this request."), code="offer_already_sent"
        ) from None
    offer.products.set(sorted(product_ids))
    action_record(actor=actor, verb="offer_submit", summary=locked.title)
    recipients = {locked.created_by.email} if locked.created_by.is_active else set()
    recipients.update(locked.buyer.members.filter(is_active=True).values_list("email", flat=True))
    email_send(
        to=sorted(recipients),
        subject=_("New offer on “%(title)s” from %(producer)s") % {"title": locked.title, "producer": producer.name},
        template="matchmaking/sourcing/email/offer_received.txt",
        context={"offer": offer, "sourcing_request": locked, "producer": producer, "products": list(products)},
    )
    return offer
