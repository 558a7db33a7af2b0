"""Finance's dunning step on its own: it moves stages and tells whom the run asks it to."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.batching import BatchContext
from lidgeld.clock import at_nine
from lidgeld.domain.dunning import Stage
from lidgeld.finance.batch import dunning_advance
from lidgeld.notices.models import Message
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

pytestmark = pytest.mark.django_db


def context(day: date) -> BatchContext:
    return BatchContext(day=day, run_on=day, now=at_nine(day), actor="job:tick")


@pytest.fixture
def april_fee():
    """A fee booked on 10 April 2026: its reminder is due on 1 May (R6, the seed's dates)."""
    gent = make_instance("GENT")
    borrower = make_borrower(gent, email="an@example.be")
    membership = make_membership(borrower, make_type(gent), date(2026, 5, 1))
    return gent, make_open_fee(membership, date(2026, 4, 10))


def test_without_a_listener_the_stage_moves_and_nobody_is_told(april_fee):
    gent, posting = april_fee
    result = dunning_advance(instance=gent, ctx=context(date(2026, 5, 1)), notify=None)
    posting.refresh_from_db()
    assert (posting.stage, result.counts.get(Stage.REMINDER.value)) == (Stage.REMINDER.value, 1)
    assert not Message.objects.exists()


def test_the_listener_hears_each_set_before_it_moves_and_its_counts_are_reported(april_fee):
    gent, posting = april_fee
    heard: list[tuple[str, list[int]]] = []

    def listen(due, *, stage, instance, ctx):
        # the set still holds the contributions at their stage before the move
        heard.append((stage.value, list(due.values_list("pk", flat=True))))
        return {"notices_queued": len(heard[-1][1])}

    result = dunning_advance(instance=gent, ctx=context(date(2026, 5, 1)), notify=listen)
    assert (Stage.REMINDER.value, [posting.pk]) in heard
    assert result.counts["notices_queued"] == 1
