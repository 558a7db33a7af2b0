from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractYear

from lidgeld.domain.ages import born_by
from lidgeld.domain.blocks import MembershipState
from lidgeld.domain.endings import EndReason, MembershipEnded, effects_of, reasons_with
from lidgeld.domain.months import end_of_month
from lidgeld.memberships.models import (
    Membership,
    MembershipEnding,
    MembershipStatus,
    MembershipType,
    TypeKind,
)

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)


def live_memberships() -> QuerySet[Membership]:
    """Periods that count: everything but those cancelled for non-payment."""
    return Membership.objects.exclude(status=MembershipStatus.INVALIDATED)


def covering_day(day: date | Any, borrower_ref: Any = None) -> QuerySet[Membership]:
    """Live periods that include ``day`` (for ``borrower_ref``, an id or OuterRef)."""
    memberships = live_memberships().filter(start__lte=day, end__gte=day)
    return memberships if borrower_ref is None else memberships.filter(borrower_id=borrower_ref)


def followed_by_later_period() -> Exists:
    """For a Membership queryset: another live period of the same borrower starts after this one."""
    return Exists(
        live_memberships().filter(borrower_id=OuterRef("borrower_id"), start__gt=OuterRef("end"))
    )


@dataclass(frozen=True)
class MembershipView:
    state: MembershipState
    current: Membership | None  # the period that covers today, if any
    latest: Membership | None  # the period that ends last
    valid_until: date | None  # end of the chain of live periods from today


def membership_view(*, borrower_id: int, today: date) -> MembershipView:
    periods = list(
        Membership.objects.filter(borrower_id=borrower_id)
        .select_related("type")
        .order_by("start", "id")
    )
    if not periods:
        return MembershipView(MembershipState.NONE, None, None, None)
    live = [p for p in periods if p.status != MembershipStatus.INVALIDATED]
    current = next((p for p in live if p.start <= today <= p.end), None)
    latest = max(periods, key=lambda p: (p.end, p.id))
    if current is not None:
        valid_until = current.end
        for period in live:  # contiguous renewals extend the validity
            if period.start == valid_until + timedelta(days=1):
                valid_until = period.end
        return MembershipView(MembershipState.ACTIVE, current, latest, valid_until)
    last_started = max(
        (p for p in periods if p.start <= today), key=lambda p: (p.start, p.id), default=None
    )
    if last_started is None:
        return MembershipView(MembershipState.NONE, None, latest, None)
    if last_started.status == MembershipStatus.INVALIDATED:
        return MembershipView(MembershipState.INVALIDATED, None, latest, None)
    return MembershipView(MembershipState.EXPIRED, None, latest, None)


def memberships_expiring(
    *, month: date, instance_ids: list[int] | None = None
) -> QuerySet[Membership]:
    """Live periods ending on the last day of ``month`` that no later period follows:
    the list the seed's staff had to ask the service desk for."""
    memberships = (
        live_memberships()
        .filter(end=end_of_month(month))
        .exclude(followed_by_later_period())
        .select_related("borrower", "type", "instance")
        .order_by(
            "instance__code", "borrower__last_name", "borrower__first_name", "borrower__card_number"
        )
    )
    if instance_ids is not None:
        memberships = memberships.filter(instance_id__in=instance_ids)
    return memberships


def types_of(instance_id: int) -> QuerySet[MembershipType]:
    """A library's membership types, as staff choose among them."""
    return (
        MembershipType.objects.filter(instance_id=instance_id)
        .select_related("instance")
        .order_by("name", "code")
    )


def notice_due_kinds() -> list[str]:
    """R4: types whose ending is announced (not the free auto-renewing ones)."""
    return [TypeKind.PAYING, TypeKind.FREE]


def past_maximum_age(max_age: int, new_start: date, borrower_path: str = "borrower__") -> Q:
    """R12 as one date comparison: the borrower is older than ``max_age`` on
    ``new_start`` (born on or before the last birth date of someone ``max_age + 1`` then).
    No birth date: not past it. The same on SQLite and PostgreSQL, and index-friendly."""
    return Q(**{f"{borrower_path}birth_date__lte": born_by(new_start, max_age + 1)})


def aged_out_on(new_start: date, max_ages: list[int]) -> Q | None:
    """For a Membership queryset whose periods would be followed on ``new_start``: the
    borrower is past the maximum age of the period's type then (None: no type has one).
    ``max_ages`` are the few maximum ages of the types concerned."""
    condition: Q | None = None
    for age in sorted(set(max_ages)):
        one = Q(type__max_age=age) & past_maximum_age(age, new_start)
        condition = one if condition is None else condition | one
    return condition


def age_on_sql(day: date, birth_date: str = "borrower__birth_date") -> Any:
    """The borrower's age on ``day`` as an SQL expression (NULL without a birth date),
    counted as :func:`lidgeld.domain.ages.age_on` counts it: a birthday not reached yet
    this year (29 February included: reached on 1 March in a common year) takes one off."""
    reached = Q(**{f"{birth_date}__month__lt": day.month}) | Q(
        **{f"{birth_date}__month": day.month, f"{birth_date}__day__lte": day.day}
    )
    return (
        Value(day.year)
        - ExtractYear(birth_date)
        - Case(When(reached, then=Value(0)), default=Value(1))
    )


def with_type_that_follows(
    memberships: QuerySet[Membership], *, new_start: date
) -> QuerySet[Membership]:
    """R12 on a list of periods that would be followed on ``new_start``: where the
    borrower is past the type's maximum age then and the type names the one that follows,
    ``next_type_name`` and ``next_type_fee`` (else None): what a renewal would become.
    In the list's own query: no query of its own."""
    past = Q(
        type__next_type__isnull=False,
        type__max_age__isnull=False,
        age_at_next_start__gt=F("type__max_age"),
    )
    return memberships.alias(age_at_next_start=age_on_sql(new_start)).annotate(
        next_type_name=Case(When(past, then=F("type__next_type__name")), output_field=CharField()),
        next_type_fee=Case(When(past, then=F("type__next_type__fee")), output_field=_MONEY),
    )


# --- R12: memberships ended early ------------------------------------------------------


def endings_in_force() -> QuerySet[MembershipEnding]:
    """Endings not undone."""
    return MembershipEnding.objects.filter(reversed_at__isnull=True)


def ending_in_force(*, borrower_id: int, today: date) -> MembershipEnding | None:
    """The borrower's latest ending not undone, if it still says something today: it
    takes effect later, or it did and no new period came after it (a borrower who
    comes back after moving away is a member again). A death always counts."""
    ending = endings_in_force().filter(borrower_id=borrower_id).order_by("-ended_at", "-id").first()
    if ending is None or effects_of(ending.reason).block_all_channels:
        return ending
    periods = live_memberships().filter(borrower_id=borrower_id, end__gte=today)
    if ending.membership_id is not None:  # the ended period, when it runs to its end
        periods = periods.exclude(pk=ending.membership_id)
    return None if periods.exists() else ending


def ended_situation(ending: MembershipEnding | None, today: date) -> MembershipEnded | None:
    """The ending as the block decision takes it, once it has taken effect."""
    if ending is None or ending.effective > today:
        return None
    return MembershipEnded(EndReason(ending.reason), ending.effective)


def _period_ended(reasons: list[str]) -> Exists:
    """For a Membership queryset: the period was ended early for one of ``reasons``,
    or its borrower may never get mail again (deceased)."""
    return Exists(
        endings_in_force()
        .filter(borrower_id=OuterRef("borrower_id"))
        .filter(
            Q(membership_id=OuterRef("pk"), reason__in=reasons)
            | Q(reason__in=reasons_with("no_mail_ever"))
        )
    )


def notices_stopped() -> Exists:
    """For a Membership queryset: no end-of-contribution notice for this period (R4)."""
    return _period_ended(reasons_with("stop_notices"))


def renewal_stopped() -> Exists:
    """For a Membership queryset: a period ended early, whatever the reason, is not
    renewed automatically (R2)."""
    return _period_ended([reason.value for reason in EndReason])


def dunning_stopped() -> Exists:
    """For a Posting queryset: the contribution's follow-up stopped (R6), because it
    was booked by the day its borrower's membership was ended for a reason that stops
    dunning, or the borrower may never get mail again. A fee booked after the ending
    (a new membership) is followed up as usual."""
    return Exists(
        endings_in_force()
        .filter(borrower_id=OuterRef("borrower_id"))
        .filter(
            Q(reason__in=reasons_with("stop_dunning"), ended_on__gte=OuterRef("booked_on"))
            | Q(reason__in=reasons_with("no_mail_ever"))
        )
    )
