"""A PIN set at the desk: typed by the borrower twice, or generated and printed on a
slip once. Either way the borrower's Mijn Bibliotheek sessions end."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from lidgeld.audit.models import AuditEvent
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_staff,
    make_type,
    with_pin,
)
from tests.staffweb.desk_forms import text_of, value_of

pytestmark = pytest.mark.django_db

ENDED = "The new PIN is set. The borrower's Mijn Bibliotheek sessions were ended."


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def an(gent):
    borrower = with_pin(make_borrower(gent), "2468")
    make_membership(borrower, make_type(gent), start=date(2025, 5, 1))
    return borrower


def test_the_page_offers_both_ways_and_says_sessions_end(desk, an):
    page = desk.get(f"/staff/borrowers/{an.pk}/pin/")
    assert page.status_code == 200
    text = text_of(page)
    assert "The borrower types the PIN" in text
    assert "Generate and print" in text
    assert "ends every Mijn Bibliotheek session" in text
    assert value_of(page, "pin") is None
    assert (
        f'href="/staff/borrowers/{an.pk}/pin/"'
        in desk.get(f"/staff/borrowers/{an.pk}/").content.decode()
    )


def test_the_borrower_types_a_new_pin(desk, an):
    url = f"/staff/borrowers/{an.pk}/pin/"
    response = desk.post(url, {"mode": "typed", "pin": "97531", "pin_again": "97531"})
    assert response["Location"] == f"/staff/borrowers/{an.pk}/"
    an.refresh_from_db()
    assert check_password("97531", an.pin_hash)
    page = desk.get(response["Location"])
    assert ENDED in text_of(page)
    assert "97531" not in page.content.decode()
    assert AuditEvent.objects.get(action="borrower.pin_set").after == {"pin": "set"}


def test_two_different_pins_are_refused_and_nothing_changes(desk, an):
    old = an.pin_hash
    response = desk.post(
        f"/staff/borrowers/{an.pk}/pin/", {"mode": "typed", "pin": "97531", "pin_again": "97532"}
    )
    assert response.status_code == 400
    assert "The two PINs differ" in text_of(response)
    assert "97531" not in response.content.decode()
    an.refresh_from_db()
    assert an.pin_hash == old
    assert not AuditEvent.objects.exists()


def test_a_malformed_pin_is_refused_with_the_rule(desk, an):
    response = desk.post(
        f"/staff/borrowers/{an.pk}/pin/", {"mode": "typed", "pin": "12", "pin_again": "12"}
    )
    assert response.status_code == 400
    assert "a PIN is 4 to 12 digits 0-9" in text_of(response)
    assert not AuditEvent.objects.exists()


def test_a_generated_pin_is_shown_once_on_a_slip_no_one_stores(desk, an):
    response = desk.post(f"/staff/borrowers/{an.pk}/pin/", {"mode": "generate"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    pin = re.search(r'id="slip-pin">(\d{6})<', response.content.decode()).group(1)
    an.refresh_from_db()
    assert check_password(pin, an.pin_hash)
    assert "sessions were ended" in text_of(response)
    page = desk.get(f"/staff/borrowers/{an.pk}/")
    assert ENDED in text_of(page)  # the message waited for the borrower page
    assert pin not in page.content.decode()


def test_a_pin_set_at_the_desk_ends_the_borrowers_portal_session(desk, an):
    # given the borrower is logged in to Mijn Bibliotheek
    portal = Client()
    login = portal.post("/portal/login/", {"card_number": an.card_number, "pin": "2468"})
    assert login.status_code == 302
    assert portal.get("/portal/membership/").status_code == 200
    # when the desk sets a new PIN
    desk.post(
        f"/staff/borrowers/{an.pk}/pin/", {"mode": "typed", "pin": "97531", "pin_again": "97531"}
    )
    # then the portal sends the borrower to the login page
    page = portal.get("/portal/membership/")
    assert page.status_code == 302
    assert page["Location"].startswith("/portal/login/")


def test_a_borrower_of_another_library_is_not_found(client, an):
    client.force_login(make_staff("balie-brugge", make_instance("BRUGGE")))
    assert client.get(f"/staff/borrowers/{an.pk}/pin/").status_code == 404
    response = client.post(f"/staff/borrowers/{an.pk}/pin/", {"mode": "generate"})
    assert response.status_code == 404
