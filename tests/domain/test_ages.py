"""R12: a borrower's age on a day and a type's age limits, without a database."""

from datetime import date

import pytest

from lidgeld.domain.ages import (
    AgeLimits,
    age_check,
    age_fits,
    age_limits_check,
    age_on,
    age_unchecked,
    born_by,
    past_maximum,
)
from lidgeld.domain.sentences import RuleRefusal

YOUTH = AgeLimits("Jeugd", 0, 17)


class TestAgeOn:
    def test_the_birthday_itself_counts(self):
        assert age_on(date(2009, 1, 15), date(2027, 1, 14)) == 17
        assert age_on(date(2009, 1, 15), date(2027, 1, 15)) == 18

    def test_a_29_february_birthday_is_reached_on_1_march_in_a_common_year(self):
        assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
        assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18

    def test_a_29_february_birthday_is_reached_on_29_february_in_a_leap_year(self):
        assert age_on(date(2010, 2, 28), date(2028, 2, 29)) == 18
        assert age_on(date(2008, 2, 29), date(2028, 2, 28)) == 19
        assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20


class TestBornBy:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 2, 28),
            date(2026, 3, 1),
            date(2028, 2, 29),
            date(2027, 2, 1),
            date(2027, 1, 1),
        ],
    )
    def test_born_on_or_before_it_is_exactly_old_enough(self, day):
        latest = born_by(day, 18)
        assert age_on(latest, day) >= 18
        assert age_on(date.fromordinal(latest.toordinal() + 1), day) < 18

    def test_on_29_february_eighteen_years_back_is_28_february_of_a_common_year(self):
        assert born_by(date(2028, 2, 29), 18) == date(2010, 2, 28)


class TestLimits:
    def test_a_youth_member_fits_up_to_the_day_before_18(self):
        assert age_fits(YOUTH, birth_date=date(2009, 2, 1), day=date(2027, 1, 31))
        assert not age_fits(YOUTH, birth_date=date(2009, 2, 1), day=date(2027, 2, 1))

    def test_without_a_birth_date_it_fits_and_says_it_was_not_checked(self):
        assert age_fits(YOUTH, birth_date=None, day=date(2027, 2, 1))
        assert age_unchecked(YOUTH, birth_date=None)
        assert not age_unchecked(AgeLimits("Volwassene"), birth_date=None)
        assert not age_unchecked(YOUTH, birth_date=date(2009, 2, 1))

    def test_a_refusal_says_the_limits_the_day_and_the_age(self):
        with pytest.raises(RuleRefusal) as refused:
            age_check(YOUTH, birth_date=date(2008, 12, 1), day=date(2027, 1, 1))
        assert refused.value.code == "age_does_not_fit"
        assert str(refused.value) == (
            "Jeugd is for ages 0 to 17; on 2027-01-01 this borrower is 18"
        )
        assert refused.value.params["day"] == date(2027, 1, 1)

    def test_only_a_minimum(self):
        adult = AgeLimits("Volwassene", 18, None)
        with pytest.raises(RuleRefusal, match=r"Volwassene is for ages 18 and over; .* is 12"):
            age_check(adult, birth_date=date(2014, 6, 1), day=date(2027, 1, 1))
        age_check(adult, birth_date=date(1980, 6, 1), day=date(2027, 1, 1))

    def test_only_a_maximum(self):
        kids = AgeLimits("Kind", None, 11)
        with pytest.raises(RuleRefusal, match=r"Kind is for ages up to 11; .* is 12"):
            age_check(kids, birth_date=date(2014, 6, 1), day=date(2027, 1, 1))

    def test_past_the_maximum_only_once_older_than_it(self):
        assert not past_maximum(YOUTH, birth_date=date(2009, 2, 2), day=date(2027, 2, 1))
        assert past_maximum(YOUTH, birth_date=date(2009, 2, 1), day=date(2027, 2, 1))
        assert not past_maximum(YOUTH, birth_date=None, day=date(2027, 2, 1))
        assert not past_maximum(
            AgeLimits("Senior", 65), birth_date=date(1900, 1, 1), day=date(2027, 2, 1)
        )


class TestTypedLimits:
    def test_reversed_limits_are_refused(self):
        with pytest.raises(RuleRefusal) as refused:
            age_limits_check(18, 17)
        assert refused.value.code == "age_limits_reversed"

    @pytest.mark.parametrize("age", [-1, 131])
    def test_an_age_out_of_range_is_refused(self, age):
        with pytest.raises(RuleRefusal) as refused:
            age_limits_check(age, None)
        assert refused.value.code == "age_limit_out_of_range"

    def test_one_side_or_none_is_fine(self):
        age_limits_check(None, None)
        age_limits_check(0, 17)
        age_limits_check(18, 18)
