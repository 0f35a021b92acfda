"""Meeting requests between a buyer and a producer: the moves, the thread and the outcome.

Who may make which move is one table, `MOVES` (status × action → who). The side whose proposal is on the
table is read from the status: `requested` means the initiator's times wait for the recipient's answer,
`counter_proposed` means the recipient's times wait for the initiator's. Proposing another time hands the
answer to the other side, so a proposal by the initiator puts the request back to `requested`.
"""

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.roles import Actor
from accounts.services import action_record
from catalog.models import Product
from core.forms import field_error
from core.mail import email_send
from events.models import Event, MoU, Registration
from matchmaking.models import EventMeeting, MeetingMessage, MeetingOutcome, MeetingRequest, SourcingRequest
from matchmaking.selectors.meetings import mou_choices

MAX_REQUESTS_PER_BUYER_PER_EVENT = 30
MAX_PROPOSED_TIMES = 3
MEETING_LENGTH = datetime.timedelta(minutes=30)
# Meetings are arranged for the coming months; a time in year 9999 would overflow once its end is computed.
MEETING_HORIZON = datetime.timedelta(days=366)

Status = MeetingRequest.Status
Mode = MeetingRequest.Mode

OPEN_STATUSES = (Status.REQUESTED, Status.COUNTER_PROPOSED, Status.ACCEPTED)
# A thread stays open while the request is; declined and cancelled requests are closed for good.
THREAD_OPEN_STATUSES = OPEN_STATUSES


class Action(enum.StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    PROPOSE = "propose"
    CANCEL = "cancel"


class Who(enum.StrEnum):
    INITIATOR = "initiator"
    RECIPIENT = "recipient"
    EITHER = "either"
    ANSWERER = "last_proposer's other side"


# Every move there is. Declined and cancelled requests take no move at all (nothing reopens them).
MOVES: dict[tuple[str, Action], Who] = {
    (Status.REQUESTED, Action.ACCEPT): Who.ANSWERER,
    (Status.REQUESTED, Action.DECLINE): Who.ANSWERER,
    (Status.REQUESTED, Action.PROPOSE): Who.ANSWERER,
    (Status.REQUESTED, Action.CANCEL): Who.EITHER,
    (Status.COUNTER_PROPOSED, Action.ACCEPT): Who.ANSWERER,
    (Status.COUNTER_PROPOSED, Action.DECLINE): Who.ANSWERER,
    (Status.COUNTER_PROPOSED, Action.PROPOSE): Who.ANSWERER,
    (Status.COUNTER_PROPOSED, Action.CANCEL): Who.EITHER,
    (Status.ACCEPTED, Action.CANCEL): Who.EITHER,
}


# --- Reading a meeting (pure: no queries beyond the relations the caller loaded) ---------------------------------


def recipient_id(meeting: MeetingRequest) -> int:
    return meeting.producer_id if meeting.initiator_id == meeting.buyer_id else meeting.buyer_id


def last_proposer_id(meeting: MeetingRequest) -> int | None:
    """The side whose proposal waits for an answer (None once the request is no longer being negotiated)."""
    if meeting.status == Status.REQUESTED:
        return meeting.initiator_id
    if meeting.status == Status.COUNTER_PROPOSED:
        return recipient_id(meeting)
    return None


def is_side(meeting: MeetingRequest, organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.pk in (meeting.buyer_id, meeting.producer_id)


def _fits(who: Who, meeting: MeetingRequest, organisation_id: int) -> bool:
    if who == Who.EITHER:
        return True
    if who == Who.INITIATOR:
        return organisation_id == meeting.initiator_id
    if who == Who.RECIPIENT:
        return organisation_id == recipient_id(meeting)
    proposer = last_proposer_id(meeting)
    return proposer is not None and organisation_id != proposer


def may_make(meeting: MeetingRequest, organisation: Organisation | None, action: str) -> bool:
    """The acting organisation may make this move on the meeting now."""
    if not is_side(meeting, organisation):
        return False
    try:
        who = MOVES[(meeting.status, Action(action))]
    except (KeyError, ValueError):
        return False
    return _fits(who, meeting, organisation.pk)


def allowed_actions(meeting: MeetingRequest, organisation: Organisation | None) -> list[Action]:
    return [action for action in Action if may_make(meeting, organisation, action)]


def awaits_answer_from(meeting: MeetingRequest, organisation: Organisation | None) -> bool:
    """The request waits for this organisation's answer."""
    proposer = last_proposer_id(meeting)
    return proposer is not None and is_side(meeting, organisation) and organisation.pk != proposer


def meeting_placement(meeting: MeetingRequest) -> EventMeeting | None:
    """The meeting's slot and table at its event, if the scheduler or staff placed it."""
    try:
        return meeting.placement
    except EventMeeting.DoesNotExist:
        return None


def meeting_times(meeting: MeetingRequest) -> tuple[datetime.datetime, datetime.datetime] | None:
    """When the meeting takes place: its slot at the event once placed, else the accepted time; None if unknown."""
    placement = meeting_placement(meeting)
    if placement is not None:
        return placement.slot.starts_at, placement.slot.ends_at
    if meeting.starts_at and meeting.ends_at:
        return meeting.starts_at, meeting.ends_at
    return None


def is_confirmed(meeting: MeetingRequest) -> bool:
    """Accepted, with a time: the meeting will take place (and has a calendar entry)."""
    return meeting.status == Status.ACCEPTED and meeting_times(meeting) is not None


def outcome_open(meeting: MeetingRequest, *, now: datetime.datetime | None = None) -> bool:
    """The sides may record the outcome: the meeting was accepted and its time, or its event, is past."""
    if meeting.status != Status.ACCEPTED:
        return False
    now = now or timezone.now()
    times = meeting_times(meeting)
    if times is not None and times[0] <= now:
        return True
    return meeting.event_id is not None and meeting.event.ends_at <= now


def counterpart_check(*, organisation: Organisation, counterpart: Organisation) -> None:
    """Refuse a meeting with oneself, with an organisation of the same kind, or with an unverified one."""
    if counterpart.pk == organisation.pk:
        raise ValidationError(_("You cannot request a meeting with your own organisation."), code="oneself")
    if organisation.kind not in (Organisation.Kind.BUYER, Organisation.Kind.PRODUCER):
        raise ValidationError(_("Only buyers and producers request meetings."), code="kind")
    if counterpart.kind not in (Organisation.Kind.BUYER, Organisation.Kind.PRODUCER):
        raise ValidationError(_("Meetings are between a buyer and a producer."), code="kind")
    if counterpart.kind == organisation.kind:
        if organisation.kind == Organisation.Kind.BUYER:
            message = _("Buyers request meetings with producers, not with other buyers.")
        else:
            message = _("Producers request meetings with buyers, not with other producers.")
        raise ValidationError(message, code="same_kind")
    if not organisation.is_verified:
        raise ValidationError(
            _("Your organisation must be verified by the Department before it requests meetings."),
            code="self_unverified",
        )
    if not counterpart.is_verified:
        raise ValidationError(
            _("%(name)s is not verified yet, so it cannot be asked for a meeting.") % {"name": counterpart.name},
            code="unverified",
        )


# --- Checks shared by the moves -----------------------------------------------------------------------------------


def _locked(meeting: MeetingRequest) -> MeetingRequest:
    # Two people may answer the same request at once; the row lock makes the second see the first's move.
    return (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("buyer", "producer", "initiator", "event")
        .get(pk=meeting.pk)
    )


def _side_or_refuse(actor: Actor, meeting: MeetingRequest) -> Organisation:
    if not is_side(meeting, actor.organisation):
        raise PermissionDenied("Only the two sides of a meeting act on it.")
    return actor.organisation


def _move_or_refuse(actor: Actor, meeting: MeetingRequest, action: Action) -> Organisation:
    organisation = _side_or_refuse(actor, meeting)
    if not may_make(meeting, organisation, action):
        raise ValidationError(
            _("This move is not possible now: the request is %(status)s.")
            % {"status": meeting.get_status_display().lower()},
            code="not_allowed",
        )
    return organisation


def _clean_times(
    times: Iterable[datetime.datetime], *, required: bool, event: Event | None, now: datetime.datetime
) -> list[datetime.datetime]:
    unique = sorted({time for time in times if time is not None})
    if required and not unique:
        raise field_error("proposed_times", _("Propose at least one time."), code="times_required")
    if len(unique) > MAX_PROPOSED_TIMES:
        raise field_error(
            "proposed_times",
            _("Propose at most %(count)s times.") % {"count": MAX_PROPOSED_TIMES},
            code="too_many_times",
        )
    if any(time <= now for time in unique):
        raise field_error("proposed_times", _("Proposed times must be in the future."), code="past_time")
    if any(time > now + MEETING_HORIZON for time in unique):
        raise field_error("proposed_times", _("Proposed times must be within a year from now."), code="too_far_ahead")
    if event is not None and any(not (event.starts_at <= time < event.ends_at) for time in unique):
        raise field_error(
            "proposed_times", _("Proposed times at an event must fall within the event."), code="outside_event"
        )
    return unique


def _touch(meeting: MeetingRequest, *fields: str) -> None:
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=[*fields, "updated_at"])


# --- Emails -------------------------------------------------------------------------------------------------------


SUBJECTS = {
    "requested": gettext_lazy("%(sender)s asks to meet you"),
    "accepted": gettext_lazy("%(sender)s accepted your meeting request"),
    "declined": gettext_lazy("%(sender)s declined the meeting request"),
    "proposed": gettext_lazy("%(sender)s proposes another time to meet"),
    "cancelled": gettext_lazy("%(sender)s cancelled the meeting"),
    "message": gettext_lazy("New message from %(sender)s about your meeting"),
}


def _tell_other_side(meeting: MeetingRequest, sender: Organisation, kind: str, **context) -> None:
    """Email the members of the side that did not make the move."""
    other = meeting.other_side(sender)
    recipients = sorted(set(other.members.filter(is_active=True).values_list("email", flat=True)))
    email_send(
        to=recipients,
        subject=str(SUBJECTS[kind]) % {"sender": sender.name},
        template=f"matchmaking/meetings/email/{kind}.txt",
        context={"meeting": meeting, "sender": sender, "recipient": other, **context},
    )


# --- The moves ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRequestDraft:
    """A meeting request that passed every check, cleaned, with what saving it needs."""

    buyer: Organisation
    producer: Organisation
    initiator: Organisation
    counterpart: Organisation
    event: Event | None
    sourcing_request: SourcingRequest | None
    mode: str
    online_link: str
    message: str
    proposed_times: list[datetime.datetime]
    products: list[Product]
    now: datetime.datetime


@transaction.atomic
def meeting_request_create(
    *,
    actor: Actor,
    counterpart: Organisation,
    mode: str,
    message: str,
    proposed_times: Sequence[datetime.datetime] = (),
    products: Iterable[Product] = (),
    event: Event | None = None,
    sourcing_request: SourcingRequest | None = None,
    online_link: str = "",
) -> MeetingRequest:
    """The acting organisation asks the counterpart (a producer for a buyer, a buyer for a producer) to meet."""
    draft = meeting_request_check(
        actor=actor,
        counterpart=counterpart,
        mode=mode,
        message=message,
        proposed_times=proposed_times,
        products=products,
        event=event,
        sourcing_request=sourcing_request,
        online_link=online_link,
    )
    return meeting_request_save(actor=actor, draft=draft)


def meeting_request_check(
    *,
    actor: Actor,
    counterpart: Organisation,
    mode: str,
    message: str,
    proposed_times: Sequence[datetime.datetime] = (),
    products: Iterable[Product] = (),
    event: Event | None = None,
    sourcing_request: SourcingRequest | None = None,
    online_link: str = "",
) -> MeetingRequestDraft:
    """Every rule a new meeting request must meet, in the order the form shows them; the cleaned request.

    Run inside a transaction: the buyer's row is locked, so that its open requests per event are counted
    once at a time until the request is saved.
    """
    organisation = actor.organisation
    if organisation is None:
        raise PermissionDenied("Only members of an organisation request meetings.")
    counterpart_check(organisation=organisation, counterpart=counterpart)
    if organisation.kind == Organisation.Kind.BUYER:
        buyer, producer = organisation, counterpart
    else:
        buyer, producer = counterpart, organisation
    # The buyer's row is the lock under which its open requests per event are counted.
    Organisation.objects.select_for_update().filter(pk=buyer.pk).first()

    now = timezone.now()
    message = (message or "").strip()
    if not message:
        raise field_error("message", _("Write a short message to introduce the request."), code="message_required")
    online_link, event = _check_mode(
        mode=mode, online_link=online_link, event=event, organisation=organisation, counterpart=counterpart, now=now
    )
    times = _clean_times(proposed_times, required=mode != Mode.AT_EVENT, event=event, now=now)
    products = _check_products(products, producer=producer)
    if sourcing_request is not None and sourcing_request.buyer_id != buyer.pk:
        raise ValidationError(_("That sourcing request is not the buyer's."), code="sourcing_request")
    _check_open_requests(
        buyer=buyer, producer=producer, event=event, organisation=organisation, counterpart=counterpart
    )
    return MeetingRequestDraft(
        buyer=buyer,
        producer=producer,
        initiator=organisation,
        counterpart=counterpart,
        event=event,
        sourcing_request=sourcing_request,
        mode=mode,
        online_link=online_link,
        message=message,
        proposed_times=times,
        products=products,
        now=now,
    )


def meeting_request_save(*, actor: Actor, draft: MeetingRequestDraft) -> MeetingRequest:
    """Save a checked request, record the action and email the counterpart's members.

    Run in the transaction of its `meeting_request_check`, which holds the buyer's lock until the save.
    """
    meeting = MeetingRequest(
        buyer=draft.buyer,
        producer=draft.producer,
        initiator=draft.initiator,
        event=draft.event,
        sourcing_request=draft.sourcing_request,
        mode=draft.mode,
        online_link=draft.online_link,
        message=draft.message,
        proposed_times=draft.proposed_times,
        status=Status.REQUESTED,
        hosted_by_staff=actor.on_behalf and actor.user.is_staff,
        created_by=actor.user,
        created_at=draft.now,
        updated_at=draft.now,
    )
    meeting.full_clean()
    meeting.save()
    meeting.products.set(draft.products)
    action_record(actor=actor, verb="meeting_request", summary=f"#{meeting.pk} → {draft.counterpart.name}")
    _tell_other_side(meeting, draft.initiator, "requested")
    return meeting


def _check_mode(
    *, mode: str, online_link: str, event: Event | None, organisation: Organisation, counterpart: Organisation, now
) -> tuple[str, Event | None]:
    """How they meet: online with a link, or at an event both are confirmed for; (link, event) as kept."""
    if mode not in Mode.values:
        raise field_error("mode", _("Choose how you would like to meet."), code="mode")
    online_link = (online_link or "").strip()
    if mode == Mode.ONLINE and not online_link:
        raise field_error("online_link", _("Give the link of the online meeting."), code="link_required")
    if mode != Mode.ONLINE:
        online_link = ""
    if mode != Mode.AT_EVENT:
        return online_link, None
    if event is None:
        raise field_error("event", _("Choose the event where you would like to meet."), code="event_required")
    _check_event(event=event, organisation=organisation, counterpart=counterpart, now=now)
    return online_link, event


def _check_products(products: Iterable[Product], *, producer: Organisation) -> list[Product]:
    """The products to talk about, each one of the producer's published products."""
    products = list(products)
    public = set(Product.objects.public().filter(producer=producer).values_list("pk", flat=True))
    if any(product.pk not in public for product in products):
        raise field_error("products", _("Choose among the producer's published products."), code="products")
    return products


def _check_open_requests(
    *,
    buyer: Organisation,
    producer: Organisation,
    event: Event | None,
    organisation: Organisation,
    counterpart: Organisation,
) -> None:
    """One open request per pair (and event), and at most MAX_REQUESTS_PER_BUYER_PER_EVENT open per buyer at an event."""
    open_requests = MeetingRequest.objects.filter(status__in=OPEN_STATUSES)
    duplicate = open_requests.filter(buyer=buyer, producer=producer, event=event)
    if duplicate.exists():
        raise ValidationError(
            _("There is already an open meeting request between you and %(name)s. Answer it or write in its thread.")
            % {"name": counterpart.name},
            code="duplicate",
        )
    if event is None:
        return
    limit = MAX_REQUESTS_PER_BUYER_PER_EVENT
    if open_requests.filter(buyer=buyer, event=event).count() < limit:
        return
    if buyer.pk == organisation.pk:
        text = _(
            "Your organisation already has %(limit)s open meeting requests for this event, the most allowed. "
            "Cancel one or wait for answers before asking for more."
        ) % {"limit": limit}
    else:
        text = _(
            "%(name)s already has %(limit)s open meeting requests for this event, the most allowed. "
            "Try again later, or propose an online meeting."
        ) % {"name": buyer.name, "limit": limit}
    raise ValidationError(text, code="limit")


def _check_event(*, event: Event, organisation: Organisation, counterpart: Organisation, now) -> None:
    if event.status != Event.Status.PUBLISHED or event.ends_at <= now:
        raise field_error("event", _("This event does not take meeting requests."), code="event_closed")
    confirmed = set(
        Registration.objects.filter(
            event=event, organisation__in=[organisation, counterpart], status=Registration.Status.CONFIRMED
        ).values_list("organisation_id", flat=True)
    )
    if organisation.pk not in confirmed:
        raise field_error(
            "event", _("Your organisation's registration for this event is not confirmed."), code="not_registered"
        )
    if counterpart.pk not in confirmed:
        raise field_error(
            "event",
            _("%(name)s has no confirmed registration for this event.") % {"name": counterpart.name},
            code="counterpart_not_registered",
        )


@transaction.atomic
def meeting_request_accept(
    *, actor: Actor, meeting: MeetingRequest, time: datetime.datetime | None = None
) -> MeetingRequest:
    """Accept the proposal on the table: one of its times becomes the meeting's (at an event the scheduler places it)."""
    meeting = _locked(meeting)
    organisation = _move_or_refuse(actor, meeting, Action.ACCEPT)
    now = timezone.now()
    if meeting.mode == Mode.AT_EVENT:
        if meeting.event.ends_at <= now:
            raise ValidationError(_("The event has ended."), code="event_ended")
        meeting.starts_at = meeting.ends_at = None
    else:
        if time is None or time not in meeting.proposed_times:
            raise field_error("time", _("Choose one of the proposed times."), code="time_required")
        if time <= now:
            raise field_error("time", _("This time has passed: propose another time."), code="past_time")
        meeting.starts_at, meeting.ends_at = time, time + MEETING_LENGTH
    meeting.status = Status.ACCEPTED
    _touch(meeting, "status", "starts_at", "ends_at")
    action_record(actor=actor, verb="meeting_accept", summary=f"#{meeting.pk}")
    _tell_other_side(meeting, organisation, "accepted")
    return meeting


@transaction.atomic
def meeting_request_decline(*, actor: Actor, meeting: MeetingRequest, reason: str) -> MeetingRequest:
    """Decline the proposal on the table, saying why."""
    meeting = _locked(meeting)
    organisation = _move_or_refuse(actor, meeting, Action.DECLINE)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why you decline, so that the other side understands."), code="reason")
    meeting.status = Status.DECLINED
    meeting.decline_reason = reason
    _touch(meeting, "status", "decline_reason")
    action_record(actor=actor, verb="meeting_decline", summary=f"#{meeting.pk}")
    _tell_other_side(meeting, organisation, "declined", reason=reason)
    return meeting


@transaction.atomic
def meeting_request_propose(
    *, actor: Actor, meeting: MeetingRequest, proposed_times: Sequence[datetime.datetime], note: str = ""
) -> MeetingRequest:
    """Answer with other times; the other side must answer them."""
    meeting = _locked(meeting)
    organisation = _move_or_refuse(actor, meeting, Action.PROPOSE)
    now = timezone.now()
    event = meeting.event if meeting.mode == Mode.AT_EVENT else None
    meeting.proposed_times = _clean_times(proposed_times, required=True, event=event, now=now)
    meeting.status = Status.COUNTER_PROPOSED if organisation.pk == recipient_id(meeting) else Status.REQUESTED
    _touch(meeting, "status", "proposed_times")
    note = (note or "").strip()
    if note:
        MeetingMessage.objects.create(
            meeting=meeting, author=actor.user, organisation=organisation, text=note, created_at=now
        )
    action_record(actor=actor, verb="meeting_propose", summary=f"#{meeting.pk}")
    _tell_other_side(meeting, organisation, "proposed", note=note)
    return meeting


@transaction.atomic
def meeting_request_cancel(*, actor: Actor, meeting: MeetingRequest, reason: str = "") -> MeetingRequest:
    """Either side calls the meeting off; a placed event meeting frees its slot and table."""
    meeting = _locked(meeting)
    organisation = _move_or_refuse(actor, meeting, Action.CANCEL)
    EventMeeting.objects.filter(request=meeting).delete()
    meeting.status = Status.CANCELLED
    meeting.decline_reason = (reason or "").strip()
    _touch(meeting, "status", "decline_reason")
    action_record(actor=actor, verb="meeting_cancel", summary=f"#{meeting.pk}")
    _tell_other_side(meeting, organisation, "cancelled", reason=meeting.decline_reason)
    return meeting


# --- The thread ---------------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_message_add(*, actor: Actor, meeting: MeetingRequest, text: str) -> MeetingMessage:
    """Add a message to the thread and tell the other side."""
    meeting = _locked(meeting)
    organisation = _side_or_refuse(actor, meeting)
    if meeting.status not in THREAD_OPEN_STATUSES:
        raise ValidationError(
            _("The request is %(status)s: its thread is closed.") % {"status": meeting.get_status_display().lower()},
            code="thread_closed",
        )
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Write a message."), code="text_required")
    now = timezone.now()
    message = MeetingMessage.objects.create(
        meeting=meeting, author=actor.user, organisation=organisation, text=text, created_at=now
    )
    _touch(meeting)
    _tell_other_side(meeting, organisation, "message", text=text)
    return message


def meeting_messages_mark_read(*, actor: Actor, meeting: MeetingRequest) -> int:
    """Mark the other side's unread messages read for the acting side; returns how many."""
    organisation = _side_or_refuse(actor, meeting)
    return (
        MeetingMessage.objects.filter(meeting=meeting, read_at__isnull=True)
        .exclude(organisation=organisation)
        .update(read_at=timezone.now())
    )


# --- The outcome --------------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_outcome_record(
    *,
    actor: Actor,
    meeting: MeetingRequest,
    result: str,
    mou: MoU | None = None,
    order_value: int | None = None,
    note: str = "",
) -> MeetingOutcome:
    """Record, or correct, the acting side's outcome of a meeting that has taken place."""
    meeting = _locked(meeting)
    organisation = _side_or_refuse(actor, meeting)
    if not outcome_open(meeting):
        raise ValidationError(
            _("The outcome can be recorded once an accepted meeting has taken place."), code="not_yet"
        )
    if result not in MeetingOutcome.Result.values:
        raise field_error("result", _("Choose what came of the meeting."), code="result")
    if order_value is not None and order_value < 0:
        raise field_error("order_value", _("The order value cannot be negative."), code="order_value")
    if mou is not None and not mou_choices(meeting).filter(pk=mou.pk).exists():
        raise field_error("mou", _("Choose an MoU that both organisations signed."), code="mou")
    outcome, created = MeetingOutcome.objects.update_or_create(
        meeting=meeting,
        organisation=organisation,
        defaults={
            "result": result,
            "mou": mou,
            "order_value": order_value,
            "note": (note or "").strip(),
            "recorded_by": actor.user,
            "recorded_at": timezone.now(),
        },
    )
    action_record(actor=actor, verb="meeting_outcome", summary=f"#{meeting.pk}: {result}")
    return outcome
