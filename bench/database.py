"""Create the benchmark's database afresh and fill it: migrations, the demo data, then the generated catalogue."""

import io
import json
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from PIL import Image
from psycopg import sql

from bench.generate import PLACEHOLDER, PLACEHOLDER_LARGE, PLACEHOLDER_SMALL, Generator, vectors_agree

GENERATOR_VERSION = 3  # bump when the generator changes, so `--reuse` regenerates


def _server_connection():
    db = settings.DATABASES["default"]
    server = psycopg.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        connect_timeout=5,
    )
    server.autocommit = True
    return server


def recreate() -> None:
    """Drop and create the benchmark database (never the portal's: its name is checked)."""
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"Refusing to recreate {name!r}: the benchmark's database name must contain 'bench'.")
    connections.close_all()
    server = _server_connection()
    try:
        with server.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name)))
    finally:
        server.close()


def marker() -> dict | None:
    """What the database holds, as written by `fill`; None when it was never filled."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM bench_marker")
            row = cursor.fetchone()
    except Exception:  # noqa: BLE001 - a missing database or table both mean "not filled"
        connections.close_all()
        return None
    return json.loads(row[0]) if row else None


def _placeholder_photos() -> None:
    """One shared file behind every generated photo row, so pages that link photos link a real image."""
    for name, size in ((PLACEHOLDER, (960, 720)), (PLACEHOLDER_LARGE, (800, 600)), (PLACEHOLDER_SMALL, (320, 240))):
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        Image.new("RGB", size, (214, 170, 90)).save(buffer, format="JPEG", quality=80)
        path.write_bytes(buffer.getvalue())


def fill(*, products: int, producers: int, seed: int, log=print) -> dict:
    """Migrate, load the demo data (events, MoUs, meetings, users), then generate the large catalogue."""
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"  migrated ({time.perf_counter() - started:.1f} s)")
    call_command("load_demo", stdout=io.StringIO())
    log(f"  demo data loaded ({time.perf_counter() - started:.1f} s)")
    _placeholder_photos()
    summary = Generator(products=products, producers=producers, seed=seed).load(log=log)
    agreeing, checked = vectors_agree(sample=200, seed=seed)
    info = {
        "version": GENERATOR_VERSION,
        "products": products,
        "producers": producers,
        "seed": seed,
        "published": summary.published,
        "certificates": summary.certificates,
        "photos": summary.photos,
        "distinct_words": summary.distinct_words,
        "distinct_folded_words": summary.distinct_folded_words,
        "search_vectors_agree": f"{agreeing}/{checked}",
        "seconds": round(time.perf_counter() - started, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_marker (value text NOT NULL)")
        cursor.execute("INSERT INTO bench_marker VALUES (%s)", [json.dumps(info)])
        cursor.execute("VACUUM ANALYZE")
    info["seconds"] = round(time.perf_counter() - started, 1)
    return info
