"""R12: age limits of membership types.

A person's age on a day counts the birthdays reached by then; someone born on
29 February reaches their birthday on 1 March in a common year (the day after
28 February), so they turn 18 on 1 March, not on 28 February. The daily run asks the
same question of thousands of borrowers at once as a date comparison
(:func:`born_by`), which is why both functions say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lidgeld.domain.sentences import RuleRefusal, gettext_noop

# The widest limits a type may have: a borrower's age, not a typo in the year.
OLDEST_AGE = 130


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``: birthdays reached up to and including ``day``."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def born_by(day: date, age: int) -> date:
    """The last birth date of someone who is at least ``age`` on ``day``: born on or
    before it means ``age_on(birth_date, day) >= age``. (On 29 February ``age`` years
    earlier may not exist: then 28 February, whose birthday is reached on that day.)"""
    year = day.year - age
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


@dataclass(frozen=True)
class AgeLimits:
    """A type's limits: ``minimum`` and ``maximum`` ages included, None for none."""

    type_name: str
    minimum: int | None = None
    maximum: int | None = None

    @property
    def any(self) -> bool:
        return self.minimum is not None or self.maximum is not None


# The sentences, whole, so a catalogue can translate each one (gettext_noop marks them).
_REFUSALS = {
    "both": gettext_noop(
        "%(type)s is for ages %(low)s to %(high)s; on %(day)s this borrower is %(age)s"
    ),
    "low": gettext_noop(
        "%(type)s is for ages %(low)s and over; on %(day)s this borrower is %(age)s"
    ),
    "high": gettext_noop(
        "%(type)s is for ages up to %(high)s; on %(day)s this borrower is %(age)s"
    ),
}


def age_fits(limits: AgeLimits, *, birth_date: date | None, day: date) -> bool:
    """Whether a borrower born on ``birth_date`` fits ``limits`` on ``day``. Without a
    birth date the limits cannot be checked and the type fits (the caller says so where
    staff should know: :func:`age_unchecked`)."""
    if birth_date is None or not limits.any:
        return True
    age = age_on(birth_date, day)
    if limits.minimum is not None and age < limits.minimum:
        return False
    return limits.maximum is None or age <= limits.maximum


def age_unchecked(limits: AgeLimits, *, birth_date: date | None) -> bool:
    """The type has limits but the borrower has no birth date to check them against."""
    return birth_date is None and limits.any


def age_check(limits: AgeLimits, *, birth_date: date | None, day: date) -> None:
    """Refused, with the limits and the borrower's age on ``day``, when they do not fit."""
    if age_fits(limits, birth_date=birth_date, day=day):
        return
    assert birth_date is not None
    if limits.minimum is not None and limits.maximum is not None:
        which = "both"
    else:
        which = "low" if limits.minimum is not None else "high"
    raise RuleRefusal(
        _REFUSALS[which],
        code="age_does_not_fit",
        params={
            "type": limits.type_name,
            "low": limits.minimum,
            "high": limits.maximum,
            "day": day,
            "age": age_on(birth_date, day),
        },
    )


def past_maximum(limits: AgeLimits, *, birth_date: date | None, day: date) -> bool:
    """Older than the type's maximum age on ``day`` (R12: not renewed automatically)."""
    if birth_date is None or limits.maximum is None:
        return False
    return age_on(birth_date, day) > limits.maximum


def age_limits_check(minimum: int | None, maximum: int | None) -> None:
    """A type's limits as typed: ages from 0 to OLDEST_AGE, the minimum not above the
    maximum."""
    for age in (minimum, maximum):
        if age is not None and not 0 <= age <= OLDEST_AGE:
            raise RuleRefusal(
                gettext_noop("an age limit is between 0 and %(most)s, not %(age)s"),
                code="age_limit_out_of_range",
                params={"most": OLDEST_AGE, "age": age},
            )
    if minimum is not None and maximum is not None and minimum > maximum:
        raise RuleRefusal(
            gettext_noop("the minimum age (%(low)s) is above the maximum age (%(high)s)"),
            code="age_limits_reversed",
            params={"low": minimum, "high": maximum},
        )
