"""Staff notes on a borrower."""

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.notes import note_add, note_remove
from lidgeld.borrowers.selectors import desk_notes
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from tests.factories import make_borrower, make_instance

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
MOMENT = {"today": TODAY, "now": at_nine(TODAY), "actor": "staff:els"}


def test_a_note_keeps_who_wrote_it_and_when():
    borrower = make_borrower(make_instance())
    note = note_add(
        borrower=borrower, text=" Slechthorend: spreek duidelijk ", at_desk=True, **MOMENT
    )
    assert (note.text, note.at_desk, note.written_by) == (
        "Slechthorend: spreek duidelijk",
        True,
        "staff:els",
    )
    assert note.written_at == at_nine(TODAY)
    assert desk_notes(borrower) == [note]
    assert AuditEvent.objects.get(action="note.added").after["at_desk"] is True


def test_a_removed_note_is_kept_for_the_audit_but_not_shown():
    borrower = make_borrower(make_instance())
    note = note_add(borrower=borrower, text="Verhuist in mei", at_desk=False, **MOMENT)
    note_remove(note=note, **MOMENT)
    assert desk_notes(borrower) == []
    assert AuditEvent.objects.get(action="note.removed").before["text"] == "Verhuist in mei"
    with pytest.raises(Refused, match="already removed"):
        note_remove(note=note, **MOMENT)


@pytest.mark.parametrize(("text", "says"), [("  ", "empty note"), ("x" * 2001, "at most 2000")])
def test_an_empty_or_too_long_note_is_refused(text, says):
    borrower = make_borrower(make_instance())
    with pytest.raises(InvalidInput, match=says):
        note_add(borrower=borrower, text=text, at_desk=False, **MOMENT)
    assert desk_notes(borrower) == []
