"""R8's report on memberships: Vervallende abonnementen, the ones that end in a month."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from lidgeld.domain.months import end_of_month, first_of_month
from lidgeld.exports.formatting import format_date_be, format_money_be
from lidgeld.exports.table import Column, ColumnType, Row, Table
from lidgeld.notices.selectors import NoticeState, notice_state
from lidgeld.reports.common import CHUNK, full_name, in_language, instances_line
from lidgeld.scope import Scope
from lidgeld.standing.dues import memberships_expiring_with_dues

# Only a CAE that reached the borrower's side is "ja": a letter is sent once staff
# confirmed it printed (issue 11, item 14).
_CAE_SENT = {
    NoticeState.SENT: gettext_lazy("yes"),
    NoticeState.QUEUED: pgettext_lazy("message status", "waiting to be sent"),
    NoticeState.TO_PRINT: gettext_lazy("no (letter to print)"),
    NoticeState.FAILED: gettext_lazy("no (failed)"),
    NoticeState.SKIPPED: gettext_lazy("no (skipped)"),
    NoticeState.NONE: gettext_lazy("no"),
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
        title=_("Expiring memberships"),
        columns=[
            Column("instance", _("Instance")),
            Column("name", _("Name"), width=30),
            Column("card", _("Borrower card")),
            Column("type_code", _("Membership type")),
            Column("type_name", _("Type description"), width=24),
            Column("end", _("End date"), ColumnType.DATE),
            Column("open_amount", _("Open fee"), ColumnType.MONEY),
            Column("email", _("E-mail address"), width=32),
            Column("cae", _("CAE sent")),
            Column("next_type", _("Type that follows (age limit)"), width=28),
        ],
        rows=in_language(_expiring_rows(memberships)),
        filters=[
            instances_line(ids),
            _("Month: %(month)s %(year)s (ending on %(end)s)")
            % {
                "month": MONTHS[month.month],
                "year": month.year,
                "end": format_date_be(end_of_month(month)),
            },
            _("Open fees and notices on %(day)s") % {"day": format_date_be(today)},
        ],
    )


def _becomes(name: str | None, fee: Decimal | None) -> str:
    """R12: the type a renewal becomes past the age limit, with its fee; empty: the same."""
    if not name:
        return ""
    if not fee:
        return _("becomes %(type)s") % {"type": name}
    return _("becomes %(type)s (%(fee)s)") % {"type": name, "fee": format_money_be(fee)}


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
        "next_type_name",
        "next_type_fee",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        (instance, first, last, card, type_code, type_name, end, owed, email, cae, channel,
         next_name, next_fee) = row  # fmt: skip
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
                str(_CAE_SENT[notice_state(cae, channel)]),
                _becomes(next_name, next_fee),
            ]
        )
