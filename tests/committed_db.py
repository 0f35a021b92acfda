"""Tests that commit: a live server, a worker or another thread must see their rows.

Such a test runs outside a rolled-back transaction and Django empties the database after it (a flush),
the rows the migrations wrote included: permissions, staff groups, 3,300 wards, the OCOP classification.
Every other test expects those rows, whatever ran before it (the order differs when the suite is spread
over several processes). So they are copied once into a side schema when the test database is made, and
put back with INSERT … SELECT right after each committing test: Django's own serialized rollback reloads
them object by object, several seconds per test on the test machines.
"""

from django.db import connection, transaction
from psycopg import sql

SNAPSHOT_SCHEMA = "migrated_snapshot"

_snapshot: list[str] = []
_queue_tables: list[str] = []


def take_snapshot() -> None:
    """Copy every table the migrations filled into the side schema (once, on the freshly migrated database)."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(sql.Identifier(SNAPSHOT_SCHEMA))
        )
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        # The task queue's tables are not Django's (the flush leaves them): emptied here as well.
        _queue_tables[:] = [t for t in connection.introspection.table_names() if t.startswith("procrastinate_")]
        _snapshot.clear()
        for table in sorted(tables):
            cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
            if cursor.fetchone()[0]:
                _snapshot.append(table)
                cursor.execute(
                    sql.SQL("CREATE TABLE {}.{} AS TABLE {}").format(
                        sql.Identifier(SNAPSHOT_SCHEMA), sql.Identifier(table), sql.Identifier(table)
                    )
                )


def restore() -> None:
    """Put the migrated rows back after a flush, under their own ids, and empty the task queue."""
    if not _snapshot:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # The flush re-creates content types and permissions (post_migrate) under new ids: replace them.
        emptied = [*_snapshot, *_queue_tables]
        cursor.execute(
            sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(sql.Identifier(table) for table in emptied))
        )
        for table in _snapshot:
            cursor.execute(
                sql.SQL("INSERT INTO {} SELECT * FROM {}.{}").format(
                    sql.Identifier(table), sql.Identifier(SNAPSHOT_SCHEMA), sql.Identifier(table)
                )
            )


def commits(item) -> bool:
    """Whether pytest-django ran `item` in a transactional (flushed) database, by its own rules."""
    fixtures = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(fixtures):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
