"""Whether someone waits for an item: one query for the loan renewal and the kiosk's
check-in."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.circulation.models import ReservationStatus
from lidgeld.circulation.selectors import someone_waits_for
from tests.factories import make_borrower, make_instance, make_item, make_reservation

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
