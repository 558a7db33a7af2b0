from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.loans import refuse_if_blocked
from lidgeld.circulation.models import Item, Reservation, ReservationStatus
from lidgeld.domain.blocks import Channel
from lidgeld.errors import Refused
from lidgeld.memberships.selectors import covering_day


def reservations_resume(*, borrower_id: int, today: date, actor: str) -> int:
    """R3: held reservations go back to waiting as soon as the membership is valid again."""
    held = Reservation.objects.filter(
        borrower_id=borrower_id, status=ReservationStatus.HELD
    ).filter(Exists(covering_day(today, OuterRef("borrower_id"))))
    ids = list(held.values_list("pk", flat=True))
    if not ids:
        return 0
    Reservation.objects.filter(pk__in=ids).update(status=ReservationStatus.WAITING, held_since=None)
    for reservation_id in ids:
        audit_record(
            actor=actor,
            action="reservation.resumed",
            obj=Reservation(pk=reservation_id),
            today=today,
            borrower_id=borrower_id,
            before={"status": ReservationStatus.HELD},
            after={"status": ReservationStatus.WAITING},
        )
    return len(ids)


def reservation_place(
    *, borrower: Borrower, item: Item, today: date, actor: str, channel: Channel = Channel.DESK
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
                f"borrower {borrower.card_number} already has a reservation for {item.title}",
                code="already_reserved",
            ) from None
        audit_record(
            actor=actor,
            action="reservation.placed",
            obj=reservation,
            today=today,
            borrower_id=borrower.pk,
            instance_id=item.instance_id,
            after={"item": item.barcode, "status": reservation.status},
        )
        return reservation


def reservation_cancel(*, reservation: Reservation, today: date, actor: str) -> Reservation:
    with transaction.atomic():
        locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.status in (ReservationStatus.FULFILLED, ReservationStatus.CANCELLED):
            raise Refused(f"this reservation is already {locked.get_status_display()}")
        before = {"status": locked.status}
        locked.status = ReservationStatus.CANCELLED
        locked.held_since = None
        locked.closed_on = today
        locked.save(update_fields=["status", "held_since", "closed_on"])
        audit_record(
            actor=actor,
            action="reservation.cancelled",
            obj=locked,
            today=today,
            borrower_id=locked.borrower_id,
            instance_id=locked.instance_id,
            before=before,
            after={"status": locked.status},
        )
        return locked
