"""A borrower who renews online always gets the confirmation with the payment
instructions; desk renewals follow the library's choice."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.clock import at_nine
from lidgeld.memberships.models import Origin
from lidgeld.notices.models import Message
from lidgeld.operations.renewals import membership_renew
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)


@pytest.mark.parametrize(
    ("origin", "library_wants_it", "queued"),
    [
        (Origin.PORTAL, False, 1),
        (Origin.PORTAL, True, 1),
        (Origin.DESK, False, 0),
        (Origin.DESK, True, 1),
    ],
)
def test_who_gets_a_renewal_confirmation(origin, library_wants_it, queued):
    gent = make_instance("GENT", notice_renewal=library_wants_it)
    borrower = make_borrower(gent)
    make_membership(borrower, make_type(gent), date(2025, 5, 1))  # ends 30/04/2026

    result = membership_renew(
        borrower=borrower, paid=False, today=TODAY, now=at_nine(TODAY), actor="test", origin=origin
    )

    assert result.renewed
    assert Message.objects.filter(borrower=borrower, kind="VL").count() == queued
