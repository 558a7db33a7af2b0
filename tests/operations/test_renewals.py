"""R1 and R5 through the renewal service."""

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.circulation.models import ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.domain.blocks import Channel
from lidgeld.errors import Refused
from lidgeld.finance.models import Payment, Posting, PostingStatus
from lidgeld.memberships.models import Membership, TypeKind
from lidgeld.operations.renewals import membership_renew, memberships_renew
from lidgeld.standing.status import borrower_status
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


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def adult(gent):
    return make_type(gent, fee="12.00", months=12, booking_code=1001)


def test_renewal_before_the_end_is_contiguous(gent, adult):
    # given a membership that runs until 30 April 2026
    borrower = make_borrower(gent)
    make_membership(borrower, adult, start=date(2025, 5, 1))
    # when the desk renews it on 10 April with the fee open
    result = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    # then the new period starts on 1 May and a fee of € 12 is open under booking code 1001
    assert result.renewed
    assert (result.membership.start, result.membership.end) == (date(2026, 5, 1), date(2027, 4, 30))
    posting = Posting.objects.get(membership=result.membership)
    assert (posting.amount, posting.balance, posting.booking_code) == (
        Decimal("12.00"),
        Decimal("12.00"),
        1001,
    )
    assert posting.status == PostingStatus.OPEN
    assert AuditEvent.objects.filter(action="membership.renewed", borrower=borrower).exists()


def test_renewal_after_expiry_starts_today(gent, adult):
    borrower = make_borrower(gent)
    make_membership(borrower, adult, start=date(2025, 4, 1))  # ended 31 March 2026
    result = membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert (result.membership.start, result.membership.end) == (
        date(2026, 4, 10),
        date(2027, 4, 30),
    )
    posting = Posting.objects.get(membership=result.membership)
    assert posting.status == PostingStatus.PAID
    assert posting.balance == 0


def test_renewal_within_the_grace_stays_contiguous():
    instance = make_instance(renewal_grace_days=15)
    membership_type = make_type(instance)
    borrower = make_borrower(instance)
    make_membership(borrower, membership_type, start=date(2025, 4, 1))  # ended 31 March
    result = membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert result.membership.start == date(2026, 4, 1)


def test_renewing_twice_renews_once(gent, adult):
    borrower = make_borrower(gent)
    make_membership(borrower, adult, start=date(2025, 4, 1))
    first = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="desk 1",
    )
    second = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="desk 2",
    )
    assert first.renewed
    assert not second.renewed
    assert "already renewed" in second.reason
    assert Membership.objects.filter(borrower=borrower).count() == 2
    assert Posting.objects.filter(borrower=borrower).count() == 1


def test_a_period_renewed_ahead_is_not_renewed_again_the_next_day(gent, adult):
    borrower = make_borrower(gent)
    make_membership(borrower, adult, start=date(2025, 5, 1))
    membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    again = membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 4, 11),
        now=at_nine(date(2026, 4, 11)),
        actor="t",
    )
    assert not again.renewed


def test_free_type_books_no_fee(gent):
    free = make_type(gent, code="JEUGD", kind=TypeKind.FREE)
    borrower = make_borrower(gent)
    make_membership(borrower, free, start=date(2025, 4, 1))
    result = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert result.renewed
    assert result.posting is None
    assert not Posting.objects.exists()


def test_renewal_resumes_held_reservations(gent, adult):
    # given an expired borrower whose reservation is held
    borrower = make_borrower(gent)
    make_membership(borrower, adult, start=date(2025, 4, 1))
    reservation = make_reservation(
        borrower, make_item(gent), placed_on=date(2026, 3, 20), status=ReservationStatus.HELD
    )
    # when the desk renews
    membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    # then the reservation waits again, in its old place
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.WAITING
    assert reservation.held_since is None


def test_renewing_a_list_gives_a_result_per_borrower(gent, adult):
    expiring = make_borrower(gent)
    make_membership(expiring, adult, start=date(2025, 5, 1))
    already = make_borrower(gent)
    make_membership(already, adult, start=date(2025, 5, 1))
    make_membership(already, adult, start=date(2026, 5, 1))
    results = memberships_renew(
        card_numbers=[expiring.card_number, already.card_number, "NOPE"],
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert [(r.card_number, r.renewed) for r in results] == [
        (expiring.card_number, True),
        (already.card_number, False),
        ("NOPE", False),
    ]
    assert results[2].reason == "unknown card number"


def test_an_invalidated_borrower_is_renewed_from_today_with_the_same_type(gent, adult):
    # given a period invalidated on 1 December for an unpaid fee
    borrower = make_borrower(gent)
    make_membership(
        borrower,
        adult,
        start=date(2026, 4, 10),
        end=date(2027, 4, 30),
        status="invalidated",
    )
    # when the desk renews on 5 December with the fee paid
    result = membership_renew(
        borrower=borrower,
        paid=True,
        today=date(2026, 12, 5),
        now=at_nine(date(2026, 12, 5)),
        actor="t",
    )
    # then a new period of the same type starts that day
    assert result.renewed
    assert (result.membership.start, result.membership.end, result.membership.type) == (
        date(2026, 12, 5),
        date(2027, 12, 31),
        adult,
    )


# --- "fee paid" pays what is open, the older fee too (issue 11, item 10) -----------------

TODAY = date(2026, 4, 10)


@pytest.fixture
def owes_last_year(gent, adult):
    """Her membership ends on 30 April 2026 and its fee of € 12,00 is still open."""
    borrower = make_borrower(gent)
    first = make_membership(borrower, adult, start=date(2025, 5, 1))
    make_open_fee(first, date(2025, 5, 1))
    return borrower


def test_renewing_with_the_fee_paid_settles_the_older_fee_too(owes_last_year):
    result = membership_renew(
        borrower=owes_last_year, paid=True, today=TODAY, now=at_nine(TODAY), actor="t"
    )

    assert result.renewed
    assert not Posting.objects.filter(borrower=owes_last_year, status=PostingStatus.OPEN).exists()
    assert result.payment is not None
    assert result.payment.paid == Decimal("24.00")
    assert [(part.booked_on, part.paid, part.still_open) for part in result.payment.parts] == [
        (date(2025, 5, 1), Decimal("12.00"), Decimal("0.00")),
        (TODAY, Decimal("12.00"), Decimal("0.00")),
    ]
    assert result.still_open == Decimal("0.00")
    # R7: the kiosk no longer blocks a borrower who just paid at the desk
    status = borrower_status(borrower=owes_last_year, today=TODAY)
    assert status.blocks[Channel.KIOSK].allowed


def test_the_borrower_may_pay_less_oldest_first(owes_last_year):
    result = membership_renew(
        borrower=owes_last_year,
        paid=True,
        amount=Decimal("20.00"),
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
    )

    assert result.payment is not None
    assert (result.payment.paid, result.still_open) == (Decimal("20.00"), Decimal("4.00"))
    older, new = Posting.objects.filter(borrower=owes_last_year).order_by("booked_on")
    assert (older.status, new.balance) == (PostingStatus.PAID, Decimal("4.00"))


def test_paying_more_than_is_open_renews_nothing(owes_last_year):
    with pytest.raises(Refused, match=r"pay at most € 24\.00"):
        membership_renew(
            borrower=owes_last_year,
            paid=True,
            amount=Decimal("30.00"),
            today=TODAY,
            now=at_nine(TODAY),
            actor="t",
        )
    assert Membership.objects.filter(borrower=owes_last_year).count() == 1
    assert Posting.objects.filter(borrower=owes_last_year).count() == 1


def test_renewing_with_the_fee_open_says_what_is_open_in_total(owes_last_year):
    result = membership_renew(
        borrower=owes_last_year, paid=False, today=TODAY, now=at_nine(TODAY), actor="t"
    )
    assert (result.payment, result.still_open) == (None, Decimal("24.00"))
    assert result.as_dict()["still_open"] == "24.00"


def test_renewing_a_list_with_the_fee_paid_settles_each_borrower(gent, adult, owes_last_year):
    results = memberships_renew(
        card_numbers=[owes_last_year.card_number],
        paid=True,
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
    )
    assert [(r.renewed, r.payment.paid if r.payment else None) for r in results] == [
        (True, Decimal("24.00"))
    ]
    assert not Posting.objects.filter(status=PostingStatus.OPEN).exists()


def test_a_repeated_renewal_request_gets_the_first_answer_and_books_nothing(owes_last_year):
    first = membership_renew(
        borrower=owes_last_year,
        paid=True,
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
        request_key="form-1",
    )
    again = membership_renew(
        borrower=owes_last_year,
        paid=True,
        today=TODAY,
        now=at_nine(TODAY),
        actor="t",
        request_key="form-1",
    )

    assert (again.renewed, again.repeated) == (True, True)
    assert again.membership == first.membership
    assert again.payment is not None
    assert again.payment.paid == Decimal("24.00")
    assert Membership.objects.filter(borrower=owes_last_year).count() == 2
    assert Payment.objects.count() == 2  # the two contributions, once each
