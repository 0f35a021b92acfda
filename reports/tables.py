"""A figure as the portal publishes it: a titled table of columns and rows.

The page shows it as a data table (with a chart drawn from the same rows), and the CSV and XLSX exports
write the same rows, so the three never disagree. A list too long to hold in memory is a `TableStream`: the same
columns, its rows read in batches as the file is written.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | count | percent | vnd | date | datetime | bool

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "percent", "vnd")


@dataclass
class Table:
    """One figure: a title, its columns, its rows (raw values) and an optional totals row."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    totals: list | None = None
    note: str = ""

    def body(self) -> list[list[tuple[Column, object]]]:
        """Rows as (column, value) pairs, so a template knows how to show each value."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]

    def footer(self) -> list[tuple[Column, object]] | None:
        return list(zip(self.columns, self.totals, strict=True)) if self.totals is not None else None


@dataclass
class TableStream:
    """A table written to a file as its rows are read: a title, its columns, the rows expected, the rows in batches."""

    title: str
    columns: list[Column]
    total: int
    batches: Iterator[list[list]]
