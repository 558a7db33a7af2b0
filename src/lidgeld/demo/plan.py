"""The demo's plan: who the borrowers are and what happens to them on which day, drawn from one seed."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lidgeld.borrowers.models import Borrower
from lidgeld.demo.network import LIBRARIES, SENIOR, SHORT, YEAR, YOUTH
from lidgeld.domain.months import add_months, days_in_month, first_of_month
from lidgeld.domain.renewal import period_end

SEED = 2026
HISTORY_MONTHS = 12  # the replay starts on the 1st, twelve months before today's month

# Where each borrower should stand on ``today``, and the share of the network.
COHORTS: tuple[tuple[str, float], ...] = (
    ("active", 0.28),  # registered on a yearly card, paid
    ("renewed_paid", 0.08),  # short card, renewed at the desk with a yearly one, paid
    ("expiring", 0.12),  # period ends at the end of today's month: CAE on the 1st
    ("fee_open", 0.05),  # renewed this month, fee open
    ("fee_reminder", 0.08),  # renewed 1 to 5 months ago, fee open
    ("fee_unpaid", 0.05),  # renewed 6 or 7 months ago, fee open
    ("written_off", 0.04),  # renewed 8 or 9 months ago, never paid: invalidated
    ("expired", 0.12),  # short card not renewed; most have reservations, now held
    ("free_auto", 0.08),  # free and renewed automatically by the daily run
    ("free", 0.10),  # free, not renewed automatically
)
DUNNING_MONTHS = {
    "fee_open": (0, 0),
    "fee_reminder": (-5, -1),
    "fee_unpaid": (-7, -6),
    "written_off": (-9, -8),
}

FIRST_NAMES = {
    "nl": (
        "Lotte", "Emma", "Marie", "Ella", "Louise", "Noor", "Lena", "Hanne", "Fien", "Julie",
        "An", "Els", "Katrien", "Sofie", "Griet", "Mieke", "Annelies", "Lieve", "Hilde", "Veerle",
        "Lars", "Noah", "Arthur", "Lucas", "Jules", "Wout", "Seppe", "Mathis", "Stijn", "Pieter",
        "Bart", "Koen", "Tom", "Wim", "Dirk", "Jan", "Luc", "Geert", "Frank", "Jef",
    ),
    "fr": (
        "Camille", "Chloé", "Léa", "Manon", "Inès", "Louis", "Hugo", "Théo", "Nathan", "Mathéo",
        "Amélie", "Sébastien", "François", "Hélène", "Jérôme",
    ),
    "en": ("Olivia", "Amelia", "Grace", "Oliver", "Jack", "Harry", "Emily", "James", "Sophie"),
}  # fmt: skip
LAST_NAMES = {
    "nl": (
        "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
        "Wouters", "De Smet", "Vermeulen", "Van de Velde", "Dhondt", "De Vos", "Claeys",
        "Hermans", "Verhaeghe", "Lambrecht", "De Clercq", "Van Damme", "Pauwels", "Martens",
        "Desmet", "Vandenberghe", "Coppens", "Van den Broeck", "De Backer", "Verstraete",
        "Michiels", "Aerts", "Stevens", "Smets", "Vermeersch", "Bogaert", "Van Hecke",
        "De Meyer", "Cools", "D'hooghe", "Van Acker", "Baert",
    ),
    "fr": ("Dubois", "Lambert", "Dupont", "Leroy", "Laurent", "Lemaire", "Renard", "Denis"),
    "en": ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker"),
}  # fmt: skip
MAIL_DOMAINS = ("telenet.example", "skynet.example", "proximus.example", "gmail.example")

# Within one day: new cards first, then renewals, payments and reservations.
REGISTER, RENEW, BULK_RENEW, PAY, RESERVE = range(5)


@dataclass
class Person:
    card: str
    first_name: str
    last_name: str
    email: str
    language: str
    postal_code: str
    birth_date: date
    library: int  # index into LIBRARIES
    cohort: str
    showcase: bool  # the first of its cohort: always shows the cohort's state
    borrower: Borrower | None = None


@dataclass(frozen=True)
class Event:
    day: date
    order: int
    seq: int
    people: tuple[int, ...]
    type_code: str | None = None
    paid: bool = False
    start: date | None = None
    item: int = 0
    half: bool = False


class Plan:
    """Who the borrowers are and what happens to them on which day."""

    def __init__(self, *, today: date, borrowers: int) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.month0 = first_of_month(today)
        self.first_day = add_months(self.month0, -HISTORY_MONTHS)
        self.people: list[Person] = []
        self.events: list[Event] = []
        self.bulk: dict[tuple[date, bool], list[int]] = {}
        self.items_per_library = [
            max(5, borrowers * library.weight // 150) for library in LIBRARIES
        ]
        self._make_people(borrowers)
        for index, person in enumerate(self.people):
            getattr(self, f"_plan_{person.cohort}")(index, person)
        for (day, paid), people in self.bulk.items():
            self._add(day, BULK_RENEW, people=tuple(people), paid=paid)
        self.events.sort(key=lambda event: (event.day, event.order, event.seq))

    # -- dates -------------------------------------------------------------------

    def month(self, offset: int) -> date:
        return add_months(self.month0, offset)

    def day_in(self, offset: int, low: int = 1, high: int = 28) -> date | None:
        """A random day of the month ``offset`` months from today's, not after today."""
        first = self.month(offset)
        high = min(high, days_in_month(first.year, first.month))
        if offset == 0:
            high = min(high, self.today.day)
        if low > high:
            return None
        return first.replace(day=self.rng.randint(low, high))

    def between(self, low: date, high: date) -> date | None:
        high = min(high, self.today)
        if low > high:
            return None
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    # -- people ------------------------------------------------------------------

    def _make_people(self, count: int) -> None:
        sizes = {name: max(1, round(share * count)) for name, share in COHORTS}
        sizes["active"] += count - sum(sizes.values())
        cohorts = [name for name, _ in COHORTS for _ in range(sizes[name])]
        self.rng.shuffle(cohorts)
        seen: set[str] = set()
        weights = [library.weight for library in LIBRARIES]
        for number, cohort in enumerate(cohorts, start=1):
            library = self.rng.choices(range(len(LIBRARIES)), weights=weights)[0]
            language = self.rng.choices(("nl", "fr", "en"), weights=(85, 10, 5))[0]
            first = self.rng.choice(FIRST_NAMES[language])
            last = self.rng.choice(LAST_NAMES[language])
            email = ""
            if self.rng.random() < 0.85:
                suffix = str(self.rng.randint(1, 99)) if self.rng.random() < 0.3 else ""
                domain = self.rng.choice(MAIL_DOMAINS)
                email = f"{_ascii(first)}.{_ascii(last)}{suffix}@{domain}"
            if cohort == "free":
                age = self.rng.randint(4, 17)
            elif cohort == "free_auto":
                age = self.rng.randint(65, 92)
            else:
                age = self.rng.randint(18, 80)
            birth = date(self.today.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
            if cohort == "free" and cohort not in seen:
                # the youth member whose period ends this month and who is 18 on the 1st
                # of next month: the expiring list says "wordt Volwassene"
                next_month = add_months(self.month0, 1)
                birth = next_month.replace(year=next_month.year - 18)
            self.people.append(
                Person(
                    card=f"2{library + 1}{number:07d}",
                    first_name=first,
                    last_name=last,
                    email=email,
                    language=language,
                    postal_code=self.rng.choice(LIBRARIES[library].postal_codes),
                    birth_date=birth,
                    library=library,
                    cohort=cohort,
                    showcase=cohort not in seen,
                )
            )
            seen.add(cohort)

    # -- events ------------------------------------------------------------------

    def _add(self, day: date | None, order: int, **fields: Any) -> None:
        if day is not None and day <= self.today:
            self.events.append(Event(day=day, order=order, seq=len(self.events), **fields))

    def register(
        self, index: int, day: date | None, type_code: str, *, paid: bool, start: date | None = None
    ) -> None:
        self._add(day, REGISTER, people=(index,), type_code=type_code, paid=paid, start=start)

    def renew(self, index: int, day: date | None, *, paid: bool, type_code: str | None) -> None:
        self._add(day, RENEW, people=(index,), type_code=type_code, paid=paid)

    def renew_from_list(self, index: int, day: date | None, *, paid: bool) -> None:
        """Staff tick the borrower on a list (e.g. "expires this month") and renew in bulk."""
        if day is not None and day <= self.today:
            self.bulk.setdefault((day, paid), []).append(index)

    def pay(self, index: int, day: date | None, *, half: bool = False) -> None:
        self._add(day, PAY, people=(index,), half=half)

    def reserve(self, index: int, day: date | None) -> None:
        library = self.people[index].library
        item = self.rng.randrange(self.items_per_library[library])
        self._add(day, RESERVE, people=(index,), item=item)

    def maybe_reserve(self, index: int, low: date | None, share: float) -> None:
        if low is not None and self.rng.random() < share:
            self.reserve(index, self.between(low, self.today))

    # -- cohorts -----------------------------------------------------------------

    def _plan_active(self, index: int, person: Person) -> None:
        day = self.day_in(self.rng.randint(-11, 0))
        pays_later = not person.showcase and self.rng.random() < 0.2
        self.register(index, day, YEAR, paid=not pays_later)
        if pays_later and day is not None:
            # paid a few days or weeks later; when that is after today the fee is still open
            self.pay(index, self.between(day + timedelta(days=3), day + timedelta(days=45)))
        self.maybe_reserve(index, day, 0.25)

    def _plan_renewed_paid(self, index: int, person: Person) -> None:
        offset = self.rng.randint(-12, -4)
        day = self.day_in(offset, low=2)
        self.register(index, day, SHORT, paid=True)
        if self.rng.random() < 0.6:
            renewal = self.day_in(offset + 3, low=2)  # before the end: the periods join
        else:
            renewal = self.day_in(offset + 4)  # after it expired
        self.renew(index, renewal, paid=True, type_code=YEAR)
        self.maybe_reserve(index, renewal, 0.2)

    def _plan_expiring(self, index: int, person: Person) -> None:
        if person.showcase or self.rng.random() < 0.7:
            day = self.day_in(-HISTORY_MONTHS, low=2)  # a year ago: ends this month
            self.register(index, day, YEAR, paid=True)
        else:
            day = self.day_in(-3, low=2)  # a short card three months ago: ends this month
            self.register(index, day, SHORT, paid=True)
        if not person.showcase and self.rng.random() < 0.15:
            # came to the desk after the notice of the 1st
            self.renew_from_list(index, self.day_in(0, low=2), paid=True)
        self.maybe_reserve(index, day, 0.2)

    def _plan_renewed_open(self, index: int, person: Person) -> None:
        low, high = DUNNING_MONTHS[person.cohort]
        booked = self.rng.randint(low, high)
        # The short first period ends in the month of the renewal, or the month before.
        ends = booked
        if booked - 4 >= -HISTORY_MONTHS and self.rng.random() < 0.5:
            ends = booked - 1
        day = self.day_in(ends - 3, low=2)
        self.register(index, day, SHORT, paid=True)
        renewal = self.day_in(booked)
        if person.showcase or self.rng.random() < 0.7:
            self.renew(index, renewal, paid=False, type_code=YEAR)
        else:
            self.renew_from_list(index, renewal, paid=False)
        if renewal is not None and not person.showcase and person.cohort != "written_off":
            chance = self.rng.random()
            later = self.between(renewal + timedelta(days=35), self.today)
            if chance < 0.2:
                self.pay(index, later)
            elif chance < 0.3:
                self.pay(index, later, half=True)
        self.maybe_reserve(index, day, 0.2)

    _plan_fee_open = _plan_renewed_open
    _plan_fee_reminder = _plan_renewed_open
    _plan_fee_unpaid = _plan_renewed_open
    _plan_written_off = _plan_renewed_open

    def _plan_expired(self, index: int, person: Person) -> None:
        day = self.day_in(self.rng.randint(-11, -4), low=2)
        self.register(index, day, SHORT, paid=True)
        if day is None:
            return
        end = period_end(day, 3)
        # Reserved while still a member; the daily run holds them when the card expires.
        if person.showcase or self.rng.random() < 0.6:
            self.reserve(index, self.between(day + timedelta(days=1), end))
            if self.rng.random() < 0.3:
                self.reserve(index, self.between(day + timedelta(days=1), end))

    def _plan_free_auto(self, index: int, person: Person) -> None:
        # Card holders for years: registered here with the start of their current period,
        # which ends during the replay and is renewed by the daily run.
        offset = self.rng.randint(-HISTORY_MONTHS, -2)
        day = self.day_in(offset, low=2)
        if day is None:
            return
        back = self.rng.randint(max(1, offset + HISTORY_MONTHS + 1), 11)
        self.register(index, day, SENIOR, paid=False, start=add_months(day, -back))
        self.maybe_reserve(index, day, 0.15)

    def _plan_free(self, index: int, person: Person) -> None:
        offset = -HISTORY_MONTHS if person.showcase else self.rng.randint(-HISTORY_MONTHS, -1)
        day = self.day_in(offset, low=2 if offset == -HISTORY_MONTHS else 1)
        self.register(index, day, YOUTH, paid=False)
        self.maybe_reserve(index, day, 0.2)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())
