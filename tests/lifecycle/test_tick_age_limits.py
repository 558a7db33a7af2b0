"""R12 in the daily run: a free youth period is not renewed past the type's maximum age;
it ends with an age-limit CAE (CAEL) naming the paying type that follows and its price."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lidgeld.lifecycle.models import JobRun
from lidgeld.lifecycle.tick import tick_run
from lidgeld.memberships.models import Membership, MembershipStatus, MembershipType, TypeKind
from lidgeld.notices.models import KIND_AGE_LIMIT, KIND_END_OF_CONTRIBUTION, Message
from lidgeld.notices.rendering import message_render
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db


def run(day: date):
    now = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=2))
    return tick_run(today=day, now=now)


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def adult(gent):
    membership_type = make_type(gent, code="VOLW", fee="12.00")
    MembershipType.objects.filter(pk=membership_type.pk).update(name="Volwassene", min_age=18)
    membership_type.refresh_from_db()
    return membership_type


@pytest.fixture
def youth(gent, adult):
    membership_type = make_type(gent, code="JEUGD", kind=TypeKind.FREE_AUTO)
    MembershipType.objects.filter(pk=membership_type.pk).update(
        min_age=0, max_age=17, next_type=adult
    )
    membership_type.refresh_from_db()
    return membership_type


def youth_member(gent, youth, birth_date):
    borrower = make_borrower(gent, birth_date=birth_date)
    make_membership(borrower, youth, start=date(2026, 2, 1))  # ends 31/01/2027
    return borrower


def live_periods(borrower):
    return list(
        Membership.objects.filter(borrower=borrower)
        .exclude(status=MembershipStatus.ENDED)
        .values_list("start", "end")
    )


class TestTurning18:
    def test_turning_18_before_the_new_start_gets_the_age_cae_on_the_first_of_the_last_month(
        self, gent, youth
    ):
        # given a youth member who turns 18 on 15 January 2027, whose period ends 31/01/2027
        borrower = youth_member(gent, youth, date(2009, 1, 15))
        # when the run goes on 1 January 2027
        run(date(2027, 1, 1))
        # then the age-limit CAE is queued, and no ordinary one
        message = Message.objects.get(borrower=borrower)
        assert (message.kind, message.date) == (KIND_AGE_LIMIT, date(2027, 1, 1))
        text = message_render(message).body_text
        assert "Je jeugdlidmaatschap loopt af op 31/01/2027." in text
        assert "Vanaf 01/02/2027 ben je 18" in text
        assert "word je lid als Volwassene voor € 12,00 per 12 maanden" in text

    def test_and_on_the_first_after_it_is_not_renewed_but_expires(self, gent, youth):
        borrower = youth_member(gent, youth, date(2009, 1, 15))
        run(date(2027, 1, 1))
        report = run(date(2027, 2, 1))
        assert live_periods(borrower) == []
        counts = report.totals()["GENT"]["expiry"]
        assert (counts["expired"], counts["past_max_age"], counts["auto_renewed"]) == (1, 1, 0)
        # one notice only: the run on 1 February sends nothing more
        assert Message.objects.filter(borrower=borrower).count() == 1

    def test_turning_18_on_the_new_start_itself_is_past_the_maximum(self, gent, youth):
        borrower = youth_member(gent, youth, date(2009, 2, 1))
        run(date(2027, 1, 1))
        run(date(2027, 2, 1))
        assert live_periods(borrower) == []

    def test_turning_18_later_is_renewed_as_before(self, gent, youth):
        borrower = youth_member(gent, youth, date(2009, 2, 2))
        run(date(2027, 1, 1))
        run(date(2027, 2, 1))
        assert live_periods(borrower) == [(date(2027, 2, 1), date(2028, 1, 31))]
        assert not Message.objects.filter(borrower=borrower).exists()

    def test_without_a_birth_date_it_is_renewed_as_today(self, gent, youth):
        borrower = youth_member(gent, youth, None)
        run(date(2027, 1, 1))
        run(date(2027, 2, 1))
        assert live_periods(borrower) == [(date(2027, 2, 1), date(2028, 1, 31))]
        assert not Message.objects.filter(borrower=borrower).exists()

    def test_a_29_february_child_turns_18_on_1_march_in_a_common_year(self, gent, youth):
        # born 29/02/2008: 17 on 28/02/2026, 18 on 01/03/2026
        young = make_borrower(gent, birth_date=date(2008, 2, 29))
        make_membership(young, youth, start=date(2025, 3, 1))  # ends 28/02/2026
        run(date(2026, 2, 1))
        run(date(2026, 3, 1))
        assert live_periods(young) == []
        assert Message.objects.get(borrower=young).kind == KIND_AGE_LIMIT

    def test_a_type_without_a_type_that_follows_still_tells_the_borrower(self, gent, youth):
        MembershipType.objects.filter(pk=youth.pk).update(next_type=None)
        borrower = youth_member(gent, youth, date(2009, 1, 15))
        run(date(2027, 1, 1))
        text = message_render(Message.objects.get(borrower=borrower)).body_text
        assert "Kom dan vóór het einde van deze maand langs de balie" in text

    def test_an_already_renewed_youth_member_gets_nothing(self, gent, youth, adult):
        borrower = youth_member(gent, youth, date(2009, 1, 15))
        make_membership(borrower, adult, start=date(2027, 2, 1))
        run(date(2027, 1, 1))
        assert not Message.objects.filter(borrower=borrower).exists()

    def test_the_library_switch_for_caes_covers_the_age_cae(self, gent, youth):
        gent.notice_end_of_contribution = False
        gent.save()
        youth_member(gent, youth, date(2009, 1, 15))
        run(date(2027, 1, 1))
        assert not Message.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_number_of_youth_members(gent, youth, adult):
    def population(size: int) -> None:
        for n in range(size):
            youth_member(gent, youth, date(2009, 1, 1 + n % 28))  # 18 before 1 Feb
            youth_member(gent, youth, date(2009, 3, 1 + n % 28))  # 18 later
            youth_member(gent, youth, None)
            make_membership(make_borrower(gent), adult, start=date(2026, 2, 1))

    def queries_of_the_firsts(size: int) -> tuple[int, int]:
        population(size)
        JobRun.objects.all().delete()
        run(date(2026, 12, 31))
        with CaptureQueriesContext(connection) as january:
            run(date(2027, 1, 1))
        run(date(2027, 1, 31))
        with CaptureQueriesContext(connection) as february:
            run(date(2027, 2, 1))
        return len(january), len(february)

    small = queries_of_the_firsts(2)
    Message.objects.all().delete()
    Membership.objects.filter(start=date(2027, 2, 1)).delete()
    Membership.objects.update(status=MembershipStatus.ACTIVE)
    large = queries_of_the_firsts(20)
    assert Message.objects.filter(kind=KIND_AGE_LIMIT).count() == 22
    assert Message.objects.filter(kind=KIND_END_OF_CONTRIBUTION).count() == 22
    assert Membership.objects.filter(start=date(2027, 2, 1), type=youth).count() == 44
    assert large == small
