"""Blocks in Mijn Bibliotheek are the block decision's (R3, R6, R7): the portal shows its
sentence and disables exactly what it blocks, and the services refuse the same."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from lidgeld.circulation.models import Loan, Reservation, ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.domain.blocks import Channel
from lidgeld.errors import Refused
from lidgeld.finance.services import payment_register
from lidgeld.memberships.models import MembershipStatus
from lidgeld.operations.renewals import membership_renew
from lidgeld.operations.reservations import reservation_place
from lidgeld.standing.status import borrower_status
from tests.factories import make_item, make_loan, make_membership, make_reservation
from tests.portal.conftest import logged_in, member, text_of

pytestmark = pytest.mark.django_db


def disabled_buttons(response) -> list[str]:
    """The labels of the disabled buttons, as a screen reader names them."""
    html = response.content.decode()
    return [
        " ".join(re.sub(r"<[^>]+>", " ", label).split())
        for label in re.findall(r"<button[^>]*\bdisabled\b[^>]*>(.*?)</button>", html, re.S)
    ]


@pytest.fixture
def renewed_in_april(gent, adult):
    """Given a renewal at the desk on 10 April 2026 with the fee left open, a loan and a
    book on the shelf to reserve."""
    borrower = member(gent, adult)  # until 30 April 2026
    membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="staff:balie",
    )
    loan = make_loan(borrower, make_item(gent, "De Avonden"), date(2026, 4, 10))
    shelf = make_item(gent, "Het Achterhuis")
    return borrower, loan, shelf


def test_on_1_may_the_reminder_stage_blocks_nothing_but_shows_the_open_amount(renewed_in_april, at):
    borrower, loan, shelf = renewed_in_april
    at(date(2026, 5, 1))
    client = logged_in(borrower)
    page = text_of(client.get("/portal/loans/"))
    assert "Lidgeld nog te betalen: € 12,00" in page
    assert "Herinnering: je lidgeld van € 12,00 is nog niet betaald." in page
    assert not disabled_buttons(client.get("/portal/loans/"))
    assert client.post(f"/portal/loans/{loan.pk}/renew/").status_code == 302
    assert Loan.objects.get(pk=loan.pk).due_on == date(2026, 5, 22)
    client.post("/portal/reservations/place/", {"item": shelf.pk})
    assert Reservation.objects.get(item=shelf).status == ReservationStatus.WAITING


def test_on_1_october_the_unpaid_stage_allows_login_and_disables_renewing_and_reserving(
    renewed_in_april, at
):
    # R6's example: a renewal in April with the fee open is "niet betaald" on 1 October
    borrower, loan, shelf = renewed_in_april
    at(date(2026, 10, 1))
    client = logged_in(borrower)
    reason = (
        "Je lidgeld van € 12,00 is niet betaald. Betaal het aan de balie; tot dan kan je in "
        "Mijn Bibliotheek niet verlengen of reserveren."
    )
    assert reason == borrower_status(borrower=borrower, today=date(2026, 10, 1)).blocks[
        Channel.PORTAL
    ].message("nl")

    loans = client.get("/portal/loans/")
    assert loans.status_code == 200
    assert f"Verlengen kan nu niet. {reason}" in text_of(loans)
    assert disabled_buttons(loans) == ["Verlengen De Avonden"]

    search = client.get("/portal/reservations/?q=Achterhuis")
    assert f"Reserveren kan nu niet. {reason}" in text_of(search)
    assert disabled_buttons(search) == ["Reserveren Het Achterhuis"]

    membership = text_of(client.get("/portal/membership/"))
    assert "Betaal vóór 1 december 2026, anders wordt je lidmaatschap ongeldig." in membership

    # a form sent anyway is refused by the service with the same sentence; nothing changes
    refused = client.post(f"/portal/loans/{loan.pk}/renew/", follow=True)
    assert reason in text_of(refused)
    assert Loan.objects.get(pk=loan.pk).due_on == loan.due_on
    refused = client.post("/portal/reservations/place/", {"item": shelf.pk}, follow=True)
    assert f"Het Achterhuis: niet gereserveerd. {reason}" in text_of(refused)
    assert not Reservation.objects.filter(item=shelf).exists()


def test_paying_at_the_unpaid_stage_lifts_the_blocks_at_once(renewed_in_april, at):
    borrower = renewed_in_april[0]
    at(date(2026, 10, 1))
    client = logged_in(borrower)
    assert disabled_buttons(client.get("/portal/loans/"))
    payment_register(
        borrower=borrower,
        amount=Decimal("12.00"),
        today=date(2026, 10, 1),
        now=at_nine(date(2026, 10, 1)),
        actor="staff:balie",
    )
    page = client.get("/portal/loans/")
    assert not disabled_buttons(page)
    assert "Lidgeld nog te betalen" not in text_of(page)


def test_an_expired_borrower_logs_in_sees_why_and_what_to_do(gent, adult):
    borrower = member(gent, adult, start=date(2025, 4, 1))  # ended 31 March 2026
    held = make_reservation(
        borrower, make_item(gent, "Het Achterhuis"), date(2026, 3, 5), ReservationStatus.HELD
    )
    make_item(gent, "De Avonden")
    client = logged_in(borrower)
    page = text_of(client.get("/portal/reservations/?q=Avonden"))
    assert "Je lidmaatschap is afgelopen op 31/03/2026." in page
    assert "Je kan je lidmaatschap hier meteen online vernieuwen." in page
    assert "Voor jou bewaard — je reservering loopt verder zodra je lidmaatschap vernieuwd is." in (
        page
    )
    assert "Plaats in de wachtrij: 1" in page
    assert disabled_buttons(client.get("/portal/reservations/?q=Avonden")) == [
        "Reserveren De Avonden"
    ]
    # cancelling stays possible: it only gives something up
    assert client.post(f"/portal/reservations/{held.pk}/cancel/").status_code == 302
    assert Reservation.objects.get(pk=held.pk).status == ReservationStatus.CANCELLED


def test_an_invalidated_borrower_is_sent_to_the_desk(gent, adult):
    borrower = member(gent, adult, start=None)
    make_membership(borrower, adult, start=date(2025, 5, 1), status=MembershipStatus.INVALIDATED)
    client = logged_in(borrower)
    response = client.get("/portal/membership/")
    html, page = response.content.decode(), text_of(response)
    assert "Je lidmaatschap is ongeldig gemaakt omdat het lidgeld niet betaald werd." in page
    assert "Een nieuw lidmaatschap krijg je aan de balie." in page
    assert 'href="/portal/membership/renew/"' not in html


def test_the_desk_still_places_a_reservation_for_a_blocked_borrower_the_portal_does_not(
    gent, adult
):
    borrower = member(gent, adult, start=date(2025, 4, 1))  # expired
    item = make_item(gent)
    with pytest.raises(Refused) as refusal:
        reservation_place(
            borrower=borrower,
            item=item,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
            channel=Channel.PORTAL,
        )
    assert refusal.value.code == "expired"
    held = reservation_place(
        borrower=borrower,
        item=item,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert held.status == ReservationStatus.HELD


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Votre abonnement a expiré"), ("en", "Your membership ended")]
)
def test_the_reason_is_in_the_borrowers_language(gent, adult, language, expected):
    borrower = member(gent, adult, start=date(2025, 4, 1), language=language)
    page = text_of(logged_in(borrower).get("/portal/loans/"))
    assert expected in page
