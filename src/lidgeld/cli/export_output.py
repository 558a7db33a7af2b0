"""Where an export goes: a file written beside its target and renamed over it only
when complete (and audited in the same step), or CSV on the screen."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext_lazy as _

from lidgeld.exports.table import Table
from lidgeld.exports.writers import ExportFormat


def target_folder(path: str) -> str:
    from lidgeld.errors import InvalidInput

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InvalidInput(
            _("there is no folder '%(folder)s'; create it or choose another file"),
            code="folder_missing",
            params={"folder": folder},
        )
    if os.path.isdir(path):
        raise InvalidInput(
            _("'%(path)s' is a folder; give a file name, e.g. %(example)s"),
            code="output_is_folder",
            params={"path": path, "example": f"{path}/rapport.csv"},
        )
    return folder


def write_file(
    table: Table,
    path: str,
    fmt: ExportFormat,
    *,
    excel: bool,
    today: date,
    record: Callable[[int], None],
) -> int:
    """Write the file, then ``record(rows)`` the export; neither happens without the other."""
    from django.db import transaction

    from lidgeld.errors import InvalidInput
    from lidgeld.exports.writers import write_table

    folder = target_folder(path)
    # Written beside the target and renamed over it only when complete, so a run that
    # fails half-way leaves no half file (and an older report of the same name intact).
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".part"
        )
    except OSError as error:
        raise InvalidInput(
            _("cannot write in '%(folder)s': %(reason)s; choose another folder"),
            code="folder_unwritable",
            params={"folder": folder, "reason": error.strerror or str(error)},
        ) from None
    try:
        with os.fdopen(handle, "wb") as out:
            rows = write_table(table, out, fmt, excel_csv=excel, generated_on=today)
        with transaction.atomic():
            record(rows)
            os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return rows


def write_stdout(table: Table, fmt: ExportFormat, *, excel: bool, today: date) -> int:
    from lidgeld.errors import InvalidInput
    from lidgeld.exports.writers import write_table

    name = fmt.value
    if name != "csv":
        raise InvalidInput(
            _("%(format)s cannot be written to the screen; give a file name, e.g. %(example)s"),
            code="format_not_on_screen",
            params={"format": name.upper(), "example": f"-o rapport.{name}"},
        )
    sys.stdout.flush()
    rows = write_table(table, sys.stdout.buffer, fmt, excel_csv=excel, generated_on=today)
    sys.stdout.buffer.flush()
    return rows
