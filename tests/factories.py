"""Given-state builders. They write rows directly; the behaviour under test goes
through services, batch steps or the CLI."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from lidgeld.borrowers.models import Borrower, Card
from lidgeld.circulation.models import Item, Reservation, ReservationStatus
from lidgeld.domain.names import search_key
from lidgeld.domain.renewal import period_end
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.libraries.models import CooperationGroup, Instance
from lidgeld.memberships.models import (
    Membership,
    MembershipStatus,
    MembershipType,
    Origin,
    TypeKind,
)
from lidgeld.notices.models import Message

_sequence = itertools.count(1)


def make_instance(
    code: str = "GENT", name: str | None = None, group: CooperationGroup | None = None, **policy
) -> Instance:
    return Instance.objects.create(
        code=code, name=name or f"Bibliotheek {code.title()}", group=group, **policy
    )


def make_type(
    instance: Instance,
    code: str = "VOLW",
    kind: str = TypeKind.PAYING,
    fee: str = "12.00",
    months: int = 12,
    booking_code: int = 1001,
) -> MembershipType:
    return MembershipType.objects.create(
        instance=instance,
        code=code,
        name=code.title(),
        kind=kind,
        fee=Decimal(fee) if kind == TypeKind.PAYING else Decimal("0.00"),
        months=months,
        booking_code=booking_code,
    )


def make_borrower(
    instance: Instance,
    card: str | None = None,
    email: str | None = "lener@example.be",
    language: str = "nl",
    first_name: str = "An",
    last_name: str = "Peeters",
    **details: Any,
) -> Borrower:
    number = next(_sequence)
    borrower = Borrower.objects.create(
        card_number=card or f"C{number:07d}",
        first_name=first_name,
        last_name=last_name,
        search_first=search_key(first_name),
        search_last=search_key(last_name),
        email=email if email is not None else "",
        language=language,
        home_instance=instance,
        registered_on=date(2020, 1, 1),
        **details,
    )
    Card.objects.create(number=borrower.card_number, borrower=borrower, issued_on=date(2020, 1, 1))
    return borrower


def make_membership(
    borrower: Borrower,
    membership_type: MembershipType,
    start: date,
    end: date | None = None,
    status: str = MembershipStatus.ACTIVE,
    origin: str = Origin.DESK,
    created_on: date | None = None,
) -> Membership:
    return Membership.objects.create(
        borrower=borrower,
        instance=membership_type.instance,
        type=membership_type,
        start=start,
        end=end or period_end(start, membership_type.months),
        status=status,
        origin=origin,
        created_on=created_on or start,
        invalidated_on=start if status == MembershipStatus.INVALIDATED else None,
    )


def make_open_fee(
    membership: Membership, booked_on: date, amount: str = "12.00", stage: str = "open"
) -> Posting:
    return Posting.objects.create(
        borrower_id=membership.borrower_id,
        instance_id=membership.instance_id,
        membership=membership,
        booking_code=membership.type.booking_code,
        amount=Decimal(amount),
        balance=Decimal(amount),
        booked_on=booked_on,
        stage=stage,
        status=PostingStatus.OPEN,
    )


def make_item(instance: Instance, title: str = "De Avonden") -> Item:
    return Item.objects.create(instance=instance, barcode=f"I{next(_sequence):08d}", title=title)


def make_reservation(
    borrower: Borrower, item: Item, placed_on: date, status: str = ReservationStatus.WAITING
) -> Reservation:
    return Reservation.objects.create(
        borrower=borrower,
        instance=item.instance,
        item=item,
        placed_on=placed_on,
        status=status,
        held_since=placed_on if status == ReservationStatus.HELD else None,
    )


def make_message(
    borrower: Borrower,
    day: date,
    kind: str = "AE",
    channel: str = "email",
    status: str = "sent",
    membership: Membership | None = None,
    instance: Instance | None = None,
) -> Message:
    from datetime import datetime, time

    from django.utils import timezone

    at = timezone.make_aware(datetime.combine(day, time(6, 0)))
    return Message.objects.create(
        borrower=borrower,
        instance=instance or borrower.home_instance,
        membership=membership,
        type="C",
        kind=kind,
        date=day,
        channel=channel,
        status=status,
        to_address=borrower.email if channel == "email" else "",
        created_at=at,
        sent_at=at if status == "sent" else None,
    )


def make_staff(
    username: str, *instances: Instance, role: str = "desk", password: str = "balie-wachtwoord-1"
):
    from django.contrib.auth.models import User

    from lidgeld.staff.models import StaffAccount

    user = User.objects.create_user(username=username, password=password)
    StaffAccount.objects.create(user=user, role=role).instances.set(instances)
    return user


_pin_hashes: dict[tuple[str, str], str] = {}


def with_pin(borrower: Borrower, pin: str = "1234") -> Borrower:
    """Give ``borrower`` a PIN. A real PIN hash costs a third of a second on purpose, so
    one hash per PIN and hasher is made once per test run and shared (each still checks
    as it would); the hasher is part of the key, as tests hash fast unless marked."""
    from django.contrib.auth.hashers import get_hasher, make_password

    key = (get_hasher().algorithm, pin)
    if key not in _pin_hashes:
        _pin_hashes[key] = make_password(pin)
    borrower.pin_hash = _pin_hashes[key]
    borrower.save(update_fields=["pin_hash"])
    return borrower


def make_loan(
    borrower: Borrower,
    item: Item,
    out_on: date,
    due_on: date | None = None,
):
    from datetime import timedelta

    from lidgeld.circulation.models import Loan

    return Loan.objects.create(
        item=item,
        borrower=borrower,
        out_on=out_on,
        due_on=due_on or out_on + timedelta(days=21),
    )


# -- desk pages (staff web) ------------------------------------------------------------


def make_payment(posting: Posting, day: date, amount: str | None = None):
    """A payment on an open item, closing it when it covers the balance."""
    from lidgeld.finance.models import Payment

    paid = Decimal(amount) if amount is not None else posting.balance
    payment = Payment.objects.create(
        posting=posting, amount=paid, paid_on=day, channel="desk", recorded_by="test"
    )
    posting.balance -= paid
    if posting.balance == 0:
        posting.status, posting.closed_on = PostingStatus.PAID, day
    posting.save(update_fields=["balance", "status", "closed_on"])
    return payment


def make_write_off(posting: Posting, day: date, reason: str = "test"):
    from lidgeld.finance.models import WriteOff

    write_off = WriteOff.objects.create(
        posting=posting, amount=posting.balance, written_off_on=day, reason=reason,
        recorded_by="test",
    )  # fmt: skip
    posting.balance = Decimal("0.00")
    posting.status, posting.stage, posting.closed_on = PostingStatus.WRITTEN_OFF, "written_off", day
    posting.save(update_fields=["balance", "status", "stage", "closed_on"])
    return write_off
