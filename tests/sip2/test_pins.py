"""PIN guessing at the kiosk, over a real socket: wrong PINs count per card with the
portal's (one counter, one lock), are slowed without holding a thread, then locked,
and logged with terminal and card, never the PIN."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from lidgeld.clock import set_clock
from lidgeld.memberships.models import MembershipType
from lidgeld.portal.accounts import login_keys, portal_login
from lidgeld.web.throttle import LOCK_AFTER
from tests.factories import make_borrower, make_membership, make_type
from tests.sip2.conftest import (
    STAMP,
    TERMINAL_LOGIN,
    TERMINAL_PASSWORD,
    Client,
    FastClock,
    add_terminal,
    running_server,
)

pytestmark = pytest.mark.django_db(transaction=True)

PIN = "97531"
START = timezone.make_aware(datetime(2026, 4, 10, 9, 0))
SPEED = 20  # the clock runs 20 times faster; the server waits 1/20 s per second asked


def guesses():
    """Wrong PINs that appear nowhere else in a log (not in card numbers or times)."""
    return (f"4{n:02d}86" for n in range(100))


def member(instance):
    borrower = make_borrower(instance)
    borrower.pin_hash = make_password(PIN)
    borrower.save(update_fields=["pin_hash"])
    kind = MembershipType.objects.filter(instance=instance).first() or make_type(instance)
    make_membership(borrower, kind, start=date(2026, 1, 1))
    return borrower


def status(kiosk, card, pin):
    return kiosk.ask(f"23005{STAMP}AOGENT|AA{card}|AC|AD{pin}|")


@pytest.fixture
def kiosks(transactional_db, fast_hashers, gent):
    """A server whose PIN waits pass 20 times faster, on a clock that does too, with one
    database thread only: a waiting card that held it would stop every other kiosk."""
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    fast = FastClock(START, SPEED)
    set_clock(fast)
    with running_server(workers=1, pin_wait_scale=1 / SPEED, idle_timeout=30) as server:
        opened: list[Client] = []

        def connect() -> Client:
            kiosk = Client(server.host, server.port, timeout=10)
            assert kiosk.login().fixed["ok"] == "1"
            opened.append(kiosk)
            return kiosk

        yield connect, fast
        for kiosk in opened:
            kiosk.close()


def test_the_kiosk_counts_under_the_portals_key_for_a_card():
    from lidgeld.web.throttle import card_key

    assert card_key("C0000001") == login_keys("C0000001", "10.0.0.1")[0]


def test_wrong_pins_are_slowed_then_the_card_is_locked_at_the_kiosk_and_in_the_portal(
    kiosks, gent, caplog
):
    caplog.set_level(logging.INFO, logger="lidgeld.sip2")
    connect, fast = kiosks
    kiosk = connect()
    card = member(gent).card_number
    wrong = guesses()

    took = []  # seconds of the (fast) clock each wrong PIN took to be answered
    for _ in range(LOCK_AFTER):
        before = fast.now()
        answer = status(kiosk, card, next(wrong))
        took.append((fast.now() - before).total_seconds())
        assert (answer.get("BL"), answer.get("CQ")) == ("Y", "N")
    # three free tries, then a delay that doubles: 2, 4, 8, 16 s before the next check
    assert max(took[:4]) < 1.5
    for attempt, delay in ((4, 2), (5, 4), (6, 8), (7, 16)):
        assert took[attempt] >= delay - 0.5, took

    locked = status(kiosk, card, PIN)  # the right PIN, once locked
    assert (locked.get("BL"), locked.get("CQ")) == ("Y", "N")
    assert "Te vaak een foute pincode" in locked.get("AF")

    outcome = portal_login(card_number=card, pin=PIN, address="192.0.2.7", now=fast.now())
    assert outcome.borrower is None
    assert outcome.verdict is not None
    assert outcome.verdict.locked

    assert caplog.text.count(f"sip2 terminal {TERMINAL_LOGIN}: wrong PIN for card {card}") == 10
    assert f"card {card} is locked" in caplog.text
    for secret in [PIN, *(f"4{n:02d}86" for n in range(LOCK_AFTER))]:
        assert secret not in caplog.text


def test_a_card_that_must_wait_holds_up_no_other_kiosk(kiosks, gent):
    connect, _ = kiosks
    guesser, other = connect(), connect()
    card, neighbour = member(gent).card_number, member(gent).card_number
    wrong = guesses()
    for _ in range(7):  # after 7 failures the next check waits 16 s: 0.8 s here
        status(guesser, card, next(wrong))

    waited = threading.Event()

    def guess() -> None:
        status(guesser, card, next(wrong))
        waited.set()

    thread = threading.Thread(target=guess)
    thread.start()
    time.sleep(0.15)
    started = time.monotonic()
    answer = status(other, neighbour, PIN)  # another kiosk, another card, the right PIN
    assert time.monotonic() - started < 0.4
    assert answer.get("CQ") == "Y"
    assert not waited.is_set()  # the guesser is still waiting
    thread.join(timeout=10)
    assert waited.is_set()


def test_a_lock_earned_in_the_portal_holds_at_the_kiosk(kiosks, gent):
    connect, _ = kiosks
    card = member(gent).card_number
    moment = START - timedelta(minutes=10)
    for guess in list(guesses())[:LOCK_AFTER]:
        assert (
            portal_login(card_number=card, pin=guess, address="192.0.2.7", now=moment).borrower
            is None
        )
        moment += timedelta(seconds=31)  # past each delay, so every guess is checked
    kiosk = connect()
    answer = status(kiosk, card, PIN)
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "N")
    assert "Te vaak een foute pincode" in answer.get("AF")
    checkout = kiosk.ask(f"11NN{STAMP}{' ' * 18}AOGENT|AA{card}|ABX|AD{PIN}|")
    assert checkout.fixed["ok"] == "0"


def test_a_right_pin_at_the_kiosk_clears_the_cards_failures_as_a_portal_login_does(kiosks, gent):
    connect, fast = kiosks
    kiosk = connect()
    card = member(gent).card_number
    wrong = guesses()
    for _ in range(3):
        status(kiosk, card, next(wrong))
    assert status(kiosk, card, PIN).get("CQ") == "Y"
    # the counter starts again: three more wrong PINs are still free
    for _ in range(3):
        before = fast.now()
        status(kiosk, card, next(wrong))
        assert (fast.now() - before).total_seconds() < 1.5


def test_without_a_pin_nothing_is_counted(kiosks, gent):
    from lidgeld.web.models import LoginFailure

    connect, _ = kiosks
    kiosk = connect()
    card = member(gent).card_number
    for _ in range(12):
        assert kiosk.ask(f"23005{STAMP}AOGENT|AA{card}|AC|").get("BL") == "Y"
    assert not LoginFailure.objects.exists()
