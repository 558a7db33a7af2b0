from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.errors import Refused
from lidgeld.memberships.selectors import covering_day


def reservations_resume(*, borrower_id: int, today: date, now: datetime, actor: str) -> int:
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
            now=now,
            borrower_id=borrower_id,
            before={"status": ReservationStatus.HELD},
            after={"status": ReservationStatus.WAITING},
        )
    return len(ids)


def reservation_cancel(
    *, reservation: Reservation, today: date, now: datetime, actor: str
) -> Reservation:
    with transaction.atomic():
        locked = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if locked.status in (ReservationStatus.FULFILLED, ReservationStatus.CANCELLED):
            raise Refused(
                _("this reservation is already %(status)s"),
                code="reservation_closed",
                params={"status": ReservationStatus(locked.status).label},
            )
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
            now=now,
            borrower_id=locked.borrower_id,
            instance_id=locked.instance_id,
            before=before,
            after={"status": locked.status},
        )
        return locked
