"""Reads for the kiosk: the hot path of patron status (23) in one indexed query.

The decision itself is not made here: the rows are turned into a
:class:`~lidgeld.domain.blocks.Situation` exactly as
:func:`lidgeld.standing.status.borrower_status` does, and
:func:`lidgeld.domain.blocks.decide` answers (R7).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Exists, FilteredRelation, OuterRef, QuerySet, Subquery

from lidgeld.borrowers.models import Borrower, Card
from lidgeld.domain.blocks import (
    Block,
    CardState,
    Channel,
    MembershipState,
    Situation,
    card_state,
    decide,
    furthest_stage,
)
from lidgeld.domain.dunning import DunningPolicy, Stage, effective_stage
from lidgeld.finance.models import (
    open_contribution_q,
    open_contribution_sql,
)
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership, MembershipStatus
from lidgeld.memberships.selectors import covering_day, ended_situation, ending_in_force


@dataclass(frozen=True)
class KioskPatron:
    id: int
    card_number: str  # the card asked for: the current one, or an old one
    name: str
    language: str
    pin_hash: str  # '' for a card no kiosk accepts
    membership: MembershipState
    open_amount: Decimal
    open_items: int
    stage: Stage | None
    block: Block  # the kiosk's block

    @property
    def allowed(self) -> bool:
        return self.block.allowed

    @property
    def card(self) -> CardState:
        return self.block.situation.card

    @property
    def card_refused(self) -> bool:
        """The card is reported lost or stolen, or is an old one: no kiosk accepts it."""
        return self.card is not CardState.OK


_VALUES = (
    "id",
    "card_number",
    "first_name",
    "last_name",
    "language",
    "pin_hash",
    "card_reported",
    "covered",
    "last_started_status",
    "latest_end",
    "fee__balance",
    "fee__booked_on",
    "fee__instance__reminder_after_months",
    "fee__instance__unpaid_after_months",
    "fee__instance__write_off_after_months",
)


# Stand-ins for the parameters of the compiled statement (see _statement).
_CARD = "\x00card\x00"
_DAY = date(1901, 2, 3)
_FIRST_ID = -1_000_000


def _queryset(card_number: str, instance_ids: list[int], today: date) -> QuerySet[Borrower]:
    periods = Membership.objects.filter(borrower_id=OuterRef("pk")).order_by()
    return Borrower.objects.filter(
        card_number=card_number, home_instance_id__in=instance_ids
    ).annotate(
        fee=FilteredRelation(
            "postings",
            condition=open_contribution_q("postings__"),
        ),
        covered=Exists(covering_day(today, OuterRef("pk"))),
        last_started_status=Subquery(
            periods.filter(start__lte=today).order_by("-start", "-id").values("status")[:1]
        ),
        latest_end=Subquery(periods.order_by("-end", "-id").values("end")[:1]),
    )


# (database alias, vendor, number of instance ids) → (SQL, parameter template)
_STATEMENTS: dict[tuple[str, str, int], tuple[str, list[Any]]] = {}


def _statement(count: int) -> tuple[str, list[Any]]:
    """The SQL of the lookup, compiled by the ORM once per number of visible
    instances and then reused: building a query costs far more than running it."""
    key = (connection.alias, connection.vendor, count)
    cached = _STATEMENTS.get(key)
    if cached is None:
        ids = [_FIRST_ID - n for n in range(count)]
        query = _queryset(_CARD, ids, _DAY).values_list(*_VALUES).query
        sql, params = query.get_compiler(connection=connection).as_sql()
        cached = _STATEMENTS[key] = (sql, list(params))
    return cached


def _bind(template: list[Any], card_number: str, instance_ids: list[int], today: date) -> list[Any]:
    day = connection.ops.adapt_datefield_value(today)
    sentinel_day = connection.ops.adapt_datefield_value(_DAY)
    params: list[Any] = []
    for value in template:
        if value == _CARD:
            params.append(card_number)
        elif value in (sentinel_day, _DAY):
            params.append(day)
        elif isinstance(value, int) and not isinstance(value, bool) and value <= _FIRST_ID:
            params.append(instance_ids[_FIRST_ID - value])
        else:
            params.append(value)
    return params


def _date(value: Any) -> date:
    """A date column read without the ORM (SQLite gives text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _day(value: Any) -> date | None:
    return None if value is None else _date(value)


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


# The same columns as _VALUES, written by hand for PostgreSQL: the membership facts
# come from one pass over the borrower's periods, and the statement is prepared on
# the server, so a kiosk request costs one index lookup and no planning.
_POSTGRESQL_LOOKUP = (
    """
SELECT b.id, b.card_number, b.first_name, b.last_name, b.language, b.pin_hash,
       b.card_reported, periods.covered, periods.last_started_status, periods.latest_end,
       fee.balance, fee.booked_on,
       fee_instance.reminder_after_months, fee_instance.unpaid_after_months,
       fee_instance.write_off_after_months
  FROM borrowers_borrower b
 CROSS JOIN LATERAL (
       SELECT coalesce(bool_or(m.status <> 'invalidated'
                               AND m.start <= %(day)s AND m."end" >= %(day)s), false) AS covered,
              (array_agg(m.status ORDER BY m.start DESC, m.id DESC)
                   FILTER (WHERE m.start <= %(day)s))[1] AS last_started_status,
              max(m."end") AS latest_end
         FROM memberships_membership m
        WHERE m.borrower_id = b.id) periods
  LEFT JOIN finance_posting fee
         ON fee.borrower_id = b.id AND """
    + open_contribution_sql("fee")
    + """
  LEFT JOIN libraries_instance fee_instance ON fee_instance.id = fee.instance_id
 WHERE b.card_number = %(card)s AND b.home_instance_id = ANY(%(ids)s)
"""
)


def _postgresql_rows(card_number: str, instance_ids: list[int], today: date) -> list[Any]:
    params = {"day": today, "card": card_number, "ids": instance_ids}
    connection.ensure_connection()
    started = time.monotonic()
    # A server-side-binding psycopg cursor: Django's own (client-side binding) cannot
    # use a prepared statement.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_POSTGRESQL_LOOKUP, params, prepare=True)
        rows = cursor.fetchall()
    if connection.queries_logged:  # keep query counting (tests, debug) truthful
        connection.queries_log.append(
            {
                "sql": f"{_POSTGRESQL_LOOKUP} -- {params}",
                "time": f"{time.monotonic() - started:.3f}",
            }
        )
    return rows


def _rows(card_number: str, ids: list[int], today: date) -> list[Any]:
    if connection.vendor == "postgresql":
        return _postgresql_rows(card_number, ids, today)
    sql, template = _statement(len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, _bind(template, card_number, ids, today))
        return cursor.fetchall()


def kiosk_patron(
    *, card_number: str, instance_ids: Iterable[int], today: date
) -> KioskPatron | None:
    """The borrower with this card, if a terminal of these instances may see them, and
    their kiosk block today. One SQL statement: the borrower row, joined to their open
    contributions (usually none or one row), with the membership facts as subqueries.

    A number that is no one's current card costs one more lookup, in the card history:
    an old card finds its borrower (as the lookup of their current card does), blocked
    because the card is old (CARD_REPLACED, or CARD_LOST when it had been reported)."""
    ids = list(instance_ids)
    if not ids:
        return None
    rows = _rows(card_number, ids, today)
    if rows:
        return _patron(rows, today)
    old = (
        Card.objects.filter(
            number=card_number, replaced_on__isnull=False, borrower__home_instance_id__in=ids
        )
        .values_list("reported", "borrower__card_number")
        .first()
    )
    if old is None:
        return None
    reported, current = old
    rows = _rows(current, ids, today)
    if not rows:
        return None
    return _patron(rows, today, old_card=(card_number, card_state(reported, replaced=True)))


def _patron(
    rows: list[Any], today: date, *, old_card: tuple[str, CardState] | None = None
) -> KioskPatron:
    first = rows[0]
    (pk, card, first_name, last_name, language, pin_hash, reported) = first[:7]
    covered, last_status, latest_end = first[7:10]
    latest_end = _day(latest_end)
    if covered:
        state = MembershipState.ACTIVE
    elif last_status is None:
        state = MembershipState.NONE
    elif last_status == MembershipStatus.INVALIDATED:
        state = MembershipState.INVALIDATED
    else:
        state = MembershipState.EXPIRED
    fees = [
        (_money(balance), _date(booked_on), reminder, unpaid, write_off)
        for balance, booked_on, reminder, unpaid, write_off in (row[10:] for row in rows)
        if balance is not None
    ]
    amount = sum((balance for balance, *_ in fees), Decimal("0.00"))
    # As borrower_status: a fee past its write-off day that the daily run has not
    # reached yet still counts as unpaid.
    stage = furthest_stage(
        [
            effective_stage(booked_on, today, DunningPolicy(reminder, unpaid, write_off))
            for _, booked_on, reminder, unpaid, write_off in fees
        ]
    )
    if old_card is not None:
        card, shown = old_card
    else:
        shown = card_state(reported)
    situation = Situation(
        membership=state,
        # Only the "ended on" sentence shows a date; for an active membership the
        # chain of renewals is not needed to decide.
        membership_end=None if state is MembershipState.ACTIVE else latest_end,
        open_amount=amount,
        stage=stage,
        card=shown,
        # An ending says itself at the kiosk too (a death: "do not lend"); looked up
        # only for a borrower without a valid period, off the hot path.
        ended=None
        if state is MembershipState.ACTIVE
        else ended_situation(ending_in_force(borrower_id=pk, today=today), today),
    )
    return KioskPatron(
        id=pk,
        card_number=card,
        name=f"{first_name} {last_name}".strip(),
        language=language,
        pin_hash=pin_hash if shown is CardState.OK else "",
        membership=state,
        open_amount=amount,
        open_items=len(fees),
        stage=stage,
        block=decide(situation)[Channel.KIOSK],
    )


def visible_instance_ids(instance: Instance) -> list[int]:
    """A terminal sees its instance and the other instances of its cooperation group."""
    if instance.group_id is None:
        return [instance.pk]
    return list(Instance.objects.filter(group_id=instance.group_id).values_list("pk", flat=True))


def kiosk_pin_hash(*, card_number: str, instance_ids: Iterable[int]) -> str | None:
    """The PIN hash of the card a terminal of these instances may see ('' when the
    borrower has no PIN), None when it sees no such card or no kiosk accepts it: a
    card reported lost or stolen, or an old card (never any borrower's current
    number), has no PIN to check."""
    return (
        Borrower.objects.filter(
            card_number=card_number, home_instance_id__in=list(instance_ids), card_reported=""
        )
        .values_list("pin_hash", flat=True)
        .first()
    )
