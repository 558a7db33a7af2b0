"""A card reported lost or stolen, or an old (replaced) card, at the kiosk (R12).

Patron status (24) and patron information (64) set "card reported lost" (position 4
of the patron status) for a reported card, deny every privilege, tell nothing of the
account and give the block's sentence (R7) as screen message; every transaction is
refused with it, and no PIN is checked for such a card. First the handlers, then the
running server with the PyPI ``sip2`` client and ``pysip2``'s strict decoder.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client as DjangoClient
from pysip2 import (
    CheckoutResponse,
    FeePaidResponse,
    PatronInformationResponse,
    PatronStatusResponse,
)

from lidgeld.borrowers.cards import card_replace, card_report
from lidgeld.circulation.models import Loan
from lidgeld.domain.blocks import SENTENCES, STOLEN_SENTENCES, Reason
from lidgeld.finance.models import Payment
from lidgeld.sip2.codec import Message
from lidgeld.sip2.handlers import handle
from lidgeld.sip2.pins import Pin
from lidgeld.sip2.session import Session, edge_from
from lidgeld.web.models import LoginFailure
from tests.factories import make_borrower, make_instance, make_item, make_membership, make_open_fee
from tests.sip2.conftest import STAMP, Client
from tests.sip2.test_interop import RecordingSip2, first, kind_of, member, strictly

PIN = "97531"
TODAY = date(2026, 4, 10)
NOW = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
EDGE = edge_from(NOW, TODAY)
NEW_CARD = "C-NEW-0001"

LOST_NL = SENTENCES[Reason.CARD_LOST]["nl"]
LOST_FR = SENTENCES[Reason.CARD_LOST]["fr"]
REPLACED_NL = SENTENCES[Reason.CARD_REPLACED]["nl"]


def reported(borrower, report="lost"):
    card_report(borrower=borrower, report=report, today=TODAY, now=NOW, actor="test")
    return borrower


def replaced(borrower) -> str:
    """Give ``borrower`` a new card; the number of the old one."""
    old = borrower.card_number
    card_replace(borrower=borrower, new_number=NEW_CARD, today=TODAY, now=NOW, actor="test")
    return old


# -- the handlers ------------------------------------------------------------------------


def session_of(instance) -> Session:
    return Session(
        terminal_id=1,
        login="kiosk-1",
        instance_code=instance.code,
        instance_name=instance.name,
        location="",
        charset="utf-8",
        instance_ids=(instance.pk,),
    )


def ask(instance, code: str, fixed: dict[str, str], card: str, pin: Pin, **fields: str) -> Message:
    request = Message(
        code=code,
        fixed=fixed,
        fields=(("AO", instance.code), ("AA", card), *fields.items()),
        sequence=1,
    )
    answer = handle(session_of(instance), request, EDGE, pin)
    assert answer is not None
    return answer


STATUS = {"language": "005", "transaction_date": STAMP}
INFORMATION = {"language": "005", "transaction_date": STAMP, "summary": "YYYYYY    "}
CHECKOUT = {"sc_renewal_policy": "N", "no_block": "N", "transaction_date": STAMP}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("report", "sentence"),
    [("lost", LOST_FR), ("stolen", STOLEN_SENTENCES["fr"])],
)
@pytest.mark.parametrize("pin", [Pin.NONE, Pin.WRONG])
def test_a_reported_card_sets_card_reported_lost_and_says_why_in_the_borrowers_language(
    report, sentence, pin
):
    # given a French-speaking member with a fee open, whose card is reported
    gent = make_instance()
    borrower = make_borrower(gent, language="fr")
    period = make_membership(borrower, kind_of(gent), start=date(2026, 1, 1))
    make_open_fee(period, booked_on=date(2026, 4, 1))
    reported(borrower, report)
    # when a Dutch kiosk asks its status (with no PIN, or one: it is never checked)
    answer = ask(gent, "23", STATUS, borrower.card_number, pin)
    # then every privilege is denied, "card reported lost" is set, nothing else of the
    # account is told, and the screen says why in the borrower's language
    flags = answer.fixed["patron_status"]
    assert flags == "YYYYY" + " " * 9
    assert flags[4] == "Y"
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "N")
    assert answer.get("AA") == borrower.card_number
    assert answer.get("BV") is None
    assert answer.all("AF") == [sentence]


@pytest.mark.django_db
def test_patron_information_of_a_reported_card_lists_nothing():
    gent = make_instance()
    borrower = make_borrower(gent)
    make_membership(borrower, kind_of(gent), start=date(2026, 1, 1))
    item = make_item(gent)
    Loan.objects.create(item=item, borrower=borrower, out_on=TODAY, due_on=date(2026, 5, 1))
    reported(borrower)
    answer = ask(gent, "63", INFORMATION, borrower.card_number, Pin.NONE)
    assert answer.code == "64"
    assert answer.fixed["patron_status"][:5] == "YYYYY"
    assert answer.fixed["charged_items_count"] == "0000"
    assert answer.all("AU") == []
    assert answer.all("AF") == [LOST_NL]


@pytest.mark.django_db
@pytest.mark.parametrize("was_reported", [False, True])
def test_an_old_card_is_blocked_with_the_bit_only_when_it_was_reported(was_reported):
    # given a member whose card was replaced (after a report, or not)
    gent = make_instance()
    borrower = make_borrower(gent)
    make_membership(borrower, kind_of(gent), start=date(2026, 1, 1))
    if was_reported:
        reported(borrower)
    old = replaced(borrower)
    # when a kiosk asks the status of the old card
    answer = ask(gent, "23", STATUS, old, Pin.NONE)
    # then the patron is known under the old number, blocked, and the screen says why
    flags = answer.fixed["patron_status"]
    assert flags[:4] == "YYYY"
    assert flags[4] == ("Y" if was_reported else " ")
    assert answer.get("BL") == "Y"
    assert answer.get("AA") == old
    assert NEW_CARD not in str(answer.fields)
    assert answer.all("AF") == [LOST_NL if was_reported else REPLACED_NL]
    # and the new card is in order
    fine = ask(gent, "23", STATUS, NEW_CARD, Pin.NONE)
    assert fine.fixed["patron_status"] == " " * 14


@pytest.mark.django_db
@pytest.mark.parametrize("old_card", [False, True])
@pytest.mark.parametrize("pin", [Pin.NONE, Pin.WRONG])
def test_checkout_and_fee_paid_are_refused_for_a_card_no_kiosk_accepts(old_card, pin):
    gent = make_instance()
    borrower = make_borrower(gent)
    period = make_membership(borrower, kind_of(gent), start=date(2026, 1, 1))
    make_open_fee(period, booked_on=date(2026, 4, 1))
    item = make_item(gent)
    card = replaced(borrower) if old_card else reported(borrower).card_number
    out = ask(gent, "11", CHECKOUT, card, pin, AB=item.barcode)
    assert (out.code, out.fixed["ok"]) == ("12", "0")
    assert out.get("AF") == (REPLACED_NL if old_card else LOST_NL)
    paid = ask(
        gent,
        "37",
        {"transaction_date": STAMP, "fee_type": "01", "payment_type": "00", "currency_type": "EUR"},
        card,
        pin,
        BV="12.00",
    )
    assert (paid.code, paid.fixed["payment_accepted"]) == ("38", "N")
    assert not Loan.objects.exists()
    assert not Payment.objects.exists()


# -- the running server ------------------------------------------------------------------


def status(client: Client, card: str, pin: str | None = None) -> Message:
    text = f"23005{STAMP}AOGENT|AA{card}|AC|"
    if pin is not None:
        text += f"AD{pin}|"
    return client.ask(text)


@pytest.fixture
def pypi_kiosk(sip2_server):
    """The PyPI client, logged in; every answer it got is checked strictly at the end."""
    kiosk = RecordingSip2(sip2_server.host, sip2_server.port)
    kiosk.connect()
    answer = kiosk.sip_login_response(
        kiosk.get_response(kiosk.sip_login_request(sip2_server.login, sip2_server.password))
    )
    assert answer["fixed"]["Ok"] == "1"
    yield kiosk
    try:
        assert kiosk.all_strictly_valid() == len(kiosk.exchanges)
    finally:
        kiosk.disconnect()


@pytest.mark.django_db(transaction=True)
def test_the_pypi_client_reads_a_lost_card_and_cannot_lend_with_it(pypi_kiosk, sip2_server):
    # given a member with the right PIN, whose card is reported lost
    gent = sip2_server.instance
    borrower = reported(member(gent, first_name="An", last_name="Peeters"))
    item = make_item(gent, "De Avonden")
    pypi_kiosk.patron, pypi_kiosk.patronpwd = borrower.card_number, PIN
    # when the kiosk asks the status, then "card reported lost" is set and it says why
    answer = pypi_kiosk.get_response(pypi_kiosk.sip_patron_status_request())
    parsed = pypi_kiosk.sip_patron_status_response(answer)
    assert parsed["fixed"]["PatronStatus"] == "YYYYY" + " " * 9
    assert first(parsed, "AF") == LOST_NL
    assert first(parsed, "CQ") == "N"  # the PIN is not even checked
    # and the strict decoder reads the same
    request, frame = pypi_kiosk.exchanges[-1]
    decoded = strictly(frame, PatronStatusResponse, sequence=int(request.split("AY")[1][0]))
    assert isinstance(decoded, PatronStatusResponse)
    assert decoded.patron_status[4] == "Y"
    assert decoded.screen_message == (LOST_NL,)
    # when it tries to lend, then it is refused with the same sentence
    out = pypi_kiosk.sip_checkout_response(
        pypi_kiosk.get_response(pypi_kiosk.sip_checkout_request(item.barcode))
    )
    assert out["fixed"]["Ok"] == "0"
    assert first(out, "AF") == LOST_NL
    assert not Loan.objects.exists()
    info = pypi_kiosk.sip_patron_information_response(
        pypi_kiosk.get_response(pypi_kiosk.sip_patron_information_request("charged"))
    )
    assert info["fixed"]["PatronStatus"][4] == "Y"
    assert first(info, "AF") == LOST_NL


@pytest.mark.django_db(transaction=True)
def test_an_old_card_with_the_right_pin_is_refused_and_the_pin_not_counted(sip2_server, client):
    # given a member whose card was replaced
    borrower = member(sip2_server.instance)
    old = replaced(borrower)
    # when a kiosk gives the old card with the borrower's right PIN
    answer = status(client, old, pin=PIN)
    # then the PIN is not accepted (not even checked), the card is blocked as replaced
    assert answer.get("CQ") == "N"
    assert answer.fixed["patron_status"] == "YYYY" + " " * 10
    assert answer.get("AF") == REPLACED_NL
    assert not LoginFailure.objects.exists()  # nothing counted against the card
    # and the new card takes the PIN
    fine = status(client, NEW_CARD, pin=PIN)
    assert (fine.get("CQ"), fine.fixed["patron_status"]) == ("Y", " " * 14)


@pytest.mark.django_db(transaction=True)
def test_every_answer_about_a_refused_card_passes_the_strict_decoder(sip2_server, client):
    gent = sip2_server.instance
    borrower = member(gent)
    item = make_item(gent)
    old = replaced(borrower)
    reported(borrower, "stolen")
    for card in (old, NEW_CARD):
        for text, expected in (
            (f"23005{STAMP}AOGENT|AA{card}|AD{PIN}|", PatronStatusResponse),
            (f"63005{STAMP}YYYYYY    AOGENT|AA{card}|", PatronInformationResponse),
            (f"11NN{STAMP}{' ' * 18}AOGENT|AA{card}|AB{item.barcode}|", CheckoutResponse),
            (f"37{STAMP}0100EURAOGENT|AA{card}|BV1.00|", FeePaidResponse),
        ):
            client.send(text)
            strictly(client.read_raw(), expected, sequence=client.sequence)
    assert status(client, NEW_CARD).fixed["patron_status"][4] == "Y"
    assert status(client, NEW_CARD).get("AF") == STOLEN_SENTENCES["nl"]


# -- the scenario: reported at the desk, refused everywhere at once ------------------------


@pytest.mark.django_db(transaction=True)
def test_a_card_reported_lost_is_refused_at_once_by_the_kiosk_and_the_portal(sip2_server, client):
    # given a member who is at a kiosk and logged in to the portal with the same card
    gent = sip2_server.instance
    borrower = member(gent)
    item = make_item(gent)
    card = borrower.card_number
    assert status(client, card, pin=PIN).fixed["patron_status"] == " " * 14
    portal = DjangoClient()
    login = {"card_number": card, "pin": PIN}
    assert portal.post("/portal/login/", login).status_code == 302
    assert portal.get("/portal/membership/").status_code == 200
    # when the desk reports the card lost
    reported(borrower)
    # then the kiosk says so on the next request and lends nothing
    answer = status(client, card, pin=PIN)
    assert answer.fixed["patron_status"][4] == "Y"
    assert answer.get("AF") == LOST_NL
    out = client.ask(f"11NN{STAMP}{' ' * 18}AOGENT|AA{card}|AB{item.barcode}|AD{PIN}|")
    assert (out.fixed["ok"], out.get("AF")) == ("0", LOST_NL)
    assert not Loan.objects.exists()
    # and the portal's session has ended, and logging in again is refused with why
    assert portal.get("/portal/membership/").status_code == 302
    again = portal.post("/portal/login/", login)
    assert again.status_code == 200
    assert LOST_NL in again.content.decode()
    assert "portal.borrower" not in portal.session
