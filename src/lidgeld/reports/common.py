"""What the three reports of R8 share: the chunk size, the filter lines above a table, a name.

Each report (:mod:`lidgeld.reports.notice_reports`, :mod:`lidgeld.reports.finance_reports`,
:mod:`lidgeld.reports.membership_reports`) is a ``Table`` a page or a writer can show. It
checks what it is asked and who asks before it returns, so a mistake or a refusal comes
before any file is opened; the rows themselves are read lazily, in chunks, when the table
is written.

``for_export`` (the default) is a report that leaves the building (a file, an API
answer): with names and addresses in it, R11's export rule applies
(``Scope.require_export``). A page that only shows the first rows to the person at
the desk passes False: serving the group's borrowers is what the desk is for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from itertools import islice
from typing import Any

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from lidgeld.exports.formatting import format_date_be
from lidgeld.exports.table import Row
from lidgeld.libraries.models import Instance

CHUNK = 2000


def instances_line(ids: frozenset[int] | None) -> str:
    if ids is None:
        return _("Instances: all instances")
    codes = list(
        Instance.objects.filter(id__in=sorted(ids)).order_by("code").values_list("code", flat=True)
    )
    return _("Instances: %(codes)s") % {"codes": ", ".join(codes) if codes else _("(none)")}


def period_line(start: date | None, end: date) -> str:
    if start:
        return f"{format_date_be(start)} – {format_date_be(end)}"
    return _("up to %(end)s") % {"end": format_date_be(end)}


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def label_of(labels: Mapping[Any, Any], code: str) -> str:
    """A code's word in the report's language (rendered now: a report is made in one
    language), the code itself when it has none."""
    return str(labels.get(code, code))


def labels_now(labels: Mapping[Any, Any]) -> dict[Any, str]:
    """Every word of ``labels`` rendered once, in the language active now: a row
    generator calls it before its first row, instead of a catalogue lookup per row."""
    return {code: str(label) for code, label in labels.items()}


def in_language(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows in the language the report was asked in: a writer reads them later
    (a download streams after the view returned), when another language may be active.
    The language is taken now, not at the first row."""
    return _read_in(get_language(), rows)


def _read_in(language: str, rows: Iterator[Row]) -> Iterator[Row]:
    # A chunk of rows per switch of language: switching per row cost a fifth of the
    # outstanding report's time. The language is back as it was between chunks, so the
    # writer reading them is never left in another one.
    iterator = iter(rows)
    while True:
        with override(language):
            chunk = list(islice(iterator, CHUNK))
        if not chunk:
            return
        yield from chunk
