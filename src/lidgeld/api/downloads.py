"""Tables as HTTP downloads: streamed, and audited once the last row went out."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse

from lidgeld.exports.table import Row, Table
from lidgeld.exports.writers import ExportFormat, iter_csv, write_table

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PDF: "application/pdf",
}


class _Counted:
    """Counts the rows a writer pulls, so the audit says how many left the building."""

    def __init__(self, rows: Any) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.count += 1
            yield row


def table_download(
    table: Table,
    *,
    fmt: ExportFormat,
    filename: str,
    excel_csv: bool,
    today: date,
    audit: Callable[[int, bool], None],
) -> HttpResponseBase:
    """CSV streams straight from the database cursor; XLSX and PDF are written to a
    temporary file first (their formats need the end before the start) and then
    streamed from it. ``audit(rows, complete)`` runs when the rows have been read."""
    counted = _Counted(table.rows)
    table.rows = counted
    name = f"{filename}.{fmt.value}"
    if fmt is ExportFormat.CSV:

        def chunks() -> Iterator[bytes]:
            complete = False
            try:
                yield from iter_csv(table, excel=excel_csv)
                complete = True
            finally:
                audit(counted.count, complete)

        response = StreamingHttpResponse(chunks(), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # FileResponse closes it once the last byte is sent.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write_table(table, spool, fmt, generated_on=today)
    except BaseException:
        spool.close()
        raise
    audit(counted.count, True)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
