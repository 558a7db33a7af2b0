"""Reservations are placed, cancelled and never lost (R3)."""

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.circulation.services import reservation_cancel
from lidgeld.clock import at_nine
from lidgeld.errors import Refused
from lidgeld.operations.reservations import reservation_place
from tests.factories import make_borrower, make_instance, make_item, make_membership, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance()


def test_a_reservation_by_a_valid_member_waits(gent):
    borrower = make_borrower(gent)
    make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    reservation = reservation_place(
        borrower=borrower,
        item=make_item(gent),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert reservation.status == ReservationStatus.WAITING
    assert AuditEvent.objects.filter(action="reservation.placed", borrower=borrower).exists()


def test_a_reservation_placed_without_a_valid_membership_is_held_not_refused(gent):
    borrower = make_borrower(gent)
    make_membership(borrower, make_type(gent), start=date(2025, 1, 1))  # ended 31/12/2025
    reservation = reservation_place(
        borrower=borrower,
        item=make_item(gent),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert (reservation.status, reservation.held_since) == (
        ReservationStatus.HELD,
        date(2026, 4, 10),
    )


def test_the_same_item_twice_is_refused(gent):
    borrower = make_borrower(gent)
    item = make_item(gent)
    reservation_place(
        borrower=borrower,
        item=item,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    with pytest.raises(Refused, match="already has a reservation"):
        reservation_place(
            borrower=borrower,
            item=item,
            today=date(2026, 4, 11),
            now=at_nine(date(2026, 4, 11)),
            actor="t",
        )
    assert Reservation.objects.count() == 1


def test_cancel_closes_a_reservation_once(gent):
    borrower = make_borrower(gent)
    reservation = reservation_place(
        borrower=borrower,
        item=make_item(gent),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    cancelled = reservation_cancel(
        reservation=reservation, today=date(2026, 4, 12), now=at_nine(date(2026, 4, 12)), actor="t"
    )
    assert (cancelled.status, cancelled.closed_on) == (
        ReservationStatus.CANCELLED,
        date(2026, 4, 12),
    )
    with pytest.raises(Refused):
        reservation_cancel(
            reservation=reservation,
            today=date(2026, 4, 13),
            now=at_nine(date(2026, 4, 13)),
            actor="t",
        )
