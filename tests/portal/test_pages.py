"""What the borrower reads on each page, in nl, fr and en."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.circulation.models import Loan, Reservation, ReservationStatus
from lidgeld.clock import at_nine
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.finance.models import Posting
from lidgeld.notices.models import Message
from lidgeld.operations.renewals import membership_renew
from tests.factories import make_item, make_loan, make_message, make_reservation
from tests.portal.conftest import PIN, logged_in, member, text_of

pytestmark = pytest.mark.django_db


# --- membership --------------------------------------------------------------------------


def test_the_membership_page_says_until_when_and_how_to_pay(gent, adult, at):
    borrower = member(gent, adult)
    fee = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="staff:b",
    ).posting
    at(date(2026, 5, 20))  # the reminder stage
    page = text_of(logged_in(borrower).get("/portal/membership/"))
    assert "Je lidmaatschap is geldig tot 30 april 2027." in page
    assert "Lidgeld te betalen € 12,00" in page
    assert "Herinnering: je lidgeld is nog altijd niet betaald." in page
    assert "Betaal vóór 1 oktober 2026 om Mijn Bibliotheek te blijven gebruiken." in page
    assert "01/05/2026 Herinnering (nu)" in page
    assert "Rekeningnummer (IBAN) BE68 5390 0754 7034" in page
    assert f"Gestructureerde mededeling {structured_communication(fee.pk)}" in page


def test_the_timeline_says_a_reminder_went_out_only_when_one_did(gent, adult, at):
    """R6: nobody is blocked without being told, and the page never pretends."""
    from lidgeld.notices.models import Message

    borrower = member(gent, adult)
    fee = membership_renew(
        borrower=borrower,
        paid=False,
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="staff:b",
    ).posting
    at(date(2026, 5, 20))  # the reminder stage, before any reminder was queued
    client = logged_in(borrower)
    page = text_of(client.get("/portal/membership/"))
    assert "01/05/2026 Herinnering (nu) hierover werd geen bericht verstuurd" in page
    assert "we stuurden je hierover een bericht" not in page

    reminder = make_message(borrower, date(2026, 5, 1), kind="HR", status="queued")
    Message.objects.filter(pk=reminder.pk).update(posting=fee)
    page = text_of(client.get("/portal/membership/"))
    assert "01/05/2026 Herinnering (nu) een bericht hierover is onderweg" in page

    Message.objects.filter(pk=reminder.pk).update(status="sent")
    page = text_of(client.get("/portal/membership/"))
    assert "01/05/2026 Herinnering (nu) we stuurden je hierover een bericht" in page
    # the unpaid stage is still ahead: nothing is said about its message yet
    assert "geen bericht" not in page


def test_the_qr_code_holds_the_payment(gent, adult):
    import io

    import zxingcpp
    from PIL import Image

    borrower = member(gent, adult, start=date(2025, 4, 1))
    client = logged_in(borrower)
    assert client.get("/portal/membership/qr.png").status_code == 404  # nothing to pay
    client.post("/portal/membership/renew/")
    fee = Posting.objects.get(borrower=borrower)
    png = client.get("/portal/membership/qr.png").content
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.text.splitlines() == [
        "BCD",
        "002",
        "1",
        "SCT",
        "GKCCBEBB",
        "Bibliotheek Gent",
        "BE68539007547034",
        "EUR12.00",
        "",
        structured_communication(fee.pk).replace("+", "").replace("/", ""),
    ]


def test_a_paid_membership_shows_no_fee(gent, adult):
    page = text_of(logged_in(member(gent, adult)).get("/portal/membership/"))
    assert "Je lidmaatschap is geldig tot 30 april 2026." in page
    assert "Lidgeld te betalen" not in page
    assert "Je kan je lidmaatschap nu online vernieuwen." in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Mijn lidmaatschap", "Je lidmaatschap is geldig tot 30 april 2026.", 'lang="nl"']),
        (
            "fr",
            ["Mon abonnement", "Votre abonnement est valable jusqu'au 30 avril 2026.", 'lang="fr"'],
        ),
        ("en", ["My membership", "Your membership is valid until 30 April 2026.", 'lang="en"']),
    ],
)
def test_pages_speak_the_borrowers_language(gent, adult, language, expected):
    response = logged_in(member(gent, adult, language=language)).get("/portal/membership/")
    html = response.content.decode()
    page = text_of(response)
    title, sentence, attribute = expected
    assert title in page
    assert sentence in page
    assert attribute in html


def test_the_login_page_follows_the_visitors_choice(gent):
    from django.test import Client

    client = Client()
    assert "Aanmelden bij Mijn Bibliotheek" in text_of(client.get("/portal/login/"))
    client.post("/portal/language/", {"language": "fr", "next": "/portal/login/"})
    assert "Se connecter à Ma Bibliothèque" in text_of(client.get("/portal/login/"))


# --- loans -----------------------------------------------------------------------------------


def test_loans_show_their_due_dates_and_renew_all_at_once(gent, adult):
    borrower = member(gent, adult, start=date(2026, 1, 1))
    late = make_loan(borrower, make_item(gent, "De Avonden"), date(2026, 3, 1))
    soon = make_loan(borrower, make_item(gent, "Het Achterhuis"), date(2026, 4, 1))
    client = logged_in(borrower)
    page = text_of(client.get("/portal/loans/"))
    assert "De Avonden Terugbrengen uiterlijk: 22/03/2026 te laat" in page
    assert "Het Achterhuis Terugbrengen uiterlijk: 22/04/2026" in page
    done = text_of(client.post("/portal/loans/renew-all/", follow=True))
    assert "De Avonden: verlengd tot 01/05/2026." in done
    assert "Het Achterhuis: verlengd tot 01/05/2026." in done
    assert {loan.due_on for loan in Loan.objects.filter(pk__in=[late.pk, soon.pk])} == {
        date(2026, 5, 1)
    }


def test_a_loan_someone_else_waits_for_is_not_renewed_and_says_why(gent, adult):
    borrower = member(gent, adult, start=date(2026, 1, 1))
    other = member(gent, adult, start=date(2026, 1, 1))
    item = make_item(gent, "De Avonden")
    loan = make_loan(borrower, item, date(2026, 4, 1))
    make_reservation(other, item, date(2026, 4, 2))
    answer = text_of(logged_in(borrower).post(f"/portal/loans/{loan.pk}/renew/", follow=True))
    assert (
        "De Avonden: niet verlengd. Iemand anders wacht op dit exemplaar, dus verlengen kan niet."
        in answer
    )
    assert Loan.objects.get(pk=loan.pk).due_on == loan.due_on


# --- reservations ---------------------------------------------------------------------------


def test_search_reserve_and_cancel(gent, adult):
    borrower = member(gent, adult, start=date(2026, 1, 1))
    other = member(gent, adult, start=date(2026, 1, 1))
    avonden = make_item(gent, "De Avonden")
    make_reservation(other, avonden, date(2026, 4, 1))
    make_item(gent, "Het Achterhuis")
    client = logged_in(borrower)

    found = text_of(client.get("/portal/reservations/?q=avond"))
    assert "De Avonden In de rekken · 1 persoon wacht Reserveren De Avonden" in found
    assert "Het Achterhuis" not in found.split("Zoeken", 1)[1]

    placed = text_of(client.post("/portal/reservations/place/", {"item": avonden.pk}, follow=True))
    assert "De Avonden is voor jou gereserveerd." in placed
    assert "Plaats in de wachtrij: 2" in placed
    again = text_of(client.post("/portal/reservations/place/", {"item": avonden.pk}, follow=True))
    assert "De Avonden: niet gereserveerd. Je hebt dit exemplaar al gereserveerd." in again

    mine = Reservation.objects.get(borrower=borrower)
    cancelled = text_of(client.post(f"/portal/reservations/{mine.pk}/cancel/", follow=True))
    assert "Je reservering van De Avonden is geannuleerd." in cancelled
    assert Reservation.objects.get(pk=mine.pk).status == ReservationStatus.CANCELLED
    # a cancelled reservation is history: it cannot be cancelled again
    assert client.post(f"/portal/reservations/{mine.pk}/cancel/").status_code == 404
    assert AuditEvent.objects.filter(
        action="reservation.cancelled", actor=f"portal:{borrower.card_number}"
    ).exists()


def test_a_search_that_finds_nothing_says_what_to_try(gent, adult):
    client = logged_in(member(gent, adult, start=date(2026, 1, 1)))
    page = text_of(client.get("/portal/reservations/?q=Zzyzx"))
    assert "Niets gevonden voor “Zzyzx”." in page
    long = text_of(client.get("/portal/reservations/?q=" + "x" * 101))
    assert "Zorg dat deze waarde niet meer dan 100 tekens bevat" in long


# --- messages -------------------------------------------------------------------------------


def test_messages_show_what_was_sent_and_what_is_on_its_way(gent, adult):
    borrower = member(gent, adult)
    sent = make_message(borrower, date(2026, 4, 1), kind="AE")
    sent.subject = "Je lidmaatschap van de bibliotheek loopt binnenkort af"
    sent.body = "Beste An,\n\nBinnenkort loopt je lidmaatschap af.\n<script>x</script>"
    sent.rendered_at = timezone.now()
    sent.save()
    queued = make_message(borrower, date(2026, 4, 10), kind="VL", status="queued")
    make_message(borrower, date(2026, 4, 2), kind="HR", status="failed")
    client = logged_in(borrower)
    listing = text_of(client.get("/portal/messages/"))
    assert (
        "Je lidmaatschap is vernieuwd 10/04/2026 · per e-mail · wordt verzonden "
        "Je lidmaatschap van de bibliotheek loopt binnenkort af 01/04/2026 · per e-mail"
    ) in listing
    assert "Herinnering" not in listing  # a notice that failed never reached them

    detail = client.get(f"/portal/messages/{sent.pk}/")
    assert "Binnenkort loopt je lidmaatschap af." in text_of(detail)
    assert "per e-mail naar an.peeters@example.be" in text_of(detail)
    assert "<script>x</script>" not in detail.content.decode()  # shown as text
    on_its_way = text_of(client.get(f"/portal/messages/{queued.pk}/"))
    assert "Dit bericht wordt verzonden." in on_its_way


# --- profile --------------------------------------------------------------------------------


def test_the_language_choice_changes_the_pages_and_the_notices(gent, adult):
    borrower = member(gent, adult)
    client = logged_in(borrower)
    done = text_of(client.post("/portal/profile/language/", {"language": "fr"}, follow=True))
    assert "Désormais, nous utilisons cette langue pour vous." in done
    assert Borrower.objects.get(pk=borrower.pk).language == "fr"
    assert AuditEvent.objects.filter(
        action="borrower.details_corrected", borrower=borrower
    ).exists()


def test_a_new_e_mail_address_needs_the_pin_and_a_valid_address(gent, adult):
    borrower = member(gent, adult)
    client = logged_in(borrower)
    no_pin = client.post("/portal/profile/email/", {"email": "an@nieuw.be", "pin": "0000"})
    assert no_pin.status_code == 400
    assert "Je huidige pincode klopt niet." in text_of(no_pin)
    bad = client.post("/portal/profile/email/", {"email": "an@", "pin": PIN})
    assert "Dit is geen e-mailadres zoals naam@voorbeeld.be." in text_of(bad)
    assert Borrower.objects.get(pk=borrower.pk).email == "an.peeters@example.be"
    done = client.post("/portal/profile/email/", {"email": "an@nieuw.be", "pin": PIN}, follow=True)
    assert "Je e-mailadres is nu an@nieuw.be." in text_of(done)
    assert Borrower.objects.get(pk=borrower.pk).email == "an@nieuw.be"
    none = client.post("/portal/profile/email/", {"email": "", "pin": PIN}, follow=True)
    assert "Geen e-mailadres: we sturen je berichten per brief." in text_of(none)


def test_the_old_address_hears_of_a_change_made_in_the_portal_when_the_library_wants_it(
    gent, adult
):
    gent.notice_old_email = True
    gent.save()
    borrower = member(gent, adult)
    client = logged_in(borrower)
    client.post("/portal/profile/email/", {"email": "an@nieuw.be", "pin": PIN})
    notice = Message.objects.get(borrower=borrower, kind="EW")
    assert notice.to_address == "an.peeters@example.be"
    assert "Mijn Bibliotheek" in notice.body


def test_a_new_pin_must_be_digits_typed_twice_the_same(gent, adult):
    client = logged_in(member(gent, adult))
    short = client.post(
        "/portal/profile/pin/", {"current_pin": PIN, "new_pin": "12", "repeat_pin": "12"}
    )
    assert "Een pincode bestaat uit 4 tot 12 cijfers." in text_of(short)
    differ = client.post(
        "/portal/profile/pin/", {"current_pin": PIN, "new_pin": "1357", "repeat_pin": "7531"}
    )
    assert "De twee nieuwe pincodes zijn niet dezelfde." in text_of(differ)


@pytest.mark.parametrize("pin", ["١٢٣٤", "１２３４"])
def test_a_new_pin_is_digits_0_to_9_not_other_scripts_digits(gent, adult, pin):
    # given a borrower who types Arabic-Indic or full-width digits (a kiosk has only 0-9)
    borrower = member(gent, adult)
    client = logged_in(borrower)
    before = Borrower.objects.get(pk=borrower.pk).pin_hash
    # when they choose them as their new PIN
    page = client.post(
        "/portal/profile/pin/", {"current_pin": PIN, "new_pin": pin, "repeat_pin": pin}
    )
    # then they are told what a PIN is, and it stays as it was
    assert "Een pincode bestaat uit 4 tot 12 cijfers." in text_of(page)
    assert Borrower.objects.get(pk=borrower.pk).pin_hash == before


def test_unknown_addresses_are_404(gent, adult):
    client = logged_in(member(gent, adult))
    assert client.get("/portal/messages/999999/").status_code == 404
    assert client.get("/portal/nothing-here/").status_code == 404
    assert client.get("/portal/").status_code == 302


def test_an_idle_session_is_kept_alive_by_a_request_each_minute_only(gent, adult, moving):
    client = logged_in(member(gent, adult))
    seen = client.session["portal.seen"]
    moving.moment += timedelta(seconds=30)
    client.get("/portal/loans/")
    assert client.session["portal.seen"] == seen  # no session write for every page
    moving.moment += timedelta(seconds=60)
    client.get("/portal/loans/")
    assert client.session["portal.seen"] == seen + 90
