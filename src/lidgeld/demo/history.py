"""The demo's history: the plan played day by day through the services and the daily run."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lidgeld import clock as clock_module
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Item
from lidgeld.clock import FixedClock, at_nine, set_clock
from lidgeld.demo.desk_life import desk_life
from lidgeld.demo.network import (
    ACTOR,
    CODES,
    GROUP,
    LIBRARIES,
    LIBRARY_DETAILS,
    TITLES,
    TOWNS,
    TYPES,
    phone_of,
    street_of,
)
from lidgeld.demo.plan import BULK_RENEW, PAY, REGISTER, RENEW, RESERVE, Event, Plan
from lidgeld.domain.amounts import CENT
from lidgeld.errors import Refused
from lidgeld.finance.selectors import open_amount
from lidgeld.finance.services import payment_register
from lidgeld.libraries.models import Instance
from lidgeld.libraries.services import instance_add
from lidgeld.lifecycle.tick import TICK_ACTOR, tick_run
from lidgeld.memberships.models import MembershipType
from lidgeld.memberships.services import membership_type_add
from lidgeld.operations.registration import borrower_register
from lidgeld.operations.renewals import membership_renew, memberships_renew
from lidgeld.operations.reservations import reservation_place


def _morning(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(6, 0)))


class Replay:
    """Play the plan through the services, running the daily run before each day's work."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.instances: list[Instance] = []
        self.types: list[dict[str, MembershipType]] = []
        self.items: list[list[Item]] = []
        self.desk_examples: dict[str, str] = {}

    def setup(self) -> None:
        day = self.plan.first_day
        for number, library in enumerate(LIBRARIES, start=1):
            instance = instance_add(
                code=library.code,
                name=library.name,
                group_code=GROUP,
                today=day,
                now=at_nine(day),
                actor=ACTOR,
            )
            address, hours, iban = LIBRARY_DETAILS[library.code]
            instance.address, instance.opening_hours, instance.iban = address, hours, iban
            instance.sender_email = f"{library.code.lower()}@bibliotheek.example"
            instance.sender_name = library.name
            instance.portal_url = f"https://{library.code.lower()}.bibliotheek.example/mijn"
            instance.save()
            self.instances.append(instance)
            types: dict[str, MembershipType] = {}
            for spec in TYPES:
                types[spec.code] = membership_type_add(
                    instance=instance,
                    code=spec.code,
                    name=spec.name,
                    kind=spec.kind,
                    fee=spec.fee,
                    months=spec.months,
                    booking_code=spec.booking_code,
                    today=day,
                    now=at_nine(day),
                    actor=ACTOR,
                    # R12: youth is for 0 to 17; adults follow (TYPES lists them first)
                    min_age=spec.min_age,
                    max_age=spec.max_age,
                    next_type=types[spec.next_type] if spec.next_type else None,
                )
            self.types.append(types)
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
        by_day: dict[date, list[Event]] = {}
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
            set_clock(FixedClock(self.plan.today))
            self.desk_examples = desk_life(self.desk_people(), today=self.plan.today)
        finally:
            set_clock(previous)

    def desk_people(self) -> list[Borrower]:
        """Members in order (not a showcase of another situation), for the desk's work."""
        return [
            person.borrower
            for person in self.plan.people
            if person.cohort == "active" and not person.showcase and person.borrower is not None
        ][:13]

    def borrower(self, index: int) -> Borrower:
        borrower = self.plan.people[index].borrower
        if borrower is None:  # the plan never acts on someone before registering them
            raise RuntimeError(f"demo plan: borrower {index} acted on before registration")
        return borrower

    def play(self, event: Event) -> None:
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
                now=at_nine(day),
                actor=ACTOR,
                email=person.email,
                language=person.language,
                birth_date=person.birth_date,
                street=street_of(person.card)[0],
                house_number=street_of(person.card)[1],
                phone=phone_of(person.card),
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
                now=at_nine(day),
                actor=ACTOR,
                membership_type=chosen,
            )
        elif event.order == BULK_RENEW:
            memberships_renew(
                card_numbers=[self.plan.people[i].card for i in event.people],
                paid=event.paid,
                today=day,
                now=at_nine(day),
                actor=ACTOR,
            )
        elif event.order == PAY:
            borrower = self.borrower(index)
            amount = open_amount(borrower.pk)
            if event.half:
                amount = (amount / 2).quantize(CENT)
            if amount > 0:
                payment_register(
                    borrower=borrower, amount=amount, today=day, now=at_nine(day), actor=ACTOR
                )
        elif event.order == RESERVE:
            person = self.plan.people[index]
            # Refused: the borrower already reserved that copy (clicked twice); no harm.
            with suppress(Refused):
                reservation_place(
                    borrower=self.borrower(index),
                    item=self.items[person.library][event.item],
                    today=day,
                    now=at_nine(day),
                    actor=ACTOR,
                )
