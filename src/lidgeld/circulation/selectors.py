from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery

from lidgeld.circulation.models import (
    QUEUED_STATUSES,
    Item,
    Loan,
    Reservation,
    ReservationStatus,
)

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


# A reservation still alive for its borrower: waiting, held (R3) or on the hold shelf.
LIVE_RESERVATION = (ReservationStatus.WAITING, ReservationStatus.HELD, ReservationStatus.READY)


def item_by_barcode(barcode: str, *, instance_ids: Iterable[int]) -> Item | None:
    """The copy with this barcode in one of these libraries (a kiosk sees its own)."""
    barcode = barcode.strip()
    if not barcode:
        return None
    return (
        Item.objects.select_related("instance")
        .filter(barcode=barcode, instance_id__in=list(instance_ids))
        .first()
    )


def open_loans(borrower_id: int) -> list[Loan]:
    """The borrower's loans not returned yet, the first due first."""
    return list(
        Loan.objects.select_related("item")
        .filter(borrower_id=borrower_id, returned_on__isnull=True)
        .order_by("due_on", "id")
    )


def open_loan_of(borrower_id: int, barcode: str) -> Loan | None:
    """The borrower's loan of the copy with this barcode, if it is still out."""
    return (
        Loan.objects.select_related("item")
        .filter(borrower_id=borrower_id, returned_on__isnull=True, item__barcode=barcode.strip())
        .first()
    )


def live_reservations(borrower_id: int) -> list[tuple[str, str]]:
    """(barcode, status) of the borrower's live reservations, the oldest first."""
    return list(
        Reservation.objects.filter(borrower_id=borrower_id, status__in=LIVE_RESERVATION)
        .order_by("placed_on", "id")
        .values_list("item__barcode", "status")
    )


def item_circulation(item_id: int) -> tuple[date | None, list[str]]:
    """When the copy is due back (None: on the shelf) and the statuses of its live
    reservations."""
    due = (
        Loan.objects.filter(item_id=item_id, returned_on__isnull=True)
        .values_list("due_on", flat=True)
        .first()
    )
    queue = list(
        Reservation.objects.filter(item_id=item_id, status__in=LIVE_RESERVATION).values_list(
            "status", flat=True
        )
    )
    return due, queue
