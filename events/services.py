"""Registrations with capacity and a waiting list, check-in, agenda checks and the MoU registry."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.roles import Actor
from accounts.services import action_record
from catalog.models import Product
from core.forms import field_error
from core.mail import email_send
from events import permissions
from events.models import Event, MoU, MoUNote, MoUParty, Registration, Session


def _locked_event(event: Event) -> Event:
    # Every change to an event's places takes this lock, so two people cannot both take the last place.
    return Event.objects.select_for_update().get(pk=event.pk)


def places_taken(event: Event) -> int:
    taken = event.registrations.filter(status__in=Registration.HOLDING_PLACES).aggregate(people=Sum("people_count"))
    return taken["people"] or 0


def _fits(event: Event, people: int) -> bool:
    return event.capacity is None or places_taken(event) + people <= event.capacity


def _tell(registration: Registration, template: str) -> None:
    recipients = {registration.registered_by.email}
    recipients.update(registration.organisation.members.filter(is_active=True).values_list("email", flat=True))
    email_send(
        to=sorted(recipients),
        subject=_("%(event)s: your registration is %(status)s")
        % {"event": registration.event.name, "status": registration.get_status_display().lower()},
        template=template,
        context={"registration": registration, "event": registration.event},
    )


def _is_member_or_acting(actor: Actor, organisation: Organisation) -> bool:
    return actor.organisation is not None and actor.organisation.pk == organisation.pk


def _is_registration_staff(actor: Actor) -> bool:
    return actor.user.is_staff and actor.user.has_perm(permissions.MANAGE_REGISTRATIONS)


def _registration_open_check(event: Event, *, now) -> None:
    """The event takes registrations at `now`: it is published and its registration window is open."""
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("This event does not take registrations."), code="not_published")
    if now < event.registration_opens_at:
        raise ValidationError(
            _("Registration opens on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(event.registration_opens_at), "DATETIME_FORMAT")},
            code="not_open_yet",
        )
    if now > event.registration_closes_at:
        raise ValidationError(_("Registration for this event is closed."), code="closed")


@transaction.atomic
def registration_create(
    *,
    actor: Actor,
    event: Event,
    participation: str,
    people_count: int,
    products=(),
    booth: str = "",
    note: str = "",
    show_publicly: bool = False,
) -> Registration:
    """Register the acting organisation: confirmed, waiting for approval, or on the waiting list when full."""
    organisation = actor.organisation
    if organisation is None:
        raise PermissionDenied("Only members of an organisation register for events.")
    event = _locked_event(event)
    now = timezone.now()
    _registration_open_check(event, now=now)
    if participation not in Registration.Participation.values:
        raise field_error("participation", _("Choose how you take part."), code="invalid")
    if participation == Registration.Participation.EXHIBITOR and organisation.kind != Organisation.Kind.PRODUCER:
        raise field_error("participation", _("Only producers exhibit."), code="exhibitor_producer")
    if participation == Registration.Participation.BUYER and organisation.kind != Organisation.Kind.BUYER:
        raise field_error("participation", _("Only buyer organisations register as buyers."), code="buyer")
    if people_count is None or people_count < 1:
        raise field_error("people_count", _("At least one person takes part."), code="people")
    products = list(products)
    if any(
        product.producer_id != organisation.pk or product.status != Product.Status.PUBLISHED for product in products
    ):
        raise field_error("products", _("Choose your own published products."), code="products")

    registration = Registration.objects.filter(event=event, organisation=organisation).first()
    if registration is not None and registration.status not in (
        Registration.Status.CANCELLED,
        Registration.Status.REJECTED,
    ):
        raise ValidationError(_("Your organisation is already registered for this event."), code="duplicate")
    if registration is None:
        registration = Registration(event=event, organisation=organisation)
    if _fits(event, people_count):
        status = Registration.Status.PENDING if event.requires_approval else Registration.Status.CONFIRMED
    else:
        status = Registration.Status.WAITLISTED
    registration.participation = participation
    registration.people_count = people_count
    registration.booth = booth
    registration.note = note
    registration.show_publicly = show_publicly
    registration.status = status
    registration.registered_by = actor.user
    registration.on_behalf = actor.on_behalf
    registration.checked_in_at = None
    registration.created_at = now  # a re-registration queues again from now
    registration.updated_at = now
    registration.full_clean(exclude=["code"])
    registration.save()
    registration.products.set(products)
    action_record(actor=actor, verb="event_register", summary=f"{event.name}: {registration.get_status_display()}")
    _tell(registration, "events/email/registration_status.txt")
    return registration


def _promote_waitlist(event: Event) -> list[Registration]:
    """Give freed places to the waiting list, first come first served (a larger group may let a smaller pass)."""
    promoted = []
    taken = places_taken(event)  # counted once, then kept up to date as places are given
    for registration in event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk"):
        if event.capacity is not None and taken + registration.people_count > event.capacity:
            continue
        taken += registration.people_count
        registration.status = Registration.Status.PENDING if event.requires_approval else Registration.Status.CONFIRMED
        registration.updated_at = timezone.now()
        registration.save(update_fields=["status", "updated_at"])
        _tell(registration, "events/email/registration_status.txt")
        promoted.append(registration)
    return promoted


@transaction.atomic
def registration_cancel(*, actor: Actor, registration: Registration) -> list[Registration]:
    """Cancel a registration; the waiting list moves up. Returns the registrations that got a place."""
    event = _locked_event(registration.event)
    registration = Registration.objects.select_related("organisation", "event").get(pk=registration.pk)
    if not (_is_member_or_acting(actor, registration.organisation) or _is_registration_staff(actor)):
        raise PermissionDenied("Only the organisation's members or staff change a registration.")
    if registration.status in (Registration.Status.CANCELLED, Registration.Status.REJECTED):
        raise ValidationError(_("This registration is already cancelled."), code="already_cancelled")
    if registration.checked_in_at is not None:
        raise ValidationError(_("A registration that has checked in cannot be cancelled."), code="checked_in")
    registration.status = Registration.Status.CANCELLED
    registration.updated_at = timezone.now()
    registration.save(update_fields=["status", "updated_at"])
    action_record(actor=actor, verb="event_cancel", summary=event.name, organisation=registration.organisation)
    _tell(registration, "events/email/registration_status.txt")
    return _promote_waitlist(event)


@transaction.atomic
def registration_decide(*, actor: Actor, registration: Registration, approve: bool) -> Registration:
    """Staff approve a registration waiting for approval, or decline a pending or waiting one."""
    if not _is_registration_staff(actor):
        raise PermissionDenied("Only staff approve registrations.")
    event = _locked_event(registration.event)
    registration = Registration.objects.select_related("organisation", "event").get(pk=registration.pk)
    if approve:
        if registration.status != Registration.Status.PENDING:
            raise ValidationError(_("Only a registration waiting for approval can be approved."), code="not_pending")
        registration.status = Registration.Status.CONFIRMED
    else:
        if registration.status not in (Registration.Status.PENDING, Registration.Status.WAITLISTED):
            raise ValidationError(_("This registration cannot be declined now."), code="not_pending")
        registration.status = Registration.Status.REJECTED
    registration.updated_at = timezone.now()
    registration.save(update_fields=["status", "updated_at"])
    _tell(registration, "events/email/registration_status.txt")
    if not approve:
        _promote_waitlist(event)
    return registration


@transaction.atomic
def registration_check_in(*, actor: Actor, registration: Registration) -> Registration:
    """Mark a confirmed registration present; checking in twice keeps the first time."""
    if not _is_registration_staff(actor):
        raise PermissionDenied("Only staff check participants in.")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(
            _("Only confirmed registrations check in (this one is: %(status)s).")
            % {"status": registration.get_status_display()},
            code="not_confirmed",
        )
    if registration.checked_in_at is None:
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = actor.user
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
    return registration


def session_check(session: Session) -> None:
    """A session lies within its event's dates (the database checks each row, not across rows)."""
    event = session.event
    if (
        session.starts_at
        and session.ends_at
        and (session.starts_at < event.starts_at or session.ends_at > event.ends_at)
    ):
        raise field_error("starts_at", _("The session must take place within the event's dates."), code="outside_event")


# Lazy: this table is built at import, the message is translated when shown.
MOU_PARTY_RULES = {
    MoU.Kind.AGENCY_AGENCY: gettext_lazy("Agency – agency MoUs are signed between agencies only."),
    MoU.Kind.AGENCY_RETAILER: gettext_lazy(
        "Agency – retailer MoUs need an agency and a buyer (retail chain or distributor)."
    ),
    MoU.Kind.BUSINESS: gettext_lazy("Business MoUs are signed between producers and buyers, not agencies."),
}


def mou_parties_check(*, kind: str, parties: list[Organisation]) -> None:
    """Two or more different parties, of the kinds the MoU's kind names."""
    ids = [party.pk for party in parties]
    if len(set(ids)) != len(ids):
        raise field_error("parties", _("The same party is listed twice."), code="duplicate_party")
    if len(ids) < 2:
        raise field_error("parties", _("An MoU has at least two parties."), code="one_party")
    kinds = {party.kind for party in parties}
    valid = {
        MoU.Kind.AGENCY_AGENCY: kinds == {Organisation.Kind.AGENCY},
        MoU.Kind.AGENCY_RETAILER: Organisation.Kind.AGENCY in kinds and Organisation.Kind.BUYER in kinds,
        MoU.Kind.BUSINESS: Organisation.Kind.AGENCY not in kinds,
    }.get(kind, False)
    if not valid:
        raise field_error("parties", MOU_PARTY_RULES.get(kind, _("Choose the kind of MoU.")), code="party_kinds")


@transaction.atomic
def mou_create(*, actor: Actor, parties: list[Organisation], products=(), **fields) -> MoU:
    if not (actor.user.is_staff and actor.user.has_perm(permissions.RECORD_MOUS)):
        raise PermissionDenied("Only staff record MoUs.")
    mou = MoU(created_by=actor.user, **fields)
    mou_parties_check(kind=mou.kind, parties=parties)
    mou.full_clean()
    mou.save()
    MoUParty.objects.bulk_create([MoUParty(mou=mou, organisation=party) for party in parties])
    mou.products.set(products)
    return mou


@transaction.atomic
def mou_note_add(*, actor: Actor, mou: MoU, status: str, text: str, noted_on=None) -> MoUNote:
    """A party or staff records how the MoU is followed up; the MoU takes the note's status."""
    mou = MoU.objects.select_for_update().get(pk=mou.pk)
    is_party = actor.organisation is not None and mou.party_links.filter(organisation=actor.organisation).exists()
    if not (is_party or (actor.user.is_staff and actor.user.has_perm(permissions.FOLLOW_UP_MOUS))):
        raise PermissionDenied("Only the parties and staff follow an MoU up.")
    if not text.strip():
        raise field_error("text", _("Write what happened."), code="required")
    noted_on = noted_on or timezone.localdate()
    if noted_on > timezone.localdate() or noted_on < mou.signed_on:
        raise field_error("noted_on", _("The date lies between the signing and today."), code="bad_date")
    note = MoUNote(mou=mou, status=status, text=text.strip(), noted_on=noted_on, author=actor.user)
    note.full_clean()
    note.save()
    mou.status = status
    mou.save(update_fields=["status"])
    return note
