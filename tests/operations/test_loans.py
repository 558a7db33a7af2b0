"""Checkout, checkin and renewal as services: atomic, audited, refused with the block."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.circulation.models import Loan
from lidgeld.clock import at_nine
from lidgeld.domain.blocks import Channel, Reason
from lidgeld.errors import Refused
from lidgeld.operations.loans import loan_checkin, loan_checkout, loan_renew
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_open_fee,
    make_reservation,
    make_type,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def member(gent):
    borrower = make_borrower(gent, language="en")
    make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    return borrower


def test_checkout_lends_for_21_days_and_is_audited(gent, member):
    loan = loan_checkout(
        borrower=member, item=make_item(gent), today=TODAY, now=at_nine(TODAY), actor="kiosk:k"
    )
    assert (loan.out_on, loan.due_on) == (TODAY, date(2026, 5, 6))
    assert AuditEvent.objects.get(action="loan.checked_out").actor == "kiosk:k"


def test_an_open_fee_refuses_the_kiosk_but_not_the_desk(gent, member):
    make_open_fee(member.memberships.get(), booked_on=date(2026, 4, 10))
    with pytest.raises(Refused) as refused:
        loan_checkout(
            borrower=member, item=make_item(gent), today=TODAY, now=at_nine(TODAY), actor="t"
        )
    assert refused.value.code == Reason.FEE_OPEN
    assert refused.value.message.startswith("Your membership fee of € 12.00 is not paid yet")
    assert not Loan.objects.exists()
    loan_checkout(
        borrower=member,
        item=make_item(gent),
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
        channel=Channel.DESK,
    )


def test_an_item_is_lent_once(gent, member):
    item = make_item(gent)
    loan_checkout(borrower=member, item=item, today=TODAY, now=at_nine(TODAY), actor="t")
    with pytest.raises(Refused) as refused:
        loan_checkout(borrower=member, item=item, today=TODAY, now=at_nine(TODAY), actor="t")
    assert refused.value.code == "on_loan"
    assert Loan.objects.count() == 1


def test_checkin_closes_the_loan_and_an_item_not_on_loan_changes_nothing(gent, member):
    item = make_item(gent)
    loan_checkout(borrower=member, item=item, today=TODAY, now=at_nine(TODAY), actor="t")
    assert loan_checkin(
        item=item, today=date(2026, 4, 20), now=at_nine(date(2026, 4, 20)), actor="t"
    ).returned_on == date(2026, 4, 20)
    assert (
        loan_checkin(item=item, today=date(2026, 4, 21), now=at_nine(date(2026, 4, 21)), actor="t")
        is None
    )
    assert AuditEvent.objects.filter(action="loan.checked_in").count() == 1


def test_renewal_is_refused_when_blocked_or_reserved(gent, member):
    item = make_item(gent)
    loan = loan_checkout(borrower=member, item=item, today=TODAY, now=at_nine(TODAY), actor="t")
    renewed = loan_renew(
        loan=loan, today=date(2026, 4, 25), now=at_nine(date(2026, 4, 25)), actor="t"
    )
    assert renewed.due_on == date(2026, 5, 16)
    make_reservation(make_borrower(gent), item, placed_on=date(2026, 4, 26))
    with pytest.raises(Refused, match="reserved"):
        loan_renew(loan=loan, today=date(2026, 4, 27), now=at_nine(date(2026, 4, 27)), actor="t")
    with pytest.raises(Refused) as expired:
        loan_renew(loan=loan, today=date(2027, 1, 2), now=at_nine(date(2027, 1, 2)), actor="t")
    assert expired.value.code == Reason.EXPIRED
