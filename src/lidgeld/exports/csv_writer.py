"""CSV in two dialects: a neutral one for other programs and one that Belgian Excel opens.

Neutral: UTF-8 without BOM, ``,``, ISO dates, 12.50, LF.
Belgian Excel: a BOM (without it Excel reads UTF-8 as Windows-1252), ``;`` (Excel
with a Belgian locale splits on it because the comma is the decimal mark), 12,50,
01/04/2026, CRLF.

In both, a text cell that a spreadsheet would run as a formula ("CSV injection": it
starts with = + - @, a tab or a CR) gets a leading apostrophe, as OWASP advises, so
it shows as the text it is. Amounts, counts and dates are written by us and stay
numbers: only text columns are guarded."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from lidgeld.exports.formatting import (
    as_date,
    as_money,
    brussels,
    format_date_be,
    format_datetime_be,
)
from lidgeld.exports.table import ColumnType, Table

# Rows per chunk: large enough that a streamed response is not a write per row,
# small enough that the first bytes leave before the query has been read out.
CSV_BATCH_ROWS = 500

Render = Callable[[Any], str]


# Excel and LibreOffice run a cell starting with one of these; LibreOffice drops a
# NUL before it looks, so a NUL first counts too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def _text(value: Any) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _integer(value: Any) -> str:
    # A count of ours; anything else in the column is guarded as text.
    return str(value) if isinstance(value, int) else _text(value)


def _iso_money(value: Any) -> str:
    return f"{as_money(value):f}"


def _comma_money(value: Any) -> str:
    # No thousands separator: Excel would take "1.234,50" for text in some locales.
    return _iso_money(value).replace(".", ",")


def _iso_date(value: Any) -> str:
    return as_date(value).isoformat()


def _iso_datetime(value: Any) -> str:
    return brussels(value).isoformat()


NEUTRAL: dict[ColumnType, Render] = {
    ColumnType.TEXT: _text,
    ColumnType.INTEGER: _integer,
    ColumnType.MONEY: _iso_money,
    ColumnType.DATE: _iso_date,
    ColumnType.DATETIME: _iso_datetime,
}
BELGIAN_EXCEL: dict[ColumnType, Render] = {
    ColumnType.TEXT: _text,
    ColumnType.INTEGER: _integer,
    ColumnType.MONEY: _comma_money,
    ColumnType.DATE: format_date_be,
    ColumnType.DATETIME: format_datetime_be,
}


class _Progress:
    def __init__(self) -> None:
        self.rows = 0


def _chunks(table: Table, excel: bool, progress: _Progress) -> Iterator[bytes]:
    renderers = [(BELGIAN_EXCEL if excel else NEUTRAL)[c.type] for c in table.columns]
    buffer = io.StringIO()
    delimiter, terminator = (";", "\r\n") if excel else (",", "\n")
    writer = csv.writer(
        buffer, quoting=csv.QUOTE_MINIMAL, delimiter=delimiter, lineterminator=terminator
    )
    # QUOTE_MINIMAL quotes only the characters of the line terminator, so with LF a
    # lone CR would go out bare and end the row for every reader: such a row is
    # written with every field quoted.
    quoted = csv.writer(
        buffer, quoting=csv.QUOTE_ALL, delimiter=delimiter, lineterminator=terminator
    )
    if excel:
        buffer.write("\ufeff")
    writer.writerow([_text(c.label) for c in table.columns])
    pending = 0
    for row in table.rows:
        cells = [
            "" if value is None else render(value)
            for render, value in zip(renderers, row.values, strict=True)
        ]
        (quoted if not excel and any("\r" in cell for cell in cells) else writer).writerow(cells)
        progress.rows += 1
        pending += 1
        if pending == CSV_BATCH_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    # The last chunk also carries the header of an empty table.
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def iter_csv(table: Table, *, excel: bool = False) -> Iterator[bytes]:
    """The table as CSV, in chunks of ``CSV_BATCH_ROWS`` rows; reads ``table.rows`` once, lazily."""
    return _chunks(table, excel, _Progress())


def write_csv(table: Table, out: BinaryIO, *, excel: bool = False) -> int:
    """Write the table to ``out``; returns the number of rows written, header not counted."""
    progress = _Progress()
    for chunk in _chunks(table, excel, progress):
        out.write(chunk)
    return progress.rows
