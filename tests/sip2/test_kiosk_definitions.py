"""The kiosk lookup counts what finance calls an open contribution and the stage the
domain gives it: on PostgreSQL through its hand-written statement, elsewhere through the
ORM one, both agreeing with borrower_status and with Posting.objects.open_contributions()."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.domain.blocks import Channel, Reason
from lidgeld.domain.dunning import Stage, effective_stage
from lidgeld.finance.models import Posting
from lidgeld.standing.kiosk import kiosk_patron
from lidgeld.standing.status import borrower_status
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_payment,
    make_type,
    make_write_off,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)


def _fee(membership, booked_on, amount="12.00", code=None):
    posting = make_open_fee(membership, booked_on, amount=amount)
    if code is not None:
        posting.booking_code = code
        posting.save(update_fields=["booking_code"])
    return posting


def test_the_kiosk_counts_only_open_contributions_at_their_effective_stage():
    # Given an active borrower with contributions at both ends of the code range (one
    # past its write-off day, not written off yet), open items of other codes, and
    # contributions already paid or written off
    gent = make_instance()
    borrower = make_borrower(gent)
    period = make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    _fee(period, date(2025, 7, 3), amount="4.00", code=1000)
    _fee(period, date(2026, 3, 2), amount="5.50", code=1999)
    _fee(period, date(2024, 1, 2), amount="30.00", code=999)
    _fee(period, date(2024, 1, 2), amount="40.00", code=2000)
    make_payment(_fee(period, date(2024, 1, 2)), date(2024, 2, 1))
    make_write_off(_fee(period, date(2024, 1, 2)), date(2024, 9, 1))

    # When the kiosk looks the card up
    lean = kiosk_patron(card_number=borrower.card_number, instance_ids=[gent.pk], today=TODAY)

    # Then it sees the two open contributions, the oldest counting as unpaid
    assert lean is not None
    counted = Posting.objects.open_contributions().filter(borrower=borrower)
    assert lean.open_items == counted.count() == 2
    assert lean.open_amount == Decimal("9.50")
    assert effective_stage(date(2025, 7, 3), TODAY) is Stage.UNPAID
    assert lean.stage is Stage.UNPAID
    full = borrower_status(borrower=borrower, today=TODAY)
    assert (lean.open_amount, lean.stage.value) == (full.open_amount, full.stage)
    assert lean.block.reason is full.blocks[Channel.KIOSK].reason is Reason.FEE_UNPAID


def test_the_kiosk_sees_no_fee_when_only_other_codes_are_open():
    gent = make_instance()
    borrower = make_borrower(gent)
    period = make_membership(borrower, make_type(gent), start=date(2026, 1, 1))
    _fee(period, date(2026, 3, 2), code=2000)

    lean = kiosk_patron(card_number=borrower.card_number, instance_ids=[gent.pk], today=TODAY)

    assert lean is not None
    assert (lean.open_items, lean.open_amount, lean.stage) == (0, Decimal("0.00"), None)
    assert lean.block.reason is Reason.OK
