"""R2 in the daily run: periods that have passed end; free auto-renewing ones continue,
unless the borrower is past the type's maximum age on the new start (R12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import DateField, F, Q, QuerySet, Value

from lidgeld.audit.services import audit_insert_from
from lidgeld.batching import BatchContext, StepResult
from lidgeld.db import insert_from
from lidgeld.domain.renewal import period_from
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership, MembershipStatus, Origin, TypeKind
from lidgeld.memberships.selectors import (
    followed_by_later_period,
    past_maximum_age,
    renewal_stopped,
)

NEW_PERIOD_COLUMNS = (
    "borrower",
    "instance",
    "type",
    "start",
    "end",
    "status",
    "origin",
    "created_on",
)


def memberships_expire(*, instance: Instance, ctx: BatchContext) -> StepResult:
    result = StepResult()
    passed = Membership.objects.filter(
        instance=instance, status=MembershipStatus.ACTIVE, end__lt=ctx.day
    )
    not_followed = passed.exclude(followed_by_later_period())
    # A period ended early (R12) expires whatever its type.
    auto = not_followed.filter(type__kind=TypeKind.FREE_AUTO).exclude(renewal_stopped())
    expiring = not_followed.filter(~Q(type__kind=TypeKind.FREE_AUTO) | Q(renewal_stopped()))
    # One INSERT … SELECT per (type, old end): the new period's dates depend on both,
    # and there are only a handful of such pairs whatever the number of borrowers. A
    # type's maximum age is one date to compare birth dates with for the whole group.
    groups = list(
        auto.values_list("type_id", "type__months", "type__max_age", "end").order_by().distinct()
    )
    aged_out: Q | None = None
    for type_id, _months, max_age, old_end in groups:
        if max_age is not None:
            one = Q(type_id=type_id, end=old_end) & past_maximum_age(
                max_age, old_end + timedelta(days=1)
            )
            aged_out = one if aged_out is None else aged_out | one
    if aged_out is not None:
        # R12: these end like a paying period; their CAE went out on the 1st before.
        result.note(ctx, "past_max_age", auto.filter(aged_out))
        result.counts["past_max_age"] = auto.filter(aged_out).count()
        expiring = expiring | auto.filter(aged_out)

    result.note(ctx, "expired", expiring)
    result.counts["expired"] = expiring.count()

    result.note(ctx, "auto_renewed", auto if aged_out is None else auto.exclude(aged_out))
    renewed = 0
    for type_id, months, max_age, old_end in groups:
        period = period_from(old_end + timedelta(days=1), months)
        group = auto.filter(type_id=type_id, end=old_end)
        if max_age is not None:
            group = group.exclude(past_maximum_age(max_age, period.start))
        audit_insert_from(
            group,
            ctx=ctx,
            action="membership.auto_renewed",
            before={"end": old_end.isoformat()},
            after={
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "origin": "automatic",
            },
        )
        renewed += insert_from(
            Membership,
            NEW_PERIOD_COLUMNS,
            group.values_list(
                F("borrower_id"),
                F("instance_id"),
                F("type_id"),
                Value(period.start, output_field=DateField()),
                Value(period.end, output_field=DateField()),
                Value(MembershipStatus.ACTIVE.value),
                Value(Origin.AUTOMATIC.value),
                Value(ctx.day, output_field=DateField()),
            ),
        )
    result.counts["auto_renewed"] = renewed

    audit_insert_from(
        passed,
        ctx=ctx,
        action="membership.ended",
        before={"status": MembershipStatus.ACTIVE.value},
        after={"status": MembershipStatus.ENDED.value},
    )
    result.counts["periods_closed"] = passed.update(status=MembershipStatus.ENDED)
    return result


def memberships_invalidate(
    ids: QuerySet[Any], *, ctx: BatchContext, result: StepResult, reason: str
) -> None:
    """The live periods among ``ids`` (a one-column queryset of membership ids) become
    invalid as of the run's day, with one audit row each (R6); counted as
    ``invalidated``."""
    memberships = Membership.objects.filter(
        pk__in=ids, status__in=[MembershipStatus.ACTIVE, MembershipStatus.ENDED]
    )
    result.note(ctx, "invalidated", memberships)
    for status in (MembershipStatus.ACTIVE, MembershipStatus.ENDED):
        audit_insert_from(
            memberships.filter(status=status),
            ctx=ctx,
            action="membership.invalidated",
            before={"status": status.value},
            after={"status": MembershipStatus.INVALIDATED.value, "reason": reason},
        )
    result.counts["invalidated"] = memberships.update(
        status=MembershipStatus.INVALIDATED, invalidated_on=ctx.day
    )
