"""Reads of event meetings: the event's setup, what the scheduler is given, the board, the personal schedules.

A request the scheduler leaves out carries one of the scheduler's four reasons or one of two of our own:
SAME_PAIR (the pair already meets through its other request) and ROOM_NOW (a place has freed since the run).
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from catalog.models import Product
from events.models import Event, Registration
from matchmaking import scheduler
from matchmaking.models import EventMeeting, MeetingRequest, MeetingSlot, MeetingTable, SlotUnavailability

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


@dataclass(frozen=True)
class Unplaced:
    """An accepted request left off the board, and why."""

    request: MeetingRequest
    reason: str

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


# --- The event and its setup --------------------------------------------------------------------------------------


def meeting_event_get(*, slug: str, user) -> Event:
    """The event of the URL, with its organiser and province; a draft exists only for staff (404 for anyone else)."""
    events = Event.objects.select_related("organiser", "province")
    if not user.is_staff:
        events = events.exclude(status=Event.Status.DRAFT)
    return get_object_or_404(events, slug=slug)


def event_slots(event: Event) -> list[MeetingSlot]:
    """The event's meeting slots in time order."""
    return list(MeetingSlot.objects.filter(event=event).order_by("starts_at"))


@dataclass
class SetupSummary:
    """What the setup page shows of the event: its slots, and how many tables, meetings and availability marks."""

    slots: list[MeetingSlot]
    table_count: int
    placed: int
    unavailable_marks: int


def meeting_setup_summary(event: Event) -> SetupSummary:
    """The setup page's facts, in four queries."""
    return SetupSummary(
        slots=event_slots(event),
        table_count=MeetingTable.objects.filter(event=event).count(),
        placed=EventMeeting.objects.filter(event=event).count(),
        unavailable_marks=SlotUnavailability.objects.filter(slot__event=event).count(),
    )


def board_meeting_get(*, event: Event, pk: int) -> EventMeeting:
    """A meeting on the event's board, with its slot and table; any other is a 404."""
    return get_object_or_404(EventMeeting.objects.select_related("slot", "table"), pk=pk, event=event)


def unavailable_slot_ids(*, event: Event, organisation: Organisation) -> set[int]:
    """The event's slots the organisation said it cannot attend."""
    return set(
        SlotUnavailability.objects.filter(slot__event=event, organisation=organisation).values_list(
            "slot_id", flat=True
        )
    )


# --- What the scheduler is given ----------------------------------------------------------------------------------


def accepted_requests(event: Event):
    """The event's accepted at-event requests, oldest first: the ones the scheduler places."""
    return MeetingRequest.objects.filter(
        event=event, mode=MeetingRequest.Mode.AT_EVENT, status=MeetingRequest.Status.ACCEPTED
    ).order_by("pk")


def request_pairs(requests: list[MeetingRequest], preferred: set[int]):
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


def unavailable_slots(event: Event) -> dict[int, set[int]]:
    """For each organisation, the event's slots it cannot attend."""
    unavailable: dict[int, set[int]] = defaultdict(set)
    for organisation_id, slot_id in SlotUnavailability.objects.filter(slot__event=event).values_list(
        "organisation_id", "slot_id"
    ):
        unavailable[organisation_id].add(slot_id)
    return dict(unavailable)


def schedule_instance(*, event, chosen, mutual, fixed, slots, tables, unavailable) -> scheduler.Instance:
    """The scheduler's plain input: one request per pair, the slots, the tables, who cannot attend when."""
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


def registered_for(*, event: Event, organisation: Organisation) -> bool:
    """The organisation's registration for the event is confirmed."""
    return Registration.objects.filter(
        event=event, organisation=organisation, status=Registration.Status.CONFIRMED
    ).exists()


# --- The board and the personal schedules -------------------------------------------------------------------------


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
    requests = list(accepted_requests(event).select_related("buyer", "producer"))
    unavailable = unavailable_slots(event)
    placed = {meeting.request_id: meeting for meeting in meetings}
    chosen, mutual, duplicates = request_pairs(requests, set(placed))

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
    instance = schedule_instance(
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
    """The organisation the given side meets (no query: both sides are loaded)."""
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
