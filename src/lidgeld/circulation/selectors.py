from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery

from lidgeld.circulation.models import QUEUED_STATUSES, Reservation


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
