"""``lidgeld borrower end|end-undo|merge`` (issue 13, items 7 and 10)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lidgeld.borrowers.models import Borrower, Card
from lidgeld.borrowers.selectors import card_holder
from lidgeld.domain.blocks import Channel
from lidgeld.finance.models import PostingStatus
from lidgeld.memberships.models import MembershipEnding
from lidgeld.standing.status import borrower_status
from tests.cli.inprocess import run
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

TODAY = date(2026, 4, 10)  # the conftest clock


@pytest.fixture
def world(db):
    gent = make_instance("GENT")
    volw = make_type(gent)
    lotte = make_borrower(gent, card="2001", first_name="Lotte", last_name="Claes")
    period = make_membership(lotte, volw, date(2026, 1, 1))
    fee = make_open_fee(period, booked_on=date(2026, 1, 1))
    return gent, volw, lotte, fee


def test_a_deceased_borrowers_membership_ends_with_every_effect(capsys, world):
    _gent, _volw, lotte, fee = world
    # when the operator ends it for a death
    code, out, err = run(capsys, "borrower", "end", "2001", "--reason", "deceased", "--json")
    # then the open fee is written off, and every channel is blocked
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["reason"], answer["written_off"]) == ("deceased", 1)
    fee.refresh_from_db()
    assert fee.status == PostingStatus.WRITTEN_OFF
    status = borrower_status(borrower=lotte, today=TODAY)
    assert not any(status.blocks[channel].allowed for channel in Channel)


def test_an_unknown_reason_is_refused_and_ends_nothing(capsys, world):
    code, _out, err = run(capsys, "borrower", "end", "2001", "--reason", "bored")
    assert code == 2
    assert "invalid choice" in err
    assert not MembershipEnding.objects.exists()


def test_an_ending_is_undone(capsys, world):
    run(capsys, "borrower", "end", "2001", "--reason", "moved")
    code, out, err = run(capsys, "borrower", "end-undo", "2001", "--json")
    assert code == 0, err
    assert json.loads(out)["periods_valid_again"]
    assert MembershipEnding.objects.get().reversed_at is not None


def test_undo_without_an_ending_is_refused(capsys, world):
    code, _out, err = run(capsys, "borrower", "end-undo", "2001")
    assert code == 2
    assert "no ending to undo" in err


def test_merge_previews_then_moves_everything_into_the_kept_record(capsys, world):
    gent, _volw, lotte, _fee = world
    twin = make_borrower(gent, card="2002", first_name="Lotte", last_name="Claes")
    # the preview changes nothing
    code, out, err = run(capsys, "borrower", "merge", "2001", "2002", "--preview", "--json")
    assert code == 0, err
    assert json.loads(out)["problem"] is None
    assert Borrower.objects.filter(pk=twin.pk).exists()
    # the merge moves the duplicate's card to the kept borrower, as an old card
    code, out, err = run(capsys, "borrower", "merge", "2001", "2002", "--json")
    assert code == 0, err
    assert not Borrower.objects.filter(pk=twin.pk).exists()
    holder = card_holder("2002")
    assert holder is not None
    assert holder.borrower == lotte
    assert holder.old_card
    assert Card.objects.filter(borrower=lotte).count() == 2


def test_merging_a_borrower_with_themself_is_refused(capsys, world):
    code, _out, err = run(capsys, "borrower", "merge", "2001", "2001")
    assert code == 2
    assert err.strip()
    assert Borrower.objects.filter(card_number="2001").exists()
