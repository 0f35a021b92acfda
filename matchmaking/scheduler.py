"""Placing accepted meeting requests of an event into slots and tables: a pure function over plain data.

Guarantees: nobody (buyer or producer) is in two meetings in one slot, no slot holds more meetings
than there are tables, every meeting is in a slot both sides marked available. Within those, it
places as many meetings as it can, mutual requests first: a greedy pass over the requests from the
hardest to place, then repair passes that free a slot for an unplaced request by moving one meeting
that blocks it. Every request left out comes back with the reason.

`upper_bound` gives a bound on what any schedule can place (two max-flow relaxations), so the
benchmark can print placed / bound.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

NO_COMMON_SLOT = "no_common_slot"
BUYER_FULL = "buyer_fully_booked"
PRODUCER_FULL = "producer_fully_booked"
NO_TABLE = "no_free_table"


@dataclass(frozen=True)
class Request:
    id: int
    buyer: int
    producer: int
    mutual: bool = False


@dataclass
class Instance:
    requests: list[Request]
    slots: list[int]
    tables: list[int]
    # organisation id -> the slots it cannot attend
    unavailable: dict[int, set[int]] = field(default_factory=dict)
    # request id -> (slot, table) fixed by hand; kept as they are when they are valid
    fixed: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Schedule:
    placed: dict[int, tuple[int, int]]  # request id -> (slot, table)
    unplaced: dict[int, str]  # request id -> reason


class _State:
    """Who sits where, with an undo journal so a failed chain of moves can be taken back."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.slots = list(instance.slots)
        self.capacity = len(instance.tables)
        self.busy: dict[int, dict[int, int]] = defaultdict(dict)  # organisation -> slot -> request id
        self.in_slot: dict[int, set[int]] = defaultdict(set)  # slot -> request ids
        self.slot_of: dict[int, int] = {}
        self.journal: list[tuple[str, int, int]] = []
        self.budget = 0
        self.requests = {request.id: request for request in instance.requests}
        self.available = {
            request.id: [
                slot
                for slot in self.slots
                if slot not in instance.unavailable.get(request.buyer, ())
                and slot not in instance.unavailable.get(request.producer, ())
            ]
            for request in instance.requests
        }

    def free(self, request: Request, slot: int) -> bool:
        return (
            len(self.in_slot[slot]) < self.capacity
            and slot not in self.busy[request.buyer]
            and slot not in self.busy[request.producer]
        )

    def place(self, request: Request, slot: int) -> None:
        self.busy[request.buyer][slot] = request.id
        self.busy[request.producer][slot] = request.id
        self.in_slot[slot].add(request.id)
        self.slot_of[request.id] = slot
        self.journal.append(("place", request.id, slot))

    def remove(self, request: Request) -> int:
        slot = self.slot_of.pop(request.id)
        del self.busy[request.buyer][slot]
        del self.busy[request.producer][slot]
        self.in_slot[slot].discard(request.id)
        self.journal.append(("remove", request.id, slot))
        return slot

    def rollback(self, mark: int) -> None:
        while len(self.journal) > mark:
            action, request_id, slot = self.journal.pop()
            request = self.requests[request_id]
            if action == "place":
                del self.slot_of[request_id]
                del self.busy[request.buyer][slot]
                del self.busy[request.producer][slot]
                self.in_slot[slot].discard(request_id)
            else:
                self.busy[request.buyer][slot] = request_id
                self.busy[request.producer][slot] = request_id
                self.in_slot[slot].add(request_id)
                self.slot_of[request_id] = slot

    def saturated(self, request: Request) -> bool:
        for organisation in (request.buyer, request.producer):
            free = [
                slot
                for slot in self.slots
                if slot not in self.instance.unavailable.get(organisation, ()) and slot not in self.busy[organisation]
            ]
            if not free:
                return True
        return False

    def try_place(self, request: Request) -> bool:
        # Prefer the emptiest slot, so the tables fill evenly and slots stay open for others.
        candidates = [slot for slot in self.available[request.id] if self.free(request, slot)]
        if not candidates:
            return False
        self.place(request, min(candidates, key=lambda slot: (len(self.in_slot[slot]), slot)))
        return True

    def try_chain(self, request: Request, depth: int, moving: frozenset) -> bool:
        """Place `request`, moving the meetings in its way elsewhere, those in turn up to `depth` levels.

        An ejection chain: the meetings that block a slot (the buyer's, the producer's, or one holding
        the last table) are taken out and placed again recursively. A chain that fails is undone.
        """
        if self.try_place(request):
            return True
        if depth == 0:
            return False
        for slot in self.available[request.id]:
            if self.budget <= 0:
                return False
            self.budget -= 1
            blockers = {self.busy[request.buyer].get(slot), self.busy[request.producer].get(slot)} - {None}
            if len(self.in_slot[slot]) - len(blockers) >= self.capacity:
                # The slot is full even without them: one more meeting must make room for a table.
                others = sorted(self.in_slot[slot] - blockers - moving - set(self.instance.fixed))
                if not others:
                    continue
                blockers = blockers | {others[0]}
            if blockers & moving or blockers & set(self.instance.fixed):
                continue
            mark = len(self.journal)
            ejected = [self.requests[request_id] for request_id in sorted(blockers)]
            for other in ejected:
                self.remove(other)
            self.place(request, slot)
            if all(self.try_chain(other, depth - 1, moving | {request.id}) for other in ejected):
                return True
            self.rollback(mark)
        return False


def _difficulty(state: _State, degree: dict[int, int], request: Request):
    # Mutual requests first; then the hardest: fewest common slots, busiest participants.
    return (
        not request.mutual,
        len(state.available[request.id]),
        -max(degree[request.buyer], degree[request.producer]),
        request.id,
    )


def schedule(instance: Instance, *, repair_depth: int = 3, repair_budget: int = 30_000) -> Schedule:
    """Place as many requests as possible (mutual first); say why each one left out was not placed."""
    state = _State(instance)
    degree: dict[int, int] = defaultdict(int)
    for request in instance.requests:
        degree[request.buyer] += 1
        degree[request.producer] += 1
    tables_used: dict[int, set[int]] = defaultdict(set)
    for request_id, (slot, table) in instance.fixed.items():
        request = state.requests.get(request_id)
        if request is None or slot not in state.available[request_id] or not state.free(request, slot):
            continue
        if table in tables_used[slot] or table not in instance.tables:
            continue
        state.place(request, slot)
        tables_used[slot].add(table)

    order = sorted(
        (request for request in instance.requests if request.id not in state.slot_of),
        key=lambda request: _difficulty(state, degree, request),
    )
    unplaced = [request for request in order if not state.try_place(request)]
    tables_total = state.capacity * len(state.slots)
    for depth in range(1, repair_depth + 1):
        if not unplaced or len(state.slot_of) >= tables_total:
            break  # every table of every slot is taken: no move can place one more
        state.budget = repair_budget
        # A side busy in every slot it can attend takes no more meetings through moves alone: no chain for those
        # (a two-for-one trade may still place them).
        unplaced = [
            request
            for request in unplaced
            if state.saturated(request) or not state.try_chain(request, depth, frozenset())
        ]
        unplaced = _trade_up(state, unplaced, depth)
    # Mutual requests placed before one-way ones: if a one-way meeting holds a slot a mutual one needs, swap them.
    unplaced = _prefer_mutual(state, unplaced)

    # Tables: hand-placed meetings keep theirs; the others take the lowest free table of their slot.
    placed = {
        request_id: instance.fixed[request_id]
        for request_id, slot in state.slot_of.items()
        if request_id in instance.fixed and instance.fixed[request_id][0] == slot
    }
    used = defaultdict(set)
    for slot, table in placed.values():
        used[slot].add(table)
    for request_id, slot in sorted(state.slot_of.items()):
        if request_id not in placed:
            table = next(table for table in instance.tables if table not in used[slot])
            used[slot].add(table)
            placed[request_id] = (slot, table)
    return Schedule(placed=placed, unplaced={request.id: _reason(state, request) for request in unplaced})


def _trade_up(state: _State, unplaced: list[Request], depth: int) -> list[Request]:
    """Two for one: drop a placed meeting so that two waiting requests fit (never a mutual one for a one-way one)."""
    waiting = list(unplaced)
    while state.budget > 0:
        traded = _trade_once(state, waiting, depth)
        if traded is None:
            return waiting
        waiting = traded  # changed: start again from its first request
    return waiting


def _trade_once(state: _State, waiting: list[Request], depth: int) -> list[Request] | None:
    """The first two-for-one trade found, as the new waiting list; None when there is none or the budget is spent."""
    for request in waiting:
        for slot in state.available[request.id]:
            state.budget -= 1
            if state.budget <= 0:
                return None
            traded = _trade_in_slot(state, request, slot, waiting, depth)
            if traded is not None:
                return traded
    return None


def _trade_in_slot(
    state: _State, request: Request, slot: int, waiting: list[Request], depth: int
) -> list[Request] | None:
    """Put `request` in `slot` instead of the one meeting in its way, if another waiting request then fits too.

    Returns the new waiting list (the dropped meeting now waits); None, with nothing changed, otherwise.
    """
    dropped = _droppable_blocker(state, request, slot)
    if dropped is None:
        return None
    mark = len(state.journal)
    state.remove(dropped)
    state.place(request, slot)
    partner = _trade_partner(state, request, dropped, waiting, depth)
    if partner is None:
        state.rollback(mark)
        return None
    return [other for other in waiting if other.id not in (request.id, partner.id)] + [dropped]


def _droppable_blocker(state: _State, request: Request, slot: int) -> Request | None:
    """The one placed meeting that keeps `request` out of `slot`, if the slot has a table once it goes and it may go:
    not hand-placed, and not mutual when `request` is one-way."""
    blockers = {state.busy[request.buyer].get(slot), state.busy[request.producer].get(slot)} - {None}
    if len(state.in_slot[slot]) - len(blockers) >= state.capacity or len(blockers) != 1:
        return None
    dropped = state.requests[blockers.pop()]
    if dropped.id in state.instance.fixed or (dropped.mutual and not request.mutual):
        return None
    return dropped


def _trade_partner(
    state: _State, request: Request, dropped: Request, waiting: list[Request], depth: int
) -> Request | None:
    """Another waiting request that fits once `request` took the dropped meeting's place (mutual for a mutual one)."""
    for other in waiting:
        state.budget -= 1
        if state.budget <= 0:
            return None
        if other.id == request.id or (dropped.mutual and not other.mutual):
            continue
        if state.try_chain(other, depth - 1, frozenset({request.id})):
            return other
    return None


def _prefer_mutual(state: _State, unplaced: list[Request]) -> list[Request]:
    remaining = []
    for request in unplaced:
        if not request.mutual:
            remaining.append(request)
            continue
        swapped = False
        for slot in state.available[request.id]:
            blockers = {state.busy[request.buyer].get(slot), state.busy[request.producer].get(slot)} - {None}
            full = len(state.in_slot[slot]) >= state.capacity
            if len(blockers) == 1:
                blocker = state.requests[next(iter(blockers))]
                if blocker.mutual or blocker.id in state.instance.fixed:
                    continue
                state.remove(blocker)
                if state.free(request, slot):
                    state.place(request, slot)
                    remaining.append(blocker)
                    swapped = True
                    break
                state.place(blocker, slot)
            elif not blockers and full:
                one_way = [
                    state.requests[rid]
                    for rid in sorted(state.in_slot[slot])
                    if not state.requests[rid].mutual and rid not in state.instance.fixed
                ]
                if one_way:
                    state.remove(one_way[0])
                    state.place(request, slot)
                    remaining.append(one_way[0])
                    swapped = True
                    break
        if not swapped:
            remaining.append(request)
    return remaining


def _reason(state: _State, request: Request) -> str:
    if not state.available[request.id]:
        return NO_COMMON_SLOT
    buyer_busy = all(slot in state.busy[request.buyer] for slot in state.available[request.id])
    if buyer_busy:
        return BUYER_FULL
    producer_busy = all(slot in state.busy[request.producer] for slot in state.available[request.id])
    if producer_busy:
        return PRODUCER_FULL
    return NO_TABLE


def upper_bound(instance: Instance) -> int:
    """An upper bound on the meetings any valid schedule places (the smaller of two max-flow relaxations).

    Each relaxation keeps the tables per slot, the availability, and one side's one-meeting-per-slot
    rule (buyers in one, producers in the other); dropping the other side's rule can only allow more.
    """
    return min(_side_flow(instance, side="buyer"), _side_flow(instance, side="producer"))


def _side_flow(instance: Instance, *, side: str) -> int:
    graph = nx.DiGraph()
    capacity = len(instance.tables)
    for request in instance.requests:
        owner = getattr(request, side)
        graph.add_edge("source", ("request", request.id), capacity=1)
        for slot in instance.slots:
            if slot in instance.unavailable.get(request.buyer, ()) or slot in instance.unavailable.get(
                request.producer, ()
            ):
                continue
            graph.add_edge(("request", request.id), ("owner", owner, slot), capacity=1)
            graph.add_edge(("owner", owner, slot), ("slot", slot), capacity=1)
    for slot in instance.slots:
        graph.add_edge(("slot", slot), "sink", capacity=capacity)
    if "source" not in graph or "sink" not in graph:
        return 0
    return int(nx.maximum_flow_value(graph, "source", "sink"))


def check(instance: Instance, result: Schedule) -> list[str]:
    """Every rule a schedule must keep, as a list of violations (empty when valid)."""
    problems = []
    requests = {request.id: request for request in instance.requests}
    seen_tables = set()
    seen_people = set()
    for request_id, (slot, table) in result.placed.items():
        request = requests[request_id]
        if slot not in instance.slots or table not in instance.tables:
            problems.append(f"request {request_id}: unknown slot or table")
        if (slot, table) in seen_tables:
            problems.append(f"table {table} double-booked in slot {slot}")
        seen_tables.add((slot, table))
        for organisation in (request.buyer, request.producer):
            if (slot, organisation) in seen_people:
                problems.append(f"organisation {organisation} double-booked in slot {slot}")
            seen_people.add((slot, organisation))
            if slot in instance.unavailable.get(organisation, ()):
                problems.append(f"organisation {organisation} unavailable in slot {slot}")
    if set(result.placed) & set(result.unplaced):
        problems.append("a request is both placed and unplaced")
    if set(result.placed) | set(result.unplaced) != set(requests):
        problems.append("some requests are missing from the result")
    return problems
