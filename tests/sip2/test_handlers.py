"""The start every SIP2 patron message shares (known_patron, patron_transaction): who
the card is, and which requests never reach the handler."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lidgeld.sip2.codec import Message
from lidgeld.sip2.patrons import known_patron, patron_transaction
from lidgeld.sip2.pins import Pin
from lidgeld.sip2.session import Session, edge_from
from lidgeld.sip2.texts import text
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db

EDGE = edge_from(datetime(2026, 4, 15, 10, 15), date(2026, 4, 15))


@pytest.fixture
def gent():
    return make_instance()


def session_of(*instances) -> Session:
    return Session(
        terminal_id=1,
        login="kiosk-1",
        instance_code=instances[0].code,
        instance_name=instances[0].name,
        location="",
        charset="utf-8",
        instance_ids=tuple(instance.pk for instance in instances),
    )


def patron_status_request(card: str) -> Message:
    return Message(
        code="23", fixed={"language": "002"}, fields=(("AO", "GENT"), ("AA", card)), sequence=3
    )


def seen_by(refuse_wrong_pin: bool):
    """A handler that records what it was given and answers a fixed message: a status
    request (known_patron, given the check) or a transaction (patron_transaction,
    given the patron)."""
    calls = []
    if refuse_wrong_pin:

        @patron_transaction
        def handler(session, request, edge, patron):
            calls.append(patron)
            return Message(code="24", sequence=request.sequence)

    else:

        @known_patron
        def handler(session, request, edge, check):
            calls.append(check)
            return Message(code="24", sequence=request.sequence)

    return handler, calls


def test_an_unknown_card_is_denied_in_the_request_language_without_the_handler(gent):
    handler, calls = seen_by(refuse_wrong_pin=False)
    answer = handler(session_of(gent), patron_status_request("NOPE"), EDGE, Pin.NONE)
    assert calls == []
    assert (answer.code, answer.sequence) == ("24", 3)
    assert answer.get("AF") == text("unknown_card", "fr")
    assert answer.fixed["patron_status"] == "YYYY" + " " * 10


def test_a_card_of_a_library_the_terminal_does_not_serve_is_unknown(gent):
    other = make_instance("AALST")
    borrower = make_borrower(other)
    make_membership(borrower, make_type(other), start=date(2026, 1, 1))
    handler, calls = seen_by(refuse_wrong_pin=True)
    answer = handler(session_of(gent), patron_status_request(borrower.card_number), EDGE, Pin.NONE)
    assert calls == []
    assert answer.get("AF") == text("unknown_card", "fr")


@pytest.mark.parametrize(("pin", "screen"), [(Pin.WRONG, "wrong_pin"), (Pin.LOCKED, "pin_locked")])
def test_a_transaction_with_a_wrong_pin_is_denied_in_the_patrons_language(gent, pin, screen):
    borrower = make_borrower(gent, language="nl")
    make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    handler, calls = seen_by(refuse_wrong_pin=True)
    answer = handler(session_of(gent), patron_status_request(borrower.card_number), EDGE, pin)
    assert calls == []
    assert answer.get("AF") == text(screen, "nl")


def test_a_status_with_a_wrong_pin_reaches_the_handler_to_answer_it_itself(gent):
    borrower = make_borrower(gent)
    make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    handler, calls = seen_by(refuse_wrong_pin=False)
    handler(session_of(gent), patron_status_request(borrower.card_number), EDGE, Pin.WRONG)
    [check] = calls
    assert (check.pin_given, check.pin_ok, check.usable) == (True, False, False)
    assert check.patron.card_number == borrower.card_number


@pytest.mark.parametrize("pin", [Pin.NONE, Pin.RIGHT])
def test_a_known_card_without_a_wrong_pin_reaches_the_handler(gent, pin):
    borrower = make_borrower(gent)
    make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    handler, calls = seen_by(refuse_wrong_pin=True)
    answer = handler(session_of(gent), patron_status_request(borrower.card_number), EDGE, pin)
    [patron] = calls
    assert patron.id == borrower.pk
    assert answer == Message(code="24", sequence=3)
