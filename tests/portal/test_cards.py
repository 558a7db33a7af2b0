"""Mijn Bibliotheek and the card (R12): a card reported lost or stolen, or an old
(replaced) card, cannot log in, and a session ends when the card is reported or
replaced elsewhere."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from lidgeld.borrowers.cards import card_replace, card_report
from lidgeld.clock import at_nine
from lidgeld.domain.blocks import SENTENCES, STOLEN_SENTENCES, Reason
from lidgeld.web.models import LoginFailure
from lidgeld.web.throttle import LOCK_AFTER
from tests.portal.conftest import PIN, logged_in, member, text_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
NOW = at_nine(TODAY)
NEW_CARD = "C-NEW-0001"
WRONG_NL = "Het kaartnummer of de pincode klopt niet"


def attempt(client: Client, card: str, pin: str, address: str = "10.0.0.1", **headers):
    return client.post(
        "/portal/login/", {"card_number": card, "pin": pin}, REMOTE_ADDR=address, **headers
    )


def report(borrower, kind="lost"):
    card_report(borrower=borrower, report=kind, today=TODAY, now=NOW, actor="staff:balie")


def replace(borrower) -> str:
    old = borrower.card_number
    card_replace(borrower=borrower, new_number=NEW_CARD, today=TODAY, now=NOW, actor="staff:balie")
    return old


def failures(card: str) -> int:
    return LoginFailure.objects.filter(key=f"card:{card}").count()


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [("lost", SENTENCES[Reason.CARD_LOST]["nl"]), ("stolen", STOLEN_SENTENCES["nl"])],
)
def test_a_reported_card_with_the_right_pin_is_refused_with_why(gent, adult, kind, sentence):
    # given a borrower whose card is reported
    borrower = member(gent, adult)
    report(borrower, kind)
    # when they log in with it and the right PIN
    client = Client()
    response = attempt(client, borrower.card_number, PIN)
    # then they are not logged in, and read that the card is blocked and to come to the desk
    assert response.status_code == 200
    page = text_of(response)
    assert sentence in page
    assert "balie" in sentence
    assert WRONG_NL not in page
    assert "portal.borrower" not in client.session
    # and it counted as a failed attempt
    assert failures(borrower.card_number) == 1


def test_an_old_card_with_the_right_pin_is_refused_with_why_and_the_new_one_works(gent, adult):
    # given a borrower whose card was replaced
    borrower = member(gent, adult)
    old = replace(borrower)
    # when they log in with the old card, then they read it was replaced
    client = Client()
    response = attempt(client, old, PIN)
    assert response.status_code == 200
    assert SENTENCES[Reason.CARD_REPLACED]["nl"] in text_of(response)
    assert NEW_CARD not in text_of(response)
    assert "portal.borrower" not in client.session
    assert failures(old) == 1
    # and with the new card they are in
    assert attempt(client, NEW_CARD, PIN).status_code == 302


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_refusal_is_in_the_pages_language(gent, adult, language):
    borrower = member(gent, adult)
    report(borrower)
    response = attempt(Client(), borrower.card_number, PIN, HTTP_ACCEPT_LANGUAGE=language)
    assert SENTENCES[Reason.CARD_LOST][language] in text_of(response)


@pytest.mark.parametrize("old_card", [False, True])
def test_a_blocked_card_with_a_wrong_pin_reads_as_any_wrong_pin(gent, adult, old_card):
    # nothing tells a guesser that a card exists, was reported or replaced
    borrower = member(gent, adult)
    if old_card:
        card = replace(borrower)
    else:
        report(borrower)
        card = borrower.card_number
    blocked = attempt(Client(), card, "0000")
    unknown = attempt(Client(), "NOBODY-123", "0000")
    assert WRONG_NL in text_of(blocked)
    assert text_of(blocked) == text_of(unknown)


def test_trying_a_blocked_card_again_and_again_is_locked_as_wrong_pins_are(gent, adult, moving):
    borrower = member(gent, adult)
    report(borrower)
    for _ in range(LOCK_AFTER):
        attempt(Client(), borrower.card_number, PIN)
        moving.moment += timedelta(seconds=70)  # each waits out the growing delay
    locked = attempt(Client(), borrower.card_number, PIN)
    assert locked.status_code == 429
    assert "geblokkeerd" in text_of(locked)


def test_a_session_ends_when_the_card_is_reported_elsewhere(gent, adult):
    # given a borrower logged in to the portal
    borrower = member(gent, adult)
    client = logged_in(borrower)
    assert client.get("/portal/membership/").status_code == 200
    # when the desk reports the card lost (the service, as the desk and the CLI call it)
    report(borrower)
    # then the next page asks to log in again, and the card can no longer log in
    response = client.get("/portal/membership/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")
    assert "portal.borrower" not in client.session


def test_a_session_ends_when_the_card_is_replaced_elsewhere(gent, adult):
    borrower = member(gent, adult)
    client = logged_in(borrower)
    replace(borrower)
    assert client.get("/portal/membership/").status_code == 302
    # the borrower logs in again with the new card
    assert attempt(client, NEW_CARD, PIN).status_code == 302
    assert client.get("/portal/membership/").status_code == 200
