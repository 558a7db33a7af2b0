"""R7: the borrower's situation is derived from the rows and today, never stored."""

from datetime import date

import pytest

from lidgeld.domain.blocks import CardState, Channel, Reason
from lidgeld.standing.status import borrower_status
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewed_in_april_with_the_fee_open():
    instance = make_instance()
    borrower = make_borrower(instance, language="en")
    membership = make_membership(borrower, make_type(instance), start=date(2026, 4, 10))
    make_open_fee(membership, booked_on=date(2026, 4, 10))
    return borrower


@pytest.mark.parametrize(
    ("today", "stage", "portal_allowed"),
    [
        (date(2026, 4, 30), "open", True),
        (date(2026, 5, 1), "reminder", True),
        (date(2026, 10, 1), "unpaid", False),
        # past the write-off day but before the daily run reached it: still owed
        (date(2026, 12, 2), "unpaid", False),
    ],
)
def test_blocks_follow_the_calendar_even_before_the_daily_run(
    renewed_in_april_with_the_fee_open, today, stage, portal_allowed
):
    status = borrower_status(borrower=renewed_in_april_with_the_fee_open, today=today)
    assert status.stage == stage
    assert status.blocks[Channel.KIOSK].allowed is False
    assert status.blocks[Channel.PORTAL].allowed is portal_allowed


def test_the_message_is_in_the_borrowers_language(renewed_in_april_with_the_fee_open):
    data = borrower_status(
        borrower=renewed_in_april_with_the_fee_open, today=date(2026, 5, 2)
    ).as_dict()
    assert data["blocks"]["kiosk"]["reason"] == Reason.FEE_REMINDER
    assert data["blocks"]["kiosk"]["message"].startswith("Reminder: your membership fee of € 12.00")


def test_contiguous_renewals_extend_the_end_shown():
    instance = make_instance()
    membership_type = make_type(instance)
    borrower = make_borrower(instance)
    make_membership(borrower, membership_type, start=date(2025, 5, 1))
    make_membership(borrower, membership_type, start=date(2026, 5, 1))
    data = borrower_status(borrower=borrower, today=date(2026, 4, 10)).as_dict()
    assert data["membership"] == {"status": "active", "end": "2027-04-30", "type": "VOLW"}


@pytest.mark.parametrize(
    ("reported", "card", "reason"),
    [
        ("lost", None, Reason.CARD_LOST),
        ("stolen", None, Reason.CARD_LOST),
        ("", CardState.REPLACED, Reason.CARD_REPLACED),  # an old card was shown
        ("", None, Reason.FEE_OPEN),
    ],
)
def test_the_card_shown_decides_kiosk_and_portal_and_warns_the_desk(
    renewed_in_april_with_the_fee_open, reported, card, reason
):
    # given the borrower's current card as reported (copied on the borrower row)
    borrower = renewed_in_april_with_the_fee_open
    borrower.card_reported = reported
    # when their status is asked, for their current card or for an old one
    status = borrower_status(borrower=borrower, today=date(2026, 4, 15), card=card)
    # then kiosk and portal give the card's reason; the desk goes on, warned
    assert status.blocks[Channel.KIOSK].reason is reason
    assert status.blocks[Channel.DESK].allowed
    if reason is not Reason.FEE_OPEN:
        assert status.blocks[Channel.PORTAL].reason is reason
        assert not status.blocks[Channel.PORTAL].allowed
        assert status.blocks[Channel.DESK].reason is reason
        assert status.blocks[Channel.DESK].warning
        assert status.as_dict()["blocks"]["portal"]["reason"] == reason.value
