"""A borrower's cards: reported lost or stolen, replaced, never given out twice (R12)."""

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.cards import card_replace, card_report
from lidgeld.borrowers.models import Borrower, Card
from lidgeld.borrowers.selectors import card_holder
from lidgeld.borrowers.services import borrower_create
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from tests.factories import make_borrower, make_instance

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
MOMENT = {"today": TODAY, "now": at_nine(TODAY), "actor": "staff:els"}


def test_a_lost_card_is_marked_on_the_card_and_the_borrower():
    borrower = make_borrower(make_instance(), card="B100")
    card = card_report(borrower=borrower, report="lost", **MOMENT)
    assert (card.number, card.reported, card.reported_on) == ("B100", "lost", TODAY)
    assert Borrower.objects.get(pk=borrower.pk).card_reported == "lost"
    event = AuditEvent.objects.get(action="card.reported")
    assert (event.before, event.after) == (
        {"card": "B100", "reported": ""},
        {"card": "B100", "reported": "lost"},
    )


def test_a_card_reported_twice_the_same_way_is_refused():
    borrower = make_borrower(make_instance())
    card_report(borrower=borrower, report="stolen", **MOMENT)
    with pytest.raises(Refused, match="already reported"):
        card_report(borrower=borrower, report="stolen", **MOMENT)


def test_only_lost_or_stolen_can_be_reported():
    borrower = make_borrower(make_instance())
    with pytest.raises(InvalidInput, match="lost or stolen"):
        card_report(borrower=borrower, report="broken", **MOMENT)
    assert Borrower.objects.get(pk=borrower.pk).card_reported == ""


def test_a_replaced_card_stays_in_the_history_and_still_finds_its_borrower():
    # given a borrower whose card was lost
    borrower = make_borrower(make_instance(), card="B100")
    card_report(borrower=borrower, report="lost", **MOMENT)
    # when the desk gives a new card
    card_replace(borrower=borrower, new_number="B200", **MOMENT)
    # then the new card is the current one, unreported, and the old one is history
    stored = Borrower.objects.get(pk=borrower.pk)
    assert (stored.card_number, stored.card_reported) == ("B200", "")
    cards = {c.number: c for c in Card.objects.filter(borrower=borrower)}
    assert cards["B200"].current
    assert not cards["B100"].current
    assert (cards["B100"].reported, cards["B100"].replaced_on) == ("lost", TODAY)
    holder = card_holder("B100")
    assert holder is not None
    assert holder.borrower == borrower
    assert holder.old_card
    assert not card_holder("B200").old_card
    assert AuditEvent.objects.get(action="card.replaced").after == {"card": "B200"}


def test_an_old_card_number_is_never_given_to_someone_else():
    instance = make_instance()
    first = make_borrower(instance, card="B100")
    card_replace(borrower=first, new_number="B200", **MOMENT)
    second = make_borrower(instance, card="B300")
    # not as a replacement
    with pytest.raises(Refused, match="never used twice"):
        card_replace(borrower=second, new_number="B100", **MOMENT)
    # nor to a new borrower
    with pytest.raises(InvalidInput, match="already in use"):
        borrower_create(
            card_number="B100", first_name="Jan", last_name="Maes", instance=instance, **MOMENT
        )
    assert Borrower.objects.get(pk=second.pk).card_number == "B300"


def test_a_malformed_new_card_number_changes_nothing():
    borrower = make_borrower(make_instance(), card="B100")
    with pytest.raises(InvalidInput, match="1 to 32 letters"):
        card_replace(borrower=borrower, new_number="B 200", **MOMENT)
    assert Card.objects.get(number="B100").current


def test_a_borrower_from_before_the_card_history_gets_their_card_recorded():
    borrower = make_borrower(make_instance(), card="B100")
    Card.objects.filter(borrower=borrower).delete()
    card_replace(borrower=borrower, new_number="B200", **MOMENT)
    assert set(Card.objects.filter(borrower=borrower).values_list("number", flat=True)) == {
        "B100",
        "B200",
    }
