"""The one definition of an open contribution, as a queryset, a Q for relations and
SQL for the kiosks' hand-written lookup: all three select the same postings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from lidgeld.finance.models import (
    Posting,
    PostingStatus,
    contribution_q,
    open_contribution_q,
    open_contribution_sql,
)
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def postings():
    """One borrower's postings: contributions and other items, open and closed."""
    instance = make_instance()
    borrower = make_borrower(instance)
    membership = make_membership(borrower, make_type(instance), start=date(2026, 1, 1))
    made = {}
    for name, code, status in [
        ("open fee", 1001, PostingStatus.OPEN),
        ("open fee at the top", 1999, PostingStatus.OPEN),
        ("paid fee", 1001, PostingStatus.PAID),
        ("written off fee", 1500, PostingStatus.WRITTEN_OFF),
        ("open fine", 2001, PostingStatus.OPEN),
        ("open below", 999, PostingStatus.OPEN),
    ]:
        is_open = status == PostingStatus.OPEN
        made[name] = Posting.objects.create(
            borrower=borrower, instance=instance, membership=membership, booking_code=code,
            amount=Decimal("12.00"), balance=Decimal("12.00") if is_open else Decimal("0.00"),
            booked_on=date(2026, 1, 1), status=status,
            closed_on=None if is_open else date(2026, 2, 1),
        )  # fmt: skip
    return borrower, made


def test_open_contributions_are_open_items_with_a_contributions_code(postings):
    _, made = postings
    found = set(Posting.objects.open_contributions().values_list("pk", flat=True))
    assert found == {made["open fee"].pk, made["open fee at the top"].pk}


def test_contributions_are_every_status_with_a_contributions_code(postings):
    _, made = postings
    found = set(Posting.objects.contributions().values_list("pk", flat=True))
    names = {"open fee", "open fee at the top", "paid fee", "written off fee"}
    assert found == {made[name].pk for name in names}


def test_the_q_through_a_relation_selects_the_same(postings):
    borrower, _ = postings
    from lidgeld.borrowers.models import Borrower

    assert Borrower.objects.filter(open_contribution_q("postings__")).distinct().count() == 1
    assert Borrower.objects.filter(contribution_q("postings__")).values("postings").count() == 4
    assert borrower.pk in Borrower.objects.filter(open_contribution_q("postings__")).values_list(
        "pk", flat=True
    )


def test_the_sql_for_the_kiosk_lookup_selects_the_same(postings):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM finance_posting p WHERE {open_contribution_sql('p')}")
        by_sql = {row[0] for row in cursor.fetchall()}
    assert by_sql == set(Posting.objects.open_contributions().values_list("pk", flat=True))
