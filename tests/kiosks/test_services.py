"""Fees paid at a kiosk are booked once per (terminal, transaction id), also when the
same request arrives twice at the same moment on two connections."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lidgeld.errors import LidgeldError
from lidgeld.finance.models import Payment, Posting, PostingStatus
from lidgeld.finance.services import PaymentResult
from lidgeld.kiosks.models import KioskPayment
from lidgeld.kiosks.services import kiosk_fee_paid
from tests.concurrency import at_the_same_moment
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_type,
)
from tests.sip2.conftest import TERMINAL_LOGIN, TERMINAL_PASSWORD, add_terminal

APRIL_15 = date(2026, 4, 15)
NOW = timezone.make_aware(datetime(2026, 4, 15, 10, 15))


@pytest.fixture
def gent(transactional_db):
    # Committed rows: the twins below run on connections of their own.
    return make_instance("GENT")


def _answer(result: PaymentResult) -> dict:
    return {"fixed": {"payment_accepted": "Y"}, "fields": [["BV", str(result.paid)]]}


def _world(instance):
    terminal = add_terminal(instance, TERMINAL_LOGIN, TERMINAL_PASSWORD)
    borrower = make_borrower(instance)
    membership = make_membership(borrower, make_type(instance), start=date(2026, 1, 1))
    fee = make_open_fee(membership, booked_on=date(2026, 4, 10))
    return terminal, borrower, fee


def _pay(terminal, borrower, transaction_id="TX-1", amount=Decimal("12.00")):
    return kiosk_fee_paid(
        terminal_id=terminal.pk,
        transaction_id=transaction_id,
        borrower=borrower,
        amount=amount,
        today=APRIL_15,
        now=NOW,
        actor=f"kiosk:{terminal.login}",
        answer=_answer,
    )


def test_the_same_transaction_id_twice_books_once_and_gives_the_first_answer(gent):
    # given a kiosk and a borrower with a fee of 12.00 open
    terminal, borrower, fee = _world(gent)
    # when the kiosk sends the same payment twice
    first = _pay(terminal, borrower)
    second = _pay(terminal, borrower)
    # then one payment is booked and the second gets the first's stored answer
    assert second.pk == first.pk
    assert (
        second.answer
        == first.answer
        == {
            "fixed": {"payment_accepted": "Y"},
            "fields": [["BV", "12.00"]],
        }
    )
    assert Payment.objects.count() == 1
    fee.refresh_from_db()
    assert fee.status == PostingStatus.PAID


def test_a_refused_payment_leaves_no_claim_so_the_kiosk_may_try_again(gent):
    # given a fee of 12.00 open
    terminal, borrower, _fee = _world(gent)
    # when the kiosk asks to pay more than is open
    with pytest.raises(LidgeldError):
        _pay(terminal, borrower, amount=Decimal("500.00"))
    # then nothing is booked and the transaction id is still free
    assert not KioskPayment.objects.exists()
    assert not Payment.objects.exists()
    assert _pay(terminal, borrower).answer["fixed"]["payment_accepted"] == "Y"
    assert Payment.objects.count() == 1


def test_twins_arriving_at_the_same_moment_book_once(gent):
    # given a fee of 12.00 open
    terminal, borrower, fee = _world(gent)
    # when the same payment arrives on two connections at once
    claims, errors = at_the_same_moment(lambda _: _pay(terminal, borrower))
    # then both get the one claim's answer and one payment is booked
    assert errors == []
    assert len({claim.pk for claim in claims}) == 1
    assert [claim.answer["fixed"]["payment_accepted"] for claim in claims] == ["Y", "Y"]
    assert Payment.objects.count() == 1
    assert Posting.objects.get(pk=fee.pk).status == PostingStatus.PAID
