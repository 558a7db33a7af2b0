"""The database itself refuses what the rules forbid, whatever code writes."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from lidgeld.memberships.models import Membership, MembershipStatus
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def borrower_and_type():
    instance = make_instance()
    return make_borrower(instance), make_type(instance)


def test_a_period_must_end_on_the_last_day_of_a_month(borrower_and_type):
    borrower, membership_type = borrower_and_type
    with pytest.raises(IntegrityError), transaction.atomic():
        make_membership(borrower, membership_type, start=date(2026, 4, 10), end=date(2027, 4, 9))
    assert not Membership.objects.exists()


def test_moving_an_end_off_the_month_end_is_refused(borrower_and_type):
    borrower, membership_type = borrower_and_type
    membership = make_membership(borrower, membership_type, start=date(2026, 4, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(end=date(2027, 4, 15))


def test_two_live_periods_of_one_borrower_cannot_overlap(borrower_and_type):
    borrower, membership_type = borrower_and_type
    make_membership(borrower, membership_type, start=date(2026, 1, 1), end=date(2026, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_membership(borrower, membership_type, start=date(2026, 12, 1), end=date(2027, 11, 30))
    assert Membership.objects.count() == 1


def test_contiguous_periods_are_allowed(borrower_and_type):
    borrower, membership_type = borrower_and_type
    make_membership(borrower, membership_type, start=date(2026, 1, 1), end=date(2026, 12, 31))
    make_membership(borrower, membership_type, start=date(2027, 1, 1), end=date(2027, 12, 31))
    assert Membership.objects.count() == 2


def test_an_invalidated_period_does_not_block_a_new_one(borrower_and_type):
    borrower, membership_type = borrower_and_type
    make_membership(
        borrower,
        membership_type,
        start=date(2026, 4, 10),
        end=date(2027, 4, 30),
        status=MembershipStatus.INVALIDATED,
    )
    make_membership(borrower, membership_type, start=date(2026, 12, 5), end=date(2027, 12, 31))
    assert Membership.objects.count() == 2


def test_other_borrowers_periods_may_overlap(borrower_and_type):
    borrower, membership_type = borrower_and_type
    other = make_borrower(borrower.home_instance)
    make_membership(borrower, membership_type, start=date(2026, 1, 1))
    make_membership(other, membership_type, start=date(2026, 1, 1))
    assert Membership.objects.count() == 2


@pytest.mark.parametrize(
    ("kind", "fee", "booking_code"),
    [("paying", "0.00", 1001), ("free", "5.00", 1001), ("paying", "12.00", 2500)],
)
def test_membership_type_constraints(kind, fee, booking_code):
    from decimal import Decimal

    from lidgeld.memberships.models import MembershipType

    instance = make_instance()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipType.objects.create(
            instance=instance,
            code="X",
            name="X",
            kind=kind,
            fee=Decimal(fee),
            months=12,
            booking_code=booking_code,
        )
