"""R8's report on memberships: Vervallende abonnementen, the ones that end in a month."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from lidgeld.domain.months import end_of_month, first_of_month
from lidgeld.exports.formatting import format_date_be
from lidgeld.exports.table import Column, ColumnType, Row, Table
from lidgeld.notices.selectors import NoticeState, notice_state
from lidgeld.reports.common import CHUNK, full_name, instances_line
from lidgeld.scope import Scope
from lidgeld.standing.dues import memberships_expiring_with_dues

MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# Only a CAE that reached the borrower's side is "ja": a letter is sent once staff
# confirmed it printed (issue 11, item 14).
_CAE_SENT = {
    NoticeState.SENT: "ja",
    NoticeState.QUEUED: "in wachtrij",
    NoticeState.TO_PRINT: "nee (brief te printen)",
    NoticeState.FAILED: "nee (mislukt)",
    NoticeState.SKIPPED: "nee (overgeslagen)",
    NoticeState.NONE: "nee",
}


def expiring_memberships(
    *,
    scope: Scope,
    instance_ids: list[int] | None,
    month: date,
    today: date,
    for_export: bool = True,
) -> Table:
    """The memberships that end on the last day of ``month`` and are not renewed yet,
    with what each borrower still owes and whether the end-of-contribution notice went out."""
    ids = scope.narrow(instance_ids)
    month = first_of_month(month)
    memberships = memberships_expiring_with_dues(
        month=month, instance_ids=sorted(ids) if ids is not None else None
    )
    if for_export:
        scope.require_export(memberships, "borrower__home_instance")
    return Table(
        title="Vervallende abonnementen",
        columns=[
            Column("instance", "Instantie"),
            Column("name", "Naam", width=30),
            Column("card", "Lenerskaart"),
            Column("type_code", "Abonnementstype"),
            Column("type_name", "Omschrijving type", width=24),
            Column("end", "Einddatum", ColumnType.DATE),
            Column("open_amount", "Openstaand lidgeld", ColumnType.MONEY),
            Column("email", "E-mailadres", width=32),
            Column("cae", "CAE verstuurd"),
        ],
        rows=_expiring_rows(memberships),
        filters=[
            instances_line(ids),
            f"Maand: {MONTH_NAMES[month.month - 1]} {month.year} "
            f"(einde op {format_date_be(end_of_month(month))})",
            f"Openstaand lidgeld en berichten op {format_date_be(today)}",
        ],
    )


# Any: the memberships carry the open_amount annotation, which QuerySet[Membership] lacks.
def _expiring_rows(memberships: QuerySet[Any]) -> Iterator[Row]:
    rows = memberships.values_list(
        "instance__code",
        "borrower__first_name",
        "borrower__last_name",
        "borrower__card_number",
        "type__code",
        "type__name",
        "end",
        "open_amount",
        "borrower__email",
        "cae_status",
        "cae_channel",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        instance, first, last, card, type_code, type_name, end, owed, email, cae, channel = row
        yield Row(
            [
                instance,
                full_name(first, last),
                card,
                type_code,
                type_name,
                end,
                owed,
                email,
                _CAE_SENT[notice_state(cae, channel)],
            ]
        )
