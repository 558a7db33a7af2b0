"""The SIP2 server under a flood and a kiosk that sends twice (issue 11, items 6, 11, 17):
connection caps, an idle timer only complete messages reset, password hashes that
never queue patron lookups, a fee paid once per transaction id, NUL in a field."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password

from lidgeld.finance.models import Payment, PostingStatus
from lidgeld.kiosks.models import KioskPayment
from lidgeld.sip2.server import Limits
from tests.factories import make_borrower, make_membership, make_open_fee, make_type
from tests.sip2.conftest import (
    STAMP,
    TERMINAL_LOGIN,
    TERMINAL_PASSWORD,
    Client,
    add_terminal,
    running_server,
)

pytestmark = pytest.mark.django_db(transaction=True)


def member(instance):
    borrower = make_borrower(instance)
    make_membership(borrower, make_type(instance), start=date(2026, 1, 1))
    return borrower


# -- connection caps


def test_connections_beyond_the_cap_of_one_address_are_closed_and_logged(
    gent, fast_hashers, caplog
):
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    caplog.set_level(logging.WARNING, logger="lidgeld.sip2")
    limits = Limits(max_connections=20, max_connections_per_address=3)
    with running_server(limits=limits, idle_timeout=10) as server:
        flood = [Client(server.host, server.port, source="127.0.0.1") for _ in range(3)]
        extra = Client(server.host, server.port, source="127.0.0.1")
        assert extra.closed(wait=3)
        assert "too many connections from this address" in caplog.text
        # another address (another branch) is still served, and so are the first three
        kiosk = Client(server.host, server.port, source="127.0.0.2")
        assert kiosk.login().fixed["ok"] == "1"
        assert flood[0].login().fixed["ok"] == "1"
        for client in [*flood, extra, kiosk]:
            client.close()


def test_connections_beyond_the_total_cap_are_closed_and_logged(gent, fast_hashers, caplog):
    caplog.set_level(logging.WARNING, logger="lidgeld.sip2")
    limits = Limits(max_connections=4, max_connections_per_address=4)
    with running_server(limits=limits, idle_timeout=10) as server:
        clients = [Client(server.host, server.port, source=f"127.0.1.{i}") for i in range(1, 5)]
        time.sleep(0.2)  # the server has taken the four
        extra = Client(server.host, server.port, source="127.0.1.9")
        assert extra.closed(wait=3)
        assert "too many connections in all" in caplog.text
        for client in clients:
            client.close()
        time.sleep(0.3)
        # once they are gone, a kiosk is served again
        add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
        again = Client(server.host, server.port, source="127.0.1.9")
        assert again.login().fixed["ok"] == "1"
        again.close()
        extra.close()


# -- idle timer


def test_bytes_without_a_complete_message_do_not_keep_a_connection_open(gent, fast_hashers):
    with running_server(idle_timeout=0.6) as server:
        trickle = Client(server.host, server.port)
        closed_after = None
        started = time.monotonic()
        for byte in b"9300CN" + b"x" * 40:  # one byte every 0.1 s, never a CR
            try:
                trickle.send_raw(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            if trickle.closed(wait=0.1):
                closed_after = time.monotonic() - started
                break
        trickle.close()
    assert closed_after is not None, "a trickle of bytes kept the connection open"
    assert closed_after < 2.5


def test_complete_messages_keep_a_connection_open(gent, fast_hashers):
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    with running_server(idle_timeout=0.6) as server:
        kiosk = Client(server.host, server.port)
        kiosk.login()
        for _ in range(6):  # 1.8 s in all, each message well inside the time-out
            time.sleep(0.3)
            assert kiosk.ask("9900302.00").code == "98"
        kiosk.close()


# -- password hashes on their own pool


def test_a_burst_of_wrong_logins_does_not_hold_up_a_logged_in_kiosk(gent, settings):
    """Real PBKDF2 (hundreds of ms a hash): 50 connections trying passwords at once, while
    the kiosk that is already logged in asks patron status."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    borrower = member(gent)
    limits = Limits(max_connections=200, max_connections_per_address=100)
    with running_server(limits=limits, idle_timeout=30, failed_login_delay=0.0) as server:
        kiosk = Client(server.host, server.port, timeout=30, source="127.0.0.2")
        assert kiosk.login().fixed["ok"] == "1"
        stop = threading.Event()

        def attack(number: int) -> None:
            attacker = Client(server.host, server.port, timeout=60, source="127.0.0.3")
            try:
                while not stop.is_set():
                    attacker.ask(f"9300CN{TERMINAL_LOGIN}|COwrong-{number}|")
            except OSError:
                pass
            finally:
                attacker.close()

        attackers = [threading.Thread(target=attack, args=(n,)) for n in range(50)]
        for thread in attackers:
            thread.start()
        time.sleep(1.0)  # the hash pool is busy now
        waits = []
        for _ in range(5):
            started = time.monotonic()
            answer = kiosk.ask(f"23005{STAMP}AOGENT|AA{borrower.card_number}|AC|")
            waits.append(time.monotonic() - started)
            assert answer.code == "24"
        stop.set()
        for thread in attackers:
            thread.join(timeout=60)
        kiosk.close()
    assert max(waits) < 1.0, waits


# -- fee paid: once per transaction id


def test_the_same_fee_paid_sent_twice_books_once_and_answers_the_same(gent, fast_hashers):
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    borrower = member(gent)
    posting = make_open_fee(borrower.memberships.get(), booked_on=date(2026, 4, 10))
    fee_paid = f"37{STAMP}0100EURBV12.00|AOGENT|AA{borrower.card_number}|BKTX-77|"
    with running_server(idle_timeout=10) as server:
        kiosk = Client(server.host, server.port)
        kiosk.login()
        first = kiosk.ask(fee_paid)
        kiosk.close()
        # the kiosk lost the answer, reconnects and sends the same payment again
        again = Client(server.host, server.port)
        again.login()
        second = again.ask(fee_paid)
        # a new transaction id is a new payment: nothing is open any more, so refused
        other = again.ask(fee_paid.replace("TX-77", "TX-78"))
        again.close()
    assert first.fixed["payment_accepted"] == second.fixed["payment_accepted"] == "Y"
    assert second.get("BK") == "TX-77"
    assert Payment.objects.count() == 1
    assert KioskPayment.objects.count() == 1
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PAID
    assert other.fixed["payment_accepted"] == "N"


def test_a_transaction_id_used_again_for_another_payment_is_refused_and_books_nothing(
    gent, fast_hashers
):
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    borrower = member(gent)
    posting = make_open_fee(borrower.memberships.get(), booked_on=date(2026, 4, 10))
    part = f"37{STAMP}0100EURBV5.00|AOGENT|AA{borrower.card_number}|BKTX-90|"
    with running_server(idle_timeout=10) as server:
        kiosk = Client(server.host, server.port)
        kiosk.login()
        # given a part payment of 5.00 booked under TX-90
        first = kiosk.ask(part)
        # when the same transaction id comes with another amount
        reused = kiosk.ask(part.replace("BV5.00", "BV7.00"))
        kiosk.close()
    # then it is refused with a screen message, and only the first is booked
    assert first.fixed["payment_accepted"] == "Y"
    assert reused.fixed["payment_accepted"] == "N"
    assert "TX-90" in (reused.get("AF") or "")
    assert Payment.objects.count() == 1
    posting.refresh_from_db()
    assert posting.balance == Decimal("7.00")


# -- NUL and other control characters


@pytest.mark.parametrize("field", ["AA", "AB"])
def test_a_nul_in_a_looked_up_field_is_refused_and_the_connection_goes_on(
    gent, fast_hashers, field
):
    add_terminal(gent, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    borrower = member(gent)
    borrower.pin_hash = make_password("1234")
    borrower.save(update_fields=["pin_hash"])
    with running_server(idle_timeout=10) as server:
        kiosk = Client(server.host, server.port)
        kiosk.login()
        if field == "AA":
            answer = kiosk.ask(f"23005{STAMP}AOGENT|AA{borrower.card_number}\x00|AC|")
            assert answer.code == "24"
            assert answer.get("BL") != "Y"
        else:
            answer = kiosk.ask(f"17{STAMP}AOGENT|AB12\x0034|AC|")
            assert answer.code == "18"
        # the connection still serves a normal request
        assert kiosk.ask(f"23005{STAMP}AOGENT|AA{borrower.card_number}|AC|").get("BL") == "Y"
        kiosk.close()
