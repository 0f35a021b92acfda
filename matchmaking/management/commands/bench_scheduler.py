import random
import time

from django.core.management.base import BaseCommand

from matchmaking.scheduler import Instance, Request, check, schedule, upper_bound

TARGET_SECONDS = 2.0
TARGET_SHARE = 0.95


def benchmark_instance(*, seed: int, requests: int, organisations: int, slots: int, tables: int) -> Instance:
    """A conference-like instance: a fifth of the organisations are buyers, each side blocks ~15% of the slots."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not a secret
    buyers = list(range(1, organisations // 5 + 1))
    producers = list(range(10_000, 10_000 + organisations - len(buyers)))
    pairs = set()
    while len(pairs) < requests:
        pairs.add((rng.choice(buyers), rng.choice(producers)))
    return Instance(
        requests=[
            Request(id=index, buyer=buyer, producer=producer, mutual=rng.random() < 0.3)
            for index, (buyer, producer) in enumerate(sorted(pairs))
        ],
        slots=list(range(slots)),
        tables=list(range(1, tables + 1)),
        unavailable={org: {s for s in range(slots) if rng.random() < 0.15} for org in buyers + producers},
    )


class Command(BaseCommand):
    help = "Time the event-meeting scheduler on a generated instance and compare what it places with the upper bound."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=2000)
        parser.add_argument("--organisations", type=int, default=300)
        parser.add_argument("--slots", type=int, default=16)
        parser.add_argument("--tables", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **options):
        instance = benchmark_instance(
            seed=options["seed"],
            requests=options["requests"],
            organisations=options["organisations"],
            slots=options["slots"],
            tables=options["tables"],
        )
        started = time.perf_counter()
        result = schedule(instance)
        elapsed = time.perf_counter() - started
        problems = check(instance, result)
        bound = upper_bound(instance)
        share = len(result.placed) / bound if bound else 1.0
        self.stdout.write(
            f"{len(instance.requests)} accepted requests, {options['organisations']} organisations, "
            f"{options['slots']} slots, {options['tables']} tables\n"
            f"time      {elapsed:.3f} s   (target ≤ {TARGET_SECONDS:.0f} s)   "
            f"{'PASS' if elapsed <= TARGET_SECONDS else 'FAIL'}\n"
            f"placed    {len(result.placed)} of bound {bound} = {share:.1%}   (target ≥ {TARGET_SHARE:.0%})   "
            f"{'PASS' if share >= TARGET_SHARE else 'FAIL'}\n"
            f"rules     {'no double booking, availability kept' if not problems else problems[:3]}"
        )
