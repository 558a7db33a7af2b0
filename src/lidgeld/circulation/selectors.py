from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery

from lidgeld.circulation.models import QUEUED_STATUSES, Reservation, ReservationStatus

# Someone waits for the item: in the queue, or it is on the hold shelf for them. A held
# reservation (R3: the borrower may not borrow now) does not hold the item back.
WAITING_FOR_ITEM = (ReservationStatus.WAITING, ReservationStatus.READY)


def reservations_with_position(borrower_id: int) -> list[Reservation]:
    """The borrower's reservations; queued ones carry their place in the item's queue
    (held ones keep theirs, R3)."""
    ahead = (
        Reservation.objects.filter(item_id=OuterRef("item_id"), status__in=QUEUED_STATUSES)
        .filter(
            Q(placed_on__lt=OuterRef("placed_on"))
            | Q(placed_on=OuterRef("placed_on"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("item_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    reservations = (
        Reservation.objects.filter(borrower_id=borrower_id)
        .select_related("item")
        .annotate(ahead=Subquery(ahead))
        .order_by("placed_on", "id")
    )
    result: list[Reservation] = list(reservations)
    for reservation in result:
        queued = reservation.status in QUEUED_STATUSES
        reservation.position = (reservation.ahead or 0) + 1 if queued else None  # type: ignore[attr-defined]
    return result


def someone_waits_for(*, item_id: int, other_than: int | None = None) -> bool:
    """Whether a borrower (other than ``other_than``) waits for this item: a loan of it
    is not renewed, and a kiosk taking it back puts it aside."""
    waiting = Reservation.objects.filter(item_id=item_id, status__in=WAITING_FOR_ITEM)
    if other_than is not None:
        waiting = waiting.exclude(borrower_id=other_than)
    return waiting.exists()
