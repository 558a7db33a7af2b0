"""The kiosk's one-query patron lookup decides exactly as borrower_status (R7)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lidgeld.borrowers.cards import card_replace, card_report
from lidgeld.borrowers.models import Borrower
from lidgeld.domain.blocks import CardState, Channel, MembershipState, Reason
from lidgeld.libraries.models import CooperationGroup
from lidgeld.memberships.models import MembershipStatus, TypeKind
from lidgeld.standing.kiosk import kiosk_patron, kiosk_pin_hash, visible_instance_ids
from lidgeld.standing.status import borrower_status
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_type,
    with_pin,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)


def _active(b, t):
    make_membership(b, t, start=date(2026, 1, 1))


def _no_membership(b, t):
    pass


def _only_a_future_period(b, t):
    make_membership(b, t, start=date(2026, 6, 1))


def _expired(b, t):
    make_membership(b, t, start=date(2025, 1, 1))  # ended 31/12/2025


def _expired_after_two_periods(b, t):
    make_membership(b, t, start=date(2024, 1, 1))
    make_membership(b, t, start=date(2025, 1, 1))


def _invalidated(b, t):
    m = make_membership(b, t, start=date(2025, 8, 1), status=MembershipStatus.INVALIDATED)
    make_open_fee(m, booked_on=date(2025, 8, 1)).delete()


def _fee_open(b, t):
    m = make_membership(b, t, start=date(2026, 4, 10))
    make_open_fee(m, booked_on=date(2026, 4, 10))


def _fee_reminder(b, t):
    m = make_membership(b, t, start=date(2026, 3, 10))
    make_open_fee(m, booked_on=date(2026, 3, 10))


def _fee_unpaid(b, t):
    m = make_membership(b, t, start=date(2025, 10, 1))
    make_open_fee(m, booked_on=date(2025, 10, 1))


def _fee_past_write_off_day(b, t):
    m = make_membership(b, t, start=date(2025, 8, 1))
    make_open_fee(m, booked_on=date(2025, 8, 1))


def _partly_paid_two_fees(b, t):
    m = make_membership(b, t, start=date(2026, 1, 1))
    make_open_fee(m, booked_on=date(2026, 1, 1), amount="5.50")
    make_open_fee(m, booked_on=date(2026, 4, 1), amount="12.00")


def _expired_with_a_fee(b, t):
    m = make_membership(b, t, start=date(2025, 1, 1))
    make_open_fee(m, booked_on=date(2025, 12, 1))


def _free_and_contiguous(b, t):
    free = make_type(t.instance, code="GRATIS", kind=TypeKind.FREE)
    make_membership(b, free, start=date(2025, 5, 1))
    make_membership(b, free, start=date(2026, 5, 1))


SCENARIOS = [
    (_active, Reason.OK),
    (_no_membership, Reason.NO_MEMBERSHIP),
    (_only_a_future_period, Reason.NO_MEMBERSHIP),
    (_expired, Reason.EXPIRED),
    (_expired_after_two_periods, Reason.EXPIRED),
    (_invalidated, Reason.INVALIDATED),
    (_fee_open, Reason.FEE_OPEN),
    (_fee_reminder, Reason.FEE_REMINDER),
    (_fee_unpaid, Reason.FEE_UNPAID),
    (_fee_past_write_off_day, Reason.FEE_UNPAID),
    (_partly_paid_two_fees, Reason.FEE_REMINDER),
    (_expired_with_a_fee, Reason.EXPIRED),
    (_free_and_contiguous, Reason.OK),
]


@pytest.mark.parametrize(("given", "reason"), SCENARIOS, ids=[s[0].__name__ for s in SCENARIOS])
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_lean_kiosk_lookup_and_borrower_status_agree(given, reason, language):
    gent = make_instance()
    borrower = make_borrower(gent, language=language)
    given(borrower, make_type(gent))
    full = borrower_status(borrower=borrower, today=TODAY)
    lean = kiosk_patron(card_number=borrower.card_number, instance_ids=[gent.pk], today=TODAY)
    assert lean is not None
    expected = full.blocks[Channel.KIOSK]
    assert lean.block.reason is expected.reason is reason
    assert lean.block.allowed is expected.allowed
    assert lean.block.sentences == expected.sentences  # every language, every amount and date
    assert lean.membership is full.membership.state
    assert lean.open_amount == full.open_amount
    assert (lean.stage.value if lean.stage else None) == full.stage


def test_fees_of_two_instances_each_follow_their_own_dunning_policy():
    group = CooperationGroup.objects.create(code="LEIE", name="Leiestreek")
    gent = make_instance("GENT", group=group)
    deinze = make_instance(
        "DEINZE",
        group=group,
        reminder_after_months=1,
        unpaid_after_months=2,
        write_off_after_months=9,
    )
    borrower = make_borrower(gent)
    # The oldest fee (Gent) is only at its reminder; the younger one (Deinze, stricter
    # policy) is already unpaid: the furthest stage counts.
    gent_period = make_membership(borrower, make_type(gent), start=date(2026, 1, 5))
    make_open_fee(gent_period, booked_on=date(2026, 1, 5))
    deinze_period = make_membership(borrower, make_type(deinze), start=date(2027, 2, 1))
    make_open_fee(deinze_period, booked_on=date(2026, 1, 20))
    full = borrower_status(borrower=borrower, today=TODAY)
    lean = kiosk_patron(
        card_number=borrower.card_number, instance_ids=[gent.pk, deinze.pk], today=TODAY
    )
    assert lean is not None
    assert lean.block.reason is full.blocks[Channel.KIOSK].reason is Reason.FEE_UNPAID
    assert lean.open_amount == full.open_amount


def test_one_query_per_patron_lookup():
    gent = make_instance()
    borrower = make_borrower(gent)
    _partly_paid_two_fees(borrower, make_type(gent))
    with CaptureQueriesContext(connection) as queries:
        lean = kiosk_patron(card_number=borrower.card_number, instance_ids=[gent.pk], today=TODAY)
    assert lean is not None
    assert lean.open_items == 2
    assert len(queries.captured_queries) == 1


def test_a_terminal_sees_its_instance_and_its_cooperation_group_only():
    group = CooperationGroup.objects.create(code="LEIE", name="Leiestreek")
    gent = make_instance("GENT", group=group)
    deinze = make_instance("DEINZE", group=group)
    brugge = make_instance("BRUGGE")
    assert sorted(visible_instance_ids(gent)) == sorted([gent.pk, deinze.pk])
    assert visible_instance_ids(brugge) == [brugge.pk]
    from_deinze = make_borrower(deinze)
    from_brugge = make_borrower(brugge)
    seen_from_gent = visible_instance_ids(gent)
    assert kiosk_patron(
        card_number=from_deinze.card_number, instance_ids=seen_from_gent, today=TODAY
    )
    assert (
        kiosk_patron(card_number=from_brugge.card_number, instance_ids=seen_from_gent, today=TODAY)
        is None
    )
    found = kiosk_patron(card_number=from_brugge.card_number, instance_ids=[brugge.pk], today=TODAY)
    assert found is not None
    assert found.membership is MembershipState.NONE


# -- the card (R12): reported lost or stolen, or an old card -----------------------------

NOW = datetime(2026, 4, 15, 10, 0, tzinfo=UTC)


def _reported(borrower, report):
    card_report(borrower=borrower, report=report, today=TODAY, now=NOW, actor="test")


def _replaced(borrower, new_number="C-NEW-0001"):
    old = borrower.card_number
    card_replace(borrower=borrower, new_number=new_number, today=TODAY, now=NOW, actor="test")
    return old


@pytest.mark.parametrize(
    ("report", "card"), [("lost", CardState.LOST), ("stolen", CardState.STOLEN)]
)
def test_a_reported_card_is_known_and_blocked_at_the_kiosk_in_one_query(report, card):
    # given an active borrower with nothing open whose card is reported
    gent = make_instance()
    borrower = make_borrower(gent, language="fr")
    _active(borrower, make_type(gent))
    _reported(borrower, report)
    # when a kiosk looks the card up
    with CaptureQueriesContext(connection) as queries:
        lean = kiosk_patron(card_number=borrower.card_number, instance_ids=[gent.pk], today=TODAY)
    # then the patron is known, blocked for the card, still in one query
    assert len(queries.captured_queries) == 1
    assert lean is not None
    assert lean.id == borrower.pk
    assert lean.card is card
    assert lean.card_refused
    assert lean.membership is MembershipState.ACTIVE
    assert not lean.allowed
    assert lean.block.reason is Reason.CARD_LOST
    assert lean.pin_hash == ""
    # and the desk's full status says the same for the kiosk
    full = borrower_status(borrower=Borrower.objects.get(pk=borrower.pk), today=TODAY)
    assert full.blocks[Channel.KIOSK].reason is Reason.CARD_LOST
    assert full.blocks[Channel.KIOSK].sentences == lean.block.sentences
    assert full.blocks[Channel.PORTAL].reason is Reason.CARD_LOST
    assert full.blocks[Channel.DESK].allowed
    assert full.blocks[Channel.DESK].warning


def test_an_old_card_finds_its_borrower_blocked_as_replaced_and_hides_the_new_number():
    # given a borrower with a fee open whose card was replaced (not reported)
    gent = make_instance()
    borrower = make_borrower(gent)
    _fee_open(borrower, make_type(gent))
    old = _replaced(borrower)
    # when a kiosk looks up the old card
    with CaptureQueriesContext(connection) as queries:
        lean = kiosk_patron(card_number=old, instance_ids=[gent.pk], today=TODAY)
    # then the borrower is known, blocked because the card is old, with the facts of
    # their account as the lookup of the new card gives them
    assert lean is not None
    assert lean.id == borrower.pk
    assert lean.card_number == old  # the new number is not told to whoever holds the old
    assert lean.card is CardState.REPLACED
    assert lean.block.reason is Reason.CARD_REPLACED
    assert not lean.allowed
    assert lean.pin_hash == ""
    current = kiosk_patron(card_number="C-NEW-0001", instance_ids=[gent.pk], today=TODAY)
    assert current is not None
    assert current.block.reason is Reason.FEE_OPEN
    assert (lean.open_amount, lean.membership) == (current.open_amount, current.membership)
    # the miss, the card history, and the current card's lookup
    assert len(queries.captured_queries) == 3


def test_an_old_card_reported_before_it_was_replaced_stays_reported():
    gent = make_instance()
    borrower = make_borrower(gent)
    _active(borrower, make_type(gent))
    _reported(borrower, "stolen")
    old = _replaced(borrower)
    lean = kiosk_patron(card_number=old, instance_ids=[gent.pk], today=TODAY)
    assert lean is not None
    assert lean.card is CardState.STOLEN
    assert lean.block.reason is Reason.CARD_LOST
    # the new card is fine
    current = kiosk_patron(card_number="C-NEW-0001", instance_ids=[gent.pk], today=TODAY)
    assert current is not None
    assert current.allowed
    assert current.card is CardState.OK


def test_an_old_card_of_a_borrower_the_terminal_does_not_see_is_unknown():
    gent, brugge = make_instance("GENT"), make_instance("BRUGGE")
    borrower = make_borrower(brugge)
    old = _replaced(borrower)
    assert kiosk_patron(card_number=old, instance_ids=[gent.pk], today=TODAY) is None
    assert kiosk_patron(card_number=old, instance_ids=[brugge.pk], today=TODAY) is not None


def test_an_unknown_card_costs_the_lookup_and_one_look_in_the_card_history():
    gent = make_instance()
    make_borrower(gent)
    with CaptureQueriesContext(connection) as queries:
        assert kiosk_patron(card_number="NOBODY", instance_ids=[gent.pk], today=TODAY) is None
    assert len(queries.captured_queries) == 2


def test_no_pin_is_checked_for_a_reported_or_an_old_card():
    # given a borrower with a PIN
    gent = make_instance()
    borrower = with_pin(make_borrower(gent))
    card = borrower.card_number
    assert kiosk_pin_hash(card_number=card, instance_ids=[gent.pk]) == borrower.pin_hash
    # when the card is reported, then it has no PIN to check
    _reported(borrower, "lost")
    assert kiosk_pin_hash(card_number=card, instance_ids=[gent.pk]) is None
    # when it is replaced, then the old number has none, and the new one the PIN
    _replaced(borrower)
    assert kiosk_pin_hash(card_number=card, instance_ids=[gent.pk]) is None
    assert kiosk_pin_hash(card_number="C-NEW-0001", instance_ids=[gent.pk]) == borrower.pin_hash
