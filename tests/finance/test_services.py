"""Payments and write-offs at the desk."""

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.models import Payment, PaymentRequest, Posting, PostingStatus
from lidgeld.finance.services import (
    PaymentResult,
    parse_amount,
    payment_register,
    posting_write_off,
)
from tests.concurrency import at_the_same_moment
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_open_fees():
    instance = make_instance()
    membership_type = make_type(instance)
    borrower = make_borrower(instance)
    first = make_open_fee(
        make_membership(borrower, membership_type, start=date(2025, 1, 1)), date(2025, 1, 1)
    )
    second = make_open_fee(
        make_membership(borrower, membership_type, start=date(2026, 1, 1)), date(2026, 1, 1)
    )
    return borrower, first, second


def test_a_payment_settles_the_oldest_contribution_first(two_open_fees):
    borrower, first, second = two_open_fees
    result = payment_register(
        borrower=borrower,
        amount=Decimal("15.00"),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.balance, first.closed_on) == (
        PostingStatus.PAID,
        0,
        date(2026, 4, 10),
    )
    assert (second.status, second.balance) == (PostingStatus.OPEN, Decimal("9.00"))
    assert result.settled == [first.pk]
    assert result.still_open == Decimal("9.00")
    assert Payment.objects.count() == 2


def test_paying_more_than_is_open_is_refused_and_changes_nothing(two_open_fees):
    borrower, _, _ = two_open_fees
    with pytest.raises(Refused, match=r"pay at most € 24\.00"):
        payment_register(
            borrower=borrower,
            amount=Decimal("30.00"),
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )
    assert not Payment.objects.exists()
    assert Posting.objects.filter(status=PostingStatus.OPEN).count() == 2


def test_paying_without_anything_open_is_refused():
    instance = make_instance()
    borrower = make_borrower(instance)
    with pytest.raises(Refused, match="no open contribution"):
        payment_register(
            borrower=borrower,
            amount=Decimal("1.00"),
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )


def test_a_write_off_closes_the_item_and_keeps_the_amount(two_open_fees):
    _, first, _ = two_open_fees
    write_off = posting_write_off(
        posting=first,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="coordinator",
        reason="verhuisd",
    )
    first.refresh_from_db()
    assert (first.status, first.balance, first.stage) == (
        PostingStatus.WRITTEN_OFF,
        0,
        "written_off",
    )
    assert write_off.amount == Decimal("12.00")
    with pytest.raises(Refused):
        posting_write_off(
            posting=first,
            today=date(2026, 4, 11),
            now=at_nine(date(2026, 4, 11)),
            actor="coordinator",
            reason="again",
        )


@pytest.mark.parametrize(
    ("text", "amount"), [("12.50", "12.50"), ("12,50", "12.50"), (" 7 ", "7.00")]
)
def test_amounts_as_staff_type_them(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["", "abc", "0", "-1", "1.999", "NaN", "Infinity", "١٢", "１２", "1e1", "1_0", "1.000"]
)
def test_amounts_that_are_refused(text):
    """The desk, the CLI and the kiosks share this parser: Decimal's Unicode digits,
    exponents and underscores are not amounts (issue 11, item 17)."""
    with pytest.raises(InvalidInput):
        parse_amount(text)


def test_an_amount_above_what_the_database_holds_names_the_limit():
    with pytest.raises(InvalidInput) as refused:
        parse_amount("1000000")
    assert refused.value.message == (
        "1000000 is more than the largest amount lidgeld accepts, € 999,999.99"
    )


def test_the_limit_is_what_the_database_holds():
    from django.apps import apps

    from lidgeld.domain.amounts import MAX_AMOUNT

    for model, field in [
        ("finance.Posting", "amount"),
        ("finance.Posting", "balance"),
        ("finance.Payment", "amount"),
        ("memberships.MembershipType", "fee"),
    ]:
        column = apps.get_model(model)._meta.get_field(field)
        largest = Decimal(10) ** (column.max_digits - column.decimal_places) - Decimal("0.01")
        assert (column.decimal_places, largest) == (2, MAX_AMOUNT), (model, field)


# --- one-time keys: a request that pays is booked once (issue 11, item 11) ---------------


def test_a_repeated_payment_request_books_once_and_gets_the_first_answer(two_open_fees):
    borrower, first, _second = two_open_fees

    def pay():
        return payment_register(
            borrower=borrower,
            amount=Decimal("15.00"),
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="desk",
            request_key="form-7f3a",
        )

    once, again = pay(), pay()

    assert Payment.objects.count() == 2  # 12.00 on the oldest, 3.00 on the next
    assert (once.repeated, again.repeated) == (False, True)
    assert (again.paid, again.still_open, again.settled) == (
        Decimal("15.00"),
        Decimal("9.00"),
        [first.pk],
    )
    assert again.as_dict() == once.as_dict()


def test_a_key_used_for_another_amount_is_refused_and_books_nothing(two_open_fees):
    borrower, _first, _second = two_open_fees
    payment_register(
        borrower=borrower, amount=Decimal("5.00"), today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="d",
        request_key="form-1",
    )  # fmt: skip
    with pytest.raises(Refused, match="already sent for another request"):
        payment_register(
            borrower=borrower, amount=Decimal("7.00"), today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="d",
            request_key="form-1",
        )  # fmt: skip
    assert Payment.objects.count() == 1


def test_a_kiosk_s_keys_are_its_own(two_open_fees):
    """The same key on another channel (a kiosk's transaction id) is another request."""
    borrower, _first, _second = two_open_fees
    for channel in ("desk", "kiosk"):
        payment_register(
            borrower=borrower, amount=Decimal("5.00"), today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="d",
            channel=channel, request_key="1",
        )  # fmt: skip
    assert Payment.objects.count() == 2


def test_a_refused_request_leaves_its_key_free(two_open_fees):
    borrower, _first, _second = two_open_fees
    with pytest.raises(Refused):
        payment_register(
            borrower=borrower, amount=Decimal("99.00"), today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="d",
            request_key="form-2",
        )  # fmt: skip
    assert not PaymentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, "a\x00b"])
def test_a_missing_or_odd_key_is_refused(two_open_fees, key):
    borrower, _first, _second = two_open_fees
    with pytest.raises(InvalidInput, match="no valid one-time key"):
        payment_register(
            borrower=borrower, amount=Decimal("5.00"), today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="d",
            request_key=key,
        )  # fmt: skip
    assert not Payment.objects.exists()


def test_without_an_amount_everything_open_is_paid(two_open_fees):
    borrower, first, second = two_open_fees
    result = payment_register(
        borrower=borrower,
        amount=None,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="d",
    )
    assert (result.paid, result.still_open, result.settled) == (
        Decimal("24.00"),
        Decimal("0.00"),
        [first.pk, second.pk],
    )


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_request_at_the_same_moment_book_once():
    """A double click: both requests arrive together; the unique key lets one book and
    gives the other its answer."""
    instance = make_instance()
    borrower = make_borrower(instance)
    make_open_fee(
        make_membership(borrower, make_type(instance), date(2026, 1, 1)), date(2026, 1, 1)
    )

    def click(_: int) -> PaymentResult:
        return payment_register(
            borrower=borrower,
            amount=Decimal("12.00"),
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="desk",
            request_key="form-double",
        )

    results, errors = at_the_same_moment(click)

    assert errors == []
    assert sorted(result.repeated for result in results) == [False, True]
    assert [result.paid for result in results] == [Decimal("12.00")] * 2
    assert Payment.objects.count() == 1
