"""R8: the three reports staff ask for, as a ``Table`` a page or a writer can show.

Each report checks what it is asked and who asks before it returns, so a mistake
or a refusal comes before any file is opened; the rows themselves are read
lazily, in chunks, when the table is written.

``for_export`` (the default) is a report that leaves the building (a file, an API
answer): with names and addresses in it, R11's export rule applies
(``Scope.require_export``). A page that only shows the first rows to the person at
the desk passes False: serving the group's borrowers is what the desk is for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from lidgeld.domain.months import end_of_month, first_of_month
from lidgeld.errors import InvalidInput
from lidgeld.exports.formatting import format_date_be
from lidgeld.exports.table import Column, ColumnType, Row, RowKind, Table
from lidgeld.finance.models import CONTRIBUTION_CODES, STAGE_CHOICES, Posting, PostingStatus
from lidgeld.libraries.models import Instance
from lidgeld.notices.models import (
    KIND_NAMES,
    TYPE_CONTRIBUTION,
    Channel,
    Message,
    MessageStatus,
)
from lidgeld.notices.selectors import NoticeState, notice_state
from lidgeld.scope import Scope
from lidgeld.standing.dues import memberships_expiring_with_dues

MESSAGE_TYPES = {TYPE_CONTRIBUTION: "Contributie"}
CHUNK = 2000
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

_CHANNELS = dict(Channel.choices)
_STATUSES = dict(MessageStatus.choices)
_STAGES = dict(STAGE_CHOICES)
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


def _instances_line(ids: frozenset[int] | None) -> str:
    if ids is None:
        return "Instanties: alle instanties"
    codes = list(
        Instance.objects.filter(id__in=sorted(ids)).order_by("code").values_list("code", flat=True)
    )
    return f"Instanties: {', '.join(codes) if codes else '(geen)'}"


def _period(start: date | None, end: date) -> str:
    return (
        f"{format_date_be(start)} – {format_date_be(end)}"
        if start
        else f"t/m {format_date_be(end)}"
    )


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


# --- Overzicht berichten --------------------------------------------------------------


def _message_type_and_kind(
    message_type: str | None, kind: str | None
) -> tuple[str | None, str | None]:
    """Staff know a kind by its code with the type in front ("CAE"); the database keeps
    the two apart. Both spellings are accepted, and a type the code contradicts is not."""
    wanted_type = message_type.strip().upper() if message_type else None
    if wanted_type is not None and wanted_type not in MESSAGE_TYPES:
        known = ", ".join(f"{code} ({name.lower()})" for code, name in MESSAGE_TYPES.items())
        raise InvalidInput(f"message type '{message_type}' is unknown; choose {known}")
    if not kind or not kind.strip():
        return wanted_type, None
    code = kind.strip().upper()
    if code in KIND_NAMES:
        return wanted_type, code
    if code[:1] in MESSAGE_TYPES and code[1:] in KIND_NAMES:
        if wanted_type is not None and wanted_type != code[:1]:
            raise InvalidInput(
                f"message kind '{kind}' is of type {code[:1]}, not {wanted_type}; "
                f"leave out the type or write the kind as {code[1:]}"
            )
        return code[:1], code[1:]
    known = ", ".join(f"{TYPE_CONTRIBUTION}{code} ({name})" for code, name in KIND_NAMES.items())
    raise InvalidInput(f"message kind '{kind}' is unknown; choose one of {known}")


def message_overview(
    *,
    scope: Scope,
    instance_ids: list[int] | None,
    message_type: str | None = TYPE_CONTRIBUTION,
    kind: str | None = None,
    date_from: date,
    date_to: date,
    detail: bool = True,
    for_export: bool = True,
) -> Table:
    """Berichten › Overzichten › Overzicht berichten: which notices went out, to whom, how."""
    if date_from > date_to:
        raise InvalidInput(
            f"the period starts after it ends: {format_date_be(date_from)} is after "
            f"{format_date_be(date_to)}; give the earliest day first"
        )
    message_type, kind = _message_type_and_kind(message_type, kind)
    ids = scope.narrow(instance_ids)
    messages = Message.objects.filter(date__range=(date_from, date_to))
    if ids is not None:
        messages = messages.filter(instance_id__in=sorted(ids))
    if message_type is not None:
        messages = messages.filter(type=message_type)
    if kind is not None:
        messages = messages.filter(kind=kind)

    filters = [
        _instances_line(ids),
        "Berichttype: "
        + (f"{message_type} – {MESSAGE_TYPES[message_type]}" if message_type else "alle types"),
        "Berichtsoort: "
        + (f"{message_type or ''}{kind} – {KIND_NAMES[kind]}" if kind else "alle soorten"),
        f"Periode: {_period(date_from, date_to)}",
        f"Soort overzicht: {'detail' if detail else 'samenvatting'}",
    ]
    if detail:
        if for_export:
            scope.require_export(messages, "borrower__home_instance")
        return Table(
            title="Overzicht berichten",
            columns=[
                Column("date", "Datum", ColumnType.DATE),
                Column("instance", "Instantie"),
                Column("kind", "Berichtsoort"),
                Column("channel", "Kanaal"),
                Column("status", "Status"),
                Column("name", "Naam"),
                Column("card", "Lenerskaart"),
                Column("email", "E-mailadres", width=32),
            ],
            rows=_message_rows(messages),
            filters=filters,
        )
    return Table(
        title="Overzicht berichten",
        columns=[
            Column("date", "Datum", ColumnType.DATE),
            Column("kind", "Berichtsoort"),
            Column("channel", "Kanaal"),
            Column("status", "Status"),
            Column("count", "Aantal", ColumnType.INTEGER),
        ],
        rows=_message_summary_rows(messages),
        filters=filters,
    )


def _message_rows(messages: QuerySet[Message]) -> Iterator[Row]:
    rows = messages.order_by(
        "date",
        "instance__code",
        "borrower__last_name",
        "borrower__first_name",
        "borrower__card_number",
        "id",
    ).values_list(
        "date",
        "instance__code",
        "type",
        "kind",
        "channel",
        "status",
        "borrower__first_name",
        "borrower__last_name",
        "borrower__card_number",
        "to_address",
        "borrower__email",
    )
    for day, instance, type_, kind, channel, status, first, last, card, to, email in rows.iterator(
        chunk_size=CHUNK
    ):
        yield Row(
            [
                day,
                instance,
                f"{type_}{kind}",
                _CHANNELS.get(channel, channel),
                _STATUSES.get(status, status),
                _name(first, last),
                card,
                to or email,
            ]
        )


def _message_summary_rows(messages: QuerySet[Message]) -> Iterator[Row]:
    groups = (
        messages.order_by()
        .values_list("date", "type", "kind", "channel", "status")
        .annotate(count=Count("id"))
        .order_by("date", "type", "kind", "channel", "status")
    )
    total = 0
    for day, type_, kind, channel, status, count in groups.iterator(chunk_size=CHUNK):
        total += count
        yield Row(
            [
                day,
                f"{type_}{kind}",
                _CHANNELS.get(channel, channel),
                _STATUSES.get(status, status),
                count,
            ]
        )
    yield Row([None, "Totaal", None, None, total], RowKind.TOTAL)


# --- Openstaande posten per klant -------------------------------------------------------


def _check_codes(code_from: int, code_to: int) -> None:
    if not (1 <= code_from <= 9999 and 1 <= code_to <= 9999):
        raise InvalidInput(
            f"booking codes run from 1 to 9999, not {code_from}–{code_to}; "
            "contributions are 1000–1999"
        )
    if code_from > code_to:
        raise InvalidInput(
            f"the booking-code range starts after it ends ({code_from}–{code_to}); "
            "give the lowest code first, e.g. 1000–1999"
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
            f"the period starts after it ends: {format_date_be(booked_from)} is after "
            f"{format_date_be(booked_to)}; give the earliest day first"
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
        title="Openstaande posten per klant",
        columns=[
            Column("card", "Lenerskaart"),
            Column("name", "Naam", width=30),
            Column("email", "E-mailadres", width=32),
            Column("booking_code", "Boekingscode", ColumnType.INTEGER),
            Column("description", "Omschrijving", width=30),
            Column("booked_on", "Geboekt op", ColumnType.DATE),
            Column("stage", "Stadium"),
            Column("amount", "Bedrag", ColumnType.MONEY),
            Column("balance", "Openstaand", ColumnType.MONEY),
        ],
        rows=_outstanding_rows(postings),
        filters=[
            _instances_line(ids),
            f"Boekingscode: {code_from} t/m {code_to}",
            f"Periode ontstaan: {_period(booked_from, booked_to)}",
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
                yield _subtotal(name, sub_amount, sub_balance)
            current, name = borrower_id, _name(first, last)
            sub_amount = sub_balance = zero
            borrowers += 1
        items += 1
        sub_amount += amount
        sub_balance += balance
        total_amount += amount
        total_balance += balance
        yield Row(
            [card, name, email, code, text, booked_on, _STAGES.get(stage, stage), amount, balance]
        )
    if current is not None:
        yield _subtotal(name, sub_amount, sub_balance)
    yield Row(
        [
            None,
            "Totaal",
            None,
            None,
            f"{borrowers} {'klant' if borrowers == 1 else 'klanten'}, "
            f"{items} {'post' if items == 1 else 'posten'}",
            None,
            None,
            total_amount,
            total_balance,
        ],
        RowKind.TOTAL,
    )


def _subtotal(name: str, amount: Decimal, balance: Decimal) -> Row:
    return Row(
        [None, f"Subtotaal {name}", None, None, None, None, None, amount, balance],
        RowKind.SUBTOTAL,
    )


# --- Vervallende abonnementen -----------------------------------------------------------


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
            _instances_line(ids),
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
                _name(first, last),
                card,
                type_code,
                type_name,
                end,
                owed,
                email,
                _CAE_SENT[notice_state(cae, channel)],
            ]
        )
