"""Two desks renewing the same borrower at the same moment give one renewal."""

import threading
from datetime import date

import pytest
from django.db import close_old_connections, connection

from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership
from lidgeld.memberships.services import membership_renew
from tests.factories import make_borrower, make_instance, make_membership, make_type


@pytest.mark.django_db(transaction=True)
def test_simultaneous_renewals_renew_once():
    instance = make_instance()
    membership_type = make_type(instance)
    borrower = make_borrower(instance)
    make_membership(borrower, membership_type, start=date(2025, 4, 1))
    barrier = threading.Barrier(2)
    results = []
    errors = []

    def desk(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                membership_renew(borrower=borrower, paid=False, today=date(2026, 4, 10), actor=name)
            )
        except Exception as error:  # the assertion below reports it
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=desk, args=(f"desk {n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(result.renewed for result in results) == [False, True]
    assert Membership.objects.filter(borrower=borrower).count() == 2
    assert Posting.objects.filter(borrower=borrower).count() == 1
