"""A new card at the desk with the library's fee: booked apart from the contributions."""

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.borrowers.models import Card
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.finance.selectors import open_contributions
from lidgeld.operations.cards import card_replace_at_desk
from lidgeld.standing.status import borrower_status
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
MOMENT = {"today": TODAY, "now": at_nine(TODAY), "actor": "staff:els"}


def _member():
    instance = make_instance(card_fee=Decimal("3.00"), card_fee_booking_code=2100)
    borrower = make_borrower(instance, card="B100")
    make_membership(borrower, make_type(instance), date(2026, 1, 1))
    return borrower


def test_the_card_fee_is_booked_under_its_own_code_and_blocks_nothing():
    # given a member in order
    borrower = _member()
    # when their card is replaced with the fee left open
    done = card_replace_at_desk(
        borrower=borrower, new_number="B200", charge_fee=True, fee_paid=False, **MOMENT
    )
    # then the fee is an open item of code 2100, not a contribution, and no channel blocks
    assert (done.fee.booking_code, done.fee.amount, done.fee.status) == (
        2100,
        Decimal("3.00"),
        PostingStatus.OPEN,
    )
    assert not open_contributions(borrower.pk).exists()
    status = borrower_status(borrower=borrower, today=TODAY)
    assert all(block.allowed for block in status.blocks.values())


def test_a_card_fee_paid_at_once_is_closed():
    done = card_replace_at_desk(
        borrower=_member(), new_number="B200", charge_fee=True, fee_paid=True, **MOMENT
    )
    assert Posting.objects.get(pk=done.fee.pk).status == PostingStatus.PAID


def test_without_the_fee_or_in_a_library_without_one_nothing_is_booked():
    borrower = _member()
    assert (
        card_replace_at_desk(
            borrower=borrower, new_number="B200", charge_fee=False, fee_paid=False, **MOMENT
        ).fee
        is None
    )
    free = make_borrower(make_instance("MERE", card_fee=Decimal("0.00")))
    assert (
        card_replace_at_desk(
            borrower=free, new_number="B300", charge_fee=True, fee_paid=False, **MOMENT
        ).fee
        is None
    )
    assert not Posting.objects.exists()


def test_a_refused_replacement_books_no_fee():
    borrower = _member()
    with pytest.raises(InvalidInput):
        card_replace_at_desk(
            borrower=borrower, new_number="not valid", charge_fee=True, fee_paid=False, **MOMENT
        )
    assert not Posting.objects.exists()
    assert Card.objects.get(number="B100").current
