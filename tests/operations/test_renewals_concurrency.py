"""Two desks renewing the same borrower at the same moment give one renewal."""

from datetime import date

import pytest

from lidgeld.clock import at_nine
from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership
from lidgeld.operations.renewals import RenewalResult, membership_renew
from tests.concurrency import at_the_same_moment
from tests.factories import make_borrower, make_instance, make_membership, make_type


@pytest.mark.django_db(transaction=True)
def test_simultaneous_renewals_renew_once():
    instance = make_instance()
    membership_type = make_type(instance)
    borrower = make_borrower(instance)
    make_membership(borrower, membership_type, start=date(2025, 4, 1))

    def desk(n: int) -> RenewalResult:
        return membership_renew(
            borrower=borrower,
            paid=False,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor=f"desk {n + 1}",
        )

    results, errors = at_the_same_moment(desk)

    assert errors == []
    assert sorted(result.renewed for result in results) == [False, True]
    assert Membership.objects.filter(borrower=borrower).count() == 2
    assert Posting.objects.filter(borrower=borrower).count() == 1
