"""One borrower can never see or change another's data by changing an id in an address."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.test import Client

from lidgeld.circulation.models import Loan, Reservation, ReservationStatus
from tests.factories import (
    make_instance,
    make_item,
    make_loan,
    make_message,
    make_open_fee,
    make_reservation,
    make_type,
)
from tests.portal.conftest import logged_in, member, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(gent, adult):
    """An (logged in) and Bert, at the same library, each with a loan, a reservation, a
    message and an open fee."""
    an = member(gent, adult, start=date(2026, 1, 1), email="an@example.be")
    bert = member(gent, adult, start=date(2026, 1, 1), email="bert@example.be")
    things = {}
    for who in (an, bert):
        membership = who.memberships.get()
        things[who.pk] = {
            "loan": make_loan(who, make_item(gent, f"Boek van {who.pk}"), date(2026, 4, 1)),
            "reservation": make_reservation(
                who, make_item(gent, f"Gereserveerd door {who.pk}"), date(2026, 4, 2)
            ),
            "message": make_message(who, date(2026, 4, 1), kind="VL", membership=membership),
            "fee": make_open_fee(membership, booked_on=date(2026, 4, 1)),
        }
    return SimpleNamespace(an=an, bert=bert, things=things, client=logged_in(an))


def test_another_borrowers_loan_cannot_be_renewed(two):
    loan = two.things[two.bert.pk]["loan"]
    assert two.client.post(f"/portal/loans/{loan.pk}/renew/").status_code == 404
    assert Loan.objects.get(pk=loan.pk).due_on == loan.due_on
    own = two.things[two.an.pk]["loan"]
    assert two.client.post(f"/portal/loans/{own.pk}/renew/").status_code == 302


def test_another_borrowers_reservation_cannot_be_cancelled(two):
    reservation = two.things[two.bert.pk]["reservation"]
    assert two.client.post(f"/portal/reservations/{reservation.pk}/cancel/").status_code == 404
    assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.WAITING


def test_another_borrowers_message_cannot_be_read(two):
    theirs, own = two.things[two.bert.pk]["message"], two.things[two.an.pk]["message"]
    assert two.client.get(f"/portal/messages/{theirs.pk}/").status_code == 404
    assert two.client.get(f"/portal/messages/{own.pk}/").status_code == 200


def test_no_page_shows_another_borrowers_things(two):
    pages = "".join(
        text_of(two.client.get(url))
        for url in (
            "/portal/membership/",
            "/portal/loans/",
            "/portal/reservations/",
            "/portal/messages/",
            "/portal/profile/",
        )
    )
    assert f"Boek van {two.an.pk}" in pages
    assert f"Boek van {two.bert.pk}" not in pages
    assert f"Gereserveerd door {two.bert.pk}" not in pages
    assert "bert@example.be" not in pages
    assert two.bert.card_number not in pages


def test_the_qr_code_is_always_the_logged_in_borrowers_own(two):
    # the address names no one; an id added to it changes nothing
    own = two.client.get("/portal/membership/qr.png").content
    assert two.client.get(f"/portal/membership/qr.png?borrower={two.bert.pk}").content == own
    bert_client = logged_in(two.bert)
    assert bert_client.get("/portal/membership/qr.png").content != own


def test_items_of_another_library_cannot_be_reserved(two):
    other = make_instance("BRUG")
    make_type(other)
    foreign = make_item(other, "Boek in Brugge")
    assert two.client.post("/portal/reservations/place/", {"item": foreign.pk}).status_code == 404
    assert two.client.post("/portal/reservations/place/", {"item": "abc"}).status_code == 404
    assert not Reservation.objects.filter(item=foreign).exists()
    assert "Boek in Brugge" not in text_of(two.client.get("/portal/reservations/?q=Boek"))


def test_actions_are_posts_with_a_csrf_token(two):
    client = Client(enforce_csrf_checks=True)
    client.cookies = two.client.cookies  # the same session, but a form without the token
    loan = two.things[two.an.pk]["loan"]
    assert client.post(f"/portal/loans/{loan.pk}/renew/").status_code == 403
    assert client.get(f"/portal/loans/{loan.pk}/renew/").status_code == 405
