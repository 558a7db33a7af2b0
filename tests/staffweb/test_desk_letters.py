"""Brieven: the day's letters, a PDF per batch, and "printed" confirmed by staff
(issue 11, item 14). Desk staff print their own libraries' letters."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from lidgeld.audit.models import AuditEvent
from lidgeld.libraries.models import CooperationGroup
from lidgeld.notices.models import LetterBatch, Message, MessageStatus
from tests.factories import make_borrower, make_instance, make_message, make_staff

pytestmark = pytest.mark.django_db

DAY = date(2026, 4, 10)  # the tests' clock
PAGE = "/staff/letters/"


@pytest.fixture
def world():
    """GENT and LOCH share borrowers (one cooperation group); each has a letter today,
    and GENT has an e-mail and yesterday's letter too."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    griet = make_borrower(gent, email="", first_name="Griet", last_name="Goossens")
    lars = make_borrower(loch, email="", first_name="Lars", last_name="Lochtenaar")
    letters = {
        "griet": make_message(griet, DAY, channel="letter", status="queued"),
        "lars": make_message(lars, DAY, channel="letter", status="queued"),
        "yesterday": make_message(griet, date(2026, 4, 9), kind="HR", channel="letter", status="queued"),
        "mail": make_message(make_borrower(gent), DAY, status="queued"),
    }  # fmt: skip
    for message in letters.values():
        message.subject, message.body, message.rendered_at = (
            "Lid",
            "Beste,\n\nTekst.",
            message.created_at,
        )
        message.save()
    return {"gent": gent, "loch": loch, **letters}


@pytest.fixture
def desk(client, world):
    client.force_login(make_staff("balie-gent", world["gent"]))
    return client


def fresh(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_the_days_letters_of_ones_own_library_are_to_print(desk, world):
    page = desk.get(PAGE).content.decode()

    assert "<h1>Brieven van 10/04/2026</h1>" in page
    assert "Goossens, Griet" in page
    assert "Lochtenaar" not in page  # the group's other library prints its own
    assert page.count(">te printen</td>") == 1
    assert "Maak de pdf van de nieuwe brief" in page
    assert 'href="/staff/letters/"' in page  # in the navigation


def test_a_batch_is_made_downloaded_and_confirmed_printed_once(desk, world):
    # when the desk makes the PDF of today's letters
    response = desk.post("/staff/letters/batches/", {"date": "2026-04-10"})
    assert response.status_code == 302
    batch = LetterBatch.objects.get()
    assert list(batch.messages.values_list("pk", flat=True)) == [world["griet"].pk]
    page = desk.get(response["Location"]).content.decode()
    assert f"Batch {batch.pk} met 1 brieven is klaar" in page
    assert "Geen nieuwe brieven om in een batch te zetten." in page
    assert fresh(world["griet"]).status == MessageStatus.QUEUED  # still to print

    # and downloads it: the PDF, audited as an export of personal data
    pdf = desk.get(f"/staff/letters/batches/{batch.pk}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert f'filename="brieven-2026-04-10-batch-{batch.pk}.pdf"' in pdf["Content-Disposition"]
    from io import BytesIO

    (sheet,) = PdfReader(BytesIO(pdf.content)).pages
    assert "Griet Goossens" in sheet.extract_text()
    export = AuditEvent.objects.get(action="letter_batch.export")
    assert export.actor == "staff:balie-gent"
    assert export.after["rows"] == 1
    assert fresh(world["griet"]).status == MessageStatus.QUEUED

    # then only confirming makes the letter sent, once
    confirm = f"/staff/letters/batches/{batch.pk}/confirm"
    page = desk.post(confirm, follow=True).content.decode()
    assert f"Batch {batch.pk} is geprint: 1 brieven gelden als verstuurd." in page
    assert ">geprint</td>" in page
    griet = fresh(world["griet"])
    assert (griet.status, griet.attempts) == (MessageStatus.SENT, 1)
    page = desk.post(confirm, follow=True).content.decode()
    assert f"Batch {batch.pk} was al bevestigd als geprint" in page
    assert AuditEvent.objects.filter(action="message.sent").count() == 1
    assert fresh(world["lars"]).status == MessageStatus.QUEUED
    assert fresh(world["yesterday"]).letter_batch is None


def test_another_librarys_batch_is_not_found(client, world):
    client.force_login(make_staff("balie-loch", world["loch"]))
    client.post("/staff/letters/batches/", {"date": "2026-04-10"})
    loch_batch = LetterBatch.objects.get()
    client.force_login(make_staff("balie-gent", world["gent"]))

    assert client.get(f"/staff/letters/batches/{loch_batch.pk}/pdf").status_code == 404
    assert client.post(f"/staff/letters/batches/{loch_batch.pk}/confirm").status_code == 404
    assert fresh(world["lars"]).status == MessageStatus.QUEUED
    assert not AuditEvent.objects.filter(action="letter_batch.export").exists()


def test_a_wrong_day_is_said_and_changes_nothing(desk, world):
    response = desk.get(PAGE + "?date=10-04-2026")
    assert response.status_code == 400
    assert "&#x27;10-04-2026&#x27; is geen datum" in response.content.decode()
    desk.post("/staff/letters/batches/", {"date": "gisteren"})
    assert not LetterBatch.objects.exists()
