"""Tests that commit: a live server, a worker or another process must see their rows.

A package whose conftest imports these fixtures gets `live_db`, which commits, empties the database after
each test and puts back what the migrations wrote.
"""

import pytest
from django.db import connection, transaction
from psycopg import sql

SNAPSHOT_SCHEMA = "migrated_snapshot"

# The live server's threads see only committed rows, so these tests run outside a rolled-back transaction and the
# database is emptied after each one. The rows the migrations wrote (permissions, staff groups, 3,300 wards, the
# OCOP classification) are copied once into a side schema and put back with INSERT … SELECT: Django's own
# serialized rollback reloads them object by object, several seconds per test on the test machines.

_flushed = {"pending": False}


def _seeded_tables(cursor) -> list[str]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    seeded = []
    for table in sorted(tables):
        cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
        if cursor.fetchone()[0]:
            seeded.append(table)
    return seeded


def _restore(tables: list[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # The flush re-creates content types and permissions (post_migrate) under new ids: replace them.
        cursor.execute(
            sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(sql.Identifier(table) for table in tables))
        )
        for table in tables:
            cursor.execute(
                sql.SQL("INSERT INTO {} SELECT * FROM {}.{}").format(
                    sql.Identifier(table), sql.Identifier(SNAPSHOT_SCHEMA), sql.Identifier(table)
                )
            )
    _flushed["pending"] = False


def _reloaded_if_flushed() -> None:
    """Transactional tests run last and those with serialized_rollback leave the database empty: when this
    package's first test comes after one, load the migrated rows back from the copy Django serialized."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM auth_group)")
        if cursor.fetchone()[0]:
            return
    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)


@pytest.fixture(scope="package")
def _migrated_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _reloaded_if_flushed()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(sql.Identifier(SNAPSHOT_SCHEMA))
        )
        tables = _seeded_tables(cursor)
        for table in tables:
            cursor.execute(
                sql.SQL("CREATE TABLE {}.{} AS TABLE {}").format(
                    sql.Identifier(SNAPSHOT_SCHEMA), sql.Identifier(table), sql.Identifier(table)
                )
            )
    yield tables
    with django_db_blocker.unblock():
        # The last test's flush emptied them: the tests after this package expect the migrated rows.
        if _flushed["pending"]:
            _restore(tables)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SNAPSHOT_SCHEMA)))


@pytest.fixture(autouse=True)
def _migrated_rows_back(_migrated_rows, django_db_blocker):
    """Before each test (and before its database fixture), put back what the previous test's flush removed."""
    if _flushed["pending"]:
        with django_db_blocker.unblock():
            _restore(_migrated_rows)


@pytest.fixture
def live_db(transactional_db):
    """Committed data the live server sees; the migrated rows are there, anything the test adds is removed."""
    yield
    _flushed["pending"] = True  # transactional_db's flush runs right after this
