"""R3 in the daily run: reservations of borrowers without a valid membership are
held (never cancelled), and resume when the membership is valid again."""

from __future__ import annotations

from django.db.models import DateField, Exists, OuterRef, Value

from lidgeld.audit.services import audit_insert_from
from lidgeld.batching import BatchContext, StepResult
from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.libraries.models import Instance
from lidgeld.memberships.selectors import covering_day


def reservations_hold_and_resume(*, instance: Instance, ctx: BatchContext) -> StepResult:
    result = StepResult()
    valid = Exists(covering_day(ctx.day, OuterRef("borrower_id")))

    to_hold = Reservation.objects.filter(
        instance=instance, status=ReservationStatus.WAITING
    ).exclude(valid)
    result.note(ctx, "held", to_hold)
    audit_insert_from(
        to_hold,
        ctx=ctx,
        action="reservation.held",
        before={"status": ReservationStatus.WAITING.value},
        after={"status": ReservationStatus.HELD.value},
    )
    result.counts["held"] = to_hold.update(
        status=ReservationStatus.HELD, held_since=Value(ctx.day, output_field=DateField())
    )

    to_resume = Reservation.objects.filter(instance=instance, status=ReservationStatus.HELD).filter(
        valid
    )
    result.note(ctx, "resumed", to_resume)
    audit_insert_from(
        to_resume,
        ctx=ctx,
        action="reservation.resumed",
        before={"status": ReservationStatus.HELD.value},
        after={"status": ReservationStatus.WAITING.value},
    )
    result.counts["resumed"] = to_resume.update(status=ReservationStatus.WAITING, held_since=None)
    return result
