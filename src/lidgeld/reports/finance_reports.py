"""R8's report on money owed: Financieel › Overzichten › Openstaande posten per klant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lidgeld.errors import InvalidInput
from lidgeld.exports.table import Column, ColumnType, Row, RowKind, Table
from lidgeld.finance.models import CONTRIBUTION_CODES, STAGE_LABELS, Posting, PostingStatus
from lidgeld.reports.common import (
    CHUNK,
    full_name,
    in_language,
    instances_line,
    label_of,
    labels_now,
    period_line,
)
from lidgeld.scope import Scope


def _check_codes(code_from: int, code_to: int) -> None:
    if not (1 <= code_from <= 9999 and 1 <= code_to <= 9999):
        raise InvalidInput(
            gettext_lazy(
                "booking codes run from 1 to 9999, not %(low)s–%(high)s; "
                "contributions are 1000–1999"
            ),
            code="booking_codes_out_of_range",
            params={"low": code_from, "high": code_to},
        )
    if code_from > code_to:
        raise InvalidInput(
            gettext_lazy(
                "the booking-code range starts after it ends (%(low)s–%(high)s); "
                "give the lowest code first, e.g. 1000–1999"
            ),
            code="booking_codes_reversed",
            params={"low": code_from, "high": code_to},
        )


def outstanding_items(
    *,
    scope: Scope,
    instance_ids: list[int] | None,
    code_from: int = CONTRIBUTION_CODES[0],
    code_to: int = CONTRIBUTION_CODES[1],
    booked_from: date | None = None,
    booked_to: date,
    for_export: bool = True,
) -> Table:
    """Financieel › Overzichten › Openstaande posten per klant, with a subtotal per
    borrower and a grand total."""
    _check_codes(code_from, code_to)
    if booked_from is not None and booked_from > booked_to:
        raise InvalidInput(
            gettext_lazy(
                "the period starts after it ends: %(start)s is after %(end)s; "
                "give the earliest day first"
            ),
            code="period_reversed",
            params={"start": booked_from, "end": booked_to},
        )
    ids = scope.narrow(instance_ids)
    postings = Posting.objects.filter(
        status=PostingStatus.OPEN,
        balance__gt=0,
        booking_code__range=(code_from, code_to),
        booked_on__lte=booked_to,
    )
    if booked_from is not None:
        postings = postings.filter(booked_on__gte=booked_from)
    if ids is not None:
        postings = postings.filter(instance_id__in=sorted(ids))
    if for_export:
        scope.require_export(postings, "borrower__home_instance")
    return Table(
        title=_("Open items per borrower"),
        columns=[
            Column("card", _("Borrower card")),
            Column("name", _("Name"), width=30),
            Column("email", _("E-mail address"), width=32),
            Column("booking_code", _("Booking code"), ColumnType.INTEGER),
            Column("description", _("Description"), width=30),
            Column("booked_on", _("Booked on"), ColumnType.DATE),
            Column("stage", _("Stage")),
            Column("amount", _("Amount"), ColumnType.MONEY),
            Column("balance", _("Open amount"), ColumnType.MONEY),
        ],
        rows=in_language(_outstanding_rows(postings)),
        filters=[
            instances_line(ids),
            _("Booking code: %(low)s to %(high)s") % {"low": code_from, "high": code_to},
            _("Period booked: %(period)s") % {"period": period_line(booked_from, booked_to)},
        ],
    )


def _outstanding_rows(postings: QuerySet[Posting]) -> Iterator[Row]:
    # Sorted by borrower so each group closes as soon as the next borrower starts: the
    # subtotals are summed on the way through, never by holding the items.
    rows = postings.order_by(
        "borrower__last_name",
        "borrower__first_name",
        "borrower__card_number",
        "borrower_id",
        "booked_on",
        "id",
    ).values_list(
        "borrower_id",
        "borrower__card_number",
        "borrower__first_name",
        "borrower__last_name",
        "borrower__email",
        "booking_code",
        "description",
        "booked_on",
        "stage",
        "amount",
        "balance",
    )
    stages = labels_now(STAGE_LABELS)
    subtotal = _("Subtotal %(name)s")  # rendered once, as the labels
    zero = Decimal("0.00")
    current: int | None = None
    name = ""
    sub_amount = sub_balance = zero
    total_amount = total_balance = zero
    borrowers = items = 0
    for (
        borrower_id,
        card,
        first,
        last,
        email,
        code,
        text,
        booked_on,
        stage,
        amount,
        balance,
    ) in rows.iterator(chunk_size=CHUNK):
        if borrower_id != current:
            if current is not None:
                yield _subtotal(subtotal % {"name": name}, sub_amount, sub_balance)
            current, name = borrower_id, full_name(first, last)
            sub_amount = sub_balance = zero
            borrowers += 1
        items += 1
        sub_amount += amount
        sub_balance += balance
        total_amount += amount
        total_balance += balance
        yield Row(
            [
                card,
                name,
                email,
                code,
                text,
                booked_on,
                label_of(stages, stage),
                amount,
                balance,
            ]
        )
    if current is not None:
        yield _subtotal(subtotal % {"name": name}, sub_amount, sub_balance)
    yield Row(
        [
            None,
            _("Total"),
            None,
            None,
            ", ".join(
                [
                    ngettext("%(count)d borrower", "%(count)d borrowers", borrowers)
                    % {"count": borrowers},
                    ngettext("%(count)d item", "%(count)d items", items) % {"count": items},
                ]
            ),
            None,
            None,
            total_amount,
            total_balance,
        ],
        RowKind.TOTAL,
    )


def _subtotal(label: str, amount: Decimal, balance: Decimal) -> Row:
    return Row(
        [
            None,
            label,
            None,
            None,
            None,
            None,
            None,
            amount,
            balance,
        ],
        RowKind.SUBTOTAL,
    )
