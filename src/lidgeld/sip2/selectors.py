"""Reads for the kiosk: the hot path of patron status (23) in one indexed query.

The decision itself is not made here: the rows are turned into a
:class:`~lidgeld.domain.blocks.Situation` exactly as
:func:`lidgeld.borrowers.selectors.borrower_status` does, and
:func:`lidgeld.domain.blocks.decide` answers (R7).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.blocks import Block, Channel, MembershipState, Situation, decide, furthest_stage
from lidgeld.domain.dunning import STAGE_ORDER, DunningPolicy, Stage, stage_on
from lidgeld.finance.models import CONTRIBUTION_CODES, PostingStatus
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership, MembershipStatus
from lidgeld.memberships.selectors import covering_day


@dataclass(frozen=True)
class KioskPatron:
    id: int
    card_number: str
    name: str
    language: str
    pin_hash: str
    membership: MembershipState
    open_amount: Decimal
    open_items: int
    stage: Stage | None
    block: Block  # the kiosk's block

    @property
    def allowed(self) -> bool:
        return self.block.allowed


_VALUES = (
    "id",
    "card_number",
    "first_name",
    "last_name",
    "language",
    "pin_hash",
    "covered",
    "last_started_status",
    "latest_end",
    "fee__balance",
    "fee__booked_on",
    "fee__instance__reminder_after_months",
    "fee__instance__unpaid_after_months",
    "fee__instance__write_off_after_months",
)


def kiosk_patron(
    *, card_number: str, instance_ids: Iterable[int], today: date
) -> KioskPatron | None:
    """The borrower with this card, if a terminal of these instances may see them, and
    their kiosk block today. One SQL statement: the borrower row, joined to their open
    contributions (usually none or one row), with the membership facts as subqueries."""
    low, high = CONTRIBUTION_CODES
    periods = Membership.objects.filter(borrower_id=OuterRef("pk")).order_by()
    rows = list(
        Borrower.objects.filter(card_number=card_number, home_instance_id__in=list(instance_ids))
        .annotate(
            fee=FilteredRelation(
                "postings",
                condition=Q(
                    postings__status=PostingStatus.OPEN,
                    postings__booking_code__gte=low,
                    postings__booking_code__lte=high,
                ),
            ),
            covered=Exists(covering_day(today, OuterRef("pk"))),
            last_started_status=Subquery(
                periods.filter(start__lte=today).order_by("-start", "-id").values("status")[:1]
            ),
            latest_end=Subquery(periods.order_by("-end", "-id").values("end")[:1]),
        )
        .values_list(*_VALUES)
    )
    if not rows:
        return None
    first = rows[0]
    (pk, card, first_name, last_name, language, pin_hash, covered, last_status, latest_end) = first[
        :9
    ]
    if covered:
        state = MembershipState.ACTIVE
    elif last_status is None:
        state = MembershipState.NONE
    elif last_status == MembershipStatus.INVALIDATED:
        state = MembershipState.INVALIDATED
    else:
        state = MembershipState.EXPIRED
    fees = [row[9:] for row in rows if row[9] is not None]
    amount = sum((balance for balance, *_ in fees), Decimal("0.00"))
    # As borrower_status: a fee past its write-off day that the daily run has not
    # reached yet still counts as unpaid.
    stage = furthest_stage(
        [
            min(
                stage_on(booked_on, today, DunningPolicy(reminder, unpaid, write_off)),
                Stage.UNPAID,
                key=STAGE_ORDER.index,
            )
            for _, booked_on, reminder, unpaid, write_off in fees
        ]
    )
    situation = Situation(
        membership=state,
        # Only the "ended on" sentence shows a date; for an active membership the
        # chain of renewals is not needed to decide.
        membership_end=None if state is MembershipState.ACTIVE else latest_end,
        open_amount=amount,
        stage=stage,
    )
    return KioskPatron(
        id=pk,
        card_number=card,
        name=f"{first_name} {last_name}".strip(),
        language=language,
        pin_hash=pin_hash,
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
