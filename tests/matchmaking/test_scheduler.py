"""The event-meeting scheduler on hand-built and random instances (no database)."""

import random

import pytest

from matchmaking.scheduler import (
    BUYER_FULL,
    NO_COMMON_SLOT,
    NO_TABLE,
    Instance,
    Request,
    check,
    schedule,
    upper_bound,
)


def random_instance(seed, *, requests, buyers, producers, slots, tables, unavailable_share=0.15, mutual_share=0.3):
    rng = random.Random(seed)
    buyer_ids = list(range(1, buyers + 1))
    producer_ids = list(range(1000, 1000 + producers))
    pairs = set()
    requests = min(requests, buyers * producers)
    while len(pairs) < requests:
        pairs.add((rng.choice(buyer_ids), rng.choice(producer_ids)))
    reqs = [
        Request(id=index, buyer=buyer, producer=producer, mutual=rng.random() < mutual_share)
        for index, (buyer, producer) in enumerate(sorted(pairs))
    ]
    slot_ids = list(range(slots))
    unavailable = {
        org: {slot for slot in slot_ids if rng.random() < unavailable_share} for org in buyer_ids + producer_ids
    }
    return Instance(requests=reqs, slots=slot_ids, tables=list(range(1, tables + 1)), unavailable=unavailable)


def exact_optimum(instance):
    """The best (mutual meetings, all meetings) any valid schedule reaches, by exhaustive search (tiny instances).

    Mutual requests come first: a schedule with more mutual meetings is better whatever its total.
    """
    best = (0, 0)
    requests = sorted(instance.requests, key=lambda request: not request.mutual)

    def search(index, used_people, per_slot, mutual, total):
        nonlocal best
        remaining = requests[index:]
        remaining_mutual = sum(1 for request in remaining if request.mutual)
        if (mutual + remaining_mutual, total + len(remaining)) <= best:
            return
        if index == len(requests):
            best = max(best, (mutual, total))
            return
        request = requests[index]
        for slot in instance.slots:
            if slot in instance.unavailable.get(request.buyer, ()) or slot in instance.unavailable.get(
                request.producer, ()
            ):
                continue
            if (slot, request.buyer) in used_people or (slot, request.producer) in used_people:
                continue
            if per_slot[slot] >= len(instance.tables):
                continue
            used_people |= {(slot, request.buyer), (slot, request.producer)}
            per_slot[slot] += 1
            search(index + 1, used_people, per_slot, mutual + request.mutual, total + 1)
            per_slot[slot] -= 1
            used_people -= {(slot, request.buyer), (slot, request.producer)}
        search(index + 1, used_people, per_slot, mutual, total)

    search(0, set(), dict.fromkeys(instance.slots, 0), 0, 0)
    return best


def achieved(instance, result):
    mutual = {request.id for request in instance.requests if request.mutual}
    return (len(set(result.placed) & mutual), len(result.placed))


def test_a_simple_instance_places_everything_without_clashes():
    instance = Instance(
        requests=[Request(1, buyer=1, producer=10), Request(2, buyer=1, producer=11), Request(3, buyer=2, producer=10)],
        slots=[0, 1],
        tables=[1, 2],
    )
    result = schedule(instance)
    assert check(instance, result) == []
    assert len(result.placed) == 3
    assert result.placed[1][0] != result.placed[2][0]  # buyer 1 twice, in different slots
    assert result.placed[1][0] != result.placed[3][0]  # producer 10 twice


def test_unavailability_is_respected_and_reported():
    instance = Instance(
        requests=[Request(1, buyer=1, producer=10), Request(2, buyer=2, producer=11)],
        slots=[0, 1],
        tables=[1],
        unavailable={1: {0}, 10: {1}},
    )
    result = schedule(instance)
    assert check(instance, result) == []
    assert result.unplaced == {1: NO_COMMON_SLOT}
    assert 2 in result.placed


def test_full_participant_and_full_tables_are_reported():
    busy_buyer = Instance(
        requests=[Request(1, 1, 10), Request(2, 1, 11), Request(3, 1, 12)], slots=[0, 1], tables=[1, 2, 3]
    )
    result = schedule(busy_buyer)
    assert list(result.unplaced.values()) == [BUYER_FULL]
    no_table = Instance(requests=[Request(1, 1, 10), Request(2, 2, 11)], slots=[0], tables=[1])
    result = schedule(no_table)
    assert list(result.unplaced.values()) == [NO_TABLE]


def test_mutual_requests_go_first():
    instance = Instance(
        requests=[Request(1, 1, 10, mutual=False), Request(2, 2, 11, mutual=True)], slots=[0], tables=[1]
    )
    result = schedule(instance)
    assert list(result.placed) == [2]
    assert list(result.unplaced) == [1]


def test_hand_placed_meetings_keep_their_slot_and_table():
    instance = Instance(
        requests=[Request(1, 1, 10), Request(2, 2, 11), Request(3, 1, 11)],
        slots=[0, 1],
        tables=[1, 2],
        fixed={1: (1, 2)},
    )
    result = schedule(instance)
    assert result.placed[1] == (1, 2)
    assert check(instance, result) == []


@pytest.mark.parametrize("seed", range(40))
def test_random_instances_keep_every_rule_and_stay_under_the_bound(seed):
    instance = random_instance(seed, requests=120, buyers=12, producers=30, slots=8, tables=10)
    result = schedule(instance)
    assert check(instance, result) == []
    bound = upper_bound(instance)
    assert len(result.placed) <= bound
    assert len(result.placed) >= 0.95 * bound


@pytest.mark.parametrize("seed", range(150))
def test_tiny_instances_reach_the_exact_optimum_mutual_first(seed):
    rng = random.Random(seed)
    instance = random_instance(
        seed,
        requests=rng.randint(4, 9),
        buyers=rng.randint(2, 3),
        producers=rng.randint(2, 4),
        slots=rng.randint(2, 3),
        tables=rng.randint(1, 3),
        unavailable_share=0.25,
    )
    result = schedule(instance)
    assert check(instance, result) == []
    optimum = exact_optimum(instance)
    assert upper_bound(instance) >= optimum[1]
    mutual, total = achieved(instance, result)
    assert mutual == optimum[0]
    assert total >= optimum[1] - 1


def test_tiny_instances_are_almost_always_exactly_optimal():
    """The heuristic is not exact: on 150 tiny instances it may miss one meeting in a few, no more."""
    misses = 0
    for seed in range(150):
        rng = random.Random(seed)
        instance = random_instance(
            seed,
            requests=rng.randint(4, 9),
            buyers=rng.randint(2, 3),
            producers=rng.randint(2, 4),
            slots=rng.randint(2, 3),
            tables=rng.randint(1, 3),
            unavailable_share=0.25,
        )
        misses += achieved(instance, schedule(instance)) != exact_optimum(instance)
    assert misses <= 3


def test_the_bound_is_a_true_upper_bound_on_tiny_instances():
    for seed in range(30):
        instance = random_instance(seed, requests=7, buyers=2, producers=3, slots=2, tables=2, unavailable_share=0.3)
        without_priorities = Instance(
            requests=[Request(r.id, r.buyer, r.producer) for r in instance.requests],
            slots=instance.slots,
            tables=instance.tables,
            unavailable=instance.unavailable,
        )
        assert upper_bound(instance) >= exact_optimum(without_priorities)[1]


def test_check_finds_double_booking():
    instance = Instance(requests=[Request(1, 1, 10), Request(2, 1, 11)], slots=[0], tables=[1, 2])
    from matchmaking.scheduler import Schedule

    bad = Schedule(placed={1: (0, 1), 2: (0, 2)}, unplaced={})
    assert any("double-booked" in problem for problem in check(instance, bad))


def test_instance_ids_are_unique():
    instance = random_instance(1, requests=50, buyers=5, producers=20, slots=4, tables=4)
    assert len({r.id for r in instance.requests}) == 50
    assert len({(r.buyer, r.producer) for r in instance.requests}) == 50
    assert instance.slots[:2] == [0, 1]
