"""The daily run: R2, R3, R4, R6 on the right days, once, in order."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.circulation.models import Reservation, ReservationStatus
from lidgeld.clock import at_nine, clock
from lidgeld.finance.models import Posting, PostingStatus, WriteOff
from lidgeld.lifecycle.models import JobRun
from lidgeld.lifecycle.tick import STEP_NAMES, tick_run
from lidgeld.memberships.models import Membership, MembershipStatus, Origin, TypeKind
from lidgeld.notices.models import Message, MessageStatus
from lidgeld.notices.rendering import messages_render
from lidgeld.operations.renewals import membership_renew
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_open_fee,
    make_reservation,
    make_type,
)

pytestmark = pytest.mark.django_db


def run(day: date, **options):
    now = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=2))
    return tick_run(today=day, now=now, **options)


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def adult(gent):
    return make_type(gent)


def snapshot():
    return {
        "memberships": sorted(Membership.objects.values_list("id", "status", "start", "end")),
        "postings": sorted(Posting.objects.values_list("id", "status", "stage", "balance")),
        "reservations": sorted(Reservation.objects.values_list("id", "status")),
        "messages": Message.objects.count(),
        "audit": AuditEvent.objects.count(),
        "ledger": JobRun.objects.count(),
    }


class TestEndOfContributionNotice:
    def test_on_the_first_every_month_end_expiry_gets_one_cae(self, gent, adult):
        free = make_type(gent, code="GRATIS", kind=TypeKind.FREE)
        paying = make_membership(make_borrower(gent), adult, start=date(2025, 5, 1))
        free_one = make_membership(make_borrower(gent), free, start=date(2025, 5, 1))
        run(date(2026, 4, 1))
        assert set(Message.objects.values_list("membership_id", "type", "kind", "date")) == {
            (paying.pk, "C", "AE", date(2026, 4, 1)),
            (free_one.pk, "C", "AE", date(2026, 4, 1)),
        }

    def test_no_cae_for_free_auto_renewing_types(self, gent):
        auto = make_type(gent, code="SENIOR", kind=TypeKind.FREE_AUTO)
        make_membership(make_borrower(gent), auto, start=date(2025, 5, 1))
        run(date(2026, 4, 1))
        assert not Message.objects.exists()

    def test_no_cae_for_a_borrower_already_renewed(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, start=date(2025, 5, 1))
        make_membership(borrower, adult, start=date(2026, 5, 1), created_on=date(2026, 3, 20))
        run(date(2026, 4, 1))
        assert not Message.objects.exists()

    def test_no_cae_for_memberships_ending_later(self, gent, adult):
        make_membership(make_borrower(gent), adult, start=date(2025, 6, 1))  # ends 31 May
        run(date(2026, 4, 1))
        assert not Message.objects.exists()

    def test_a_borrower_without_email_gets_a_letter(self, gent, adult):
        make_membership(make_borrower(gent, email=""), adult, start=date(2025, 5, 1))
        make_membership(make_borrower(gent, email="not an address"), adult, start=date(2025, 5, 1))
        run(date(2026, 4, 1))
        assert list(Message.objects.values_list("channel", flat=True)) == ["letter", "letter"]

    def test_the_text_is_the_seeds_standard_text_in_the_borrowers_language(self, gent, adult):
        make_membership(make_borrower(gent, first_name="Els"), adult, start=date(2025, 5, 1))
        make_membership(
            make_borrower(gent, language="fr", first_name="Luc"), adult, start=date(2025, 5, 1)
        )
        run(date(2026, 4, 1))
        # the run queues; the text is rendered just before delivery
        assert set(Message.objects.values_list("rendered_at", flat=True)) == {None}
        messages_render(list(Message.objects.all()), now=clock.now())
        dutch = Message.objects.get(language="nl")
        french = Message.objects.get(language="fr")
        assert dutch.body.startswith("Beste Els,")
        assert "Binnenkort loopt je lidmaatschap in onze bibliotheek af." in dutch.body
        assert "Mijn Bibliotheek blijven verlengen en reserveren" in dutch.body
        assert dutch.status == MessageStatus.QUEUED
        assert french.body.startswith("Bonjour Luc,")

    def test_a_cae_more_than_the_maximum_delay_late_is_skipped(self, gent, adult):
        # given the system was down from 31 March to 9 April
        run(date(2026, 3, 31))
        make_membership(make_borrower(gent), adult, start=date(2025, 5, 1))
        # when it runs again on 9 April (8 days late, maximum 7)
        run(date(2026, 4, 9))
        message = Message.objects.get()
        assert message.date == date(2026, 4, 1)
        assert message.status == MessageStatus.SKIPPED
        assert "8 dagen te laat" in message.last_error

    def test_a_cae_within_the_maximum_delay_is_still_sent(self, gent, adult):
        run(date(2026, 3, 31))
        make_membership(make_borrower(gent), adult, start=date(2025, 5, 1))
        run(date(2026, 4, 8))
        assert Message.objects.get().status == MessageStatus.QUEUED


class TestExpiry:
    def test_on_the_first_a_period_ending_last_month_ends(self, gent, adult):
        membership = make_membership(make_borrower(gent), adult, start=date(2025, 4, 1))
        run(date(2026, 3, 31))
        membership.refresh_from_db()
        assert membership.status == MembershipStatus.ACTIVE
        report = run(date(2026, 4, 1))
        membership.refresh_from_db()
        assert membership.status == MembershipStatus.ENDED
        assert report.totals()["GENT"]["expiry"]["expired"] == 1

    def test_free_auto_renewing_gets_a_new_period_instead(self, gent):
        auto = make_type(gent, code="SENIOR", kind=TypeKind.FREE_AUTO, months=12)
        borrower = make_borrower(gent)
        make_membership(borrower, auto, start=date(2025, 4, 1))
        report = run(date(2026, 4, 1))
        new = Membership.objects.get(borrower=borrower, status=MembershipStatus.ACTIVE)
        assert (new.start, new.end, new.origin) == (
            date(2026, 4, 1),
            date(2027, 3, 31),
            Origin.AUTOMATIC,
        )
        assert not Posting.objects.exists()
        assert report.totals()["GENT"]["expiry"] == {
            "expired": 0,
            "auto_renewed": 1,
            "periods_closed": 1,
        }


class TestReservations:
    def test_an_expired_borrowers_reservation_is_held_and_resumes_after_renewal(self, gent, adult):
        # given a borrower whose membership ends on 31 March with a reservation
        borrower = make_borrower(gent)
        make_membership(borrower, adult, start=date(2025, 4, 1))
        item = make_item(gent)
        earlier = make_reservation(make_borrower(gent), item, placed_on=date(2026, 3, 1))
        reservation = make_reservation(borrower, item, placed_on=date(2026, 3, 2))
        make_membership(earlier.borrower, adult, start=date(2025, 12, 1))
        run(date(2026, 3, 31))
        # when it expires on 1 April
        run(date(2026, 4, 1))
        reservation.refresh_from_db()
        # then the reservation is kept, held since that day
        assert (reservation.status, reservation.held_since) == (
            ReservationStatus.HELD,
            date(2026, 4, 1),
        )
        # and after renewal on 10 April it waits again, second in the queue as before
        membership_renew(
            borrower=borrower,
            paid=True,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )
        reservation.refresh_from_db()
        assert reservation.status == ReservationStatus.WAITING
        from lidgeld.circulation.selectors import reservations_with_position

        assert [r.position for r in reservations_with_position(borrower.pk)] == [2]

    def test_the_run_resumes_a_held_reservation_when_a_membership_starts(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, start=date(2026, 4, 5))
        reservation = make_reservation(
            borrower, make_item(gent), placed_on=date(2026, 4, 1), status=ReservationStatus.HELD
        )
        run(date(2026, 4, 5))
        reservation.refresh_from_db()
        assert reservation.status == ReservationStatus.WAITING


class TestDunning:
    """The seed's worked example (R6): renewed in April 2026 with the fee open."""

    @pytest.fixture
    def fee(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, start=date(2025, 4, 1))
        run(date(2026, 4, 9))
        result = membership_renew(
            borrower=borrower,
            paid=False,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )
        return result.posting

    # The seed's dates, in order: one walk through the days checks each of them (a walk
    # per date would run the same months of daily runs six times over).
    SEED_DATES = [
        (date(2026, 4, 30), "open", "open"),
        (date(2026, 5, 1), "reminder", "open"),
        (date(2026, 9, 30), "reminder", "open"),
        (date(2026, 10, 1), "unpaid", "open"),
        (date(2026, 11, 30), "unpaid", "open"),
        (date(2026, 12, 1), "written_off", "written_off"),
    ]

    def test_stages_on_the_seeds_dates_then_the_write_off_and_its_history(self, fee):
        for day, stage, status in self.SEED_DATES:
            run(day)
            fee.refresh_from_db()
            assert (fee.stage, fee.status) == (stage, status), day
        # on 1 December the membership is invalidated and the fee written off
        assert fee.balance == 0
        assert WriteOff.objects.get(posting=fee).amount == fee.amount
        membership = fee.membership
        membership.refresh_from_db()
        assert (membership.status, membership.invalidated_on) == (
            MembershipStatus.INVALIDATED,
            date(2026, 12, 1),
        )
        # and each transition left one history row
        changes = AuditEvent.objects.filter(action="posting.stage_changed", object_id=fee.pk)
        assert sorted((e.after["stage"], e.business_date) for e in changes) == [
            ("reminder", date(2026, 5, 1)),
            ("unpaid", date(2026, 10, 1)),
        ]

    def test_a_paid_fee_leaves_the_timeline(self, fee):
        from lidgeld.finance.services import payment_register

        run(date(2026, 10, 1))
        payment_register(
            borrower=fee.borrower,
            amount=fee.amount,
            today=date(2026, 10, 15),
            now=at_nine(date(2026, 10, 15)),
            actor="t",
        )
        run(date(2026, 12, 1))
        fee.refresh_from_db()
        assert fee.status == PostingStatus.PAID
        assert not WriteOff.objects.exists()

    def test_dunning_follows_the_instances_own_delays(self):
        instance = make_instance(
            "LOCH", reminder_after_months=2, unpaid_after_months=3, write_off_after_months=4
        )
        membership = make_membership(
            make_borrower(instance), make_type(instance), start=date(2026, 4, 10)
        )
        fee = make_open_fee(membership, booked_on=date(2026, 4, 10))
        run(date(2026, 5, 31))
        run(date(2026, 6, 1))
        fee.refresh_from_db()
        assert fee.stage == "reminder"
        run(date(2026, 8, 1))
        fee.refresh_from_db()
        assert fee.status == PostingStatus.WRITTEN_OFF


class TestLedger:
    def test_the_first_run_on_an_empty_ledger_runs_only_its_own_day(self, gent):
        report = run(date(2026, 4, 10))
        assert report.days == [date(2026, 4, 10)]
        assert set(JobRun.objects.values_list("step", "day")) == {
            (s, date(2026, 4, 10)) for s in STEP_NAMES
        }

    def test_a_second_run_changes_nothing(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, start=date(2025, 4, 1))
        make_open_fee(
            make_membership(make_borrower(gent), adult, start=date(2025, 9, 1)), date(2025, 9, 1)
        )
        run(date(2026, 3, 31))
        run(date(2026, 4, 1))
        before = snapshot()
        report = run(date(2026, 4, 1))
        assert report.days == []
        assert snapshot() == before

    def test_three_months_of_downtime_are_caught_up_day_by_day_once(self, gent, adult):
        # given the last run on 31 January and memberships ending in each month after it
        run(date(2026, 1, 31))
        for start in (date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)):
            make_membership(make_borrower(gent), adult, start=start)
        # when the system comes back on 1 May
        report = run(date(2026, 5, 1))
        # then every day from 1 February to 1 May ran once, in order
        expected_days = [date(2026, 2, 1) + timedelta(days=n) for n in range(90)]
        assert report.days == expected_days
        for step in STEP_NAMES:
            assert JobRun.objects.filter(step=step, day__gte=date(2026, 2, 1)).count() == 90
        # and each 1st produced its CAE, late ones skipped, the one of today queued
        notices = dict(Message.objects.values_list("date", "status"))
        assert notices == {
            date(2026, 2, 1): MessageStatus.SKIPPED,
            date(2026, 3, 1): MessageStatus.SKIPPED,
            date(2026, 4, 1): MessageStatus.SKIPPED,
            date(2026, 5, 1): MessageStatus.QUEUED,
        }
        assert Membership.objects.filter(status=MembershipStatus.ENDED).count() == 3

    def test_a_day_cut_short_is_finished_without_redoing_its_done_steps(self, gent, adult):
        make_membership(make_borrower(gent), adult, start=date(2025, 5, 1))
        run(date(2026, 3, 31))
        run(date(2026, 4, 1))
        # simulate a crash after the first three steps of 1 April
        JobRun.objects.filter(day=date(2026, 4, 1), step__in=["reservations", "cae"]).delete()
        Message.objects.all().delete()
        run(date(2026, 4, 1))
        assert Message.objects.count() == 1
        assert JobRun.objects.filter(day=date(2026, 4, 1)).count() == len(STEP_NAMES)

    def test_a_dry_run_changes_nothing_and_shows_what_would_happen(self, gent, adult):
        borrower = make_borrower(gent)
        make_membership(borrower, adult, start=date(2025, 4, 1))
        run(date(2026, 3, 31))
        before = snapshot()
        report = run(date(2026, 4, 1), dry_run=True, verbose=True)
        assert snapshot() == before
        assert report.totals()["GENT"]["expiry"]["expired"] == 1
        expiry = next(s for s in report.steps if s.step == "expiry")
        assert expiry.cards["expired"] == [borrower.card_number]


def test_the_number_of_queries_does_not_grow_with_the_number_of_borrowers(gent, adult):
    auto = make_type(gent, code="SENIOR", kind=TypeKind.FREE_AUTO)
    item = make_item(gent)

    def population(size: int) -> None:
        for _ in range(size):
            expired = make_borrower(gent)
            make_membership(expired, adult, start=date(2025, 4, 1))
            make_reservation(expired, item, placed_on=date(2026, 3, 1))
            make_membership(make_borrower(gent), auto, start=date(2025, 4, 1))
            make_membership(make_borrower(gent), adult, start=date(2025, 5, 1))
            renewed = make_membership(make_borrower(gent), adult, start=date(2025, 3, 1))
            make_open_fee(renewed, booked_on=date(2025, 8, 20))
            make_open_fee(
                make_membership(make_borrower(gent), adult, start=date(2025, 11, 1)),
                date(2025, 11, 1),
            )
            make_open_fee(
                make_membership(make_borrower(gent), adult, start=date(2026, 3, 5)),
                date(2026, 3, 5),
            )

    def queries_of_the_first(size: int) -> int:
        population(size)
        JobRun.objects.all().delete()
        run(date(2026, 3, 31))
        with CaptureQueriesContext(connection) as queries:
            run(date(2026, 4, 1))
        return len(queries)

    small = queries_of_the_first(2)
    Message.objects.all().delete()
    large = queries_of_the_first(20)
    # the larger run did the work for all 22 of each kind, in as many queries
    assert Message.objects.filter(kind="AE").count() == 22
    assert Reservation.objects.filter(status=ReservationStatus.HELD).count() == 22
    assert Membership.objects.filter(origin=Origin.AUTOMATIC).count() == 22
    assert large == small
