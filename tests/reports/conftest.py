"""A small network to report on: GENT and LEUVEN share borrowers (cooperation group
OOST), BRUGGE is another library that a GENT desk must never see."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from lidgeld.borrowers.models import Borrower
from lidgeld.clock import at_nine
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.libraries.models import CooperationGroup, Instance
from lidgeld.memberships.models import Membership
from lidgeld.notices.models import Message
from lidgeld.scope import Scope
from lidgeld.staff.selectors import scope_for_user
from lidgeld.staff.services import staff_add
from tests.factories import make_instance

TODAY = date(2026, 4, 10)
PASSWORD = "een-lang-wachtwoord-2026"
_postings = itertools.count(1)


def make_message(
    borrower: Borrower,
    day: date,
    *,
    kind: str = "AE",
    instance: Instance | None = None,
    channel: str = "email",
    status: str = "sent",
    to_address: str = "",
    membership: Membership | None = None,
) -> Message:
    return Message.objects.create(
        borrower=borrower,
        instance=instance or borrower.home_instance,
        membership=membership,
        type="C",
        kind=kind,
        date=day,
        channel=channel,
        status=status,
        to_address=to_address,
        created_at=timezone.make_aware(datetime.combine(day, datetime.min.time())),
    )


def make_posting(
    borrower: Borrower,
    booked_on: date,
    *,
    amount: str = "12.00",
    balance: str | None = None,
    code: int = 1001,
    status: str = PostingStatus.OPEN,
    stage: str = "open",
    instance: Instance | None = None,
    description: str | None = None,
) -> Posting:
    closed = status != PostingStatus.OPEN
    return Posting.objects.create(
        borrower=borrower,
        instance=instance or borrower.home_instance,
        booking_code=code,
        description=description if description is not None else f"lidgeld {next(_postings)}",
        amount=Decimal(amount),
        balance=Decimal("0.00") if closed else Decimal(balance or amount),
        booked_on=booked_on,
        stage=stage,
        status=status,
        closed_on=booked_on if closed else None,
    )


@dataclass
class Network:
    gent: Instance
    leuven: Instance
    brugge: Instance

    def desk_scope(self, username: str = "balie.gent") -> Scope:
        """What a desk account of GENT sees: GENT and, through OOST, LEUVEN."""
        account = staff_add(
            username=username,
            password=PASSWORD,
            role="desk",
            instance_codes=["GENT"],
            today=TODAY,
            now=at_nine(TODAY),
            actor="test",
        )
        return scope_for_user(user=account.user)


@pytest.fixture
def network() -> Network:
    oost = CooperationGroup.objects.create(code="OOST", name="Oost-Vlaanderen en Brabant")
    return Network(
        gent=make_instance("GENT", group=oost),
        leuven=make_instance("LEUVEN", group=oost),
        brugge=make_instance("BRUGGE"),
    )


@pytest.fixture
def everything() -> Scope:
    return Scope(actor="test", instance_ids=None)
