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

from collections.abc import Mapping
from datetime import date
from typing import Any

from lidgeld.exports.formatting import format_date_be
from lidgeld.libraries.models import Instance

CHUNK = 2000


def instances_line(ids: frozenset[int] | None) -> str:
    if ids is None:
        return "Instanties: alle instanties"
    codes = list(
        Instance.objects.filter(id__in=sorted(ids)).order_by("code").values_list("code", flat=True)
    )
    return f"Instanties: {', '.join(codes) if codes else '(geen)'}"


def period_line(start: date | None, end: date) -> str:
    return (
        f"{format_date_be(start)} – {format_date_be(end)}"
        if start
        else f"t/m {format_date_be(end)}"
    )


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def label_of(labels: Mapping[Any, Any], code: str) -> str:
    """A code's word in the report's language (rendered now: a report is made in one
    language), the code itself when it has none."""
    return str(labels.get(code, code))
