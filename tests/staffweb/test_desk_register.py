"""Registering a borrower at the desk: the form, the duplicate warning, refusals that
keep what was typed, the PIN typed by the borrower on a second screen or generated and
printed on a slip once."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from django.contrib.auth.hashers import check_password

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership
from tests.factories import make_borrower, make_instance, make_staff, make_type
from tests.staffweb.desk_forms import registration, text_of, value_of

pytestmark = pytest.mark.django_db

NEW = "/staff/borrowers/new/"


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def adult(gent):
    return make_type(gent, fee="12.00")


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def nothing_written(before: tuple[int, int]) -> bool:
    return (Borrower.objects.count(), AuditEvent.objects.count()) == before


def counts() -> tuple[int, int]:
    return Borrower.objects.count(), AuditEvent.objects.count()


def test_the_form_offers_ones_own_library_preselected_and_today_as_start(desk, gent, adult):
    page = desk.get(NEW)
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(rf'<option value="{gent.pk}" selected>Bibliotheek Gent \(GENT\)', html)
    assert "GENT — Volw (€ 12,00, 12 months)" in html
    assert value_of(page, "start") == "2026-04-10"
    assert value_of(page, "country") == "BE"
    assert 'href="/staff/borrowers/new/"' in html  # "New borrower" in the header


def test_register_with_the_fee_open_then_the_kiosk_is_blocked(desk, gent, adult):
    # given the desk's form filled in with a paying type and the fee left open
    response = desk.post(NEW, registration(gent, adult, fee="open"))
    # then the borrower is saved with a first membership and an open fee
    borrower = Borrower.objects.get(card_number="B9000000001")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/borrowers/{borrower.pk}/"
    assert (borrower.first_name, borrower.last_name, borrower.city) == (
        "Hélène",
        "Van Acker",
        "Gent",
    )
    assert borrower.phone == "+3292661000"
    assert borrower.pin_hash == ""
    membership = Membership.objects.get(borrower=borrower)
    assert (membership.start, membership.type) == (date(2026, 4, 10), adult)
    assert Posting.objects.get(borrower=borrower).balance == 12
    # and the borrower page says so, with the kiosk block
    page = desk.get(response["Location"])
    assert "Hélène Van Acker is registered with card B9000000001." in text_of(page)
    kiosk = re.search(r'<div class="desk-block (\w+)" id="block-kiosk"', page.content.decode())
    assert kiosk is not None
    assert kiosk.group(1) == "blocked"


def test_register_with_the_fee_paid_and_without_a_membership(desk, gent, adult):
    desk.post(NEW, registration(gent, adult, fee="paid"))
    assert Posting.objects.get(borrower__card_number="B9000000001").balance == 0
    desk.post(NEW, registration(gent, None, card_number="B9000000002", email="", first_name="Jan"))
    assert not Membership.objects.filter(borrower__card_number="B9000000002").exists()


def test_a_likely_duplicate_is_shown_and_can_be_registered_anyway(desk, gent, adult):
    # given Hélène is already registered, with her birth date
    other = make_borrower(
        gent, card="B0000000777", first_name="Helene", last_name="Vanacker",
        birth_date=date(1990, 3, 14), postal_code="9050", city="Gentbrugge", email="",
    )  # fmt: skip
    before = counts()
    # when the desk registers her again
    response = desk.post(NEW, registration(gent, adult))
    # then she is shown, with her page opening in a new tab, and nothing is saved
    assert response.status_code == 400
    html, text = response.content.decode(), text_of(response)
    assert "Is this person already registered?" in text
    assert f'href="/staff/borrowers/{other.pk}/" target="_blank" rel="noopener"' in html
    assert "14/03/1990 9050 Gentbrugge" in text
    assert "B0000000777" in text
    assert nothing_written(before)
    assert value_of(response, "street") == "Kerkstraat"  # what was typed is kept
    # when the desk chooses to register anyway
    response = desk.post(NEW, registration(gent, adult) | {"anyway": "1"})
    assert response.status_code == 302
    assert Borrower.objects.filter(card_number="B9000000001").exists()


@pytest.mark.parametrize(
    ("changes", "field", "sentence"),
    [
        ({"postal_code": "999"}, "postal_code",
         "'999' is not a Belgian postcode: it is four digits from 1000 to 9992"),
        ({"email": "helene@"}, "email", "'helene@' is not a valid e-mail address"),
        ({"card_number": "B0000000001"}, "card_number",
         "card number 'B0000000001' is already in use"),
        ({"country": "Belgie"}, "country", "a country is its two-letter code"),
    ],
)  # fmt: skip
def test_a_refusal_shows_the_form_again_with_the_reason_and_changes_nothing(
    desk, gent, adult, changes, field, sentence
):
    make_borrower(gent, card="B0000000001", first_name="Jan", email="")
    before = counts()
    response = desk.post(NEW, registration(gent, adult, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    top = re.search(r'<p class="error" role="alert" id="form-error">(.*?)</p>', html, re.S)
    assert top is not None
    assert sentence in top.group(1).replace("&#x27;", "'")
    # beside the field too, and the field says it is wrong
    assert re.search(rf'<input[^>]*name="{field}"[^>]*aria-invalid="true"', html), field
    assert value_of(response, "first_name") == "Hélène"
    assert value_of(response, field) == changes[field]
    assert nothing_written(before)


def test_a_generated_pin_is_printed_on_a_slip_once(desk, gent, adult):
    response = desk.post(NEW, registration(gent, adult, pin_mode="generate"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    pin = re.search(r'id="slip-pin">(\d+)<', response.content.decode()).group(1)
    borrower = Borrower.objects.get(card_number="B9000000001")
    assert check_password(pin, borrower.pin_hash)
    # the slip leads to the borrower page, which says it is saved and never shows the PIN
    page = desk.get(f"/staff/borrowers/{borrower.pk}/")
    assert "is registered with card B9000000001" in text_of(page)
    assert pin not in page.content.decode()
    assert all(pin not in str(event.after) for event in AuditEvent.objects.all())


def test_the_borrower_types_the_pin_on_a_second_screen(desk, gent, adult, caplog):
    caplog.set_level(logging.DEBUG)
    before = counts()
    response = desk.post(NEW, registration(gent, adult, pin_mode="borrower"))
    # then nothing is saved yet: the PIN screen comes first
    assert response.status_code == 302
    pin_page = response["Location"]
    assert re.fullmatch(r"/staff/borrowers/new/[\w-]+/pin/", pin_page)
    assert nothing_written(before)
    page = desk.get(pin_page)
    assert "Hélène, choose your PIN" in text_of(page)
    assert value_of(page, "pin") is None  # masked and empty
    assert 'type="password"' in page.content.decode()
    # two different PINs are refused and still nothing is saved
    refused = desk.post(pin_page, {"pin": "4826", "pin_again": "4862"})
    assert refused.status_code == 400
    assert "The two PINs differ" in text_of(refused)
    assert value_of(refused, "pin") is None
    assert value_of(refused, "pin_again") is None
    assert nothing_written(before)
    # a PIN that is not 4 to 12 digits is refused with the rule
    malformed = desk.post(pin_page, {"pin": "12ab", "pin_again": "12ab"})
    assert "a PIN is 4 to 12 digits 0-9" in text_of(malformed)
    assert nothing_written(before)
    # the same PIN twice registers the borrower with it
    done = desk.post(pin_page, {"pin": "4826", "pin_again": "4826"})
    borrower = Borrower.objects.get(card_number="B9000000001")
    assert done["Location"] == f"/staff/borrowers/{borrower.pk}/"
    assert check_password("4826", borrower.pin_hash)
    assert Membership.objects.filter(borrower=borrower).count() == 1
    # the PIN is kept nowhere: not in the session, and the screen is gone
    assert "4826" not in str(dict(desk.session))
    assert "4826" not in caplog.text  # nor in a log line, refusals included
    assert desk.get(pin_page)["Location"] == NEW


def test_a_duplicate_is_asked_before_the_borrower_types_the_pin(desk, gent, adult):
    make_borrower(gent, card="B0000000777", email="helene@example.be")
    response = desk.post(NEW, registration(gent, adult, pin_mode="borrower"))
    assert response.status_code == 400
    assert "Is this person already registered?" in text_of(response)
    response = desk.post(NEW, registration(gent, adult, pin_mode="borrower", anyway="1"))
    done = desk.post(response["Location"], {"pin": "4826", "pin_again": "4826"})
    assert done.status_code == 302
    assert Borrower.objects.filter(email="helene@example.be").count() == 2


def test_a_refusal_is_said_before_the_borrower_types_the_pin(desk, gent, adult):
    before = counts()
    response = desk.post(NEW, registration(gent, adult, pin_mode="borrower", postal_code="12"))
    assert response.status_code == 400
    assert "is not a Belgian postcode" in text_of(response)
    assert nothing_written(before)


def test_a_library_of_the_group_that_is_not_ones_own_cannot_be_chosen(client, gent, adult):
    brugge = make_instance("BRUGGE")
    client.force_login(make_staff("balie-gent-2", gent))
    response = client.post(NEW, registration(brugge, None))
    assert response.status_code == 400
    assert not Borrower.objects.exists()


def test_the_form_speaks_dutch(client, gent, adult):
    client.force_login(make_staff("balie", gent))
    text = text_of(client.get(NEW))
    assert "Nieuwe lener" in text
    assert "Gemeente" in text


def test_a_type_of_another_library_than_the_home_library_is_refused(client, gent, adult):
    loch = make_instance("LOCH")
    client.force_login(make_staff("balie-twee", gent, loch))
    client.cookies["django_language"] = "en"
    page = client.get(NEW).content.decode()
    assert "LOCH" in page
    assert not re.search(r'<option value="\d+" selected>Bibliotheek', page)  # two: none chosen
    response = client.post(NEW, registration(loch, adult))
    assert response.status_code == 400
    assert "type VOLW belongs to another instance than LOCH" in text_of(response)
    html = response.content.decode()
    assert re.search(r'<select[^>]*name="membership_type"[^>]*aria-invalid="true"', html)
    assert not Borrower.objects.exists()
