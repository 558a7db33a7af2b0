"""Staff notes on the borrower page: written with who and when, shown at the desk as a
banner when asked, removed after a confirmation; a note that cannot be kept comes back
with the reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Note
from lidgeld.borrowers.notes import NOTE_LIMIT
from tests.factories import make_borrower, make_instance, make_membership, make_staff, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def an(gent):
    borrower = make_borrower(gent, card="B0000000001")
    make_membership(borrower, make_type(gent), date(2025, 5, 1))
    return borrower


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def page_of(client, borrower) -> str:
    response = client.get(f"/staff/borrowers/{borrower.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def flash(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def a_note(borrower, text: str, at_desk: bool = False) -> Note:
    return Note.objects.create(
        borrower=borrower,
        text=text,
        at_desk=at_desk,
        written_at=timezone.now(),
        written_by="staff:balie-brugge",
    )


def notes_section(page: str) -> str:
    return page.split('id="notes"')[1].split("</section>")[0]


def test_a_note_is_added_with_who_and_when(desk, an):
    # when the desk writes a note on An, not for the desk's banner
    response = desk.post(
        f"/staff/borrowers/{an.pk}/notes/add/", {"text": "Belt liever dan te mailen."}, follow=True
    )
    # then it is listed with who wrote it and when, audited, and not a banner
    assert flash(response) == ["Note added."]
    page = response.content.decode()
    section = notes_section(page)
    assert "Belt liever dan te mailen." in section
    assert "balie-gent, 10/04/2026 09:00" in section
    assert 'id="banners"' not in page
    note = Note.objects.get(borrower=an)
    assert (note.written_by, note.at_desk) == ("staff:balie-gent", False)
    assert AuditEvent.objects.filter(action="note.added", borrower_id=an.pk).count() == 1


def test_a_note_shown_at_the_desk_is_a_banner_at_the_top(desk, an):
    response = desk.post(
        f"/staff/borrowers/{an.pk}/notes/add/",
        {"text": "Komt de kaart van haar zoon ophalen.", "at_desk": "on"},
        follow=True,
    )
    assert flash(response) == ["Note added; it is shown at the desk."]
    page = response.content.decode()
    (note,) = Note.objects.filter(borrower=an)
    banner = f'<p class="desk-banner note-banner" id="banner-note-{note.pk}">'
    assert banner in page
    assert page.index(banner) < page.index('id="situation-title"')  # above everything else
    assert "shown at the desk" in notes_section(page)


def test_the_notes_are_listed_newest_first_and_their_text_is_not_markup(desk, an):
    a_note(an, "Oud.")
    a_note(an, "<script>alert(1)</script>\nTweede regel")
    section = notes_section(page_of(desk, an))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Tweede regel" in section
    assert "<script>alert" not in section
    assert section.index("Tweede regel") < section.index("Oud.")
    assert "balie-brugge" in section


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "write the note first; an empty note is not kept"),
        ("x" * (NOTE_LIMIT + 1), f"a note is at most {NOTE_LIMIT} characters long, not 2001"),
    ],
)
def test_a_note_that_cannot_be_kept_comes_back_with_the_reason(desk, an, text, reason):
    response = desk.post(f"/staff/borrowers/{an.pk}/notes/add/", {"text": text, "at_desk": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert reason in page
    assert f">{text}</textarea>" in page  # what was typed is kept
    assert 'id="note-at-desk" name="at_desk" checked' in page
    assert not Note.objects.exists()


def test_removing_a_note_asks_first_then_takes_it_off_the_page(desk, an):
    note = a_note(an, "Komt vrijdag terug.", at_desk=True)
    confirm = desk.get(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/").content.decode()
    assert "Komt vrijdag terug." in confirm
    assert "the audit trail keeps who removed it and when" in confirm
    assert Note.objects.get(pk=note.pk).removed_at is None  # asking changes nothing
    response = desk.post(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/", follow=True)
    assert flash(response) == ["Note removed."]
    page = response.content.decode()
    assert "No notes." in notes_section(page)
    assert 'id="banners"' not in page  # nor a banner (the audit trail keeps its text)
    removed = Note.objects.get(pk=note.pk)
    assert removed.removed_by == "staff:balie-gent"
    assert AuditEvent.objects.filter(action="note.removed", borrower_id=an.pk).count() == 1


def test_a_note_removed_already_says_so_and_is_not_removed_twice(desk, an):
    note = a_note(an, "Weg.")
    desk.post(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/")
    events = AuditEvent.objects.count()
    page = desk.get(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/").content.decode()
    assert "This note was removed by balie-gent on 10/04/2026 09:00." in page
    again = desk.post(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/")
    assert again.status_code == 400
    assert "this note was already removed" in again.content.decode()
    assert AuditEvent.objects.count() == events


def test_a_note_of_another_borrower_is_not_found(desk, gent, an):
    other = make_borrower(gent)
    note = a_note(other, "Niet van An.")
    assert desk.get(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/").status_code == 404
    assert desk.post(f"/staff/borrowers/{an.pk}/notes/{note.pk}/remove/").status_code == 404
    assert Note.objects.get(pk=note.pk).removed_at is None


def test_the_notes_speak_dutch_by_default(gent, an):
    client = Client()
    client.force_login(make_staff("balie-nl", gent))
    a_note(an, "Belt liever.", at_desk=True)
    page = client.get(f"/staff/borrowers/{an.pk}/").content.decode()
    assert '<h2 id="notes-title">Notities</h2>' in page
    assert "Tonen aan de balie" in page
    assert "<strong>Notitie:</strong> Belt liever." in page
    response = client.post(f"/staff/borrowers/{an.pk}/notes/add/", {"text": ""})
    assert "schrijf eerst de notitie" in response.content.decode()
