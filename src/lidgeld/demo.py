"""The demo network (``lidgeld demo``): three libraries of one cooperation group and
a year of their borrowers' history.

No row is written in its final state by hand. The year is replayed day by day
through the services the desk uses (registration, renewal, payment, reservation)
and the daily run that expires, dunns, writes off, holds reservations and queues
the end-of-contribution notices, so every state the demo shows is one the real
code reached. The plan is drawn from ``random.Random(2026)``: the same ``today``
and number of borrowers give the same network.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from lidgeld import clock as clock_module
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Item, Reservation
from lidgeld.clock import FixedClock, set_clock
from lidgeld.domain.amounts import CENT
from lidgeld.domain.months import add_months, days_in_month, first_of_month
from lidgeld.domain.renewal import period_end
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.selectors import open_amount
from lidgeld.finance.services import payment_register
from lidgeld.libraries.models import Instance
from lidgeld.libraries.services import instance_add
from lidgeld.lifecycle.tick import TICK_ACTOR, tick_run
from lidgeld.memberships.models import Membership, MembershipType, Origin
from lidgeld.memberships.selectors import memberships_expiring
from lidgeld.memberships.services import membership_type_add
from lidgeld.notices.models import KIND_END_OF_CONTRIBUTION, TYPE_CONTRIBUTION, Message
from lidgeld.operations.registration import borrower_register
from lidgeld.operations.renewals import membership_renew, memberships_renew
from lidgeld.operations.reservations import reservation_place
from lidgeld.standing.status import borrower_status

SEED = 2026
ACTOR = "demo"
GROUP = "OOST"
HISTORY_MONTHS = 12  # the replay starts on the 1st, twelve months before today's month
MINIMUM_BORROWERS = 10
STAFF_USERNAME = "balie"
STAFF_PASSWORD = "lidgeld-demo"
DEMO_PIN = "1234"
BACK_OFFICE_URL = "http://127.0.0.1:8000/admin/"
STAFF_URL = "http://127.0.0.1:8000/staff/"
PORTAL_URL = "http://127.0.0.1:8000/portal/"


@dataclass(frozen=True)
class _Library:
    code: str
    name: str
    weight: int
    postal_codes: tuple[str, ...]


LIBRARIES = (
    _Library(
        "GENT",
        "Bibliotheek Gent",
        6,
        ("9000", "9000", "9000", "9030", "9031", "9032", "9040", "9041", "9042", "9050", "9051"),
    ),
    _Library("MERE", "Bibliotheek Merelbeke", 2, ("9820", "9820", "9820", "9090", "9860")),
    _Library("LOCH", "Bibliotheek Lochristi", 2, ("9080", "9080", "9080", "9070", "9185")),
)
CODES = tuple(library.code for library in LIBRARIES)
TOWNS = {
    "9000": "Gent", "9030": "Mariakerke", "9031": "Drongen", "9032": "Wondelgem",
    "9040": "Sint-Amandsberg", "9041": "Oostakker", "9042": "Desteldonk", "9050": "Gentbrugge",
    "9051": "Afsnee", "9820": "Merelbeke", "9090": "Melle", "9860": "Oosterzele",
    "9080": "Lochristi", "9070": "Destelbergen", "9185": "Wachtebeke",
}  # fmt: skip
STREETS = ("Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Schoolstraat",
           "Nieuwstraat", "Beekstraat", "Lindenlaan", "Kouterweg", "Veldstraat")  # fmt: skip


def _street(card: str) -> str:
    """A street and number that stay the same for the same card (the plan is seeded)."""
    number = int(card)
    return f"{STREETS[number % len(STREETS)]} {number % 173 + 1}"


@dataclass(frozen=True)
class _TypeSpec:
    code: str
    name: str
    kind: str
    fee: Decimal
    months: int
    booking_code: int


YEAR, SHORT, YOUTH, SENIOR = "VOLW", "KORT", "JEUGD", "SENIOR"
TYPES = (
    _TypeSpec(YEAR, "Volwassene, 12 maanden", "paying", Decimal("12.00"), 12, 1001),
    _TypeSpec(SHORT, "Kort lidmaatschap, 3 maanden", "paying", Decimal("5.00"), 3, 1002),
    _TypeSpec(YOUTH, "Jeugd tot 18 jaar (gratis)", "free", Decimal("0.00"), 12, 1003),
    _TypeSpec(
        SENIOR, "Senior 65+ (gratis, automatisch verlengd)", "free-auto", Decimal("0.00"), 12, 1004
    ),
)

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
TITLES = (
    "Het verdriet van België", "De helaasheid der dingen", "Het smelt", "Oorlog en terpentijn",
    "De avonden", "Max Havelaar", "Kaas", "Congo. Een geschiedenis", "Revolusi",
    "De aanslag", "Het diner", "Bonita Avenue", "Tirza", "De ontdekking van de hemel",
    "Het boek van alle dingen", "Pluk van de Petteflet", "Dolfje Weerwolfje", "Kruimeltje",
    "De Kleine Prins", "Harry Potter en de Steen der Wijzen", "Rupsje Nooitgenoeg",
    "Jip en Janneke", "Het achterhuis", "Nachtvlinders", "Mijn Gent", "Fietsen in de Vlaamse Ardennen",
    "Koken met Jeroen Meus", "De Vlaschaard", "Pallieter", "De Witte",
)  # fmt: skip

# Within one day: new cards first, then renewals, payments and reservations.
REGISTER, RENEW, BULK_RENEW, PAY, RESERVE = range(5)


@dataclass
class _Person:
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
class _Event:
    day: date
    order: int
    seq: int
    people: tuple[int, ...]
    type_code: str | None = None
    paid: bool = False
    start: date | None = None
    item: int = 0
    half: bool = False


class _Plan:
    """Who the borrowers are and what happens to them on which day."""

    def __init__(self, *, today: date, borrowers: int) -> None:
        self.rng = random.Random(SEED)
        self.today = today
        self.month0 = first_of_month(today)
        self.first_day = add_months(self.month0, -HISTORY_MONTHS)
        self.people: list[_Person] = []
        self.events: list[_Event] = []
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
            self.people.append(
                _Person(
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
            self.events.append(_Event(day=day, order=order, seq=len(self.events), **fields))

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

    def _plan_active(self, index: int, person: _Person) -> None:
        day = self.day_in(self.rng.randint(-11, 0))
        pays_later = not person.showcase and self.rng.random() < 0.2
        self.register(index, day, YEAR, paid=not pays_later)
        if pays_later and day is not None:
            # paid a few days or weeks later; when that is after today the fee is still open
            self.pay(index, self.between(day + timedelta(days=3), day + timedelta(days=45)))
        self.maybe_reserve(index, day, 0.25)

    def _plan_renewed_paid(self, index: int, person: _Person) -> None:
        offset = self.rng.randint(-12, -4)
        day = self.day_in(offset, low=2)
        self.register(index, day, SHORT, paid=True)
        if self.rng.random() < 0.6:
            renewal = self.day_in(offset + 3, low=2)  # before the end: the periods join
        else:
            renewal = self.day_in(offset + 4)  # after it expired
        self.renew(index, renewal, paid=True, type_code=YEAR)
        self.maybe_reserve(index, renewal, 0.2)

    def _plan_expiring(self, index: int, person: _Person) -> None:
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

    def _plan_renewed_open(self, index: int, person: _Person) -> None:
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

    def _plan_expired(self, index: int, person: _Person) -> None:
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

    def _plan_free_auto(self, index: int, person: _Person) -> None:
        # Card holders for years: registered here with the start of their current period,
        # which ends during the replay and is renewed by the daily run.
        offset = self.rng.randint(-HISTORY_MONTHS, -2)
        day = self.day_in(offset, low=2)
        if day is None:
            return
        back = self.rng.randint(max(1, offset + HISTORY_MONTHS + 1), 11)
        self.register(index, day, SENIOR, paid=False, start=add_months(day, -back))
        self.maybe_reserve(index, day, 0.15)

    def _plan_free(self, index: int, person: _Person) -> None:
        offset = -HISTORY_MONTHS if person.showcase else self.rng.randint(-HISTORY_MONTHS, -1)
        day = self.day_in(offset, low=2 if offset == -HISTORY_MONTHS else 1)
        self.register(index, day, YOUTH, paid=False)
        self.maybe_reserve(index, day, 0.2)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(6, 0)))


# What a notice and a letter show of each library (demo values; the IBANs are valid
# check-digit-wise but belong to no one).
LIBRARY_DETAILS = {
    "GENT": ("Kouter 29\n9000 Gent", "ma–za 10–19 u.", "BE32091000123402"),
    "MERE": ("Poelstraat 2\n9820 Merelbeke", "di–za 10–18 u.", "BE96068901234505"),
    "LOCH": ("Dorp-West 52\n9080 Lochristi", "ma, wo, za 9–17 u.", "BE78735005432186"),
}


class _Replay:
    """Play the plan through the services, running the daily run before each day's work."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.instances: list[Instance] = []
        self.types: list[dict[str, MembershipType]] = []
        self.items: list[list[Item]] = []

    def setup(self) -> None:
        day = self.plan.first_day
        for number, library in enumerate(LIBRARIES, start=1):
            instance = instance_add(
                code=library.code, name=library.name, group_code=GROUP, today=day, actor=ACTOR
            )
            address, hours, iban = LIBRARY_DETAILS[library.code]
            instance.address, instance.opening_hours, instance.iban = address, hours, iban
            instance.sender_email = f"{library.code.lower()}@bibliotheek.example"
            instance.sender_name = library.name
            instance.portal_url = f"https://{library.code.lower()}.bibliotheek.example/mijn"
            instance.save()
            self.instances.append(instance)
            self.types.append(
                {
                    spec.code: membership_type_add(
                        instance=instance,
                        code=spec.code,
                        name=spec.name,
                        kind=spec.kind,
                        fee=spec.fee,
                        months=spec.months,
                        booking_code=spec.booking_code,
                        today=day,
                        actor=ACTOR,
                    )
                    for spec in TYPES
                }
            )
            count = self.plan.items_per_library[number - 1]
            self.items.append(
                [
                    Item.objects.create(
                        instance=instance,
                        barcode=f"3{number}{copy:07d}",
                        title=TITLES[copy % len(TITLES)],
                    )
                    for copy in range(1, count + 1)
                ]
            )

    def run(self) -> None:
        """Set up the libraries, then replay every day up to today."""
        by_day: dict[date, list[_Event]] = {}
        for event in self.plan.events:
            by_day.setdefault(event.day, []).append(event)
        # The clock stands on each replayed day, so the audit trail reads in order: the
        # daily run at 06:00, the desk's work at 09:00.
        previous = clock_module.clock.current
        try:
            set_clock(FixedClock(self.plan.first_day))
            self.setup()
            day = self.plan.first_day
            while day <= self.plan.today:
                set_clock(FixedClock(day))
                if day.day == 1 or day in by_day or day == self.plan.today:
                    tick_run(
                        today=day, now=_morning(day), actor=TICK_ACTOR, instance_codes=list(CODES)
                    )
                for event in by_day.get(day, []):
                    self.play(event)
                day += timedelta(days=1)
        finally:
            set_clock(previous)

    def borrower(self, index: int) -> Borrower:
        borrower = self.plan.people[index].borrower
        if borrower is None:  # the plan never acts on someone before registering them
            raise RuntimeError(f"demo plan: borrower {index} acted on before registration")
        return borrower

    def play(self, event: _Event) -> None:
        day = event.day
        index = event.people[0]
        if event.order == REGISTER:
            person = self.plan.people[index]
            assert event.type_code is not None
            person.borrower = borrower_register(
                card_number=person.card,
                first_name=person.first_name,
                last_name=person.last_name,
                instance=self.instances[person.library],
                today=day,
                actor=ACTOR,
                email=person.email,
                language=person.language,
                birth_date=person.birth_date,
                street=_street(person.card),
                postal_code=person.postal_code,
                city=TOWNS.get(person.postal_code, ""),
                membership_type=self.types[person.library][event.type_code],
                start=event.start,
                paid=event.paid,
            )
        elif event.order == RENEW:
            person = self.plan.people[index]
            chosen = self.types[person.library][event.type_code] if event.type_code else None
            membership_renew(
                borrower=self.borrower(index),
                paid=event.paid,
                today=day,
                actor=ACTOR,
                membership_type=chosen,
            )
        elif event.order == BULK_RENEW:
            memberships_renew(
                card_numbers=[self.plan.people[i].card for i in event.people],
                paid=event.paid,
                today=day,
                actor=ACTOR,
            )
        elif event.order == PAY:
            borrower = self.borrower(index)
            amount = open_amount(borrower.pk)
            if event.half:
                amount = (amount / 2).quantize(CENT)
            if amount > 0:
                payment_register(borrower=borrower, amount=amount, today=day, actor=ACTOR)
        elif event.order == RESERVE:
            person = self.plan.people[index]
            # Refused: the borrower already reserved that copy (clicked twice); no harm.
            with suppress(Refused):
                reservation_place(
                    borrower=self.borrower(index),
                    item=self.items[person.library][event.item],
                    today=day,
                    actor=ACTOR,
                )


# One login per role of the staff pages, all for Gent (whose group shares borrowers).
DEMO_ACCOUNTS = (
    ("gent-balie", "desk"),
    ("gent-coordinator", "coordinator"),
    ("gent-beheerder", "administrator"),
)


def _staff_user(today: date) -> bool:
    """The back-office logins; existing ones are left as they are. True when created."""
    from lidgeld.staff.services import staff_add

    users = get_user_model()
    if users.objects.filter(username=STAFF_USERNAME).exists():
        return False
    users.objects.create_superuser(username=STAFF_USERNAME, email="", password=STAFF_PASSWORD)
    for username, role in DEMO_ACCOUNTS:
        if not users.objects.filter(username=username).exists():
            staff_add(
                username=username,
                password=STAFF_PASSWORD,
                role=role,
                instance_codes=["GENT"],
                today=today,
                actor=ACTOR,
            )
    return True


def demo_load(*, today: date, borrowers: int = 2000) -> dict[str, Any]:
    """Build the demo network up to ``today`` and say what it holds (JSON-ready, with "text")."""
    if borrowers < MINIMUM_BORROWERS:
        raise InvalidInput(f"the demo needs at least {MINIMUM_BORROWERS} borrowers")
    existing = list(
        Instance.objects.filter(code__in=CODES).order_by("code").values_list("code", flat=True)
    )
    if existing:
        named = (
            f"instances {', '.join(existing)} exist"
            if len(existing) > 1
            else f"instance {existing[0]} exists"
        )
        raise InvalidInput(
            f"the demo network is already loaded or its codes are taken ({named}); "
            "load it into an empty database instead, e.g. set LIDGELD_DATA_DIR to a new folder "
            "and run 'lidgeld migrate' first"
        )
    plan = _Plan(today=today, borrowers=borrowers)
    replay = _Replay(plan)
    # One transaction: a failure halfway leaves nothing, and SQLite writes fastest so.
    with transaction.atomic():
        replay.run()
        created = _staff_user(today)
        # One hash for every demo borrower: hashing 2,000 PINs one by one would take
        # minutes, and demo PINs are public anyway.
        Borrower.objects.filter(home_instance__code__in=CODES, pin_hash="").update(
            pin_hash=make_password(DEMO_PIN)
        )
    return _summary(plan, replay, login_created=created)


def _summary(plan: _Plan, replay: _Replay, *, login_created: bool) -> dict[str, Any]:
    today = plan.today
    instance_ids = [instance.pk for instance in replay.instances]
    memberships: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    examples: dict[str, str] = {}
    open_total = Decimal("0.00")
    ours = Borrower.objects.filter(home_instance_id__in=instance_ids).select_related(
        "home_instance"
    )
    for borrower in ours.order_by("card_number"):
        status = borrower_status(borrower=borrower, today=today)
        state = status.membership.state.value
        memberships[state] += 1
        examples.setdefault(state, borrower.card_number)
        open_total += status.open_amount
        if status.stage:
            stages[status.stage] += 1
            examples.setdefault(f"fee_{status.stage}", borrower.card_number)
        if any(reservation.status == "held" for reservation in status.reservations):
            examples.setdefault("reservation_held", borrower.card_number)
    per_instance = dict(
        Borrower.objects.filter(home_instance_id__in=instance_ids)
        .values_list("home_instance__code")
        .annotate(n=Count("id"))
        .values_list("home_instance__code", "n")
    )
    reservations = dict(
        Reservation.objects.filter(instance_id__in=instance_ids)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    cae = dict(
        Message.objects.filter(
            instance_id__in=instance_ids,
            type=TYPE_CONTRIBUTION,
            kind=KIND_END_OF_CONTRIBUTION,
            date=plan.month0,
        )
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    cae_all = Message.objects.filter(
        instance_id__in=instance_ids, type=TYPE_CONTRIBUTION, kind=KIND_END_OF_CONTRIBUTION
    ).count()
    automatic = Membership.objects.filter(
        instance_id__in=instance_ids, origin=Origin.AUTOMATIC
    ).count()
    expiring = memberships_expiring(month=plan.month0, instance_ids=instance_ids).count()
    month = f"{plan.month0:%Y-%m}"
    total = sum(per_instance.values())
    summary: dict[str, Any] = {
        "today": today.isoformat(),
        "history_from": plan.first_day.isoformat(),
        "group": GROUP,
        "instances": [
            {"code": lib.code, "name": lib.name, "borrowers": per_instance.get(lib.code, 0)}
            for lib in LIBRARIES
        ],
        "borrowers": total,
        "membership": {name: memberships[name] for name in ("active", "expired", "invalidated")},
        "contribution": {
            "open": stages["open"],
            "reminder": stages["reminder"],
            "unpaid": stages["unpaid"],
            "open_amount": f"{open_total:.2f}",
        },
        "reservations": {
            "waiting": reservations.get("waiting", 0),
            "held": reservations.get("held", 0),
        },
        "automatic_renewals": automatic,
        "cae": {
            "date": plan.month0.isoformat(),
            "email": cae.get("email", 0),
            "letter": cae.get("letter", 0),
            "since_start": cae_all,
        },
        "expiring": {"month": month, "count": expiring},
        "examples": examples,
        "login": {
            "username": STAFF_USERNAME,
            "password": STAFF_PASSWORD,
            "url": BACK_OFFICE_URL,
            "created": login_created,
        },
    }
    names = ", ".join(
        f"{lib.code} {lib.name} ({per_instance.get(lib.code, 0)})" for lib in LIBRARIES
    )
    tried = ", ".join(f"{card} ({state})" for state, card in sorted(examples.items()))
    login_note = "" if login_created else " (existing user, left as it was)"
    cae_count = cae.get("email", 0) + cae.get("letter", 0)
    summary["text"] = "\n".join(
        [
            f"demo network {GROUP} loaded: {plan.first_day:%d/%m/%Y} to {today:%d/%m/%Y} replayed "
            "through the services and the daily run",
            f"instances: {names}",
            f"borrowers: {total}; membership active {memberships['active']}, "
            f"expired {memberships['expired']}, invalidated {memberships['invalidated']}",
            f"contributions open: {stages['open']} open, {stages['reminder']} reminder, "
            f"{stages['unpaid']} unpaid (EUR {open_total:.2f} in all)",
            f"reservations: {reservations.get('waiting', 0)} waiting, "
            f"{reservations.get('held', 0)} held; {automatic} free periods renewed automatically",
            f"CAE notices on {plan.month0:%d/%m/%Y}: {cae_count} ({cae.get('email', 0)} e-mail, "
            f"{cae.get('letter', 0)} letter); {expiring} memberships still end this month: "
            f"lidgeld expiring --month {month}",
            f"try: lidgeld status CARD --on {today.isoformat()} with {tried}",
            f"staff pages: lidgeld serve, then {STAFF_URL} - user {STAFF_USERNAME} (all "
            f"libraries) or {', '.join(name for name, _ in DEMO_ACCOUNTS)} (one per role), "
            f"password {STAFF_PASSWORD}{login_note}; back office for superusers: {BACK_OFFICE_URL}",
            f"Mijn Bibliotheek: {PORTAL_URL} - any card number above, PIN {DEMO_PIN}",
        ]
    )
    return summary
