"""The one answer to "what is this borrower's situation today?" (R7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.selectors import reservations_with_position
from lidgeld.domain.blocks import (
    Block,
    CardState,
    Channel,
    Situation,
    card_state,
    decide,
    furthest_stage,
)
from lidgeld.domain.dunning import effective_stage
from lidgeld.finance.models import Posting
from lidgeld.finance.selectors import PaymentInstructions, instructions_for, open_contributions
from lidgeld.memberships.models import MembershipEnding
from lidgeld.memberships.selectors import (
    MembershipView,
    ended_situation,
    ending_in_force,
    live_memberships,
    membership_view,
)
from lidgeld.notices.models import Message


@dataclass(frozen=True)
class BorrowerStatus:
    borrower: Borrower
    today: date
    membership: MembershipView
    open_amount: Decimal
    stage: str | None
    blocks: dict[Channel, Block]
    reservations: list[Any]
    messages: list[Message]
    # How to pay the oldest open contribution by transfer; None when nothing is open.
    payment: PaymentInstructions | None = None
    # R12: the early ending that still counts (not undone; it may take effect later).
    ending: MembershipEnding | None = None

    def as_dict(self) -> dict[str, Any]:
        view = self.membership
        end = view.valid_until or (view.latest.end if view.latest else None)
        language = self.borrower.language
        return {
            "card": self.borrower.card_number,
            "name": self.borrower.full_name,
            "instance": self.borrower.home_instance.code,
            "on": self.today.isoformat(),
            "membership": {
                "status": view.state.value,
                "end": end.isoformat() if end else None,
                "type": view.latest.type.code if view.latest else None,
            },
            "contribution": {"open": f"{self.open_amount:.2f}", "stage": self.stage},
            "payment": self.payment.as_dict() if self.payment else None,
            "blocks": {
                channel.value: {
                    "allowed": block.allowed,
                    "reason": block.reason.value,
                    "warning": block.warning,
                    "message": block.message(language),
                }
                for channel, block in self.blocks.items()
            },
            "reservations": [
                {
                    "id": reservation.pk,
                    "item": reservation.item.barcode,
                    "title": reservation.item.title,
                    "status": reservation.status,
                    "position": reservation.position,
                    "placed_on": reservation.placed_on.isoformat(),
                }
                for reservation in self.reservations
            ],
            "messages": [
                {
                    "type": message.type,
                    "kind": message.kind,
                    "date": message.date.isoformat(),
                    "channel": message.channel,
                    "status": message.status,
                }
                for message in self.messages
            ],
        }


def borrower_status(
    *, borrower: Borrower, today: date, card: CardState | None = None
) -> BorrowerStatus:
    """``card``: the state of the card that was shown; by default the borrower's current
    card as reported (``Borrower.card_reported``)."""
    view = membership_view(borrower_id=borrower.pk, today=today)
    open_items = list(open_contributions(borrower.pk).select_related("instance"))
    amount = sum((item.balance for item in open_items), Decimal("0.00"))
    # A fee past its write-off day that the daily run has not reached yet still counts
    # as unpaid: it is owed until the run writes it off.
    stage = furthest_stage(
        [
            effective_stage(item.booked_on, today, item.instance.dunning_policy)
            for item in open_items
        ]
    )
    ending = ending_in_force(borrower_id=borrower.pk, today=today)
    situation = Situation(
        membership=view.state,
        membership_end=view.valid_until or (view.latest.end if view.latest else None),
        open_amount=amount,
        stage=stage,
        card=card_state(borrower.card_reported) if card is None else card,
        ended=ended_situation(ending, today),
    )
    return BorrowerStatus(
        borrower=borrower,
        today=today,
        membership=view,
        open_amount=amount,
        stage=stage.value if stage else None,
        blocks=decide(situation),
        reservations=reservations_with_position(borrower.pk),
        messages=list(Message.objects.filter(borrower=borrower).order_by("date", "id")),
        # open_items is open_contributions() in its order: the first is the oldest.
        payment=instructions_for(open_items[0]) if open_items else None,
        ending=ending,
    )


def borrowers_with_summary(borrowers: QuerySet[Borrower]) -> QuerySet[Borrower]:
    """Each borrower with ``member_until`` (end of their latest live period) and
    ``open_fee`` (their open contributions), as a list of borrowers shows them."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)
    last_end = (
        live_memberships().filter(borrower_id=OuterRef("pk")).order_by("-end").values("end")[:1]
    )
    open_fee = (
        Posting.objects.open_contributions()
        .filter(borrower_id=OuterRef("pk"))
        .order_by()
        .values("borrower_id")
        .annotate(total=Sum("balance"))
        .values("total")
    )
    return borrowers.annotate(
        member_until=Subquery(last_end),
        open_fee=Coalesce(
            Subquery(open_fee, output_field=money), Value(Decimal("0.00")), output_field=money
        ),
    )
