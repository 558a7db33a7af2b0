"""The borrower page: what the desk needs about one person, in one's own language."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lidgeld.audit.services import audit_record
from lidgeld.circulation.models import ReservationStatus
from lidgeld.clock import at_nine
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_message,
    make_open_fee,
    make_reservation,
    make_staff,
    make_type,
)

pytestmark = pytest.mark.django_db

APRIL = date(2026, 4, 1)


@pytest.fixture
def gent():
    return make_instance("GENT", iban="BE68539007547034", bic="GKCCBEBB")


@pytest.fixture
def an(gent):
    """Renewed on 1 April with the fee left open: the kiosk refuses her."""
    borrower = make_borrower(gent, card="B0000000001", email="an@example.be")
    volw = make_type(gent)
    make_membership(borrower, volw, date(2025, 4, 1), date(2026, 3, 31), status="ended")
    current = make_membership(borrower, volw, APRIL)
    make_open_fee(current, APRIL)
    return borrower


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def page_of(client, borrower) -> str:
    response = client.get(f"/staff/borrowers/{borrower.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_header_the_situation_and_the_three_blocks(desk, an):
    page = page_of(desk, an)
    assert "An Peeters" in page
    assert "B0000000001" in page
    assert "Bibliotheek Gent (GENT)" in page
    assert "an@example.be" in page
    assert "valid" in page
    assert "until 31/03/2027" in page
    assert "€ 12,00 open" in page
    # kiosk blocked with the reason the kiosk itself shows; desk and portal allowed
    assert 'class="desk-block blocked" id="block-kiosk" data-reason="fee_open"' in page
    assert 'class="desk-block allowed" id="block-desk" data-reason="fee_open"' in page
    assert 'class="desk-block allowed" id="block-portal" data-reason="fee_open"' in page
    assert (
        "Your membership fee of € 12.00 is not paid yet. Pay it to borrow at the "
        "self-checkout kiosks." in page
    )


def test_the_page_and_the_reason_are_in_dutch_by_default(client, gent, an):
    client.force_login(make_staff("balie", gent))
    page = page_of(client, an)
    assert "Je lidgeld van € 12,00 is nog niet betaald." in page
    assert '<html lang="nl">' in page
    assert '<h2 id="situation-title">Toestand op 10/04/2026</h2>' in page
    assert "<strong>Lidmaatschap:</strong> geldig" in page
    assert "tot 31/03/2027" in page
    assert "€ 12,00 openstaand" in page
    assert "<h3>Zelfuitleentoestel</h3>" in page
    assert '<p class="verdict">geblokkeerd</p>' in page
    assert "<dd>Nederlands</dd>" in page  # the borrower's language, named in Dutch
    assert "Verlengen — lidgeld betaald" in page
    assert "Betaling registreren" in page
    assert "Gestructureerde mededeling" in page
    assert "Abonnementsgeschiedenis" in page
    assert "Een post afboeken kunnen enkel coördinatoren en beheerders." in page


def test_membership_history_and_items(desk, an):
    page = page_of(desk, an)
    assert "01/04/2026" in page
    assert "31/03/2027" in page
    assert "01/04/2025" in page
    assert "31/03/2026" in page
    assert 'value="12,00"' in page  # register payment, prefilled in Belgian notation
    assert "Register payment" in page


def test_payment_reference_and_scan_to_pay_code(desk, an):
    page = page_of(desk, an)
    assert "+++" in page  # the structured communication
    assert "BE68539007547034" in page
    assert "<svg" in page
    assert "EPC QR" in page


def test_no_transfer_block_when_nothing_is_open(desk, gent):
    borrower = make_borrower(gent)
    make_membership(borrower, make_type(gent), APRIL)
    page = page_of(desk, borrower)
    assert "Payment by transfer" not in page
    assert "Register payment" not in page
    assert "nothing open" in page


def test_messages_with_their_text_and_delivery_status(desk, an):
    sent = make_message(an, date(2026, 3, 1))
    sent.subject = "Je lidmaatschap loopt af"
    sent.body = "Binnenkort loopt je lidmaatschap in onze bibliotheek af."
    sent.rendered_at = timezone.now()
    sent.save()
    make_message(an, APRIL, kind="VL", status="queued")
    failed = make_message(an, APRIL, kind="HR", status="failed")
    failed.last_error = "550 mailbox unavailable"
    failed.save()
    page = page_of(desk, an)
    assert "<details>" in page
    assert "Binnenkort loopt je lidmaatschap in onze bibliotheek af." in page
    assert "end of contribution" in page
    assert "sent" in page
    assert "waiting to be sent" in page
    assert "550 mailbox unavailable" in page
    assert "The text is written when the message is sent." in page


def test_reservations_with_held_state_and_place_in_the_queue(desk, gent, an):
    item = make_item(gent, title="De Avonden")
    other = make_borrower(gent, first_name="Jan")
    make_reservation(other, item, date(2026, 3, 1))
    make_reservation(an, item, date(2026, 3, 5), status=ReservationStatus.HELD)
    page = page_of(desk, an)
    assert "De Avonden" in page
    assert "held (membership not valid) since 05/03/2026" in page
    assert '<td class="num">2</td>' in page


def test_the_audit_trail(desk, gent, an):
    audit_record(
        actor="balie-gent", action="posting.paid", obj=None, today=APRIL, now=at_nine(APRIL),
        borrower_id=an.pk, instance_id=gent.pk, before={"balance": "12.00"},
        after={"balance": "0.00"},
    )  # fmt: skip
    page = page_of(desk, an)
    assert "posting.paid" in page
    assert "balance: 12.00" in page
    assert "balance: 0.00" in page


def test_a_desk_user_does_not_see_the_write_off_but_is_told_why(desk, an):
    page = page_of(desk, an)
    assert "Writing off an item is for coordinators and administrators." in page
    assert "/write-off/" not in page


def test_a_coordinator_gets_the_write_off_link(client, gent, an):
    client.force_login(make_staff("coordinator", gent, role="coordinator"))
    assert "/write-off/" in page_of(client, an)


def test_a_borrower_of_another_library_is_not_found(client, an):
    brugge = make_instance("BRUGGE")
    client.force_login(make_staff("balie-brugge", brugge))
    assert client.get(f"/staff/borrowers/{an.pk}/").status_code == 404
    assert client.get("/staff/borrowers/999999/").status_code == 404


def test_the_page_reads_the_same_number_of_queries_for_more_history(desk, gent):
    def queries_for(n: int) -> int:
        borrower = make_borrower(gent)
        volw = make_type(gent, code=f"T{n}")
        for year in range(n):
            make_membership(borrower, volw, date(2000 + year, 1, 1), date(2000 + year, 12, 31))
            make_message(borrower, date(2000 + year, 12, 1))
            make_reservation(borrower, make_item(gent), date(2026, 1, 1))
        make_open_fee(make_membership(borrower, volw, date(2026, 1, 1)), date(2026, 1, 5))
        with CaptureQueriesContext(connection) as queries:
            page_of(desk, borrower)
        return len(queries)

    assert queries_for(2) == queries_for(20) <= 16
