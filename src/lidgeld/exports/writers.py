"""One entry point for every export format; the writers themselves live per format."""

from __future__ import annotations

import enum
from datetime import date
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

from lidgeld.errors import InvalidInput
from lidgeld.exports.csv_writer import iter_csv, write_csv
from lidgeld.exports.pdf_writer import write_pdf
from lidgeld.exports.table import Table
from lidgeld.exports.xlsx_writer import XLSX_MAX_ROWS, write_xlsx

__all__ = [
    "XLSX_MAX_ROWS",
    "ExportFormat",
    "iter_csv",
    "parse_format",
    "write_csv",
    "write_pdf",
    "write_table",
    "write_xlsx",
]


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


def parse_format(text: str) -> ExportFormat:
    """The format a user typed ("csv", " XLSX "…)."""
    try:
        return ExportFormat(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            _("format '%(format)s' is not known; choose csv, xlsx or pdf"),
            code="unknown_format",
            params={"format": text},
        ) from None


def write_table(
    table: Table,
    out: BinaryIO,
    fmt: ExportFormat,
    *,
    excel_csv: bool = False,
    generated_on: date | None = None,
) -> int:
    """Write ``table`` to ``out`` in ``fmt``; returns the rows written, header not counted.

    ``excel_csv`` picks the Belgian Excel dialect of CSV; ``generated_on`` is printed
    on PDF pages. Each is ignored by the formats it does not concern."""
    if fmt is ExportFormat.CSV:
        return write_csv(table, out, excel=excel_csv)
    if fmt is ExportFormat.XLSX:
        return write_xlsx(table, out)
    return write_pdf(table, out, generated_on=generated_on)
