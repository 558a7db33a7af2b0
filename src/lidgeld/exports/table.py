"""What an export is made of: typed columns and rows that arrive one at a time.

Reports and set exports build a ``Table``; the writers (CSV, XLSX, PDF) turn it
into a file without holding its rows in memory."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


class ColumnType(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # Decimal, two decimals, euro
    DATE = "date"  # datetime.date
    DATETIME = "datetime"  # aware datetime, shown in Europe/Brussels


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: ColumnType = ColumnType.TEXT
    width: int | None = None  # characters; a writer may guess when None


class RowKind(enum.Enum):
    DATA = "data"
    SUBTOTAL = "subtotal"  # closes a group (e.g. one borrower's open items)
    TOTAL = "total"  # the grand total, last


@dataclass(frozen=True)
class Row:
    values: Sequence[Any]  # one per column; None for an empty cell
    kind: RowKind = RowKind.DATA


@dataclass
class Table:
    """``rows`` may be a generator: it is read once, by one writer."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Row]
    # Lines that say what was asked ("Instantie: GENT", "Periode: 01/04/2026 – 30/04/2026"),
    # printed above the rows in PDF and kept out of CSV and XLSX data.
    filters: Sequence[str] = field(default_factory=list)
