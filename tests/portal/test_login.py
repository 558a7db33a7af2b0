"""Logging in to Mijn Bibliotheek with card number and PIN: hashed, slowed down and
locked on repeated failures, never telling whether a card exists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from lidgeld.clock import at_nine
from lidgeld.web.models import LoginFailure
from lidgeld.web.throttle import FREE_FAILURES, LOCK_AFTER, ONE_ADDRESS
from tests.portal.conftest import PIN, logged_in, member, text_of

pytestmark = pytest.mark.django_db

WRONG = "The card number or the PIN is not correct"
WRONG_NL = "Het kaartnummer of de pincode klopt niet"


def attempt(client: Client, card: str, pin: str, address: str = "10.0.0.1"):
    return client.post("/portal/login/", {"card_number": card, "pin": pin}, REMOTE_ADDR=address)


def test_a_borrower_logs_in_with_card_and_pin_and_lands_on_the_membership_page(gent, adult):
    borrower = member(gent, adult)
    client = Client()
    response = attempt(client, borrower.card_number, PIN)
    assert response.status_code == 302
    assert response["Location"] == "/portal/membership/"
    page = client.get("/portal/membership/")
    assert page.status_code == 200
    assert borrower.card_number in text_of(page)


@pytest.mark.real_hashers
def test_the_pin_is_stored_as_a_salted_hash(gent, adult):
    borrower = member(gent, adult)
    borrower.refresh_from_db()
    assert PIN not in borrower.pin_hash
    assert borrower.pin_hash.startswith("pbkdf2_sha256$")


def test_a_borrower_is_not_a_staff_user_and_the_session_key_changes_at_login(gent, adult):
    borrower = member(gent, adult)
    client = Client()
    client.get("/portal/login/")
    before = client.session.session_key
    attempt(client, borrower.card_number, PIN)
    session = client.session
    assert session.session_key != before  # no session fixation
    assert SESSION_KEY not in session  # not logged in to the back office
    assert client.get("/admin/").status_code == 302


def test_a_wrong_pin_and_an_unknown_card_get_the_same_answer(gent, adult):
    borrower = member(gent, adult)
    wrong_pin = attempt(Client(), borrower.card_number, "9999")
    unknown_card = attempt(Client(), "NOBODY-123", "9999")
    assert wrong_pin.status_code == unknown_card.status_code == 200
    assert WRONG_NL in text_of(wrong_pin)
    assert text_of(wrong_pin) == text_of(unknown_card)


def test_an_unknown_card_costs_as_much_work_as_a_wrong_pin(gent, adult, settings):
    # given a real PBKDF2 hasher that counts its work
    from tests.hashers import CountingPBKDF2PasswordHasher as Counting

    settings.PASSWORD_HASHERS = ["tests.hashers.CountingPBKDF2PasswordHasher"]
    borrower = member(gent, adult)

    def hashes(card: str, address: str) -> int:
        before = Counting.encodings
        attempt(Client(), card, "9999", address=address)
        return Counting.encodings - before

    # when a wrong PIN and an unknown card are tried (one per address, never throttled)
    known = [hashes(borrower.card_number, f"10.0.1.{i}") for i in range(3)]
    unknown = [hashes(f"NOBODY-{i}", f"10.0.2.{i}") for i in range(3)]
    # then each computes exactly one PIN hash: the time does not tell them apart
    assert known == unknown == [1, 1, 1]


def test_repeated_wrong_pins_slow_down_then_lock_even_the_right_pin(gent, adult, moving):
    borrower = member(gent, adult)
    client = Client()
    for _ in range(FREE_FAILURES + 1):
        assert WRONG_NL in text_of(attempt(client, borrower.card_number, "0000"))
    # now every attempt must wait: the next one right away is not even looked at
    slowed = attempt(client, borrower.card_number, PIN)
    assert slowed.status_code == 429
    assert "Wacht 2 seconden" in text_of(slowed)
    # after the wait, wrong guesses go on until the card is locked
    for _ in range(LOCK_AFTER - FREE_FAILURES - 1):
        moving.moment += timedelta(seconds=120)
        attempt(client, borrower.card_number, "0000")
    moving.moment += timedelta(seconds=120)
    locked = attempt(client, borrower.card_number, PIN)
    assert locked.status_code == 429
    assert "geblokkeerd" in text_of(locked)
    assert "_auth_user_id" not in client.session
    assert "portal.borrower" not in client.session
    # the lock ends when the failures fall out of the window
    moving.moment += timedelta(minutes=16)
    assert attempt(client, borrower.card_number, PIN).status_code == 302


def test_the_lock_reads_the_same_for_a_card_that_does_not_exist(gent, adult, moving):
    borrower = member(gent, adult)
    answers = {}
    for card, address in ((borrower.card_number, "10.0.0.1"), ("NOBODY-1", "10.0.0.2")):
        for _ in range(LOCK_AFTER):
            attempt(Client(), card, "0000", address=address)
            moving.moment += timedelta(seconds=70)
        answers[card] = attempt(Client(), card, "0000", address=address)
    known, unknown = answers.values()
    assert known.status_code == unknown.status_code == 429
    assert text_of(known) == text_of(unknown)


def test_guessing_many_cards_from_one_address_is_locked_too(gent, adult, moving):
    borrower = member(gent, adult)
    # one card after another, each as soon as the address's growing wait allows
    for number in range(ONE_ADDRESS.lock_after):
        attempt(Client(), f"GUESS-{number}", "0000", address="192.0.2.7")
        moving.moment += timedelta(seconds=ONE_ADDRESS.max_delay_seconds + 1)
    # the right card and PIN from that address are held back as well
    assert attempt(Client(), borrower.card_number, PIN, address="192.0.2.7").status_code == 429
    # from another address the borrower is not affected
    assert attempt(Client(), borrower.card_number, PIN, address="192.0.2.8").status_code == 302


def test_a_successful_login_forgets_the_cards_failures(gent, adult):
    borrower = member(gent, adult)
    attempt(Client(), borrower.card_number, "0000")
    assert LoginFailure.objects.filter(key=f"card:{borrower.card_number}").exists()
    attempt(Client(), borrower.card_number, PIN)
    assert not LoginFailure.objects.filter(key=f"card:{borrower.card_number}").exists()


def test_an_empty_form_says_what_to_fill_in(gent, adult):
    response = Client().post("/portal/login/", {"card_number": "", "pin": ""})
    assert response.status_code == 200
    assert "Dit veld is verplicht" in text_of(response)
    assert not LoginFailure.objects.exists()


def test_logout_ends_the_session(gent, adult):
    client = logged_in(member(gent, adult))
    assert client.get("/portal/membership/").status_code == 200
    response = client.post("/portal/logout/", follow=True)
    assert "Je bent afgemeld" in text_of(response)
    assert client.get("/portal/membership/").status_code == 302


def test_logout_is_a_form_post_not_a_link(gent, adult):
    client = logged_in(member(gent, adult))
    assert client.get("/portal/logout/").status_code == 405
    assert client.get("/portal/membership/").status_code == 200


def test_the_session_ends_after_half_an_hour_without_a_request(gent, adult, moving):
    client = logged_in(member(gent, adult))  # at 09:00
    moving.moment += timedelta(minutes=29)
    assert client.get("/portal/loans/").status_code == 200  # still there, and seen again
    moving.moment += timedelta(minutes=29)
    assert client.get("/portal/loans/").status_code == 200
    moving.moment += timedelta(minutes=31)
    response = client.get("/portal/loans/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/login/?next=%2Fportal%2Floans%2F"
    assert "Je sessie is afgelopen" in text_of(client.get(response["Location"]))


def test_pages_need_a_login_and_come_back_after_it(gent, adult):
    borrower = member(gent, adult)
    client = Client()
    response = client.get("/portal/reservations/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/login/?next=%2Fportal%2Freservations%2F"
    after = client.post(
        "/portal/login/?next=/portal/reservations/",
        {"card_number": borrower.card_number, "pin": PIN, "next": "/portal/reservations/"},
    )
    assert after["Location"] == "/portal/reservations/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/admin/"])
def test_after_login_it_never_goes_elsewhere(gent, adult, target):
    borrower = member(gent, adult)
    response = Client().post(
        "/portal/login/", {"card_number": borrower.card_number, "pin": PIN, "next": target}
    )
    assert response["Location"] == "/portal/membership/"


def test_a_pin_changed_elsewhere_ends_other_sessions(gent, adult):
    from lidgeld.borrowers.services import borrower_pin_set

    borrower = member(gent, adult)
    client = logged_in(borrower)
    borrower_pin_set(
        borrower=borrower,
        pin="97531",
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="staff:x",
    )
    assert client.get("/portal/membership/").status_code == 302


def test_pages_are_not_cached_and_say_how_long_the_server_worked(gent, adult):
    client = logged_in(member(gent, adult))
    response = client.get("/portal/membership/")
    assert response["Cache-Control"] == "no-store"
    name, _, duration = response["Server-Timing"].partition(";dur=")
    assert name == "app"
    assert float(duration) > 0
