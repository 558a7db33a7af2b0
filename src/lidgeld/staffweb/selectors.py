"""What the desk pages read: borrower search, the borrower page, the expiring list and
the dashboard's figures. Rules stay in the apps' services and selectors; this module
only gathers, within the staff member's scope, what a page shows."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    DecimalField,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import TruncMonth

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Card, Note
from lidgeld.borrowers.selectors import (
    borrower_cards,
    card_holder,
    desk_notes,
    name_key,
    upper_key,
)
from lidgeld.domain.dunning import STAGE_ORDER, Stage
from lidgeld.domain.months import add_months, end_of_month, first_of_month
from lidgeld.domain.names import search_key
from lidgeld.finance.models import (
    Payment,
    Posting,
    WriteOff,
    contribution_q,
)
from lidgeld.libraries.models import Instance
from lidgeld.lifecycle.locks import Busy
from lidgeld.lifecycle.models import JobRun
from lidgeld.lifecycle.tick import STEP_NAMES, TickReport, tick_run
from lidgeld.memberships.models import Membership
from lidgeld.memberships.selectors import followed_by_later_period, live_memberships
from lidgeld.notices.qr import epc_qr_svg
from lidgeld.scope import Scope
from lidgeld.standing.dues import memberships_expiring_with_dues
from lidgeld.standing.status import BorrowerStatus, borrower_status, borrowers_with_summary

SEARCH_LIMIT = 50
AUDIT_SHOWN = 50
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")


# -- borrower search ------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    query: str
    kind: str  # "card", "email", "name", or "" for an empty query
    borrowers: list[Borrower]
    more: bool  # more borrowers match than are shown
    # the query is exactly a card that is no longer current: the borrower it found
    old_card: Card | None = None


def _prefix(field: str, text: str) -> dict[str, str]:
    """``field`` starts with ``text``, as a range on the key: index-friendly, any collation."""
    after = text[:-1] + chr(ord(text[-1]) + 1)
    return {f"{field}__gte": text, f"{field}__lt": after}


def search_kind(query: str) -> str:
    if not query:
        return ""
    if "@" in query or (" " not in query and "." in query):
        return "email"
    if " " not in query and any(ch.isdigit() for ch in query):
        return "card"
    return "name"


LAST_FIRST: tuple[str, ...] = ("k_last", "k_first", "id")
FIRST_LAST: tuple[str, ...] = ("k_first", "k_last", "id")


def _name_branches(words: list[str]) -> list[tuple[dict[str, str], tuple[str, ...]]]:
    """The readings of a typed name, each with the index order it is read in: "peeters
    an", "an peeters", "de smet" (= "desmet"), "de smet an", and a single word as a
    last name or a first name ("helene" finds Hélène)."""
    keys = [search_key(word) for word in words]
    whole = "".join(keys)
    if not whole:
        return []
    branches: list[tuple[dict[str, str], tuple[str, ...]]] = [
        (_prefix("k_last", whole), LAST_FIRST),
        (_prefix("k_first", whole), FIRST_LAST),
    ]
    for cut in range(1, len(words)):
        head, tail = "".join(keys[:cut]), "".join(keys[cut:])
        if head and tail:
            branches.append((_prefix("k_last", head) | _prefix("k_first", tail), LAST_FIRST))
            branches.append((_prefix("k_first", head) | _prefix("k_last", tail), FIRST_LAST))
    return branches


def borrower_search(*, scope: Scope, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Borrowers whose card number, e-mail address or name starts with ``query``.

    Each reading of the query is one index range read in display order and cut off
    after ``limit + 1`` rows, so the cost does not depend on how many borrowers match;
    the readings are merged here and the page's rows fetched in one more query."""
    query = re.sub(r"\s+", " ", query).strip()[:100]
    kind = search_kind(query)
    if not kind:
        return SearchResult(query, kind, [], False)
    base = scope.limit(Borrower.objects.all(), "home_instance_id")
    branches: list[tuple[dict[str, str], tuple[str, ...]]]
    if kind == "name":
        base = base.annotate(k_last=name_key("search_last"), k_first=name_key("search_first"))
        branches = _name_branches(query.split(" "))
    else:
        base = base.annotate(k=upper_key("card_number" if kind == "card" else "email"))
        branches = [(_prefix("k", query.upper()), ("k", "id"))]
    found: dict[int, tuple[Any, ...]] = {}
    more = False
    old = _old_card(scope, query) if kind == "card" else None
    if old is not None:
        found[old.borrower_id] = (old.number.upper(), old.borrower_id)  # ranked as a card
    for branch, order in branches:
        rows = list(base.filter(**branch).order_by(*order).values_list(*order)[: limit + 1])
        more = more or len(rows) > limit
        for row in rows:
            # ranked by last name, first name whichever index read them
            found[row[-1]] = (row[1], row[0], row[2]) if order is FIRST_LAST else row
    ranked = sorted(found.values())
    ids = [row[-1] for row in ranked[:limit]]
    by_id = {
        b.pk: b
        for b in borrowers_with_summary(
            Borrower.objects.filter(pk__in=ids).order_by()
        ).select_related("home_instance")
    }
    return SearchResult(
        query, kind, [by_id[i] for i in ids if i in by_id], more or len(ranked) > limit, old
    )


def _old_card(scope: Scope, query: str) -> Card | None:
    """R12: an old card still finds its borrower at the desk, by its whole number
    (one unique-index read; the current cards are found by their first characters)."""
    holder = card_holder(query)
    if holder is None and query.upper() != query:
        holder = card_holder(query.upper())
    if holder is None or not holder.old_card or not scope.allows(holder.borrower.home_instance_id):
        return None
    return holder.card


# -- the borrower page ----------------------------------------------------------------


@dataclass(frozen=True)
class BorrowerPage:
    status: BorrowerStatus
    memberships: list[Membership]
    postings: list[Posting]
    audit: list[AuditEvent]
    qr_svg: str  # inline SVG of the EPC QR code, "" when there is nothing to pay by transfer
    cards: list[Card]  # every card the borrower had, the newest first
    notes: list[Note]  # the staff notes not removed, the newest first


def borrower_page(*, borrower: Borrower, today: date) -> BorrowerPage:
    status = borrower_status(borrower=borrower, today=today)
    payment = status.payment
    return BorrowerPage(
        status=status,
        memberships=list(
            Membership.objects.filter(borrower=borrower)
            .select_related("type", "instance")
            .order_by("-start", "-id")
        ),
        postings=list(Posting.objects.filter(borrower=borrower).order_by("-booked_on", "-id")),
        audit=list(
            AuditEvent.objects.filter(borrower=borrower).order_by("-at", "-id")[:AUDIT_SHOWN]
        ),
        qr_svg=qr_svg(payment.epc_qr) if payment and payment.epc_qr else "",
        cards=borrower_cards(borrower),
        notes=desk_notes(borrower),
    )


@functools.lru_cache(maxsize=256)
def qr_svg(payload: str) -> str:
    """Drawing a QR code costs a few milliseconds of Python: the same open item, looked
    at again, gets the drawing it had (the payload holds amount and reference)."""
    return epc_qr_svg(payload, scale=4)


# -- expiring memberships -------------------------------------------------------------


def expiring_rows(*, instance_ids: frozenset[int] | None, month: date) -> QuerySet[Membership]:
    """The expiring list of ``month`` (R8), as the report has it: a letter not
    confirmed printed has not gone out (``notices.selectors.notice_state``)."""
    ids = sorted(instance_ids) if instance_ids is not None else None
    return memberships_expiring_with_dues(month=month, instance_ids=ids)


def instances_in(scope: Scope) -> list[Instance]:
    return list(scope.limit(Instance.objects.order_by("code"), "id"))


# -- dashboard ------------------------------------------------------------------------


def memberships_ending_per_month(
    *, scope: Scope, today: date, months: int = 12
) -> list[tuple[date, int]]:
    """Per month from this one: the periods that end then and that nothing follows
    (what the expiring list of that month will hold). Periods always end on a month's
    last day, so grouping by ``end`` is grouping by month."""
    ends = [end_of_month(add_months(first_of_month(today), n)) for n in range(months)]
    periods = scope.limit(
        live_memberships().filter(end__gte=ends[0], end__lte=ends[-1]), "instance_id"
    ).exclude(followed_by_later_period())
    counts = dict(periods.order_by().values("end").annotate(n=Count("id")).values_list("end", "n"))
    return [(end, counts.get(end, 0)) for end in ends]


def open_contributions_per_stage(*, scope: Scope) -> list[tuple[str, int, Decimal]]:
    """Open contributions per dunning stage (as the last daily run left them)."""
    postings = scope.limit(
        Posting.objects.open_contributions(),
        "instance_id",
    )
    rows = {
        stage: (n, total or ZERO)
        for stage, n, total in postings.order_by()
        .values("stage")
        .annotate(n=Count("id"), total=Sum("balance"))
        .values_list("stage", "n", "total")
    }
    stages = [s.value for s in STAGE_ORDER if s is not Stage.WRITTEN_OFF]
    return [(stage, *rows.get(stage, (0, ZERO))) for stage in stages]


def paid_and_written_off_per_month(
    *, scope: Scope, today: date, months: int = 12
) -> list[tuple[date, Decimal, Decimal]]:
    """Per month of the last ``months`` (this one included): contributions paid and
    written off, in euros; one UNION of two GROUP BYs."""
    firsts = [add_months(first_of_month(today), n - months + 1) for n in range(months)]
    paid = (
        scope.limit(
            Payment.objects.filter(contribution_q("posting__"), paid_on__gte=firsts[0]),
            "posting__instance_id",
        )
        .annotate(month=TruncMonth("paid_on"), what=Value("paid"))
        .order_by()
        .values("month", "what")
        .annotate(total=Sum("amount"))
        .values_list("month", "what", "total")
    )
    written_off = (
        scope.limit(
            WriteOff.objects.filter(contribution_q("posting__"), written_off_on__gte=firsts[0]),
            "posting__instance_id",
        )
        .annotate(month=TruncMonth("written_off_on"), what=Value("written_off"))
        .order_by()
        .values("month", "what")
        .annotate(total=Sum("amount"))
        .values_list("month", "what", "total")
    )
    sums: dict[tuple[date, str], Decimal] = {}
    for month, what, total in paid.union(written_off, all=True):
        day = month.date() if isinstance(month, datetime) else month
        sums[(day, what)] = Decimal(total or 0)
    return [(m, sums.get((m, "paid"), ZERO), sums.get((m, "written_off"), ZERO)) for m in firsts]


@dataclass(frozen=True)
class DashboardFigures:
    ending: list[tuple[date, int]]
    stages: list[tuple[str, int, Decimal]]
    money: list[tuple[date, Decimal, Decimal]]
    at: datetime  # when they were counted (they are kept a few minutes)


FIGURES_SECONDS = 600


def dashboard_figures(*, scope: Scope, today: date, now: datetime) -> DashboardFigures:
    """The three charts' figures. Each is one GROUP BY, but over a million borrowers the
    three take a second or two, so they are kept ten minutes per set of libraries."""
    ids = "all" if scope.instance_ids is None else ",".join(map(str, sorted(scope.instance_ids)))
    key = f"staffweb:figures:{today.isoformat()}:{ids}"
    kept = cache.get(key)
    if isinstance(kept, DashboardFigures):
        return kept
    figures = DashboardFigures(
        ending=memberships_ending_per_month(scope=scope, today=today),
        stages=open_contributions_per_stage(scope=scope),
        money=paid_and_written_off_per_month(scope=scope, today=today),
        at=now,
    )
    cache.set(key, figures, FIGURES_SECONDS)
    return figures


@dataclass(frozen=True)
class Rehearsal:
    """The daily run's dry run for the libraries in scope."""

    day: date  # the day the next run will process (today, or tomorrow when today is done)
    report: TickReport | None  # None when another run holds the lock
    at: datetime  # when it was made (it is kept a few minutes)


REHEARSAL_SECONDS = 300


def next_run_day(*, instance_ids: list[int], today: date) -> date:
    """Today while any of these libraries has a step of today left, else tomorrow."""
    done = JobRun.objects.filter(day=today, instance_id__in=instance_ids).count()
    return today if done < len(instance_ids) * len(STEP_NAMES) else today + timedelta(days=1)


def next_run_rehearsal(
    *, scope: Scope, today: date, now: datetime, fresh: bool = False
) -> Rehearsal | None:
    """What the next daily run will do, from a rehearsal that is rolled back.

    It runs the real steps (exact counts) and so takes the daily run's lock for its
    duration; it is kept for a few minutes so a busy dashboard does not rehearse at
    every look. None when the scope holds no library."""
    instances = instances_in(scope)
    if not instances:
        return None
    ids = [i.pk for i in instances]
    day = next_run_day(instance_ids=ids, today=today)
    key = f"staffweb:rehearsal:{day.isoformat()}:{','.join(map(str, ids))}"
    kept = None if fresh else cache.get(key)
    if isinstance(kept, Rehearsal):
        return kept
    codes = None if scope.everything else [i.code for i in instances]
    try:
        report: TickReport | None = tick_run(
            today=day, now=now, dry_run=True, instance_codes=codes, actor="dashboard"
        )
    except Busy:
        return Rehearsal(day=day, report=None, at=now)
    rehearsal = Rehearsal(day=day, report=report, at=now)
    cache.set(key, rehearsal, REHEARSAL_SECONDS)
    return rehearsal
