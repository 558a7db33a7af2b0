"""Correcting a borrower's details, and the duplicate warning at registration."""

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Card
from lidgeld.borrowers.services import LikelyDuplicate, borrower_create, borrower_details_correct
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import CooperationGroup
from lidgeld.scope import Scope
from tests.factories import make_borrower, make_instance

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
MOMENT = {"today": TODAY, "now": at_nine(TODAY), "actor": "staff:els"}


def correct(borrower, **changes):
    return borrower_details_correct(borrower=borrower, changes=changes, **MOMENT)


def test_a_correction_changes_what_it_names_and_is_audited_before_and_after():
    # given a borrower with an address
    borrower = make_borrower(make_instance(), street="Kouter", house_number="1", city="Gent")
    borrower.postal_code = "9000"
    borrower.save()
    # when the desk corrects the street and number
    changed = correct(borrower, street="Veldstraat", house_number="12", box="B", city="Gent")
    # then only those changed, and the audit says from what to what
    assert changed == {
        "street": ("Kouter", "Veldstraat"),
        "house_number": ("1", "12"),
        "box": ("", "B"),
    }
    stored = Borrower.objects.get(pk=borrower.pk)
    assert (stored.street, stored.house_number, stored.box, stored.postal_code) == (
        "Veldstraat",
        "12",
        "B",
        "9000",
    )
    event = AuditEvent.objects.get(action="borrower.details_corrected")
    assert event.before == {"street": "Kouter", "house_number": "1", "box": ""}
    assert event.after == {"street": "Veldstraat", "house_number": "12", "box": "B"}
    assert event.actor == "staff:els"


def test_a_new_name_gets_its_search_key():
    borrower = make_borrower(make_instance(), first_name="Helene", last_name="Claes")
    correct(borrower, first_name="Hélène", last_name="Van Acker")
    assert Borrower.objects.values_list("search_first", "search_last").get(pk=borrower.pk) == (
        "helene",
        "vanacker",
    )


def test_a_correction_that_changes_nothing_leaves_no_audit():
    borrower = make_borrower(make_instance(), first_name="An")
    assert correct(borrower, first_name=" An ") == {}
    assert not AuditEvent.objects.filter(action="borrower.details_corrected").exists()


def test_a_bad_value_changes_nothing():
    borrower = make_borrower(make_instance(), email="an@example.be")
    with pytest.raises(InvalidInput, match="not a valid e-mail"):
        correct(borrower, city="Brugge", email="an@")
    stored = Borrower.objects.get(pk=borrower.pk)
    assert (stored.city, stored.email) == ("", "an@example.be")


def test_a_new_country_asks_whether_the_kept_postcode_fits():
    borrower = make_borrower(make_instance(), country="NL", postal_code="1012 AB")
    with pytest.raises(InvalidInput, match="not a Belgian postcode"):
        correct(borrower, country="BE")


def _create(instance, scope, **values):
    defaults = {
        "card_number": "NEW1",
        "first_name": "Hélène",
        "last_name": "Claes",
        "birth_date": date(1990, 5, 1),
        "email": "",
    }
    return borrower_create(instance=instance, duplicates_in=scope, **(defaults | values), **MOMENT)


def test_a_namesake_with_the_same_birth_date_in_the_group_is_a_likely_duplicate():
    # given Hélène Claes in Merelbeke, which shares borrowers with Gent
    group = CooperationGroup.objects.create(code="MV", name="Meetjesland")
    gent, mere = make_instance("GENT", group=group), make_instance("MERE", group=group)
    known = make_borrower(mere, first_name="Helene", last_name="claes")
    Borrower.objects.filter(pk=known.pk).update(birth_date=date(1990, 5, 1))
    scope = Scope("staff:els", frozenset({gent.pk, mere.pk}))
    # when Gent registers "Hélène Claes" born the same day
    with pytest.raises(LikelyDuplicate) as caught:
        _create(gent, scope)
    # then the desk is shown her, and nothing was saved
    assert [b.pk for b in caught.value.borrowers] == [known.pk]
    assert not Card.objects.filter(number="NEW1").exists()
    # and staff may still go on
    borrower = _create(gent, None)
    assert Card.objects.get(number="NEW1").borrower == borrower


def test_the_same_e_mail_address_whatever_its_case_is_a_likely_duplicate():
    gent = make_instance()
    make_borrower(gent, email="Helene@Example.be")
    with pytest.raises(LikelyDuplicate):
        _create(gent, Scope("t", None), email="helene@example.BE", birth_date=None)


def test_a_namesake_born_another_day_or_outside_the_scope_is_not_a_duplicate():
    gent, brugge = make_instance("GENT"), make_instance("BRUG")
    other_day = make_borrower(gent, first_name="Hélène", last_name="Claes")
    Borrower.objects.filter(pk=other_day.pk).update(birth_date=date(1991, 5, 1))
    elsewhere = make_borrower(brugge, first_name="Hélène", last_name="Claes")
    Borrower.objects.filter(pk=elsewhere.pk).update(birth_date=date(1990, 5, 1))
    borrower = _create(gent, Scope("t", frozenset({gent.pk})))
    assert borrower.pk


def test_registration_keeps_the_whole_address_and_the_first_card():
    borrower = _create(
        make_instance(),
        None,
        street="Veldstraat",
        house_number="12",
        box="3",
        postal_code="9000",
        city="Gent",
        phone="09 266 10 00",
    )
    stored = Borrower.objects.get(pk=borrower.pk)
    assert (stored.house_number, stored.box, stored.phone, stored.country) == (
        "12",
        "3",
        "+3292661000",
        "BE",
    )
    assert [(c.number, c.current) for c in stored.cards.all()] == [("NEW1", True)]
