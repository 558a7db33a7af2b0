"""A new card at the desk, with the library's replacement fee when it asks one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from lidgeld.borrowers.cards import card_replace
from lidgeld.borrowers.models import Borrower, Card
from lidgeld.finance.models import Posting
from lidgeld.finance.services import charge_book


@dataclass(frozen=True)
class Replaced:
    card: Card
    fee: Posting | None  # None when no fee was booked


def card_replace_at_desk(
    *,
    borrower: Borrower,
    new_number: str,
    charge_fee: bool,
    fee_paid: bool,
    today: date,
    now: datetime,
    actor: str,
) -> Replaced:
    """Replace the current card; with ``charge_fee`` (and a fee above 0 in the
    borrower's library) book it, paid at once with ``fee_paid``. All or nothing."""
    instance = borrower.home_instance
    with transaction.atomic():
        card = card_replace(
            borrower=borrower, new_number=new_number, today=today, now=now, actor=actor
        )
        fee = None
        if charge_fee and instance.card_fee > 0:
            fee = charge_book(
                borrower=borrower,
                instance_id=instance.pk,
                booking_code=instance.card_fee_booking_code,
                amount=instance.card_fee,
                description=f"Nieuwe kaart {card.number}",
                paid=fee_paid,
                today=today,
                now=now,
                actor=actor,
            )
    return Replaced(card=card, fee=fee)
