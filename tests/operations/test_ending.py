"""R12: ending a membership early with a reason, its effects, and undoing it."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.batching import BatchContext
from lidgeld.circulation.models import ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.domain.blocks import Channel, Reason
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.lifecycle.tick import dunning_with_notices, tick_run
from lidgeld.memberships.models import Membership, MembershipEnding, MembershipStatus, TypeKind
from lidgeld.notices.batch import cae_notices_queue
from lidgeld.notices.models import Message, MessageStatus
from lidgeld.operations.ending import ending_preview, membership_end, membership_end_reverse
from lidgeld.operations.renewals import membership_renew
from lidgeld.scope import Scope
from lidgeld.standing.kiosk import kiosk_patron
from lidgeld.standing.status import borrower_status
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_loan,
    make_membership,
    make_message,
    make_open_fee,
    make_reservation,
    make_type,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
NOW = at_nine(TODAY)


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def adult(gent):
    return make_type(gent)


@pytest.fixture
def member(gent, adult):
    """A borrower whose period runs from 1 May 2025 until 30 April 2026, fee open."""
    borrower = make_borrower(gent)
    period = make_membership(borrower, adult, date(2025, 5, 1))
    make_open_fee(period, date(2025, 5, 1))
    return borrower


def end(borrower, reason, effective="today", **options):
    options.setdefault("today", TODAY)
    options.setdefault("now", at_nine(options["today"]))
    return membership_end(
        borrower=borrower, reason=reason, effective=effective, actor="staff:coord", **options
    )


def run(day: date):
    now = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=2))
    return tick_run(today=day, now=now)


class TestDeceased:
    def test_every_channel_is_blocked_the_fee_written_off_reservations_cancelled(
        self, gent, member
    ):
        reservation = make_reservation(member, make_item(gent), date(2026, 4, 1))
        queued = make_message(member, date(2026, 4, 9), status="queued")
        result = end(member, "deceased")

        status = borrower_status(borrower=member, today=TODAY)
        assert {c: b.allowed for c, b in status.blocks.items()} == dict.fromkeys(Channel, False)
        assert status.blocks[Channel.DESK].reason is Reason.DECEASED
        assert status.ending == result.ending
        posting = Posting.objects.get(borrower=member)
        assert posting.status == PostingStatus.WRITTEN_OFF
        assert posting.write_off.reason == "Lidmaatschap beëindigd: lener overleden"
        reservation.refresh_from_db()
        assert reservation.status == ReservationStatus.CANCELLED
        queued.refresh_from_db()
        assert queued.status == MessageStatus.SKIPPED
        period = member.memberships.get()
        assert (period.status, period.invalidated_on) == (MembershipStatus.INVALIDATED, TODAY)
        event = AuditEvent.objects.get(action="membership.ended_early")
        assert event.after["reason"] == "deceased"
        assert event.after["reservations_cancelled"] == 1

    def test_no_cae_on_the_next_first(self, gent, adult):
        # Both periods end on 31 May: the 1st of May announces that, but not to the dead.
        deceased, other = make_borrower(gent), make_borrower(gent)
        for borrower in (deceased, other):
            make_membership(borrower, adult, date(2025, 6, 1))
        end(deceased, "deceased")
        run(date(2026, 5, 1))
        assert not Message.objects.filter(borrower=deceased).exists()
        assert Message.objects.filter(borrower=other, kind="AE").count() == 1

    def test_cannot_take_effect_at_the_period_end(self, member):
        with pytest.raises(InvalidInput) as refused:
            end(member, "deceased", effective="period_end")
        assert refused.value.code == "effective_not_allowed"
        assert not MembershipEnding.objects.exists()

    def test_a_borrower_whose_membership_expired_can_be_recorded_as_deceased(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, date(2024, 1, 1), status=MembershipStatus.ENDED)
        result = end(borrower, "deceased")
        assert result.ending.membership is None
        blocks = borrower_status(borrower=borrower, today=TODAY).blocks
        assert blocks[Channel.DESK].reason is Reason.DECEASED


class TestAtRequest:
    def test_open_loans_warn_and_the_desk_can_go_on(self, gent, member):
        make_loan(member, make_item(gent, "Het Achterhuis"), date(2026, 4, 1))
        with pytest.raises(Refused) as refused:
            end(member, "at_request")
        assert refused.value.code == "open_loans"
        assert "Het Achterhuis" in refused.value.message
        assert not MembershipEnding.objects.exists()
        result = end(member, "at_request", confirm=True)
        assert result.open_loans == 1

    def test_the_open_fee_stays_and_reservations_are_held_not_cancelled(self, gent, member):
        reservation = make_reservation(member, make_item(gent), date(2026, 4, 1))
        end(member, "at_request")
        assert Posting.objects.get(borrower=member).status == PostingStatus.OPEN
        reservation.refresh_from_db()
        assert reservation.status == ReservationStatus.WAITING  # the daily run holds it
        status = borrower_status(borrower=member, today=TODAY)
        assert status.blocks[Channel.PORTAL].reason is Reason.ENDED
        assert status.blocks[Channel.KIOSK].allowed is False

    def test_dunning_stops_for_the_open_fee(self, gent, member):
        end(member, "at_request")
        run(date(2026, 6, 1))  # booked May 2025: would be "unpaid" from 1 November 2025
        posting = Posting.objects.get(borrower=member)
        assert (posting.status, posting.stage) == (PostingStatus.OPEN, "open")
        assert not Message.objects.filter(borrower=member).exists()

    def test_at_the_period_end_the_period_runs_on_without_its_cae(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, date(2025, 6, 1))  # until 31 May 2026
        result = end(borrower, "at_request", effective="period_end")
        assert result.ending.effective == date(2026, 5, 31)
        assert borrower_status(borrower=borrower, today=TODAY).blocks[Channel.KIOSK].allowed
        run(date(2026, 5, 1))
        assert not Message.objects.filter(borrower=borrower).exists()
        run(date(2026, 6, 1))
        blocks = borrower_status(borrower=borrower, today=date(2026, 6, 1)).blocks
        assert blocks[Channel.DESK].reason is Reason.ENDED

    def test_a_free_auto_renewing_period_is_not_renewed_once_ended(self, gent):
        youth = make_type(gent, code="JEUGD", kind=TypeKind.FREE_AUTO)
        borrower = make_borrower(gent)
        make_membership(borrower, youth, date(2025, 5, 1))  # until 30 April 2026
        end(borrower, "moved", effective="period_end")
        run(date(2026, 5, 1))
        assert list(borrower.memberships.values_list("status", flat=True)) == ["ended"]

    def test_periods_renewed_in_advance_stop_too(self, gent, adult, member):
        later = make_membership(member, adult, date(2026, 5, 1))
        result = end(member, "moved", effective="period_end")
        later.refresh_from_db()
        assert later.status == MembershipStatus.INVALIDATED
        assert result.periods == [later.pk]
        assert member.memberships.get(start=date(2025, 5, 1)).status == MembershipStatus.ACTIVE


def test_a_second_ending_is_refused(member):
    end(member, "moved")
    with pytest.raises(Refused) as refused:
        end(member, "administrative")
    assert refused.value.code == "already_ended"


def test_a_desk_account_may_not_end_a_membership(gent, member):
    desk = Scope(actor="staff:desk", instance_ids=frozenset({gent.pk}), role="desk")
    with pytest.raises(Refused) as refused:
        end(member, "moved", within=desk)
    assert refused.value.code == "role_too_low"
    coordinator = Scope(actor="staff:c", instance_ids=frozenset({gent.pk}), role="coordinator")
    end(member, "moved", within=coordinator)


def test_the_preview_says_what_will_happen(gent, member):
    make_reservation(member, make_item(gent), date(2026, 4, 1))
    preview = ending_preview(borrower=member, reason="deceased", effective="today", today=TODAY)
    assert preview.problem is None
    assert preview.effective_on == TODAY
    assert preview.reservations == 1
    assert str(preview.open_amount) == "12.00"
    assert "Every reservation is cancelled." in preview.sentences


class TestReversal:
    def test_within_30_days_the_period_is_valid_again(self, gent, member):
        reservation = make_reservation(member, make_item(gent), date(2026, 4, 1))
        ending = end(member, "deceased").ending
        result = membership_end_reverse(
            ending=ending, today=date(2026, 5, 10), now=at_nine(date(2026, 5, 10)), actor="c"
        )
        period = member.memberships.get()
        assert (period.status, period.invalidated_on) == (MembershipStatus.ACTIVE, None)
        assert (result.kept_written_off, result.kept_cancelled) == (1, 1)
        reservation.refresh_from_db()
        assert reservation.status == ReservationStatus.CANCELLED  # not put back
        status = borrower_status(borrower=member, today=date(2026, 4, 11))
        assert status.ending is None
        assert status.blocks[Channel.DESK].allowed
        assert AuditEvent.objects.filter(action="membership.ending_undone").count() == 1

    def test_after_30_days_it_is_refused(self, member):
        ending = end(member, "moved").ending
        with pytest.raises(InvalidInput) as refused:
            membership_end_reverse(
                ending=ending, today=date(2026, 5, 11), now=at_nine(date(2026, 5, 11)), actor="c"
            )
        assert refused.value.code == "reversal_too_late"
        assert member.memberships.get().status == MembershipStatus.INVALIDATED

    def test_only_a_coordinator_undoes(self, gent, member):
        ending = end(member, "moved").ending
        desk = Scope(actor="staff:desk", instance_ids=frozenset({gent.pk}), role="desk")
        with pytest.raises(Refused):
            membership_end_reverse(ending=ending, today=TODAY, now=NOW, actor="d", within=desk)

    def test_the_dunning_follows_the_fee_again(self, member):
        ending = end(member, "at_request").ending
        membership_end_reverse(ending=ending, today=TODAY, now=NOW, actor="c")
        run(TODAY)  # booked May 2025: the follow-up catches up and writes it off (R6)
        assert Posting.objects.get(borrower=member).stage == "written_off"

    def test_undoing_twice_is_refused(self, member):
        ending = end(member, "moved").ending
        membership_end_reverse(ending=ending, today=TODAY, now=NOW, actor="c")
        with pytest.raises(Refused) as refused:
            membership_end_reverse(ending=ending, today=TODAY, now=NOW, actor="c")
        assert refused.value.code == "already_undone"


def test_the_cae_step_runs_as_many_queries_whatever_the_number_of_endings(gent, adult):
    first = date(2026, 5, 1)
    ctx = BatchContext(day=first, run_on=first, now=at_nine(first), actor="job:tick")

    def queries_with(endings: int) -> int:
        Message.objects.all().delete()
        for _n in range(endings):
            borrower = make_borrower(gent)
            make_membership(borrower, adult, date(2025, 6, 1))
            end(borrower, "moved", effective="period_end", today=TODAY)
        with CaptureQueriesContext(connection) as captured:
            cae_notices_queue(instance=gent, ctx=ctx)
        return len(captured)

    assert queries_with(1) == queries_with(5)
    assert not Message.objects.exists()


def test_the_kiosk_refuses_a_deceased_borrower_too(gent, member):
    assert kiosk_patron(card_number=member.card_number, instance_ids=[gent.pk], today=TODAY)
    end(member, "deceased")
    patron = kiosk_patron(card_number=member.card_number, instance_ids=[gent.pk], today=TODAY)
    assert patron is not None
    assert not patron.allowed
    # and says why, as the desk does: not "the fee was not paid"
    assert patron.block.reason is Reason.DECEASED


def test_a_deceased_borrower_is_never_renewed(gent, adult, member):
    # given a death recorded at the desk
    end(member, "deceased")
    # when someone tries to renew the card
    with pytest.raises(Refused, match="no new period") as refused:
        membership_renew(borrower=member, paid=True, today=TODAY, now=NOW, actor="staff:desk")
    # then it is refused, and no period was made
    assert refused.value.code == "membership_ended_for_good"
    assert not Membership.objects.filter(borrower=member, start__gte=TODAY).exists()


def test_a_borrower_who_moved_may_come_back_and_renew(gent, adult, member):
    end(member, "moved")
    result = membership_renew(borrower=member, paid=True, today=TODAY, now=NOW, actor="staff:d")
    assert result.renewed


def test_the_dunning_step_runs_as_many_queries_whatever_the_number_of_endings(gent, adult):
    first = date(2026, 5, 1)
    ctx = BatchContext(day=first, run_on=first, now=at_nine(first), actor="job:tick")

    def queries_with(endings: int) -> int:
        for _n in range(endings):
            borrower = make_borrower(gent)
            make_open_fee(make_membership(borrower, adult, date(2025, 6, 1)), date(2026, 3, 5))
            end(borrower, "at_request")
        with CaptureQueriesContext(connection) as captured:
            dunning_with_notices(instance=gent, ctx=ctx)
        return len(captured)

    assert queries_with(1) == queries_with(5)
    assert set(Posting.objects.values_list("stage", flat=True)) == {"open"}
    assert not Message.objects.exists()
