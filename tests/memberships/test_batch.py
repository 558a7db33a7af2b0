"""Invalidating memberships in the daily run: live periods only, one audit row each."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.batching import BatchContext, StepResult
from lidgeld.clock import at_nine
from lidgeld.memberships.batch import memberships_invalidate
from lidgeld.memberships.models import Membership, MembershipStatus
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)


def test_live_periods_become_invalid_with_one_history_row_each_and_the_rest_stay():
    # given an active, an ended and an already invalidated period
    gent = make_instance("GENT")
    adult = make_type(gent)
    active = make_membership(make_borrower(gent, card="A1"), adult, date(2026, 5, 1))
    ended = make_membership(
        make_borrower(gent, card="A2"), adult, date(2025, 5, 1), status=MembershipStatus.ENDED
    )
    gone = make_membership(
        make_borrower(gent, card="A3"), adult, date(2025, 5, 1), status=MembershipStatus.INVALIDATED
    )
    ctx = BatchContext(day=DAY, run_on=DAY, now=at_nine(DAY), actor="job:tick")
    result = StepResult()
    # when the three are invalidated
    memberships_invalidate(
        Membership.objects.filter(pk__in=[active.pk, ended.pk, gone.pk]).values("pk"),
        ctx=ctx,
        result=result,
        reason="contribution unpaid",
    )
    # then the two live ones are, on the run's day, each with its before and after
    assert result.counts["invalidated"] == 2
    assert set(Membership.objects.filter(invalidated_on=DAY).values_list("pk", flat=True)) == {
        active.pk,
        ended.pk,
    }
    rows = AuditEvent.objects.filter(action="membership.invalidated")
    assert sorted((row.object_id, row.before["status"]) for row in rows) == sorted(
        [(active.pk, "active"), (ended.pk, "ended")]
    )
    assert {row.after["reason"] for row in rows} == {"contribution unpaid"}
