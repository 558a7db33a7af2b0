"""R6 in the daily run: stage changes, then write-off with invalidation."""

from __future__ import annotations

from typing import Protocol

from django.db.models import DateField, F, QuerySet, Value

from lidgeld.audit.services import audit_insert_from
from lidgeld.batching import BatchContext, StepResult
from lidgeld.db import insert_from
from lidgeld.domain.dunning import Stage, booked_before_for
from lidgeld.finance.models import Posting, PostingStatus, WriteOff
from lidgeld.libraries.models import Instance
from lidgeld.memberships.batch import memberships_invalidate
from lidgeld.memberships.selectors import dunning_stopped

WRITE_OFF_REASON = "R6: lidgeld niet betaald, lidmaatschap ongeldig"


def _open_contributions(instance: Instance) -> QuerySet[Posting]:
    """The open contributions the daily run follows up: not those of a membership
    ended early for a reason that stops dunning (R12); they stay as they are."""
    return Posting.objects.open_contributions().filter(instance=instance).exclude(dunning_stopped())


class StageNotify(Protocol):
    """Queues the notices for contributions about to reach ``stage`` and returns the
    counts to report; the daily run passes the notices' own step, so finance does not
    need to know how a borrower is told."""

    def __call__(
        self, due: QuerySet[Posting], *, stage: Stage, instance: Instance, ctx: BatchContext
    ) -> dict[str, int]: ...


def dunning_advance(
    *, instance: Instance, ctx: BatchContext, notify: StageNotify | None
) -> StepResult:
    """Move every open contribution whose month has come to its next stage, in
    pipeline order, so a late first run still records each transition once.
    ``notify`` is told of each set before it moves (None: nobody is told)."""
    result = StepResult()
    for from_stage, to_stage, months in instance.dunning_policy.transitions():
        if to_stage is Stage.WRITTEN_OFF:
            continue  # a write-off also ends a membership: contributions_write_off
        due = _open_contributions(instance).filter(
            stage=from_stage.value, booked_on__lt=booked_before_for(ctx.day, months)
        )
        result.note(ctx, to_stage.value, due)
        if notify is not None:
            for key, count in notify(due, stage=to_stage, instance=instance, ctx=ctx).items():
                result.counts[key] = result.counts.get(key, 0) + count
        audit_insert_from(
            due,
            ctx=ctx,
            action="posting.stage_changed",
            before={"stage": from_stage.value},
            after={"stage": to_stage.value},
        )
        result.counts[to_stage.value] = due.update(stage=to_stage.value)
    return result


def contributions_write_off(*, instance: Instance, ctx: BatchContext) -> StepResult:
    """On the 1st of M+8 the open contribution is written off and its membership
    becomes invalid; the borrower is then treated as expired (R6)."""
    result = StepResult()
    due = _open_contributions(instance).filter(
        stage=Stage.UNPAID.value,
        booked_on__lt=booked_before_for(ctx.day, instance.write_off_after_months),
    )
    memberships_invalidate(
        due.filter(membership__isnull=False).values("membership_id"),
        ctx=ctx,
        result=result,
        reason="contribution unpaid",
    )

    result.note(ctx, "written_off", due)
    insert_from(
        WriteOff,
        ("posting", "amount", "written_off_on", "reason", "recorded_by"),
        due.values_list(
            F("pk"),
            F("balance"),
            Value(ctx.day, output_field=DateField()),
            Value(WRITE_OFF_REASON),
            Value(ctx.actor),
        ),
    )
    audit_insert_from(
        due,
        ctx=ctx,
        action="posting.written_off",
        before={"status": PostingStatus.OPEN.value, "stage": Stage.UNPAID.value},
        after={"status": PostingStatus.WRITTEN_OFF.value, "reason": WRITE_OFF_REASON},
    )
    result.counts["written_off"] = due.update(
        status=PostingStatus.WRITTEN_OFF,
        stage=Stage.WRITTEN_OFF.value,
        balance=0,
        closed_on=ctx.day,
    )
    return result
