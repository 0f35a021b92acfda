"""`python -m bench`: generate the data set, measure, print one table and write it as JSON.

.venv/bin/python -m bench                 # 100,000 products / 20,000 producers
.venv/bin/python -m bench --size 1m       # 1,000,000 products / 200,000 producers
.venv/bin/python -m bench --reuse         # keep the database if it already holds this size and seed
.venv/bin/python -m bench --profile product   # where a cold product page spends its time (pyinstrument)
"""

import argparse
import json
import os
import sys
import time

from bench import environment

SIZES = {"100k": (100_000, 20_000), "1m": (1_000_000, 200_000)}


def parse_size(value: str) -> tuple[str, int, int]:
    if value in SIZES:
        return (value, *SIZES[value])
    try:
        products = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size takes 100k, 1m or a number of products, not {value!r}") from None
    if products < 1000:
        raise argparse.ArgumentTypeError("--size must be at least 1000 products")
    return (str(products), products, max(products // 5, 200))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("100k"), help="100k (default), 1m or a number")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--database", default="ocop_bench", help="the benchmark's own database (default ocop_bench)")
    parser.add_argument("--reuse", action="store_true", help="keep the database when it holds this size and seed")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per load run (default 3)")
    parser.add_argument("--rounds", type=int, default=5, help="page/floor alternations per measurement (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections of the load generator")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["latency", "load", "queries", "change", "scheduler", "import"]
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument(
        "--profile",
        choices=["catalogue", "product", "home", "reference"],
        help="instead of measuring, profile this cold page with pyinstrument (keeps the data set, as --reuse)",
    )
    parser.add_argument("--requests", type=int, default=300, help="requests to profile (default 300)")
    args = parser.parse_args(argv)
    size_label, products, producers = args.size

    notes = environment.configure(database_name=args.database)
    import django

    django.setup()

    from bench import database, measure, report

    started = time.perf_counter()
    print(f"OCOP Portal benchmark: {products:,} products, {producers:,} producers, database {args.database}")
    for note in notes:
        print(f"note: {note}")
    info = database.marker() if args.reuse or args.profile else None
    if (
        info
        and info.get("products") == products
        and info.get("seed") == args.seed
        and (info.get("version") == database.GENERATOR_VERSION)
    ):
        print("Reusing the generated data set.")
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    else:
        print("Generating the data set…")
        database.recreate()
        info = database.fill(products=products, producers=producers, seed=args.seed)
        print(f"  done in {info['seconds']:.0f} s")
    if args.profile:
        from bench import profile

        text, per_request = profile.run(args.profile, requests=args.requests, seed=args.seed)
        print(text)
        print(f"{args.profile}: {per_request:.2f} ms a request under the profiler (it adds some)")
        print(f"Written to {os.path.relpath(environment.OUTPUT / f'profile-{args.profile}.html')} and .txt")
        return 0
    results = measure.run(args=args, data=info, notes=notes)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    print()
    print(report.table(results))
    path = environment.OUTPUT / f"result-{size_label}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"\nWritten to {os.path.relpath(path)}")
    return 1 if args.strict and not results.get("all_pass") else 0


if __name__ == "__main__":
    sys.exit(main())
