"""What a borrower owes beside their membership: the expiring list with its dues and
the dues a renewal's confirmation lists (R5, R8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from lidgeld.domain.months import end_of_month
from lidgeld.finance.models import Posting
from lidgeld.finance.selectors import open_contributions
from lidgeld.memberships.models import Membership
from lidgeld.memberships.selectors import memberships_expiring, with_type_that_follows
from lidgeld.notices.models import END_KINDS, TYPE_CONTRIBUTION, Message

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)


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
    # At most one CAE per membership (a unique constraint, the age-limit CAE of R12
    # included), so the first is the one.
    cae = Message.objects.filter(
        membership_id=OuterRef("pk"), type=TYPE_CONTRIBUTION, kind__in=END_KINDS
    ).order_by("id")
    expiring = with_type_that_follows(
        memberships_expiring(month=month, instance_ids=instance_ids),
        new_start=end_of_month(month) + timedelta(days=1),
    )
    return expiring.annotate(
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
