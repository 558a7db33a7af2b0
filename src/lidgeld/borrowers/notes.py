"""Staff notes on a borrower: written, removed, both audited."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower, Note
from lidgeld.errors import InvalidInput, Refused

NOTE_LIMIT = 2000


def note_add(
    *, borrower: Borrower, text: str, at_desk: bool, today: date, now: datetime, actor: str
) -> Note:
    text = text.strip()
    if not text:
        raise InvalidInput(_("write the note first; an empty note is not kept"), code="note_empty")
    if len(text) > NOTE_LIMIT:
        raise InvalidInput(
            _("a note is at most %(limit)d characters long, not %(length)d; shorten it"),
            code="note_too_long",
            params={"limit": NOTE_LIMIT, "length": len(text)},
        )
    with transaction.atomic():
        note = Note.objects.create(
            borrower=borrower, text=text, at_desk=at_desk, written_at=now, written_by=actor
        )
        audit_record(
            actor=actor,
            action="note.added",
            obj=note,
            today=today,
            now=now,
            borrower_id=borrower.pk,
            instance_id=borrower.home_instance_id,
            after={"text": text, "at_desk": at_desk},
        )
    return note


def note_remove(*, note: Note, today: date, now: datetime, actor: str) -> Note:
    with transaction.atomic():
        locked = Note.objects.select_for_update().select_related("borrower").get(pk=note.pk)
        if locked.removed_at is not None:
            raise Refused(_("this note was already removed"), code="note_removed")
        locked.removed_at, locked.removed_by = now, actor
        locked.save(update_fields=["removed_at", "removed_by"])
        audit_record(
            actor=actor,
            action="note.removed",
            obj=locked,
            today=today,
            now=now,
            borrower_id=locked.borrower_id,
            instance_id=locked.borrower.home_instance_id,
            before={"text": locked.text, "at_desk": locked.at_desk},
        )
    return locked
