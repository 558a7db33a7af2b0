"""A reservation placed by the desk, the portal or a kiosk, under the block rules (R3, R7)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Item, Reservation, ReservationStatus
from lidgeld.domain.blocks import Channel
from lidgeld.errors import Refused
from lidgeld.memberships.selectors import covering_day
from lidgeld.operations.loans import refuse_if_blocked


def reservation_place(
    *,
    borrower: Borrower,
    item: Item,
    today: date,
    now: datetime,
    actor: str,
    channel: Channel = Channel.DESK,
) -> Reservation:
    """Place a reservation. The desk may always place one for a borrower without a valid
    membership (it is held, R3); anywhere else the channel's block decision (R7) must
    allow it, and a refusal carries the block's reason and sentence."""
    with transaction.atomic():
        if channel is not Channel.DESK:
            refuse_if_blocked(borrower, today, channel)
        valid = covering_day(today, borrower.pk).exists()
        try:
            with transaction.atomic():
                reservation = Reservation.objects.create(
                    borrower=borrower,
                    instance=item.instance,
                    item=item,
                    placed_on=today,
                    status=ReservationStatus.WAITING if valid else ReservationStatus.HELD,
                    held_since=None if valid else today,
                )
        except IntegrityError:
            raise Refused(
                _("borrower %(card)s already has a reservation for %(title)s"),
                code="already_reserved",
                params={"card": borrower.card_number, "title": item.title},
            ) from None
        audit_record(
            actor=actor,
            action="reservation.placed",
            obj=reservation,
            today=today,
            now=now,
            borrower_id=borrower.pk,
            instance_id=item.instance_id,
            after={"item": item.barcode, "status": reservation.status},
        )
        return reservation
