"""Notices in the daily run: queued with one INSERT … SELECT per step.

The text is not rendered here: the sender and the letters run render each
notice just before delivery (rendering.messages_render), so this step stays
set-based whatever the library's template says.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from lidgeld.batching import BatchContext, StepResult
from lidgeld.db import insert_from
from lidgeld.domain.dunning import Stage
from lidgeld.domain.months import end_of_month
from lidgeld.finance.models import Posting
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership, MembershipStatus, MembershipType, TypeKind
from lidgeld.memberships.selectors import (
    aged_out_on,
    followed_by_later_period,
    notice_due_kinds,
    notices_stopped,
)
from lidgeld.notices.models import (
    END_KINDS,
    KIND_AGE_LIMIT,
    KIND_END_OF_CONTRIBUTION,
    KIND_REMINDER,
    KIND_UNPAID,
    TYPE_CONTRIBUTION,
    Channel,
    Message,
    MessageStatus,
)
from lidgeld.notices.texts import late_reason

# Deliberately simple: the mail server has the last word; this only keeps
# obvious non-addresses on paper.
EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_PATTERN = re.compile(EMAIL_REGEX)

# The notice each dunning stage sends, and the library's switch for it (R6).
STAGE_NOTICES = {Stage.REMINDER: KIND_REMINDER, Stage.UNPAID: KIND_UNPAID}
NOTICE_SWITCHES = {KIND_REMINDER: "notice_reminder", KIND_UNPAID: "notice_unpaid"}

MESSAGE_COLUMNS = (
    "borrower",
    "instance",
    "membership",
    "posting",
    "type",
    "kind",
    "date",
    "channel",
    "status",
    "language",
    "to_address",
    "attempts",
    "last_error",
    "created_at",
)


def _reference(field: str | None) -> Any:
    return F(field) if field else Value(None, output_field=BigIntegerField())


def notices_queue_from(
    rows: QuerySet[Any],
    *,
    kind: str,
    instance: Instance,
    ctx: BatchContext,
    membership_field: str | None,
    posting_field: str | None,
) -> tuple[str, int]:
    """One notice of ``kind`` per row, by e-mail where the address is usable,
    otherwise as a letter; recorded as skipped when the run is too late (R4)."""
    days_late = (ctx.run_on - ctx.day).days
    late = days_late > instance.notice_max_delay_days
    status = MessageStatus.SKIPPED if late else MessageStatus.QUEUED
    has_email = Q(borrower__email__regex=EMAIL_REGEX)
    source = rows.values_list(
        F("borrower_id"),
        F("instance_id"),
        _reference(membership_field),
        _reference(posting_field),
        Value(TYPE_CONTRIBUTION),
        Value(kind),
        Value(ctx.day, output_field=DateField()),
        Case(When(has_email, then=Value(Channel.EMAIL.value)), default=Value(Channel.LETTER.value)),
        Value(status.value),
        F("borrower__language"),
        Case(When(has_email, then=F("borrower__email")), default=Value("")),
        Value(0),
        Value(late_reason(days_late, instance.notice_max_delay_days) if late else ""),
        Value(ctx.now, output_field=DateTimeField()),
    )
    return ("skipped" if late else "queued"), insert_from(Message, MESSAGE_COLUMNS, source)


def _ending_this_month(instance: Instance, ctx: BatchContext) -> QuerySet[Membership]:
    """Live periods ending this month that nothing follows and that were not told yet."""
    already = Message.objects.filter(
        membership_id=OuterRef("pk"), type=TYPE_CONTRIBUTION, kind__in=END_KINDS
    )
    return (
        Membership.objects.filter(
            instance=instance,
            status=MembershipStatus.ACTIVE,
            end=end_of_month(ctx.day),
            start__lte=ctx.day,
        )
        .exclude(followed_by_later_period())
        .exclude(Exists(already))
        # R12: a period ended early, or a borrower who died, is not told it ends
        .exclude(notices_stopped())
    )


def cae_due(*, instance: Instance, ctx: BatchContext) -> QuerySet[Membership]:
    return _ending_this_month(instance, ctx).filter(type__kind__in=notice_due_kinds())


def age_cae_due(*, instance: Instance, ctx: BatchContext) -> QuerySet[Membership] | None:
    """R12: free auto-renewing periods ending this month whose borrower is past the
    type's maximum age on the day after, so the run will not renew them: they get the
    age-limit CAE instead of a new period (None: no such type in this library)."""
    max_ages = [
        age
        for age in MembershipType.objects.filter(
            instance=instance, kind=TypeKind.FREE_AUTO, max_age__isnull=False
        )
        .values_list("max_age", flat=True)
        .distinct()
        if age is not None
    ]
    aged_out = aged_out_on(end_of_month(ctx.day) + timedelta(days=1), max_ages)
    if aged_out is None:
        return None
    return _ending_this_month(instance, ctx).filter(type__kind=TypeKind.FREE_AUTO).filter(aged_out)


def cae_notices_queue(*, instance: Instance, ctx: BatchContext) -> StepResult:
    """R4: on the 1st, one end-of-contribution notice (CAE) per membership that
    ends this month and that nothing follows; R12: the age-limit CAE for the free
    auto-renewing ones the run will not renew because of the borrower's age."""
    result = StepResult()
    if ctx.day.day != 1 or not instance.notice_end_of_contribution:
        return result
    due = cae_due(instance=instance, ctx=ctx)
    result.note(ctx, "notices", due)
    outcome, count = notices_queue_from(
        due,
        kind=KIND_END_OF_CONTRIBUTION,
        instance=instance,
        ctx=ctx,
        membership_field="pk",
        posting_field=None,
    )
    result.counts[outcome] = count
    aged = age_cae_due(instance=instance, ctx=ctx)
    if aged is not None:
        result.note(ctx, "age_notices", aged)
        outcome, count = notices_queue_from(
            aged,
            kind=KIND_AGE_LIMIT,
            instance=instance,
            ctx=ctx,
            membership_field="pk",
            posting_field=None,
        )
        result.counts[f"age_limit_{outcome}"] = count
    return result


def dunning_notices_queue(
    due: QuerySet[Posting], *, stage: Stage, instance: Instance, ctx: BatchContext
) -> dict[str, int]:
    """The reminder or unpaid notice for contributions about to reach ``stage``, when
    the library sends it (finance's dunning step calls this before it moves them)."""
    kind = STAGE_NOTICES.get(stage)
    if kind is None or not getattr(instance, NOTICE_SWITCHES[kind]):
        return {}
    outcome, count = notices_queue_from(
        due,
        kind=kind,
        instance=instance,
        ctx=ctx,
        membership_field="membership_id",
        posting_field="pk",
    )
    return {f"notices_{outcome}": count}
