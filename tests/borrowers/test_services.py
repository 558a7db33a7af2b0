"""Registering a borrower."""

import logging
from datetime import date

import pytest
from django.contrib.auth.hashers import check_password

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.services import borrower_contact_update, borrower_pin_set, pin_is_well_formed
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership
from lidgeld.operations.registration import borrower_register
from tests.factories import make_instance, make_type

pytestmark = pytest.mark.django_db


def register(instance, **overrides):
    values = {
        "card_number": "3001",
        "first_name": "Jan",
        "last_name": "Maes",
        "instance": instance,
        "today": date(2026, 4, 10),
        "now": at_nine(date(2026, 4, 10)),
        "actor": "t",
    }
    return borrower_register(**{**values, **overrides})


def test_registration_with_a_type_starts_a_membership_and_books_the_fee():
    instance = make_instance()
    borrower = register(instance, membership_type=make_type(instance), email="jan@example.be")
    membership = Membership.objects.get(borrower=borrower)
    assert (membership.start, membership.end) == (date(2026, 4, 10), date(2027, 4, 30))
    assert Posting.objects.get(borrower=borrower).balance == 12


def test_the_pin_is_stored_hashed_and_never_logged_or_audited(caplog):
    instance = make_instance()
    with caplog.at_level(logging.DEBUG):
        borrower = register(instance, pin="482913")
    stored = Borrower.objects.get(pk=borrower.pk).pin_hash
    assert "482913" not in stored
    assert check_password("482913", stored)
    assert "482913" not in caplog.text
    assert all("482913" not in str(event.after) for event in AuditEvent.objects.all())


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"card_number": "with space"}, "card number"),
        ({"first_name": " "}, "first name"),
        ({"language": "de"}, "nl, fr or en"),
        ({"pin": "12"}, "4 to 12 digits"),
        # Arabic-Indic and full-width digits pass str.isdigit() and \\d; no keypad types them
        ({"pin": "١٢٣٤"}, "a PIN is 4 to 12 digits 0-9"),
        ({"pin": "１２３４"}, "a PIN is 4 to 12 digits 0-9"),
        ({"pin": "1234\n"}, "a PIN is 4 to 12 digits 0-9"),
        ({"email": "jan@"}, "not a valid e-mail address"),
        ({"first_name": "J" * 101}, "the first name is at most 100 characters long, not 101"),
        ({"last_name": "M" * 5000}, "the last name is at most 100 characters long, not 5000"),
        ({"street": "s" * 201}, "the street is at most 200 characters long, not 201"),
        ({"postal_code": "90001234567"}, "the postal code is at most 10 characters long"),
        ({"city": "G" * 101}, "the city is at most 100 characters long, not 101"),
        (
            {"email": "j" * 64 + "@" + "e" * 63 + "." + "e" * 63 + "." + "e" * 63 + ".be"},
            "the e-mail address is at most 254 characters long, not 259",
        ),
    ],
)
def test_bad_registrations_are_refused_and_leave_nothing(overrides, says):
    instance = make_instance()
    with pytest.raises(InvalidInput, match=says):
        register(instance, **overrides)
    assert not Borrower.objects.exists()
    assert not AuditEvent.objects.filter(action="borrower.registered").exists()


def test_a_type_of_another_instance_is_refused():
    gent, mere = make_instance("GENT"), make_instance("MERE")
    with pytest.raises(InvalidInput, match="another instance"):
        register(gent, membership_type=make_type(mere))


def test_audit_events_carry_the_clocks_time():
    # the conftest clock stands on 10 April 2026, whatever the wall clock says
    register(make_instance())
    event = AuditEvent.objects.get(action="borrower.registered")
    assert event.at.date() == date(2026, 4, 10)
    assert event.business_date == date(2026, 4, 10)


@pytest.mark.parametrize("pin", ["١٢٣٤٥", "１２３４５", "12345\n", "123"])
def test_a_new_pin_is_4_to_12_digits_0_to_9(pin):
    borrower = register(make_instance(), pin="2468")
    with pytest.raises(InvalidInput, match="a PIN is 4 to 12 digits 0-9"):
        borrower_pin_set(
            borrower=borrower,
            pin=pin,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )
    assert check_password("2468", Borrower.objects.get(pk=borrower.pk).pin_hash)
    assert not AuditEvent.objects.filter(action="borrower.pin_set").exists()


@pytest.mark.parametrize(("pin", "well_formed"), [("0000", True), ("123456789012", True),
                         ("123", False), ("1234567890123", False), ("١٢٣٤", False),
                         ("１２３４", False), ("12 34", False), ("1234\n", False), ("", False)])  # fmt: skip
def test_the_one_pin_rule(pin, well_formed):
    assert pin_is_well_formed(pin) is well_formed


def test_a_new_e_mail_address_longer_than_the_column_is_refused():
    borrower = register(make_instance(), email="jan@example.be")
    address = "j" * 64 + "@" + "e" * 63 + "." + "e" * 63 + "." + "e" * 63 + ".be"
    with pytest.raises(InvalidInput, match="the e-mail address is at most 254 characters long"):
        borrower_contact_update(
            borrower=borrower,
            email=address,
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )
    assert Borrower.objects.get(pk=borrower.pk).email == "jan@example.be"
