"""Whether someone waits for an item: one query for the loan renewal and the kiosk's
check-in."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.circulation.models import ReservationStatus
from lidgeld.circulation.selectors import (
    item_by_barcode,
    item_circulation,
    live_reservations,
    open_loan_of,
    open_loans,
    someone_waits_for,
)
from tests.factories import make_borrower, make_instance, make_item, make_loan, make_reservation

pytestmark = pytest.mark.django_db

DAY = date(2026, 4, 1)


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.mark.parametrize(
    ("status", "waits"),
    [
        (ReservationStatus.WAITING, True),
        (ReservationStatus.READY, True),
        (ReservationStatus.HELD, False),  # R3: held, so not holding the item back
        (ReservationStatus.FULFILLED, False),
        (ReservationStatus.CANCELLED, False),
    ],
)
def test_a_waiting_or_ready_reservation_means_someone_waits(gent, status, waits):
    item = make_item(gent)
    make_reservation(make_borrower(gent), item, DAY, status=status)
    assert someone_waits_for(item_id=item.pk) is waits


def test_the_borrower_themself_does_not_count_when_left_out(gent):
    item = make_item(gent)
    an = make_borrower(gent)
    make_reservation(an, item, DAY)
    assert someone_waits_for(item_id=item.pk) is True
    assert someone_waits_for(item_id=item.pk, other_than=an.pk) is False
    make_reservation(make_borrower(gent), item, DAY)
    assert someone_waits_for(item_id=item.pk, other_than=an.pk) is True


def test_another_items_reservation_does_not_count(gent):
    make_reservation(make_borrower(gent), make_item(gent), DAY)
    assert someone_waits_for(item_id=make_item(gent).pk) is False


def test_a_copy_on_loan_with_a_live_queue_says_when_it_is_due_and_who_waits(gent):
    # given a copy lent until 22 April, reserved by one borrower (waiting) and held for
    # another (R3), with a third reservation long fulfilled
    item = make_item(gent)
    make_loan(make_borrower(gent, card="L1"), item, DAY, date(2026, 4, 22))
    make_reservation(make_borrower(gent, card="R1"), item, DAY)
    make_reservation(make_borrower(gent, card="R2"), item, DAY, ReservationStatus.HELD)
    make_reservation(make_borrower(gent, card="R3"), item, DAY, ReservationStatus.FULFILLED)
    # then
    due, queue = item_circulation(item.pk)
    assert due == date(2026, 4, 22)
    assert sorted(queue) == sorted([ReservationStatus.WAITING, ReservationStatus.HELD])
    assert item_circulation(make_item(gent, "Het Achterhuis").pk) == (None, [])


def test_a_borrowers_open_loans_first_due_first_and_live_reservations_oldest_first(gent):
    borrower = make_borrower(gent)
    late, early = make_item(gent, "Laat"), make_item(gent, "Vroeg")
    make_loan(borrower, late, DAY, date(2026, 4, 30))
    make_loan(borrower, early, DAY, date(2026, 4, 10))
    reserved = make_item(gent, "Gereserveerd")
    make_reservation(borrower, reserved, date(2026, 3, 1), ReservationStatus.READY)
    make_reservation(borrower, make_item(gent, "Opgehaald"), DAY, ReservationStatus.FULFILLED)
    assert [loan.item.title for loan in open_loans(borrower.pk)] == ["Vroeg", "Laat"]
    assert open_loan_of(borrower.pk, f" {late.barcode} ").item.title == "Laat"
    assert live_reservations(borrower.pk) == [(reserved.barcode, ReservationStatus.READY)]


def test_a_kiosk_finds_a_copy_only_in_its_own_libraries(gent):
    item = make_item(gent)
    other = make_instance("LOCH")
    assert item_by_barcode(f"  {item.barcode} ", instance_ids=[gent.pk]) == item
    assert item_by_barcode(item.barcode, instance_ids=[other.pk]) is None
    assert item_by_barcode("   ", instance_ids=[gent.pk]) is None
