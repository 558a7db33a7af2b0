"""R12 at registration and renewal: a type the borrower's age does not fit on the new
period's start is refused with the reason; past a youth type's maximum age the renewal
takes the type that follows."""

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.memberships.models import Membership, MembershipType, TypeKind
from lidgeld.memberships.services import membership_type_limits_set
from lidgeld.operations.registration import borrower_register
from lidgeld.operations.renewals import membership_renew, memberships_renew, renewal_plan
from tests.factories import make_borrower, make_instance, make_membership, make_type

pytestmark = pytest.mark.django_db

DAY = date(2027, 1, 10)


@pytest.fixture
def gent():
    return make_instance()


@pytest.fixture
def adult(gent):
    membership_type = make_type(gent, code="VOLW", fee="12.00")
    MembershipType.objects.filter(pk=membership_type.pk).update(min_age=18, name="Volwassene")
    membership_type.refresh_from_db()
    return membership_type


@pytest.fixture
def youth(gent, adult):
    membership_type = make_type(gent, code="JEUGD", kind=TypeKind.FREE_AUTO)
    return membership_type_limits_set(
        membership_type=membership_type,
        min_age=0,
        max_age=17,
        next_type=adult,
        today=DAY,
        now=at_nine(DAY),
        actor="t",
    )


def register(gent, membership_type, birth_date, start=DAY, card="2001"):
    return borrower_register(
        card_number=card,
        first_name="Lien",
        last_name="Claes",
        instance=gent,
        birth_date=birth_date,
        membership_type=membership_type,
        start=start,
        today=DAY,
        now=at_nine(DAY),
        actor="t",
    )


class TestRegistration:
    def test_a_type_the_age_does_not_fit_is_refused_with_the_reason(self, gent, youth):
        with pytest.raises(Refused) as refused:
            register(gent, youth, date(2008, 12, 1))
        assert refused.value.code == "age_does_not_fit"
        assert refused.value.localized("nl") == (
            "Jeugd is voor leeftijden van 0 tot 17; op 10/01/2027 is deze lener 18"
        )
        assert not Membership.objects.exists()

    def test_the_age_counts_on_the_start_of_the_period(self, gent, youth, adult):
        # 17 today, 18 on the chosen start
        with pytest.raises(Refused):
            register(gent, youth, date(2009, 2, 1), start=date(2027, 2, 1))
        with pytest.raises(Refused, match="Volwassene is for ages 18 and over"):
            register(gent, adult, date(2009, 2, 1))

    def test_a_fitting_type_or_no_birth_date_registers(self, gent, youth):
        assert register(gent, youth, date(2012, 5, 5)).memberships.count() == 1
        assert register(gent, youth, None, card="2002").memberships.count() == 1


class TestRenewal:
    def test_past_the_maximum_the_plan_suggests_the_type_that_follows(self, gent, youth, adult):
        borrower = make_borrower(gent, birth_date=date(2009, 1, 15))
        make_membership(borrower, youth, start=date(2026, 2, 1))  # ends 31/01/2027
        plan = renewal_plan(borrower=borrower, today=DAY)
        assert plan.membership_type == adult
        assert plan.replaced_type == youth
        assert plan.age_refusal is None
        assert plan.period.start == date(2027, 2, 1)

    def test_a_renewal_takes_the_suggestion_and_books_its_fee(self, gent, youth, adult):
        borrower = make_borrower(gent, birth_date=date(2009, 1, 15))
        make_membership(borrower, youth, start=date(2026, 2, 1))
        result = membership_renew(
            borrower=borrower, paid=False, today=DAY, now=at_nine(DAY), actor="t"
        )
        assert result.membership.type == adult
        assert result.posting.amount == Decimal("12.00")

    def test_the_bulk_renewal_takes_the_suggestion_too(self, gent, youth, adult):
        borrower = make_borrower(gent, birth_date=date(2009, 1, 15))
        make_membership(borrower, youth, start=date(2026, 2, 1))
        [result] = memberships_renew(
            card_numbers=[borrower.card_number],
            paid=False,
            today=DAY,
            now=at_nine(DAY),
            actor="t",
        )
        assert result.renewed
        assert result.membership.type == adult

    def test_still_young_enough_on_the_new_start_keeps_the_type(self, gent, youth):
        borrower = make_borrower(gent, birth_date=date(2009, 2, 2))
        make_membership(borrower, youth, start=date(2026, 2, 1))
        plan = renewal_plan(borrower=borrower, today=DAY)
        assert (plan.membership_type, plan.replaced_type) == (youth, None)

    def test_a_chosen_type_the_age_does_not_fit_is_refused_with_the_reason(self, gent, youth):
        borrower = make_borrower(gent, birth_date=date(2009, 1, 15))
        make_membership(borrower, youth, start=date(2026, 2, 1))
        plan = renewal_plan(borrower=borrower, today=DAY, membership_type=youth)
        assert plan.age_refusal is not None
        assert "on 01/02/2027 this borrower is 18" in plan.age_refusal.message
        with pytest.raises(Refused, match="Jeugd is for ages 0 to 17"):
            membership_renew(
                borrower=borrower,
                paid=False,
                today=DAY,
                now=at_nine(DAY),
                actor="t",
                membership_type=youth,
            )
        assert Membership.objects.filter(borrower=borrower).count() == 1

    def test_without_a_birth_date_the_plan_says_the_age_was_not_checked(self, gent, youth):
        borrower = make_borrower(gent)
        make_membership(borrower, youth, start=date(2026, 2, 1))
        plan = renewal_plan(borrower=borrower, today=DAY)
        assert plan.membership_type == youth
        assert plan.age_unchecked
        assert plan.age_refusal is None


class TestTypeLimits:
    def test_reversed_limits_are_refused(self, gent, youth):
        with pytest.raises(InvalidInput, match="minimum age"):
            membership_type_limits_set(
                membership_type=youth,
                min_age=18,
                max_age=17,
                next_type=None,
                today=DAY,
                now=at_nine(DAY),
                actor="t",
            )

    def test_the_type_that_follows_is_of_the_same_library(self, youth):
        other = make_type(make_instance("BRUG"), code="VOLW")
        with pytest.raises(InvalidInput, match="another library"):
            membership_type_limits_set(
                membership_type=youth,
                min_age=None,
                max_age=17,
                next_type=other,
                today=DAY,
                now=at_nine(DAY),
                actor="t",
            )

    def test_a_type_cannot_follow_itself(self, youth):
        with pytest.raises(InvalidInput, match="cannot follow itself"):
            membership_type_limits_set(
                membership_type=youth,
                min_age=None,
                max_age=17,
                next_type=youth,
                today=DAY,
                now=at_nine(DAY),
                actor="t",
            )
