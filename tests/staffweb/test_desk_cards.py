"""A borrower's cards at the desk: the history, report lost or stolen after a
confirmation, a new card (typed or scanned) with or without the library's fee, and an
old card that still finds its borrower, with a banner saying so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Card, Note
from lidgeld.finance.models import Posting
from lidgeld.scope import Scope
from lidgeld.staffweb.selectors import borrower_search
from tests.factories import make_borrower, make_instance, make_membership, make_staff, make_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def gent():
    return make_instance("GENT", card_fee=Decimal("2.50"), card_fee_booking_code=2100)


@pytest.fixture
def an(gent):
    borrower = make_borrower(gent, card="B0000000001")
    make_membership(borrower, make_type(gent), date(2025, 5, 1))
    return borrower


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def page_of(client, borrower, **query) -> str:
    response = client.get(f"/staff/borrowers/{borrower.pk}/", query)
    assert response.status_code == 200
    return response.content.decode()


def flash(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def replaced_before(borrower, old: str, new: str, replaced: date, reported: str = "") -> None:
    """Given: ``old`` was the borrower's card until ``replaced``; ``new`` is the current one."""
    Card.objects.filter(number=old).update(
        replaced_on=replaced, reported=reported, reported_on=replaced if reported else None
    )
    Card.objects.create(number=new, borrower=borrower, issued_on=replaced)
    Borrower.objects.filter(pk=borrower.pk).update(card_number=new)


# -- the history ----------------------------------------------------------------------


def test_the_page_lists_every_card_and_says_which_is_current(desk, an):
    replaced_before(an, "B0000000001", "B0000000002", date(2026, 2, 3), reported="stolen")
    page = page_of(desk, an)
    assert '<h2 id="cards-title">Cards</h2>' in page
    old = page.split('id="card-B0000000001"')[1].split("</tr>")[0]
    assert "01/01/2020" in old
    assert "stolen, on 03/02/2026" in old
    assert "old card" in old
    new = page.split('id="card-B0000000002"')[1].split("</tr>")[0]
    assert "03/02/2026" in new
    assert "current card" in new
    assert page.index('id="card-B0000000002"') < page.index('id="card-B0000000001"')


def test_a_borrower_from_before_the_card_history_shows_their_card(desk, gent):
    borrower = make_borrower(gent, card="B0000000077")
    Card.objects.filter(borrower=borrower).delete()
    page = page_of(desk, borrower)
    assert 'id="card-B0000000077" class="current-card"' in page


# -- report lost or stolen ------------------------------------------------------------


def test_reporting_lost_asks_first_then_blocks_the_card(desk, an):
    # given An's card; when the desk asks to report it lost
    confirm = desk.get(f"/staff/borrowers/{an.pk}/card/lost/").content.decode()
    # then it is told what that does, and nothing has changed yet
    assert "From now on card B0000000001 is refused at every kiosk and in Mijn Bibliotheek." in (
        confirm
    )
    assert Borrower.objects.get(pk=an.pk).card_reported == ""
    # when it confirms
    response = desk.post(f"/staff/borrowers/{an.pk}/card/lost/", follow=True)
    # then the card is reported lost, audited, and the page says so at the top
    card = Card.objects.get(number="B0000000001")
    assert (card.reported, card.reported_on) == ("lost", date(2026, 4, 10))
    assert Borrower.objects.get(pk=an.pk).card_reported == "lost"
    assert AuditEvent.objects.filter(action="card.reported", borrower_id=an.pk).count() == 1
    assert flash(response) == [
        "Card B0000000001 reported lost; every kiosk and Mijn Bibliotheek refuse it."
    ]
    page = response.content.decode()
    assert "The current card B0000000001 was reported lost on 10/04/2026." in page
    assert 'id="card-lost"' not in page  # reported already; stolen may still be said
    assert 'id="card-stolen"' in page


def test_reporting_twice_is_refused_with_the_reason_and_changes_nothing(desk, an):
    desk.post(f"/staff/borrowers/{an.pk}/card/stolen/")
    events = AuditEvent.objects.count()
    response = desk.post(f"/staff/borrowers/{an.pk}/card/stolen/")
    assert response.status_code == 400
    assert "card B0000000001 is already reported stolen" in response.content.decode()
    assert AuditEvent.objects.count() == events


def test_a_stolen_card_scanned_at_the_desk_says_so(desk, an):
    desk.post(f"/staff/borrowers/{an.pk}/card/stolen/")
    response = desk.get("/staff/borrowers/", {"q": "B0000000001"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/borrowers/{an.pk}/?card=B0000000001"
    page = desk.get(response["Location"]).content.decode()
    assert '<p class="desk-banner card-banner" id="banner-card-reported">' in page
    assert "This card was reported stolen on 10/04/2026." in page


# -- a new card -----------------------------------------------------------------------


def new_card(client, borrower, number: str, **choices) -> tuple[str, object]:
    """Fill in the new card's form and confirm it, as the desk does."""
    form = {"number": number, **{name: "on" for name, on in choices.items() if on}}
    url = f"/staff/borrowers/{borrower.pk}/card/new/"
    confirmation = client.post(url, form)
    assert confirmation.status_code == 200, confirmation.content.decode()
    return confirmation.content.decode(), client.post(url, {**form, "confirm": "1"}, follow=True)


def test_the_new_card_form_offers_the_fee_in_belgian_form(desk, an):
    page = desk.get(f"/staff/borrowers/{an.pk}/card/new/").content.decode()
    assert "Charge the card fee (€ 2,50)" in page
    assert 'id="charge" name="charge" checked' in page
    assert 'id="paid" name="paid">' in page


def test_a_new_card_with_the_fee_paid_after_a_confirmation(desk, an):
    # given An reported her card lost
    desk.post(f"/staff/borrowers/{an.pk}/card/lost/")
    # when the desk scans a new card, charges the fee paid now and confirms
    confirmation, done = new_card(desk, an, "B0000000050", charge=True, paid=True)
    # then the confirmation said what would happen, before anything changed
    assert '<dd id="old-card">B0000000001</dd>' in confirmation
    assert '<dd id="new-card">B0000000050</dd>' in confirmation
    assert '<dd id="card-fee">€ 2,50, paid now</dd>' in confirmation
    # and now the new card is current, the old one kept, the fee booked and paid
    assert Borrower.objects.get(pk=an.pk).card_number == "B0000000050"
    old = Card.objects.get(number="B0000000001")
    assert (old.replaced_on, old.reported) == (date(2026, 4, 10), "lost")
    (fee,) = Posting.objects.filter(borrower=an)
    assert (fee.booking_code, fee.amount, fee.balance) == (2100, Decimal("2.50"), Decimal("0.00"))
    assert flash(done) == [
        "Card B0000000050 given; card B0000000001 is kept as an old card. Card fee € 2,50 paid."
    ]
    page = done.content.decode()
    assert "reported lost on" not in page  # the new card is not reported
    assert 'id="card-B0000000050" class="current-card"' in page


def test_a_new_card_with_the_fee_left_open_or_without_a_fee(desk, an, gent):
    _confirmation, done = new_card(desk, an, "B0000000051", charge=True)
    assert flash(done)[-1].endswith("Card fee € 2,50 open.")
    assert Posting.objects.get(borrower=an).balance == Decimal("2.50")
    confirmation, done = new_card(desk, an, "B0000000052")
    assert '<dd id="card-fee">none</dd>' in confirmation
    assert flash(done)[-1] == "Card B0000000052 given; card B0000000051 is kept as an old card."
    assert Posting.objects.filter(borrower=an).count() == 1


def test_a_library_without_a_card_fee_gets_no_fee_choice(desk, an, gent):
    gent.card_fee = Decimal("0.00")
    gent.save()
    page = desk.get(f"/staff/borrowers/{an.pk}/card/new/").content.decode()
    assert 'name="charge"' not in page
    assert 'name="paid"' not in page
    confirmation, _done = new_card(desk, an, "B0000000053", charge=True)
    assert '<dd id="card-fee">none</dd>' in confirmation
    assert not Posting.objects.filter(borrower=an).exists()


@pytest.mark.parametrize("confirm", [False, True])
def test_a_card_number_given_out_before_is_refused_and_changes_nothing(desk, gent, an, confirm):
    # given a card number another borrower had once
    other = make_borrower(gent, card="B0000000090")
    replaced_before(other, "B0000000090", "B0000000091", date(2025, 1, 1))
    events = AuditEvent.objects.count()
    # when the desk gives it to An (at the form or, taken meanwhile, at the confirmation)
    form = {"number": "B0000000090", "charge": "on"} | ({"confirm": "1"} if confirm else {})
    response = desk.post(f"/staff/borrowers/{an.pk}/card/new/", form)
    # then the form comes back with the reason and what was typed; nothing changed
    assert response.status_code == 400
    page = response.content.decode()
    assert "B0000000090" in page
    assert "was given out before" in page
    assert 'name="number" value="B0000000090"' in page
    assert Borrower.objects.get(pk=an.pk).card_number == "B0000000001"
    assert not Posting.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_malformed_card_number_is_refused_with_the_reason(desk, an):
    response = desk.post(f"/staff/borrowers/{an.pk}/card/new/", {"number": "B 1/2"})
    assert response.status_code == 400
    assert "a card number is 1 to 32 letters, digits or dashes" in response.content.decode()


def test_a_confirmation_sent_twice_gives_one_card_and_books_once(desk, an):
    form = {"number": "B0000000060", "charge": "on", "confirm": "1"}
    desk.post(f"/staff/borrowers/{an.pk}/card/new/", form, follow=True)
    again = desk.post(f"/staff/borrowers/{an.pk}/card/new/", form, follow=True)
    assert flash(again) == ["Card B0000000060 is the current card already."]
    assert Card.objects.filter(borrower=an).count() == 2
    assert Posting.objects.filter(borrower=an).count() == 1


# -- an old card finds its borrower ---------------------------------------------------


def test_the_search_finds_a_borrower_by_an_old_card(gent, an):
    replaced_before(an, "B0000000001", "B0000000002", date(2026, 2, 3), reported="lost")
    result = borrower_search(scope=Scope("t", frozenset({gent.pk})), query="b0000000001")
    assert [b.pk for b in result.borrowers] == [an.pk]
    assert result.old_card is not None
    assert result.old_card.number == "B0000000001"
    # a current card's first characters find it as before, and say nothing of old cards
    result = borrower_search(scope=Scope("t", frozenset({gent.pk})), query="B000000000")
    assert [b.pk for b in result.borrowers] == [an.pk]
    assert result.old_card is None


def test_the_old_card_is_read_by_its_unique_index(gent, an):
    """The old-card reading is one lookup on the card number's unique index (the
    current cards stay a range on the borrowers' card index, tested with the search)."""
    with CaptureQueriesContext(connection) as queries:
        borrower_search(scope=Scope("t", None), query="B0000000001")
    (sql,) = [q["sql"] for q in queries.captured_queries if 'FROM "borrowers_card"' in q["sql"]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "borrowers_card_number" in plan or "sqlite_autoindex_borrowers_card" in plan, plan


def test_an_old_card_of_another_library_finds_nobody(gent, an):
    brugge = make_instance("BRUGGE")
    replaced_before(an, "B0000000001", "B0000000002", date(2026, 2, 3))
    result = borrower_search(scope=Scope("t", frozenset({brugge.pk})), query="B0000000001")
    assert result.borrowers == []
    assert result.old_card is None


def test_a_scanned_old_card_opens_the_borrower_with_a_banner(desk, an):
    replaced_before(an, "B0000000001", "B0000000002", date(2026, 2, 3), reported="lost")
    response = desk.get("/staff/borrowers/", {"q": "B0000000001"})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/borrowers/{an.pk}/?card=B0000000001"
    page = desk.get(response["Location"]).content.decode()
    assert (
        "Old card: card B0000000001 was replaced on 03/02/2026 (reported lost on 03/02/2026)."
        in page
    )
    # the live search lists her, with her current card
    live = desk.get("/staff/borrowers/", {"q": "B0000000001"}, HTTP_HX_REQUEST="true")
    assert "B0000000002" in live.content.decode()


def test_an_old_card_not_reported_says_only_when_it_was_replaced(desk, an):
    replaced_before(an, "B0000000001", "B0000000002", date(2026, 2, 3))
    page = page_of(desk, an, card="B0000000001")
    assert "Old card: card B0000000001 was replaced on 03/02/2026.</p>" in page


def test_the_card_parameter_is_checked_against_the_borrowers_own_cards(desk, gent, an):
    other = make_borrower(gent, card="B0000000090")
    replaced_before(other, "B0000000090", "B0000000091", date(2025, 1, 1))
    assert 'id="banners"' not in page_of(desk, an, card="B0000000090")
    assert 'id="banners"' not in page_of(desk, an, card="B0000000001")  # her current card


def test_the_card_pages_speak_dutch_by_default(gent, an):
    client = Client()
    client.force_login(make_staff("balie-nl", gent))
    replaced_before(an, "B0000000001", "B0000000002", date(2026, 2, 3), reported="lost")
    page = client.get(f"/staff/borrowers/{an.pk}/", {"card": "B0000000001"}).content.decode()
    assert (
        "Oude kaart: kaart B0000000001 werd vervangen op 03/02/2026 "
        "(verloren gemeld op 03/02/2026)." in page
    )
    assert '<h2 id="cards-title">Kaarten</h2>' in page
    for words in ("Verloren melden", "Gestolen melden", "Nieuwe kaart", "huidige kaart"):
        assert words in page
    confirm = client.get(f"/staff/borrowers/{an.pk}/card/stolen/").content.decode()
    assert "in Mijn Bibliotheek geweigerd" in confirm
    form = client.get(f"/staff/borrowers/{an.pk}/card/new/").content.decode()
    assert "Kost aanrekenen (€ 2,50)" in form
    assert "Nu betaald" in form
    client.post(f"/staff/borrowers/{an.pk}/card/lost/")
    page = client.get(f"/staff/borrowers/{an.pk}/", {"card": "B0000000002"}).content.decode()
    assert "Deze kaart werd verloren gemeld op 10/04/2026." in page


# -- the page's cost ------------------------------------------------------------------


def test_the_page_reads_the_same_number_of_queries_for_more_notes_and_cards(desk, gent):
    def queries_for(n: int) -> int:
        borrower = make_borrower(gent)
        for i in range(n):
            replaced_before(
                borrower,
                Borrower.objects.get(pk=borrower.pk).card_number,
                f"N{n:03d}{i:05d}",
                date(2021 + i % 5, 1, 1),
                reported="lost",
            )
            Note.objects.create(
                borrower=borrower,
                text=f"Note {i}",
                at_desk=i % 2 == 0,
                written_at=timezone.now(),
                written_by="staff:balie-gent",
            )
        with CaptureQueriesContext(connection) as queries:
            page_of(desk, borrower, card=Card.objects.filter(borrower=borrower).last().number)
        return len(queries)

    assert queries_for(2) == queries_for(20)
