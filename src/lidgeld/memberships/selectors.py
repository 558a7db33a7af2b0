from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Exists, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from lidgeld.domain.blocks import MembershipState
from lidgeld.domain.months import end_of_month
from lidgeld.finance.models import Posting
from lidgeld.finance.services import open_contributions
from lidgeld.memberships.models import Membership, MembershipStatus, TypeKind
from lidgeld.notices.models import KIND_END_OF_CONTRIBUTION, TYPE_CONTRIBUTION, Message

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


def memberships_expiring_with_dues(
    *, month: date, instance_ids: list[int] | None = None
) -> QuerySet[Membership]:
    """``memberships_expiring`` with what each borrower owes (``open_amount``: their
    open contributions, booked by these instances only) and the status and channel of
    the end-of-contribution notice (``cae_status``, ``cae_channel``): the expiring
    list of the desk and the report (R8)."""
    owed = Posting.objects.open_contributions().filter(borrower_id=OuterRef("borrower_id"))
    if instance_ids is not None:
        # What another network's library booked is not this user's to see, not even summed.
        owed = owed.filter(instance_id__in=instance_ids)
    # At most one CAE per membership (a unique constraint), so the first is the one.
    cae = Message.objects.filter(
        membership_id=OuterRef("pk"), type=TYPE_CONTRIBUTION, kind=KIND_END_OF_CONTRIBUTION
    ).order_by("id")
    return memberships_expiring(month=month, instance_ids=instance_ids).annotate(
        open_amount=Coalesce(
            Subquery(
                owed.order_by()
                .values("borrower_id")
                .annotate(total=Sum("balance"))
                .values("total"),
                output_field=_MONEY,
            ),
            Value(Decimal("0.00")),
            output_field=_MONEY,
        ),
        cae_status=Subquery(cae.values("status")[:1]),
        cae_channel=Subquery(cae.values("channel")[:1]),
    )


def notice_due_kinds() -> list[str]:
    """R4: types whose ending is announced (not the free auto-renewing ones)."""
    return [TypeKind.PAYING, TypeKind.FREE]


@dataclass(frozen=True)
class RenewalDues:
    """What the borrower owes once a renewal books its fee: every open contribution,
    oldest first, and the new fee. The confirmation step lists them all, so "fee paid"
    never leaves an older fee open unseen."""

    open_items: list[Posting]
    new_fee: Decimal  # 0.00 for a free type or when nothing will be renewed

    @property
    def already_open(self) -> Decimal:
        return sum((posting.balance for posting in self.open_items), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.already_open + self.new_fee


def renewal_dues(*, borrower_id: int, new_fee: Decimal) -> RenewalDues:
    return RenewalDues(list(open_contributions(borrower_id)), new_fee)
