"""R4 in the daily run: on the 1st, one end-of-contribution notice (CAE) per
membership that ends this month and that nothing follows."""

from __future__ import annotations

from django.db.models import Case, DateField, DateTimeField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Concat

from lidgeld.batching import BatchContext, StepResult
from lidgeld.db import insert_from
from lidgeld.domain.months import end_of_month
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership, MembershipStatus
from lidgeld.memberships.selectors import followed_by_later_period, notice_due_kinds
from lidgeld.notices.models import (
    KIND_END_OF_CONTRIBUTION,
    TYPE_CONTRIBUTION,
    Channel,
    Message,
    MessageStatus,
)
from lidgeld.notices.texts import END_OF_CONTRIBUTION, late_reason

# Deliberately simple: the mail server has the last word; this only keeps
# obvious non-addresses on paper.
EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

MESSAGE_COLUMNS = (
    "borrower",
    "instance",
    "membership",
    "type",
    "kind",
    "date",
    "channel",
    "status",
    "language",
    "to_address",
    "subject",
    "body",
    "attempts",
    "last_error",
    "created_at",
)


def cae_due(*, instance: Instance, ctx: BatchContext):
    already = Message.objects.filter(
        membership_id=OuterRef("pk"), type=TYPE_CONTRIBUTION, kind=KIND_END_OF_CONTRIBUTION
    )
    return (
        Membership.objects.filter(
            instance=instance,
            status=MembershipStatus.ACTIVE,
            end=end_of_month(ctx.day),
            type__kind__in=notice_due_kinds(),
            start__lte=ctx.day,
        )
        .exclude(followed_by_later_period())
        .exclude(Exists(already))
    )


def cae_notices_queue(*, instance: Instance, ctx: BatchContext) -> StepResult:
    result = StepResult()
    if ctx.day.day != 1:
        return result
    due = cae_due(instance=instance, ctx=ctx)
    days_late = (ctx.run_on - ctx.day).days
    late = days_late > instance.notice_max_delay_days
    status = MessageStatus.SKIPPED if late else MessageStatus.QUEUED
    error = late_reason(days_late, instance.notice_max_delay_days) if late else ""
    has_email = Q(borrower__email__regex=EMAIL_REGEX)
    result.note(ctx, "skipped" if late else "queued", due)
    queued = 0
    for language, text in END_OF_CONTRIBUTION.items():
        queued += insert_from(
            Message,
            MESSAGE_COLUMNS,
            due.filter(borrower__language=language).values_list(
                F("borrower_id"),
                F("instance_id"),
                F("pk"),
                Value(TYPE_CONTRIBUTION),
                Value(KIND_END_OF_CONTRIBUTION),
                Value(ctx.day, output_field=DateField()),
                Case(
                    When(has_email, then=Value(Channel.EMAIL.value)),
                    default=Value(Channel.LETTER.value),
                ),
                Value(status.value),
                Value(language),
                Case(When(has_email, then=F("borrower__email")), default=Value("")),
                Value(text.subject),
                Concat(
                    Value(f"{text.greeting} "),
                    F("borrower__first_name"),
                    Value(f",\n\n{text.body}\n\n{text.closing}\n{instance.name}\n"),
                ),
                Value(0),
                Value(error),
                Value(ctx.now, output_field=DateTimeField()),
            ),
        )
    result.counts["skipped" if late else "queued"] = queued
    return result
