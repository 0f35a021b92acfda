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

The read helpers for the board and the personal schedules are at the end of this module.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from accounts.roles import Actor
from accounts.services import action_record
from catalog.models import Product
from core.forms import field_error
from events.models import Event, Registration
from matchmaking import scheduler
from matchmaking.models import EventMeeting, MeetingRequest, MeetingSlot, MeetingTable, SlotUnavailability

MIN_LENGTH_MINUTES = 5
MAX_LENGTH_MINUTES = 240
MAX_TABLES = 500

# Reasons of our own beside the scheduler's four.
SAME_PAIR = "same_pair"
ROOM_NOW = "room_now"

REASONS = {
    scheduler.NO_COMMON_SLOT: gettext_lazy("No slot in which both sides are available."),
    scheduler.BUYER_FULL: gettext_lazy("The buyer already has a meeting in every slot both sides can attend."),
    scheduler.PRODUCER_FULL: gettext_lazy("The producer already has a meeting in every slot both sides can attend."),
    scheduler.NO_TABLE: gettext_lazy("Every table is taken in the slots both sides can attend."),
    SAME_PAIR: gettext_lazy("The buyer and the producer already meet through their other request."),
    ROOM_NOW: gettext_lazy("There is room for it now: run the scheduler again."),
}

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


def registered_for(*, event: Event, organisation: Organisation) -> bool:
    return Registration.objects.filter(
        event=event, organisation=organisation, status=Registration.Status.CONFIRMED
    ).exists()


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


@dataclass(frozen=True)
class Unplaced:
    request: MeetingRequest
    reason: str

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


@dataclass
class ScheduleRun:
    placed: int  # meetings on the board after the run
    kept: int  # of which hand-placed meetings kept where they were
    bound: int  # no schedule can place more (scheduler.upper_bound)
    unplaced: list[Unplaced] = field(default_factory=list)


def _accepted_requests(event: Event):
    return MeetingRequest.objects.filter(
        event=event, mode=MeetingRequest.Mode.AT_EVENT, status=MeetingRequest.Status.ACCEPTED
    ).order_by("pk")


def _pairs(requests: list[MeetingRequest], preferred: set[int]):
    """One request per buyer–producer pair (the preferred one, else the oldest), the pairs asked both ways,
    and the other requests of each pair."""
    by_pair: dict[tuple[int, int], list[MeetingRequest]] = defaultdict(list)
    for request in requests:
        by_pair[(request.buyer_id, request.producer_id)].append(request)
    chosen, mutual, duplicates = [], set(), []
    for pair, group in by_pair.items():
        group.sort(key=lambda request: (request.pk not in preferred, request.pk))
        chosen.append(group[0])
        duplicates.extend(group[1:])
        if {request.initiator_id for request in group} == set(pair):
            mutual.add(pair)
    return chosen, mutual, duplicates


def _unavailable(event: Event) -> dict[int, set[int]]:
    unavailable: dict[int, set[int]] = defaultdict(set)
    for organisation_id, slot_id in SlotUnavailability.objects.filter(slot__event=event).values_list(
        "organisation_id", "slot_id"
    ):
        unavailable[organisation_id].add(slot_id)
    return dict(unavailable)


def _instance(*, event, chosen, mutual, fixed, slots, tables, unavailable) -> scheduler.Instance:
    return scheduler.Instance(
        requests=[
            scheduler.Request(
                id=request.pk,
                buyer=request.buyer_id,
                producer=request.producer_id,
                mutual=(request.buyer_id, request.producer_id) in mutual,
            )
            for request in chosen
        ],
        slots=slots,
        tables=tables,
        unavailable=unavailable,
        fixed=fixed,
    )


BOUND_CACHE_SECONDS = 24 * 3600


def schedule_bound(instance: scheduler.Instance) -> int:
    """`scheduler.upper_bound`, remembered per instance: two max flows take a second or two on a large event."""
    if not instance.requests or not instance.slots or not instance.tables:
        return 0
    fingerprint = repr(
        (
            sorted((request.id, request.buyer, request.producer) for request in instance.requests),
            sorted(instance.slots),
            len(instance.tables),
            sorted((organisation, sorted(slots)) for organisation, slots in instance.unavailable.items()),
        )
    )
    key = "matchmaking:bound:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    bound = cache.get(key)
    if bound is None:
        bound = scheduler.upper_bound(instance)
        cache.set(key, bound, BOUND_CACHE_SECONDS)
    return bound


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
    requests = list(_accepted_requests(event).select_related("buyer", "producer"))
    by_id = {request.pk: request for request in requests}
    hand = {
        meeting.request_id: (meeting.slot_id, meeting.table_id)
        for meeting in existing
        if meeting.placed_by_hand and meeting.request_id in by_id
    }
    chosen, mutual, duplicates = _pairs(requests, set(hand))
    chosen_ids = {request.pk for request in chosen}
    instance = _instance(
        event=event,
        chosen=chosen,
        mutual=mutual,
        fixed={request_id: place for request_id, place in hand.items() if request_id in chosen_ids},
        slots=slots,
        tables=tables,
        unavailable=_unavailable(event),
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


# --- Reads: the board and the personal schedules ------------------------------------------------------------------


@dataclass
class BoardRow:
    slot: MeetingSlot
    cells: list  # one per table: the EventMeeting there, or None


@dataclass
class Board:
    slots: list[MeetingSlot]
    tables: list[MeetingTable]
    rows: list[BoardRow]
    meetings: list[EventMeeting]
    unplaced: list[Unplaced]
    accepted: int
    bound: int
    hand_placed: int


def meeting_board(*, event: Event) -> Board:
    """The grid slot × table, the meetings, the accepted requests left out and why, in a fixed number of queries."""
    slots = list(MeetingSlot.objects.filter(event=event).order_by("starts_at"))
    tables = list(MeetingTable.objects.filter(event=event).order_by("number"))
    meetings = list(
        EventMeeting.objects.filter(event=event)
        .select_related("slot", "table", "buyer", "producer")
        .order_by("slot__starts_at", "table__number")
    )
    requests = list(_accepted_requests(event).select_related("buyer", "producer"))
    unavailable = _unavailable(event)
    placed = {meeting.request_id: meeting for meeting in meetings}
    chosen, mutual, duplicates = _pairs(requests, set(placed))

    at = {(meeting.slot_id, meeting.table_id): meeting for meeting in meetings}
    rows = [BoardRow(slot=slot, cells=[at.get((slot.pk, table.pk)) for table in tables]) for slot in slots]

    busy: dict[int, set[int]] = defaultdict(set)
    taken: dict[int, int] = defaultdict(int)
    for meeting in meetings:
        busy[meeting.buyer_id].add(meeting.slot_id)
        busy[meeting.producer_id].add(meeting.slot_id)
        taken[meeting.slot_id] += 1
    unplaced = [Unplaced(request, SAME_PAIR) for request in duplicates if request.pk not in placed]
    for request in chosen:
        if request.pk in placed:
            continue
        unplaced.append(Unplaced(request, _reason(request, slots, len(tables), unavailable, busy, taken)))
    instance = _instance(
        event=event,
        chosen=chosen,
        mutual=mutual,
        fixed={},
        slots=[slot.pk for slot in slots],
        tables=[table.pk for table in tables],
        unavailable=unavailable,
    )
    return Board(
        slots=slots,
        tables=tables,
        rows=rows,
        meetings=meetings,
        unplaced=sorted(unplaced, key=lambda item: item.request.pk),
        accepted=len(requests),
        bound=schedule_bound(instance),
        hand_placed=sum(meeting.placed_by_hand for meeting in meetings),
    )


def _reason(request, slots, capacity, unavailable, busy, taken) -> str:
    """Why an accepted request has no place now, with the scheduler's words for the same situation."""
    blocked = unavailable.get(request.buyer_id, set()) | unavailable.get(request.producer_id, set())
    common = [slot.pk for slot in slots if slot.pk not in blocked]
    if not common:
        return scheduler.NO_COMMON_SLOT
    if all(slot in busy[request.buyer_id] for slot in common):
        return scheduler.BUYER_FULL
    if all(slot in busy[request.producer_id] for slot in common):
        return scheduler.PRODUCER_FULL
    free = [
        slot
        for slot in common
        if slot not in busy[request.buyer_id] and slot not in busy[request.producer_id] and taken[slot] < capacity
    ]
    return ROOM_NOW if free else scheduler.NO_TABLE


def other_side(meeting: EventMeeting, organisation: Organisation) -> Organisation:
    return meeting.producer if meeting.buyer_id == organisation.pk else meeting.buyer


def personal_schedule(*, event: Event, organisation: Organisation) -> list[EventMeeting]:
    """The organisation's placed meetings at the event in time order, with the other side and the products."""
    products = Product.objects.only("pk", "name").order_by("name")
    return list(
        EventMeeting.objects.filter(event=event)
        .filter(Q(buyer=organisation) | Q(producer=organisation))
        .select_related("slot", "table", "buyer", "producer", "request")
        .prefetch_related(Prefetch("request__products", queryset=products, to_attr="product_list"))
        .order_by("slot__starts_at", "table__number")
    )


def personal_schedule_requests(*, event: Event, organisation: Organisation) -> list[MeetingRequest]:
    """The same meetings as requests, loaded as `matchmaking.ics.meeting_calendar` needs them."""
    return list(
        MeetingRequest.objects.filter(placement__event=event)
        .filter(Q(buyer=organisation) | Q(producer=organisation))
        .select_related("buyer", "producer__ward", "producer__province", "event", "placement__slot", "placement__table")
        .order_by("placement__slot__starts_at", "placement__table__number")
    )
