"""Event meetings: slots and tables, the slots an organisation cannot attend, the scheduler run, hand moves.

Double booking is made impossible by the database (EventMeeting's unique constraints on (slot, table),
(slot, buyer) and (slot, producer)); these services turn a violation into a message and change nothing.

Locks, always taken in this order so that two of them never wait on each other: the event row (setup,
availability, scheduler run), then the event's meetings (scheduler run) or the one meeting moved, then
the organisations concerned (availability, hand move). Two hand moves of different meetings take no
common lock: when they race for one table, the unique constraint decides, and the loser gets the message.

The pair rule: a buyer and a producer meet once at an event. A pair with accepted requests both ways
(one made by the buyer, one by the producer) is a *mutual* request, placed before one-way requests;
its second request is not placed again but reported with the reason SAME_PAIR.

The board, the personal schedules and what the scheduler is given are read in
`matchmaking.selectors.event_meetings`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.roles import Actor
from accounts.services import action_record
from core.forms import field_error
from events.models import Event
from matchmaking import scheduler
from matchmaking.models import EventMeeting, MeetingSlot, MeetingTable, SlotUnavailability
from matchmaking.selectors.event_meetings import (
    SAME_PAIR,
    Unplaced,
    accepted_requests,
    registered_for,
    request_pairs,
    schedule_bound,
    schedule_instance,
    unavailable_slots,
)

MIN_LENGTH_MINUTES = 5
MAX_LENGTH_MINUTES = 240
MAX_TABLES = 500

CONSTRAINT_ERRORS = {
    "eventmeeting_table_once_per_slot": ("table", gettext_lazy("That table is taken in this slot.")),
    "eventmeeting_buyer_once_per_slot": ("slot", gettext_lazy("The buyer already has a meeting in this slot.")),
    "eventmeeting_producer_once_per_slot": (
        "slot",
        gettext_lazy("The producer already has a meeting in this slot."),
    ),
}


def _event_lock(event: Event) -> Event:
    # FOR NO KEY UPDATE: serialises the writers of one event without blocking rows that refer to it.
    return Event.objects.select_for_update(no_key=True).get(pk=event.pk)


def _organisations_lock(organisation_ids: Iterable[int]) -> None:
    list(
        Organisation.objects.select_for_update(no_key=True)
        .filter(pk__in=set(organisation_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _local(value: datetime.datetime, format_name: str = "TIME_FORMAT") -> str:
    return formats.date_format(timezone.localtime(value), format_name)


def slot_label(slot: MeetingSlot) -> str:
    return f"{_local(slot.starts_at)}–{_local(slot.ends_at)}"


# --- Setup ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotPlan:
    day: datetime.date
    starts: datetime.time
    ends: datetime.time
    length_minutes: int
    table_count: int


def _slot_times(event: Event, plan: SlotPlan) -> list[tuple[datetime.datetime, datetime.datetime]]:
    if not MIN_LENGTH_MINUTES <= plan.length_minutes <= MAX_LENGTH_MINUTES:
        raise field_error(
            "length_minutes",
            _("A meeting lasts from %(min)s to %(max)s minutes.")
            % {"min": MIN_LENGTH_MINUTES, "max": MAX_LENGTH_MINUTES},
            code="invalid_length",
        )
    if not 1 <= plan.table_count <= MAX_TABLES:
        raise field_error(
            "table_count", _("Give from 1 to %(max)s tables.") % {"max": MAX_TABLES}, code="invalid_tables"
        )
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(plan.day, plan.starts, tzinfo=zone)
    last = datetime.datetime.combine(plan.day, plan.ends, tzinfo=zone)
    if first >= last:
        raise field_error("ends", _("The meetings must end after they start."), code="ends_before_start")
    if first < event.starts_at or last > event.ends_at:
        raise ValidationError(
            _("The meetings must take place within the event, from %(start)s to %(end)s.")
            % {
                "start": _local(event.starts_at, "SHORT_DATETIME_FORMAT"),
                "end": _local(event.ends_at, "SHORT_DATETIME_FORMAT"),
            },
            code="outside_event",
        )
    step = datetime.timedelta(minutes=plan.length_minutes)
    times = []
    while first + step <= last:
        times.append((first, first + step))
        first += step
    if not times:
        raise field_error(
            "length_minutes",
            _("No meeting of this length fits between the start and the end."),
            code="too_long",
        )
    return times


@transaction.atomic
def meeting_slots_generate(*, actor: Actor, event: Event, plan: SlotPlan) -> tuple[int, int]:
    """Replace the event's slots of that day and its tables; refused once any meeting is placed.

    Returns (slots of that day, tables). Availability marked for the replaced slots goes with them.
    """
    event = _event_lock(event)
    times = _slot_times(event, plan)
    if EventMeeting.objects.filter(event=event).exists():
        raise ValidationError(
            _("Meetings are already placed at this event: the slots and tables can no longer be regenerated."),
            code="meetings_placed",
        )
    MeetingSlot.objects.filter(event=event, starts_at__date=plan.day).delete()
    MeetingSlot.objects.bulk_create(MeetingSlot(event=event, starts_at=start, ends_at=end) for start, end in times)
    MeetingTable.objects.filter(event=event).delete()
    MeetingTable.objects.bulk_create(
        MeetingTable(event=event, number=number) for number in range(1, plan.table_count + 1)
    )
    action_record(
        actor=actor,
        verb="meeting_slots_generate",
        summary=f"{event.slug}: {len(times)} × {plan.length_minutes} min, {plan.table_count} tables",
        organisation=event.organiser,
    )
    return len(times), plan.table_count


# --- Availability -------------------------------------------------------------------------------------------------


@transaction.atomic
def slot_unavailability_set(
    *, actor: Actor, event: Event, organisation: Organisation, slots: Iterable[MeetingSlot]
) -> int:
    """The organisation cannot attend exactly these slots; refused for a slot where it already has a meeting.

    Returns how many slots it cannot attend.
    """
    event = _event_lock(event)
    _organisations_lock([organisation.pk])
    if not registered_for(event=event, organisation=organisation):
        raise ValidationError(
            _("Only organisations with a confirmed registration for this event can mark their availability."),
            code="not_registered",
        )
    wanted = {slot.pk for slot in slots}
    if wanted - set(MeetingSlot.objects.filter(event=event).values_list("pk", flat=True)):
        raise field_error("unavailable", _("Choose slots of this event."), code="other_event")
    current = set(
        SlotUnavailability.objects.filter(slot__event=event, organisation=organisation).values_list(
            "slot_id", flat=True
        )
    )
    busy = list(
        EventMeeting.objects.filter(event=event, slot_id__in=wanted - current)
        .filter(Q(buyer=organisation) | Q(producer=organisation))
        .select_related("slot")
        .order_by("slot__starts_at")
    )
    if busy:
        raise field_error(
            "unavailable",
            _(
                "You already have a meeting in %(slots)s: nothing was changed. Ask the organisers to move the "
                "meeting before you mark the slot."
            )
            % {"slots": ", ".join(slot_label(meeting.slot) for meeting in busy)},
            code="meeting_placed",
        )
    SlotUnavailability.objects.filter(organisation=organisation, slot_id__in=current - wanted).delete()
    SlotUnavailability.objects.bulk_create(
        SlotUnavailability(organisation=organisation, slot_id=slot_id) for slot_id in sorted(wanted - current)
    )
    if wanted != current:
        action_record(
            actor=actor,
            verb="slot_unavailability_set",
            summary=f"{event.slug}: {len(wanted)} slots unavailable",
            organisation=organisation,
        )
    return len(wanted)


# --- The scheduler run --------------------------------------------------------------------------------------------


@dataclass
class ScheduleRun:
    placed: int  # meetings on the board after the run
    kept: int  # of which hand-placed meetings kept where they were
    bound: int  # no schedule can place more (scheduler.upper_bound)
    unplaced: list[Unplaced] = field(default_factory=list)


@transaction.atomic
def meetings_schedule(*, actor: Actor, event: Event) -> ScheduleRun:
    """Place the event's accepted at-event requests in slots and at tables; hand-placed meetings stay put.

    The automatic placements of the previous run are replaced in one transaction.
    """
    event = _event_lock(event)
    existing = list(EventMeeting.objects.select_for_update().filter(event=event))
    slots = list(MeetingSlot.objects.filter(event=event).order_by("starts_at").values_list("pk", flat=True))
    tables = list(MeetingTable.objects.filter(event=event).order_by("number").values_list("pk", flat=True))
    if not slots or not tables:
        raise ValidationError(_("Set up the meeting slots and tables first."), code="no_slots")
    requests = list(accepted_requests(event).select_related("buyer", "producer"))
    by_id = {request.pk: request for request in requests}
    hand = {
        meeting.request_id: (meeting.slot_id, meeting.table_id)
        for meeting in existing
        if meeting.placed_by_hand and meeting.request_id in by_id
    }
    chosen, mutual, duplicates = request_pairs(requests, set(hand))
    chosen_ids = {request.pk for request in chosen}
    instance = schedule_instance(
        event=event,
        chosen=chosen,
        mutual=mutual,
        fixed={request_id: place for request_id, place in hand.items() if request_id in chosen_ids},
        slots=slots,
        tables=tables,
        unavailable=unavailable_slots(event),
    )
    result = scheduler.schedule(instance)
    kept = {request_id for request_id, place in instance.fixed.items() if result.placed.get(request_id) == place}
    EventMeeting.objects.filter(event=event).exclude(request_id__in=kept).delete()
    EventMeeting.objects.bulk_create(
        EventMeeting(
            request_id=request_id,
            event=event,
            slot_id=slot_id,
            table_id=table_id,
            buyer_id=by_id[request_id].buyer_id,
            producer_id=by_id[request_id].producer_id,
        )
        for request_id, (slot_id, table_id) in sorted(result.placed.items())
        if request_id not in kept
    )
    unplaced = [Unplaced(by_id[request_id], reason) for request_id, reason in result.unplaced.items()]
    unplaced += [Unplaced(request, SAME_PAIR) for request in duplicates]
    run = ScheduleRun(
        placed=len(result.placed),
        kept=len(kept),
        bound=schedule_bound(instance),
        unplaced=sorted(unplaced, key=lambda item: item.request.pk),
    )
    action_record(
        actor=actor,
        verb="meetings_schedule",
        summary=f"{event.slug}: {run.placed} placed (bound {run.bound}), {len(run.unplaced)} not placed",
        organisation=event.organiser,
    )
    return run


# --- Moving a meeting by hand -------------------------------------------------------------------------------------


@transaction.atomic
def event_meeting_move(*, actor: Actor, meeting: EventMeeting, slot: MeetingSlot, table: MeetingTable) -> EventMeeting:
    """Put the meeting in this slot at this table, by hand; a clash with another meeting changes nothing."""
    if slot.event_id != meeting.event_id:
        raise field_error("slot", _("Choose a slot of this event."), code="other_event")
    if table.event_id != meeting.event_id:
        raise field_error("table", _("Choose a table of this event."), code="other_event")
    meeting = (
        EventMeeting.objects.select_for_update(of=("self",))
        .select_related("event__organiser", "request__buyer", "request__producer")
        .filter(pk=meeting.pk)
        .first()
    )
    if meeting is None:
        raise ValidationError(_("This meeting is no longer on the board."), code="gone")
    _organisations_lock([meeting.buyer_id, meeting.producer_id])
    unavailable = set(
        SlotUnavailability.objects.filter(
            slot=slot, organisation_id__in=[meeting.buyer_id, meeting.producer_id]
        ).values_list("organisation_id", flat=True)
    )
    if meeting.buyer_id in unavailable:
        raise field_error("slot", _("The buyer cannot attend this slot."), code="buyer_unavailable")
    if meeting.producer_id in unavailable:
        raise field_error("slot", _("The producer cannot attend this slot."), code="producer_unavailable")
    try:
        with transaction.atomic():
            EventMeeting.objects.filter(pk=meeting.pk).update(slot=slot, table=table, placed_by_hand=True)
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if constraint not in CONSTRAINT_ERRORS:
            raise
        field_name, message = CONSTRAINT_ERRORS[constraint]
        raise field_error(field_name, message, code=constraint) from error
    meeting.slot, meeting.table, meeting.placed_by_hand = slot, table, True
    action_record(
        actor=actor,
        verb="event_meeting_move",
        summary=f"{meeting.request}: {slot_label(slot)}, {table}",
        organisation=meeting.event.organiser,
    )
    return meeting
