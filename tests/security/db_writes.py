"""Which tables a piece of code wrote to, from PostgreSQL's own per-transaction counters.

`pg_stat_xact_user_tables` counts the rows inserted, updated and deleted in every table by the current
transaction (a pytest-django test runs in one), including tables no model names (many-to-many, history,
django-axes). Comparing the counters before and after a request is stricter than comparing row counts: an
UPDATE of one column, or a DELETE followed by an INSERT, shows up too.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

# Visitor state, not portal data: a GET may legitimately start a session or keep a password-reset token in it.
NOT_PORTAL_DATA = frozenset({"django_session"})


def table_counters() -> dict[str, tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
        return {name: (inserted, updated, deleted) for name, inserted, updated, deleted in cursor.fetchall()}


@dataclass
class Writes:
    """Rows written per table while the block ran: {table: (inserted, updated, deleted)}, non-zero ones only."""

    by_table: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def portal_data(self) -> dict[str, tuple[int, int, int]]:
        return {table: counts for table, counts in self.by_table.items() if table not in NOT_PORTAL_DATA}


@contextmanager
def recorded_writes():
    """Yield a Writes that, once the block has run, holds what the block wrote."""
    writes = Writes()
    before = table_counters()
    yield writes
    after = table_counters()
    for table, counts in after.items():
        previous = before.get(table, (0, 0, 0))
        delta = tuple(now - then for now, then in zip(counts, previous, strict=True))
        if any(delta):
            writes.by_table[table] = delta
