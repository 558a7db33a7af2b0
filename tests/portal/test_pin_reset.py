"""A new PIN through a link by e-mail, delivered over SMTP to a real server on loopback."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import FixedClock, set_clock
from lidgeld.web.throttle import LOCK_AFTER
from tests.notices.test_delivery import Recorder, free_port, smtp_server
from tests.portal.conftest import PIN, logged_in, member, text_of

pytestmark = pytest.mark.django_db

NEW_PIN = "86420"


@pytest.fixture
def mailbox(monkeypatch):
    handler = Recorder()
    port = free_port()
    with smtp_server(handler, port):
        monkeypatch.setenv("LIDGELD_SMTP_URL", f"smtp://127.0.0.1:{port}?timeout=5")
        yield handler


def wait_for_mail(mailbox: Recorder, count: int = 1, seconds: float = 5.0):
    deadline = time.monotonic() + seconds
    while len(mailbox.accepted) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(mailbox.accepted) >= count, "no mail arrived"
    return mailbox.accepted[count - 1]


def ask_link(card: str, address: str = "10.0.0.1"):
    return Client().post("/portal/pin/forgot/", {"card_number": card}, REMOTE_ADDR=address)


def link_in(mail) -> str:
    [link] = re.findall(r"http://\S+/portal/pin/reset/\S+/", mail.get_content())
    return link.removeprefix("http://testserver")


def test_a_borrower_gets_a_link_by_mail_and_chooses_a_new_pin(gent, adult, mailbox):
    borrower = member(gent, adult, language="fr")
    answer = ask_link(borrower.card_number)
    assert "Als de bibliotheek dit kaartnummer kent" in text_of(answer)
    mail = wait_for_mail(mailbox)
    assert mail["To"] == borrower.email
    assert mail["From"].addresses[0].addr_spec == "info@bibliotheek.gent.be"
    assert mail["Subject"] == "Choisissez un nouveau code PIN pour Ma Bibliothèque"
    assert borrower.card_number in mail.get_content()
    assert AuditEvent.objects.filter(
        action="borrower.pin_reset_requested", borrower=borrower
    ).exists()

    client = Client()
    opened = client.get(link_in(mail))
    # the token leaves the address bar at once
    assert opened.status_code == 302
    assert opened["Location"] == "/portal/pin/reset/set/"
    form = client.get(opened["Location"])
    assert form["Referrer-Policy"] == "no-referrer"
    assert "Choisir un nouveau code PIN" in text_of(form)  # in the language of the mail
    done = client.post(
        "/portal/pin/reset/set/", {"new_pin": NEW_PIN, "repeat_pin": NEW_PIN}, follow=True
    )
    assert "Votre nouveau code PIN est enregistré" in text_of(done)
    # the old PIN no longer works, the new one does
    assert (
        Client()
        .post("/portal/login/", {"card_number": borrower.card_number, "pin": PIN})
        .status_code
        == 200
    )
    assert (
        Client()
        .post("/portal/login/", {"card_number": borrower.card_number, "pin": NEW_PIN})
        .status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="borrower.pin_set", borrower=borrower).exists()


def test_the_link_works_once(gent, adult, mailbox):
    borrower = member(gent, adult)
    ask_link(borrower.card_number)
    link = link_in(wait_for_mail(mailbox))
    client = Client()
    client.get(link)
    client.post("/portal/pin/reset/set/", {"new_pin": NEW_PIN, "repeat_pin": NEW_PIN})
    again = Client()
    response = again.get(again.get(link)["Location"])
    assert response.status_code == 400
    assert "Deze link is niet meer geldig" in text_of(response)


def test_the_link_expires_after_an_hour(gent, adult, mailbox):
    borrower = member(gent, adult)
    ask_link(borrower.card_number)
    link = link_in(wait_for_mail(mailbox))

    class Later(FixedClock):
        def now(self) -> datetime:
            return timezone.make_aware(datetime(2026, 4, 10, 10, 1))

    set_clock(Later(date(2026, 4, 10)))
    client = Client()
    assert client.get(client.get(link)["Location"]).status_code == 400
    assert (
        client.post(
            "/portal/pin/reset/set/", {"new_pin": NEW_PIN, "repeat_pin": NEW_PIN}
        ).status_code
        == 400
    )


def test_a_forged_link_is_refused(gent, adult):
    client = Client()
    client.get("/portal/pin/reset/eyJiIjoxLCJ0IjoxLCJmIjoiMCJ9:forged:signature/")
    response = client.get("/portal/pin/reset/set/")
    assert response.status_code == 400


def test_two_different_pins_are_refused_with_what_to_do(gent, adult, mailbox):
    borrower = member(gent, adult)
    ask_link(borrower.card_number)
    client = Client()
    client.get(link_in(wait_for_mail(mailbox)))
    response = client.post("/portal/pin/reset/set/", {"new_pin": "1357", "repeat_pin": "1358"})
    assert "De twee nieuwe pincodes zijn niet dezelfde" in text_of(response)
    response = client.post("/portal/pin/reset/set/", {"new_pin": "12a", "repeat_pin": "12a"})
    assert "Een pincode bestaat uit 4 tot 12 cijfers" in text_of(response)


def test_an_unknown_card_or_one_without_e_mail_gets_the_same_answer_and_no_mail(
    gent, adult, mailbox
):
    known = member(gent, adult)
    no_email = member(gent, adult, email="")
    answers = [
        text_of(ask_link(card, address=f"10.0.3.{i}"))
        for i, card in enumerate([known.card_number, no_email.card_number, "NOBODY-42"])
    ]
    assert answers[0] == answers[1] == answers[2]
    wait_for_mail(mailbox)
    time.sleep(0.3)
    assert len(mailbox.accepted) == 1


def test_asking_again_and_again_is_held_back(gent, adult, mailbox):
    borrower = member(gent, adult)
    for _ in range(4):
        ask_link(borrower.card_number)
    held = ask_link(borrower.card_number)
    assert "Wacht" in text_of(held)
    wait_for_mail(mailbox, 4)
    time.sleep(0.3)
    assert len(mailbox.accepted) == 4


def test_a_new_pin_through_the_link_unlocks_a_locked_card(gent, adult, mailbox, moving):
    borrower = member(gent, adult)
    for step in range(LOCK_AFTER):
        Client().post(
            "/portal/login/",
            {"card_number": borrower.card_number, "pin": "0000"},
            REMOTE_ADDR=f"10.9.0.{step}",
        )
        moving.moment += timedelta(seconds=70)
    assert (
        Client()
        .post("/portal/login/", {"card_number": borrower.card_number, "pin": PIN})
        .status_code
        == 429
    )
    ask_link(borrower.card_number)
    client = Client()
    client.get(link_in(wait_for_mail(mailbox)))
    client.post("/portal/pin/reset/set/", {"new_pin": NEW_PIN, "repeat_pin": NEW_PIN})
    assert (
        Client()
        .post("/portal/login/", {"card_number": borrower.card_number, "pin": NEW_PIN})
        .status_code
        == 302
    )


def test_a_mail_server_that_is_down_changes_nothing_for_the_visitor(gent, adult, monkeypatch):
    monkeypatch.setenv("LIDGELD_SMTP_URL", f"smtp://127.0.0.1:{free_port()}?timeout=1")
    borrower = member(gent, adult)
    assert "Als de bibliotheek dit kaartnummer kent" in text_of(ask_link(borrower.card_number))


def test_changing_the_pin_while_logged_in_asks_for_the_current_one(gent, adult):
    borrower = member(gent, adult)
    client = logged_in(borrower)
    wrong = client.post(
        "/portal/profile/pin/",
        {"current_pin": "0000", "new_pin": NEW_PIN, "repeat_pin": NEW_PIN},
    )
    assert wrong.status_code == 400
    assert "Je huidige pincode klopt niet" in text_of(wrong)
    done = client.post(
        "/portal/profile/pin/",
        {"current_pin": PIN, "new_pin": NEW_PIN, "repeat_pin": NEW_PIN},
        follow=True,
    )
    assert "Je nieuwe pincode is bewaard" in text_of(done)
    # this session goes on; the new PIN is the one that works
    assert client.get("/portal/profile/").status_code == 200
    assert (
        Client()
        .post("/portal/login/", {"card_number": borrower.card_number, "pin": NEW_PIN})
        .status_code
        == 302
    )
