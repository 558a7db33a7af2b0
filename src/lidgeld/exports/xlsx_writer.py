"""XLSX with typed cells, written row by row so memory stays flat whatever the row count.

XlsxWriter's ``constant_memory`` mode flushes each row as soon as the next one
starts, so rows must come strictly in order and nothing can be revisited: the
row limit is checked before a row is written, never after."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, BinaryIO

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from lidgeld.errors import InvalidInput
from lidgeld.exports.formatting import as_date, as_money, brussels, column_width
from lidgeld.exports.table import ColumnType, RowKind, Table

# Excel has 1,048,576 rows; the header takes one.
XLSX_MAX_ROWS = 1_048_575

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = "#,##0.00"

_NUMBER_FORMATS = {
    ColumnType.DATE: DATE_FORMAT,
    ColumnType.DATETIME: DATETIME_FORMAT,
    ColumnType.MONEY: MONEY_FORMAT,
}
_EMPHASIS: dict[RowKind, dict[str, Any]] = {
    RowKind.DATA: {},
    RowKind.SUBTOTAL: {"bold": True},
    RowKind.TOTAL: {"bold": True, "top": 1},
}
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
SHEET_NAME_MAX = 31


def sheet_name(title: str) -> str:
    """A name Excel accepts for the sheet: no []:*?/\\, no quote at either end,
    at most 31 UTF-16 units, not empty and not the reserved "History"."""
    name = _NOT_IN_SHEET_NAMES.sub(" ", title)
    name = " ".join(name.split()).strip("'")
    # Excel counts UTF-16 units, so a character outside the BMP takes two.
    while len(name.encode("utf-16-le")) // 2 > SHEET_NAME_MAX:
        name = name[:-1]
    name = name.rstrip().rstrip("'")
    if not name or name.casefold() == "history":
        return "Export"
    return name


def _cell_formats(workbook: Workbook) -> dict[tuple[ColumnType, RowKind], Format | None]:
    formats: dict[tuple[ColumnType, RowKind], Format | None] = {}
    for column_type in ColumnType:
        for kind in RowKind:
            properties = dict(_EMPHASIS[kind])
            if column_type in _NUMBER_FORMATS:
                properties["num_format"] = _NUMBER_FORMATS[column_type]
            formats[column_type, kind] = workbook.add_format(properties) if properties else None
    return formats


CellWriter = Callable[[Worksheet, int, int, Any, "Format | None"], Any]


def _text(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> Any:
    # write_string, not write: "0012" must stay text and "=1+1" must not run.
    return sheet.write_string(row, col, str(value), fmt)


def _integer(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> Any:
    return sheet.write_number(row, col, value, fmt)


def _money(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> Any:
    # A double holds any two-decimal amount below 2**53 cents closely enough that
    # Excel shows it exactly.
    return sheet.write_number(row, col, float(as_money(value)), fmt)


def _date(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> Any:
    day: date = as_date(value)
    return sheet.write_datetime(row, col, day, fmt)


def _datetime(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> Any:
    # Excel has no time zones: write the Brussels wall-clock time.
    moment: datetime = brussels(value).replace(tzinfo=None)
    return sheet.write_datetime(row, col, moment, fmt)


# Chosen once per column, not once per cell: at 100,000 rows the per-cell dispatch
# was a third of the time.
_WRITERS: dict[ColumnType, CellWriter] = {
    ColumnType.TEXT: _text,
    ColumnType.INTEGER: _integer,
    ColumnType.MONEY: _money,
    ColumnType.DATE: _date,
    ColumnType.DATETIME: _datetime,
}


def _too_many_rows() -> InvalidInput:
    return InvalidInput(
        f"this export has more than {XLSX_MAX_ROWS:,} rows, more than Excel can hold; "
        "narrow the filters or choose CSV",
        code="too_many_rows",
    )


def write_xlsx(table: Table, out: str | BinaryIO) -> int:
    """Write the table as one sheet to a path or binary file; returns the rows written,
    header not counted. Raises InvalidInput, leaving ``out`` untouched, when the rows
    do not fit in a sheet."""
    # A directory of our own for XlsxWriter's row files: when we give up halfway
    # (too many rows, a bad value) the workbook is never closed and would leave them.
    with tempfile.TemporaryDirectory(prefix="lidgeld-xlsx-", ignore_cleanup_errors=True) as tmp:
        workbook = Workbook(out, {"constant_memory": True, "tmpdir": tmp})
        # Python's zipfile only switches to ZIP64 when a part exceeds 4 GiB, which
        # a sheet near the row limit can; without it close() would fail there.
        workbook.use_zip64()
        workbook.set_properties({"title": table.title})
        sheet = workbook.add_worksheet(sheet_name(table.title))
        columns = list(table.columns)
        types = [c.type for c in columns]

        header = workbook.add_format({"bold": True, "bottom": 1})
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column_width(column))
            sheet.write_string(0, col, column.label, header)
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.repeat_rows(0)

        formats = _cell_formats(workbook)
        writers = [_WRITERS[kind] for kind in types]
        formats_by_kind = {
            kind: [formats[column_type, kind] for column_type in types] for kind in RowKind
        }
        written = 0
        filtered_to = 0  # the grand total stays out of the filter, so sorting leaves it last
        for row in table.rows:
            if written >= XLSX_MAX_ROWS:
                raise _too_many_rows()
            index = written + 1
            row_formats = formats_by_kind[row.kind]
            # Only a total row's blanks carry something (its border line).
            write_blanks = row.kind is RowKind.TOTAL
            if len(row.values) != len(columns):
                raise ValueError(
                    f"row {index} has {len(row.values)} values for {len(columns)} columns"
                )
            for col, value in enumerate(row.values):
                if value is not None:
                    writers[col](sheet, index, col, value, row_formats[col])
                elif write_blanks:
                    sheet.write_blank(index, col, None, row_formats[col])
            written = index
            if row.kind is not RowKind.TOTAL:
                filtered_to = index

        if columns:
            sheet.autofilter(0, 0, filtered_to, len(columns) - 1)
        workbook.close()
    return written
