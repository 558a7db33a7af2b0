"""Staff notes on a borrower at the desk: the list on the borrower page, add one (shown
at the desk as a banner when asked), remove one after a confirmation. A note that
cannot be kept (empty, too long) shows the form again with the reason and the text."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.models import Note
from lidgeld.borrowers.notes import NOTE_LIMIT, note_add, note_remove
from lidgeld.errors import LidgeldError
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.views.desk_common import actor

STAFF_PREFIX = "staff:"


def by_whom(actor: str) -> str:
    """Who wrote or removed a note as the desk knows them: the user name, without the
    audit trail's ``staff:`` (a note from the command line keeps its ``cli:``)."""
    return actor.removeprefix(STAFF_PREFIX)


def notes_context(notes: list[Note]) -> dict[str, Any]:
    return {
        "notes": [(note, by_whom(note.written_by)) for note in notes],
        "desk_notes": [note for note in notes if note.at_desk],
        "note_limit": NOTE_LIMIT,
    }


def _back(borrower_id: int) -> HttpResponseBase:
    return redirect("staffweb:borrower", borrower_id=borrower_id)


@staff_page()
@require_http_methods(["GET", "POST"])
def add(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    text = request.POST.get("text", "")
    at_desk = request.POST.get("at_desk") == "on"
    error = ""
    if request.method == "POST":
        try:
            note_add(
                borrower=borrower,
                text=text,
                at_desk=at_desk,
                today=request.moment.today,
                now=request.moment.now,
                actor=actor(request),
            )
        except LidgeldError as refusal:
            error = refusal.localized()
        else:
            messages.success(
                request,
                _("Note added; it is shown at the desk.") if at_desk else _("Note added."),
            )
            return _back(borrower.pk)
    context = {
        "borrower": borrower,
        "text": text,
        "at_desk": at_desk,
        "error": error,
        "note_limit": NOTE_LIMIT,
    }
    return render(request, "staffweb/desk/note_add.html", context, status=400 if error else 200)


@staff_page()
@require_http_methods(["GET", "POST"])
def remove(request: StaffRequest, borrower_id: int, note_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    note = get_object_or_404(Note, pk=note_id, borrower=borrower)
    error = ""
    if request.method == "POST":
        try:
            note_remove(
                note=note, today=request.moment.today, now=request.moment.now, actor=actor(request)
            )
        except LidgeldError as refusal:
            error = refusal.localized()
        else:
            messages.success(request, _("Note removed."))
            return _back(borrower.pk)
    context = {
        "borrower": borrower,
        "note": note,
        "who": by_whom(note.written_by),
        "removed_by": by_whom(note.removed_by),
        "error": error,
    }
    return render(
        request, "staffweb/desk/note_remove_confirm.html", context, status=400 if error else 200
    )
