"""Letters go out in batches that staff confirm as printed (issue 11, item 14).

Writing the PDF is not the delivery: a printer jams, a file is never opened. So
``letter_batch_make`` puts the day's queued letters that are in no batch yet into a
new batch (rendering each one; a letter whose text cannot be rendered is marked
failed with the reason and left out, the others are printed), and the letters stay
*queued* ("te printen"). Once staff confirm that the batch came out of the printer
(``letter_batch_confirm``, from ``lidgeld letters --confirm`` or the staff page
"Brieven"), its letters become *sent*. Confirming again changes nothing.

A letter belongs to the first batch it was put in: a second run for the same day
prints only letters that are new since, and a lost PDF is written again from its
batch (``lidgeld letters --batch N``), so the same letter is never in two piles.
Writing or downloading a batch's PDF is an export of personal data (names and
addresses) and is audited like the other exports.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.models import AuditEvent
from lidgeld.audit.services import audit_record
from lidgeld.errors import InvalidInput
from lidgeld.notices.letters import LettersResult, letters_document
from lidgeld.notices.models import Channel, LetterBatch, Message, MessageStatus
from lidgeld.notices.rendering import RenderFailure, message_render_and_keep, templates_for

logger = logging.getLogger("lidgeld.notices.letters")

PRINT_ORDER = (
    "instance__code",
    "borrower__postal_code",
    "borrower__last_name",
    "borrower__first_name",
    "id",
)


@dataclass(frozen=True)
class LetterFailure:
    """A letter left out of the batch because its text cannot be rendered."""

    message_id: int
    instance: str
    card_number: str
    kind: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.message_id,
            "instance": self.instance,
            "card": self.card_number,
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclass
class BatchMade:
    batch: LetterBatch | None  # None: no new letter could be printed
    failures: list[LetterFailure] = field(default_factory=list)


@dataclass(frozen=True)
class BatchConfirmed:
    batch: LetterBatch
    marked: int  # letters that became sent now
    already: bool  # confirmed before: nothing changed


# --- reads ------------------------------------------------------------------


def _within(queryset: QuerySet[Message], instance_ids: Sequence[int] | None) -> QuerySet[Message]:
    return queryset if instance_ids is None else queryset.filter(instance_id__in=instance_ids)


def letters_of_day(*, day: date, instance_ids: Sequence[int] | None) -> QuerySet[Message]:
    """Every letter of one business day (to print, printed, failed), in print order."""
    letters = Message.objects.filter(channel=Channel.LETTER, date=day).select_related(
        "borrower", "instance", "letter_batch"
    )
    return _within(letters, instance_ids).order_by(*PRINT_ORDER)


def letters_due(*, day: date, instance_ids: Sequence[int] | None = None) -> QuerySet[Message]:
    """Queued letters of one day that are in no batch yet, in the order they are
    printed: by library, then postal code (the post sorts by it), then name."""
    letters = Message.objects.filter(
        channel=Channel.LETTER, status=MessageStatus.QUEUED, date=day, letter_batch__isnull=True
    ).select_related("borrower", "instance", "membership", "posting")
    return _within(letters, instance_ids).order_by(*PRINT_ORDER)


def letter_batches(
    *, instance_ids: Sequence[int] | None, day: date | None = None
) -> QuerySet[LetterBatch]:
    """Batches all of whose letters belong to these libraries (all: None)."""
    batches = LetterBatch.objects.all()
    if day is not None:
        batches = batches.filter(day=day)
    if instance_ids is not None:
        outside = Message.objects.filter(letter_batch_id=OuterRef("pk")).exclude(
            instance_id__in=instance_ids
        )
        batches = batches.exclude(Exists(outside))
    return batches.order_by("-day", "-id")


def letter_batch_get(*, batch_id: int, instance_ids: Sequence[int] | None) -> LetterBatch:
    batch = letter_batches(instance_ids=instance_ids).filter(pk=batch_id).first()
    if batch is None:
        raise InvalidInput(
            _("no letter batch %(batch)s; 'lidgeld letters' prints the batch number it makes"),
            code="letter_batch_unknown",
            params={"batch": batch_id},
        )
    return batch


def letter_batch_pdf(*, batch: LetterBatch) -> LettersResult:
    """The batch's letters as one PDF, from the text kept when the batch was made."""
    letters = list(
        Message.objects.filter(letter_batch=batch)
        .select_related("borrower", "instance")
        .order_by(*PRINT_ORDER)
    )
    return letters_document(letters, title=f"Brieven {batch.day.isoformat()} (batch {batch.pk})")


# --- writes -----------------------------------------------------------------


def letter_batch_make(
    *, day: date, instance_ids: Sequence[int] | None, now: datetime, today: date, actor: str
) -> BatchMade:
    """Put the day's new letters in a batch to print; nothing is sent yet."""
    made = BatchMade(batch=None)
    with transaction.atomic():
        # Two runs at once: the second waits here and then finds the letters taken.
        due = list(letters_due(day=day, instance_ids=instance_ids).select_for_update(of=("self",)))
        templates = templates_for(m for m in due if m.rendered_at is None)
        printable = []
        for message in due:
            try:
                message_render_and_keep(message, templates=templates, now=now)
            except RenderFailure as failure:
                made.failures.append(_fail(message, failure.message))
                continue
            printable.append(message)
        if not printable:
            return made
        batch = LetterBatch.objects.create(
            day=day, letters=len(printable), created_at=now, created_by=actor
        )
        Message.objects.filter(pk__in=[m.pk for m in printable]).update(letter_batch=batch)
        audit_record(
            actor=actor,
            action="letter_batch.made",
            obj=batch,
            today=today,
            now=now,
            after={
                "day": day.isoformat(),
                "letters": len(printable),
                "instances": sorted({m.instance.code for m in printable}),
                "failed": len(made.failures),
            },
        )
    made.batch = batch
    return made


def _fail(message: Message, reason: str) -> LetterFailure:
    logger.warning("letter %s could not be rendered: %s", message.pk, reason)
    Message.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, last_error=reason, next_attempt_at=None
    )
    return LetterFailure(
        message_id=message.pk,
        instance=message.instance.code,
        card_number=message.borrower.card_number,
        kind=message.code,
        reason=reason,
    )


def letter_batch_export_audit(
    *,
    batch: LetterBatch,
    result: LettersResult,
    actor: str,
    today: date,
    now: datetime,
    **where: object,
) -> None:
    """Names and addresses left the building as a PDF; ``where`` says how (``file=`` on
    the command line, ``download=True`` from the staff page)."""
    audit_record(
        actor=actor,
        action="letter_batch.export",
        obj=batch,
        today=today,
        now=now,
        after={
            "batch": batch.pk,
            "format": "pdf",
            "rows": result.count,
            "pages": result.pages,
            **where,
        },
    )


def letter_batch_confirm(
    *, batch: LetterBatch, now: datetime, today: date, actor: str
) -> BatchConfirmed:
    """The batch came out of the printer: its letters still queued become sent, each
    with an audit event. A second confirmation finds it done and changes nothing."""
    with transaction.atomic():
        locked = LetterBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.printed_at is not None:
            return BatchConfirmed(batch=locked, marked=0, already=True)
        letters = Message.objects.filter(
            letter_batch=locked, channel=Channel.LETTER, status=MessageStatus.QUEUED
        )
        rows = list(
            letters.select_for_update().values_list("pk", "borrower_id", "instance_id", "date")
        )
        Message.objects.filter(pk__in=[row[0] for row in rows]).update(
            status=MessageStatus.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            last_error="",
            next_attempt_at=None,
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                at=now,
                business_date=day,
                actor=actor,
                action="message.sent",
                object_type="message",
                object_id=pk,
                borrower_id=borrower_id,
                instance_id=instance_id,
                before={"status": MessageStatus.QUEUED.value},
                after={"status": MessageStatus.SENT.value, "channel": "letter", "batch": locked.pk},
            )
            for pk, borrower_id, instance_id, day in rows
        )
        locked.printed_at, locked.printed_by = now, actor
        locked.save(update_fields=["printed_at", "printed_by"])
        audit_record(
            actor=actor,
            action="letter_batch.printed",
            obj=locked,
            today=today,
            now=now,
            before={"printed_at": None},
            after={"printed_at": now.isoformat(), "letters": len(rows)},
        )
    return BatchConfirmed(batch=locked, marked=len(rows), already=False)
