"""Mijn Bibliotheek: a library with an account for transfers, a paying type, and
borrowers who can log in."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from lidgeld.borrowers.models import Borrower
from lidgeld.clock import FixedClock, set_clock
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import MembershipType
from tests.factories import make_borrower, make_instance, make_membership, make_type, with_pin

PIN = "2468"


class MovingClock(FixedClock):
    """A fixed day (09:00) whose time of day a test moves, for waits of seconds."""

    def __init__(self, day: date) -> None:
        super().__init__(day)
        self.moment = timezone.make_aware(datetime(day.year, day.month, day.day, 9))

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def moving() -> MovingClock:
    clock = MovingClock(date(2026, 4, 10))
    set_clock(clock)
    return clock


@pytest.fixture(autouse=True)
def _mail_stays_here(tmp_path, monkeypatch):
    """Without an SMTP server in the test, mail goes to a folder of the test's own."""
    monkeypatch.delenv("LIDGELD_SMTP_URL", raising=False)
    monkeypatch.setenv("LIDGELD_MAIL_DIR", str(tmp_path / "mail"))


@pytest.fixture
def gent(db) -> Instance:
    return make_instance(
        "GENT",
        name="Bibliotheek Gent",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        sender_email="info@bibliotheek.gent.be",
        address="Kouter 29\n9000 Gent",
        notice_renewal=True,
    )


@pytest.fixture
def adult(gent) -> MembershipType:
    return make_type(gent, fee="12.00", months=12, booking_code=1001)


def member(
    instance: Instance,
    membership_type: MembershipType,
    *,
    start: date | None = date(2025, 5, 1),
    language: str = "nl",
    card: str | None = None,
    email: str = "an.peeters@example.be",
) -> Borrower:
    """A borrower with a PIN and, by default, a membership until 30 April 2026."""
    borrower = with_pin(make_borrower(instance, card=card, language=language, email=email), PIN)
    if start is not None:
        make_membership(borrower, membership_type, start=start)
    return borrower


def logged_in(borrower: Borrower, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post("/portal/login/", {"card_number": borrower.card_number, "pin": PIN})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def text_of(response) -> str:
    """The page as a person reads it: tags out, spaces folded."""
    import re
    from html import unescape

    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
