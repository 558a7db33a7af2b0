"""Interoperability: third-party SIP2 code against the running server.

* The PyPI client ``sip2`` 1.1 (module ``Sip2``) drives a kiosk session — login,
  SC status, patron status, patron information, checkout, checkin, renew, fee paid,
  end session — and its parsed answers are checked.
* Every answer the server sends in those exchanges, and in a scripted session over a
  raw socket that covers every implemented message, must be accepted by the strict
  decoder of ``pysip2`` 0.1.0 as the expected response type, with the sequence
  number of the request and a valid four-digit checksum.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from pysip2 import (
    ACSStatusResponse,
    CheckinResponse,
    CheckoutResponse,
    EndSessionResponse,
    FeePaidResponse,
    HoldResponse,
    ItemInformationResponse,
    ItemStatusUpdateResponse,
    LoginResponse,
    PatronEnableResponse,
    PatronInformationResponse,
    PatronStatusResponse,
    RenewAllResponse,
    RenewResponse,
    RequestSCResend,
    SIP2Error,
    SIPResponse,
    decode_as,
    verify_checksum,
)
from Sip2.sip2 import Sip2

from lidgeld.circulation.models import Loan, ReservationStatus
from lidgeld.finance.models import PostingStatus
from lidgeld.sip2.answers import SUPPORTED
from lidgeld.sip2.codec import checksum
from tests.factories import (
    make_borrower,
    make_item,
    make_membership,
    make_open_fee,
    make_reservation,
    make_type,
)
from tests.sip2.conftest import STAMP, Client, add_terminal, with_trailer

pytestmark = pytest.mark.django_db(transaction=True)

PIN = "97531"
FEE_SENTENCE_NL = "Je lidgeld van € 12,00 is nog niet betaald"

# The response each request must get.
RESPONSE_TYPE: dict[str, type[SIPResponse]] = {
    "93": LoginResponse,
    "99": ACSStatusResponse,
    "23": PatronStatusResponse,
    "63": PatronInformationResponse,
    "11": CheckoutResponse,
    "09": CheckinResponse,
    "29": RenewResponse,
    "65": RenewAllResponse,
    "17": ItemInformationResponse,
    "37": FeePaidResponse,
    "35": EndSessionResponse,
    # not supported: refused with their own response
    "01": PatronStatusResponse,
    "15": HoldResponse,
    "19": ItemStatusUpdateResponse,
    "25": PatronEnableResponse,
}


def strictly(
    frame: bytes,
    expected: type[SIPResponse],
    *,
    sequence: int | None,
    encoding: str = "utf-8",
    error_detection: bool = True,
) -> SIPResponse:
    """``frame`` as pysip2's strict decoder reads it; raises if the server broke the protocol.

    With error detection the frame must end in ``AY<sequence>AZ`` and four uppercase
    hex digits that verify (96 carries no sequence number). Without it (the request had
    no trailer) there is no sequence number; a checksum, if sent, must still verify.
    """
    decoded = decode_as(frame, expected, encoding=encoding)
    assert decoded.sequence_number == sequence, frame
    if error_detection:
        assert decoded.checksum is not None, f"no checksum in {frame!r}"
    if decoded.checksum is not None:
        assert re.fullmatch(r"[0-9A-F]{4}", decoded.checksum), frame
        assert verify_checksum(frame[:-1]), frame
    return decoded.message


def member(instance, *, language="nl", pin=PIN, **names):
    borrower = make_borrower(instance, language=language, **names)
    borrower.pin_hash = make_password(pin)
    borrower.save(update_fields=["pin_hash"])
    make_membership(borrower, kind_of(instance), start=date(2026, 1, 1))
    return borrower


def kind_of(instance):
    from lidgeld.memberships.models import MembershipType

    return MembershipType.objects.filter(instance=instance, code="VOLW").first() or make_type(
        instance
    )


# -- the PyPI client


class RecordingSip2(Sip2):
    """The PyPI ``sip2`` client, keeping the exact bytes of every answer it got."""

    def __init__(self, host: str, port: int, terminator: str = "\r") -> None:
        super().__init__()
        self.msgTerminator = terminator  # Koha's emulator, and others, send CRLF
        self.hostName = host
        self.hostPort = port
        self.tlsEnable = False
        self.socketTimeout = 5
        # A logger of our own: its default one writes sip2.log into the working directory.
        self.log = logging.getLogger("tests.sip2.interop")
        self.institutionId = "GENT"
        self.scLocation = "Hoofdbibliotheek"
        self.language = "005"
        self.exchanges: list[tuple[str, bytes]] = []  # (request, response bytes)

    def __del__(self) -> None:
        """The original disconnects and prints to stdout; the tests disconnect themselves."""

    def get_response(self, request):
        response = super().get_response(request)
        # get_response decoded the bytes as strict UTF-8: encoding gives them back exactly
        self.exchanges.append((request, response.encode(self.hostEncoding)))
        return response

    def all_strictly_valid(self) -> int:
        """Every answer so far through pysip2's strict decoder, ended as the request
        was (CR or CRLF); how many there were."""
        for request, frame in self.exchanges:
            assert frame.endswith(self.msgTerminator.encode()), frame
            assert not frame.endswith(b"\r\n") or self.msgTerminator == "\r\n", frame
            if self.msgTerminator == "\r\n":
                frame = frame[:-1]  # pysip2 reads CR-ended frames
            code = request[:2]
            if code == "97":
                continue  # checked by the caller: the previous answer, byte for byte
            match = re.search(r"AY([0-9])AZ", request)
            assert match is not None, request
            strictly(frame, RESPONSE_TYPE[code], sequence=int(match.group(1)))
        return len(self.exchanges)


@pytest.fixture(params=["\r", "\r\n"], ids=["CR", "CRLF"])
def kiosk(sip2_server, request):
    """The PyPI client, ending its requests in CR, then (as Koha's emulator) in CRLF."""
    client = RecordingSip2(sip2_server.host, sip2_server.port, terminator=request.param)
    client.connect()
    answer = client.sip_login_response(
        client.get_response(client.sip_login_request(sip2_server.login, sip2_server.password))
    )
    assert answer["fixed"]["Ok"] == "1"
    yield client
    try:
        assert client.all_strictly_valid() == len(client.exchanges)
    finally:
        client.disconnect()


def first(parsed, field_id):
    values = parsed["variable"].get(field_id)
    return values[0] if values else None


def test_the_pypi_client_drives_a_whole_kiosk_session(kiosk, sip2_server, at):
    gent = sip2_server.instance
    borrower = member(gent, first_name="An", last_name="Peeters")
    item = make_item(gent, "De Avonden")
    kiosk.patron, kiosk.patronpwd = borrower.card_number, PIN

    acs = kiosk.sip_sc_status_response(kiosk.get_response(kiosk.sip_sc_status_request()))
    assert acs["fixed"]["OnlineStatus"] == "Y"
    assert acs["fixed"]["ProtocolVersion"] == "2.00"
    assert first(acs, "BX") == SUPPORTED

    status = kiosk.sip_patron_status_response(kiosk.get_response(kiosk.sip_patron_status_request()))
    assert status["fixed"]["PatronStatus"] == " " * 14
    assert status["fixed"]["Language"] == "005"
    assert (first(status, "BL"), first(status, "CQ")) == ("Y", "Y")
    assert first(status, "AE") == "An Peeters"
    assert first(status, "BV") is None

    out = kiosk.sip_checkout_response(kiosk.get_response(kiosk.sip_checkout_request(item.barcode)))
    assert out["fixed"]["Ok"] == "1"
    assert first(out, "AB") == item.barcode
    assert first(out, "AJ") == "De Avonden"
    assert first(out, "AH") == "20260501    235959"  # 10 April + 21 days
    assert Loan.objects.get(item=item, returned_on__isnull=True).borrower == borrower

    info = kiosk.sip_patron_information_response(
        kiosk.get_response(kiosk.sip_patron_information_request("charged"))
    )
    assert info["fixed"]["ChargedItemsCount"] == "0001"
    assert info["fixed"]["FineItemsCount"] == "0000"
    assert info["variable"]["AU"] == [item.barcode]

    at(date(2026, 4, 25))
    renewed = kiosk.sip_renew_response(
        kiosk.get_response(kiosk.sip_renew_request(itemIdentifier=item.barcode))
    )
    assert (renewed["fixed"]["Ok"], renewed["fixed"]["RenewalOk"]) == ("1", "Y")
    assert first(renewed, "AH") == "20260516    235959"  # 25 April + 21 days
    assert Loan.objects.get(item=item, returned_on__isnull=True).due_on == date(2026, 5, 16)

    back = kiosk.sip_checkin_response(kiosk.get_response(kiosk.sip_checkin_request(item.barcode)))
    assert (back["fixed"]["Ok"], back["fixed"]["Alert"]) == ("1", "N")
    assert first(back, "AA") == borrower.card_number
    assert Loan.objects.get(item=item).returned_on == date(2026, 4, 25)

    before = kiosk.exchanges[-1][1]
    kiosk.get_response(kiosk.sip_sc_resend_request())
    assert kiosk.exchanges[-1][1] == before  # 97: the last answer again, byte for byte

    done = kiosk.sip_end_patron_session_response(
        kiosk.get_response(kiosk.sip_end_patron_session_request())
    )
    assert done["fixed"]["EndSession"] == "Y"
    assert first(done, "AA") == borrower.card_number
    assert kiosk.all_strictly_valid() == 9


def test_the_pypi_client_seed_scenario_fee_refused_paid_then_lent(kiosk, sip2_server, at):
    """A renewal on 10 April with the fee left open: on 15 April the kiosk refuses to
    lend with the fee reason; paying at the kiosk (37) clears it; after the period
    ended, patron status gives the expired reason."""
    gent = sip2_server.instance
    borrower = make_borrower(gent, language="nl")
    membership = make_membership(borrower, make_type(gent, months=1), start=date(2026, 4, 10))
    make_open_fee(membership, booked_on=date(2026, 4, 10))
    item = make_item(gent, "Max Havelaar")
    kiosk.patron, kiosk.patronpwd = borrower.card_number, ""
    at(date(2026, 4, 15))

    status = kiosk.sip_patron_status_response(kiosk.get_response(kiosk.sip_patron_status_request()))
    flags = status["fixed"]["PatronStatus"]
    assert (flags[0], flags[11]) == ("Y", "Y")  # charge denied, excessive outstanding fees
    assert (first(status, "BV"), first(status, "BH")) == ("12.00", "EUR")
    assert first(status, "AF").startswith(FEE_SENTENCE_NL)

    fines = kiosk.sip_patron_information_response(
        kiosk.get_response(kiosk.sip_patron_information_request("fine"))
    )
    assert fines["fixed"]["FineItemsCount"] == "0001"
    assert fines["variable"]["AV"] == ["1001 € 12,00"]

    refused = kiosk.sip_checkout_response(
        kiosk.get_response(kiosk.sip_checkout_request(item.barcode))
    )
    assert refused["fixed"]["Ok"] == "0"
    assert first(refused, "AF").startswith(FEE_SENTENCE_NL)
    assert not Loan.objects.exists()

    paid = kiosk.sip_fee_paid_response(
        kiosk.get_response(kiosk.sip_fee_paid_request(1, 0, "12.00", transactionId="KIOSK-1"))
    )
    assert paid["fixed"]["PaymentAccepted"] == "Y"
    assert first(paid, "BK") == "KIOSK-1"
    assert "Je kan weer lenen" in first(paid, "AF")
    posting = membership.postings.get()
    assert (posting.status, posting.balance) == (PostingStatus.PAID, Decimal("0.00"))
    assert posting.payments.get().channel == "kiosk"

    clear = kiosk.sip_patron_status_response(kiosk.get_response(kiosk.sip_patron_status_request()))
    assert clear["fixed"]["PatronStatus"] == " " * 14
    assert first(clear, "BV") is None

    lent = kiosk.sip_checkout_response(kiosk.get_response(kiosk.sip_checkout_request(item.barcode)))
    assert lent["fixed"]["Ok"] == "1"
    assert Loan.objects.get().borrower == borrower

    at(date(2026, 6, 1))  # the one-month period (10 April – 31 May) has ended
    after = kiosk.sip_patron_status_response(kiosk.get_response(kiosk.sip_patron_status_request()))
    assert after["fixed"]["PatronStatus"][:4] == "YYYY"
    assert first(after, "AF") == (
        "Je lidmaatschap is afgelopen op 31/05/2026. Vernieuw het aan de balie; "
        "je reserveringen blijven bewaard."
    )
    assert kiosk.all_strictly_valid() == 8


def test_the_pypi_client_is_refused_politely(sip2_server):
    borrower = member(sip2_server.instance)
    client = RecordingSip2(sip2_server.host, sip2_server.port)
    client.connect()
    try:
        wrong = client.sip_login_response(
            client.get_response(client.sip_login_request(sip2_server.login, "not-it"))
        )
        assert wrong["fixed"]["Ok"] == "0"
        client.patron, client.patronpwd = borrower.card_number, PIN
        early = client.sip_patron_status_response(
            client.get_response(client.sip_patron_status_request())
        )
        assert first(early, "BL") == "N"  # nothing about patrons before login
        assert "niet aangemeld" in first(early, "AF")
        right = client.sip_login_response(
            client.get_response(client.sip_login_request(sip2_server.login, sip2_server.password))
        )
        assert right["fixed"]["Ok"] == "1"
        client.patronpwd = "0000"
        bad_pin = client.sip_patron_status_response(
            client.get_response(client.sip_patron_status_request())
        )
        assert (first(bad_pin, "BL"), first(bad_pin, "CQ")) == ("Y", "N")
        client.patron = "NOPE"
        unknown = client.sip_patron_information_response(
            client.get_response(client.sip_patron_information_request("none"))
        )
        assert first(unknown, "BL") == "N"
        assert client.all_strictly_valid() == 5
    finally:
        client.disconnect()


# -- a scripted session over a raw socket: every implemented message, every outcome


class StrictClient(Client):
    """The test kiosk, passing every answer through pysip2's strict decoder."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.checked = 0

    def expect(self, text: str, expected: type[SIPResponse] | None = None) -> SIPResponse:
        self.send(text)
        frame = self.read_raw()
        self.checked += 1
        return strictly(
            frame,
            expected or RESPONSE_TYPE[text[:2]],
            sequence=self.sequence,
            encoding=self.charset,
        )


def test_every_answer_of_a_full_scripted_session_passes_the_strict_decoder(sip2_server, at):
    gent = sip2_server.instance
    payer = member(gent, first_name="Zoë", last_name="Ünal")
    make_open_fee(payer.memberships.first(), booked_on=date(2026, 4, 10))
    reader = member(gent, language="fr")
    other = member(gent)
    ended = make_borrower(gent, language="en")
    make_membership(ended, kind_of(gent), start=date(2025, 1, 1), status="ended")
    book, wanted, ready = make_item(gent), make_item(gent), make_item(gent, "Karakter")
    make_reservation(reader, ready, date(2026, 4, 1), status=ReservationStatus.READY)
    make_reservation(other, wanted, date(2026, 4, 2))
    card = reader.card_number
    nb = " " * 18

    kiosk = StrictClient(sip2_server.host, sip2_server.port)
    try:
        # before login: SC status, a refused patron status, a refused login
        assert kiosk.expect("9900302.00").institution_id == ""
        assert kiosk.expect(f"23005{STAMP}AOGENT|AA{card}|AC|").valid_patron == "N"
        assert kiosk.expect("9300CNnobody|COnothing|").ok == "0"
        assert kiosk.expect(f"9300CN{sip2_server.login}|CO{sip2_server.password}|CPX|").ok == "1"
        acs = kiosk.expect("9900302.00")
        assert (acs.supported_messages, acs.institution_id) == (SUPPORTED, "GENT")

        # patron status: in order, open fee, ended, wrong PIN, unknown card, no AC/AD
        assert kiosk.expect(f"23005{STAMP}AOGENT|AA{card}|AC|AD{PIN}|").patron_status == " " * 14
        fee = kiosk.expect(f"23000{STAMP}AOGENT|AA{payer.card_number}|AC|")
        assert (fee.fee_amount, fee.currency_type, fee.personal_name) == (
            "12.00",
            "EUR",
            "Zoë Ünal",
        )
        assert kiosk.expect(f"23001{STAMP}AO|AA{ended.card_number}|").patron_status[:4] == "YYYY"
        assert kiosk.expect(f"23005{STAMP}AA{card}|AD0000|").valid_patron_password == "N"
        assert kiosk.expect(f"23005{STAMP}AOGENT|AANOPE|AC|").valid_patron == "N"

        # patron information: every summary position, a window, an unknown card
        for position in range(10):
            summary = " " * position + "Y" + " " * (9 - position)
            kiosk.expect(f"63005{STAMP}{summary}AOGENT|AA{card}|AD{PIN}|BP1|BQ5|")
        fines = kiosk.expect(f"63005{STAMP}   Y      AOGENT|AA{payer.card_number}|")
        assert fines.fine_items == ("1001 € 12,00",)
        assert kiosk.expect(f"63005{STAMP}Y         AOGENT|AA{card}|").hold_items == (
            ready.barcode,
        )
        assert kiosk.expect(f"63005{STAMP}{' ' * 10}AOGENT|AANOPE|").valid_patron == "N"

        # item information, checkout (ok, lent already, fee, unknown item, wrong PIN)
        assert kiosk.expect(f"17{STAMP}AOGENT|AB{book.barcode}|").circulation_status == "03"
        out = kiosk.expect(f"11NN{STAMP}{nb}AOGENT|AA{card}|AB{book.barcode}|AC|AD{PIN}|")
        assert (out.ok, out.due_date) == ("1", "20260501    235959")
        assert kiosk.expect(f"11NN{STAMP}{nb}AOGENT|AA{card}|AB{wanted.barcode}|").ok == "1"
        assert kiosk.expect(f"11NN{STAMP}{nb}AOGENT|AA{card}|AB{book.barcode}|").ok == "0"
        assert (
            kiosk.expect(f"11NN{STAMP}{nb}AOGENT|AA{payer.card_number}|AB{ready.barcode}|").ok
            == "0"
        )
        assert kiosk.expect(f"11NN{STAMP}{nb}AOGENT|AA{card}|ABNOPE|").ok == "0"
        assert kiosk.expect(f"11NN{STAMP}{nb}AOGENT|AA{card}|AB{ready.barcode}|AD1|").ok == "0"
        assert kiosk.expect(f"17{STAMP}AOGENT|AB{book.barcode}|").circulation_status == "04"
        assert kiosk.expect(f"17{STAMP}AOGENT|ABNOPE|").circulation_status == "01"

        # renew (ok, someone waits, not your loan), renew all
        at(date(2026, 4, 20))
        assert kiosk.expect(f"29NN{STAMP}{nb}AOGENT|AA{card}|AB{book.barcode}|").ok == "1"
        assert kiosk.expect(f"29NN{STAMP}{nb}AOGENT|AA{card}|AB{wanted.barcode}|").ok == "0"
        assert kiosk.expect(f"29NN{STAMP}{nb}AOGENT|AA{card}|ABNOPE|").ok == "0"
        both = kiosk.expect(f"65{STAMP}AOGENT|AA{card}|AD{PIN}|")
        assert (both.renewed_count, both.unrenewed_count) == ("0001", "0001")
        assert kiosk.expect(f"65{STAMP}AOGENT|AA{payer.card_number}|").ok == "0"
        assert kiosk.expect(f"65{STAMP}AOGENT|AANOPE|").ok == "0"

        # checkin: on loan with someone waiting (alert), not on loan, unknown
        assert kiosk.expect(f"09N{STAMP}{STAMP}APGENT|AOGENT|AB{wanted.barcode}|AC|").alert == "Y"
        assert kiosk.expect(f"09N{STAMP}{STAMP}APGENT|AOGENT|AB{book.barcode}|").ok == "1"
        assert kiosk.expect(f"09N{STAMP}{STAMP}APGENT|AOGENT|AB{book.barcode}|").ok == "1"
        assert kiosk.expect(f"09N{STAMP}{STAMP}APX|AOGENT|ABNOPE|").ok == "0"

        # fee paid: another currency, too much, a part, the rest, nothing open
        pay = f"AOGENT|AA{payer.card_number}|"
        assert kiosk.expect(f"37{STAMP}0100USDBV12.00|{pay}").payment_accepted == "N"
        assert kiosk.expect(f"37{STAMP}0100EURBV20.00|{pay}").payment_accepted == "N"
        assert kiosk.expect(f"37{STAMP}0100EURBVtwelve|{pay}").payment_accepted == "N"
        assert kiosk.expect(f"37{STAMP}0100EURBV5.00|{pay}BKT-1|").transaction_id == "T-1"
        assert kiosk.expect(f"37{STAMP}0100EURBV7.00|{pay}").payment_accepted == "Y"
        assert kiosk.expect(f"37{STAMP}0100EURBV1.00|{pay}").payment_accepted == "N"

        # end session, then 97 (the last answer again) and 96 (after a bad checksum)
        assert kiosk.expect(f"35{STAMP}AOGENT|AA{card}|").end_session == "Y"
        last = kiosk.last_raw
        kiosk.send_raw(with_trailer("97", sequence=None))
        assert kiosk.read_raw() == last
        body = b"9900302.00AY3AZ"
        kiosk.send_raw(body + f"{(int(checksum(body), 16) + 1) & 0xFFFF:04X}".encode() + b"\r")
        strictly(kiosk.read_raw(), RequestSCResend, sequence=None)
        kiosk.send_raw(with_trailer("2300", 4))  # malformed: a 96 too
        strictly(kiosk.read_raw(), RequestSCResend, sequence=None)

        # without error detection the answers carry no trailer and still decode
        kiosk.send_raw(f"23005{STAMP}AOGENT|AA{card}|AC|\r".encode())
        strictly(kiosk.read_raw(), PatronStatusResponse, sequence=None, error_detection=False)
        assert kiosk.checked == 49  # through expect(); four more were read by hand above
    finally:
        kiosk.close()


def test_a_cp850_terminal_passes_the_strict_decoder_in_cp850(sip2_server):
    add_terminal(sip2_server.instance, "kiosk-cp850", "secret-cp850", charset="cp850")
    borrower = member(sip2_server.instance, first_name="Désiré", last_name="Çelik", language="fr")
    make_open_fee(borrower.memberships.first(), booked_on=date(2026, 4, 10))
    kiosk = StrictClient(sip2_server.host, sip2_server.port, charset="cp850")
    try:
        assert kiosk.expect("9300CNkiosk-cp850|COsecret-cp850|").ok == "1"
        status = kiosk.expect(f"23002{STAMP}AOGENT|AA{borrower.card_number}|")
        assert status.personal_name == "Désiré Çelik"
        assert status.screen_message[0].startswith("Votre cotisation de 12,00 EUR")
        fines = kiosk.expect(f"63002{STAMP}   Y      AOGENT|AA{borrower.card_number}|")
        assert fines.fine_items == ("1001 EUR 12,00",)
    finally:
        kiosk.close()


def test_the_refusals_of_unsupported_messages_pass_the_strict_decoder(sip2_server):
    card = member(sip2_server.instance).card_number
    kiosk = StrictClient(sip2_server.host, sip2_server.port)
    try:
        # before login and after it
        assert kiosk.expect(f"15+{STAMP}AOGENT|AA{card}|").ok == "0"
        assert kiosk.expect(f"9300CN{sip2_server.login}|CO{sip2_server.password}|").ok == "1"
        hold = kiosk.expect(f"15+{STAMP}AOGENT|AA{card}|ABX-1|AD{PIN}|")
        assert (hold.ok, hold.available, hold.patron_identifier) == ("0", "N", card)
        assert hold.screen_message[0].startswith("Reserveren kan niet")
        update = kiosk.expect(f"19{STAMP}AOGENT|ABX-1|CH|")
        assert (update.item_properties_ok, update.item_identifier) == ("0", "X-1")
        assert update.screen_message
        enable = kiosk.expect(f"25{STAMP}AOGENT|AA{card}|")
        assert enable.patron_status[:4] == "YYYY"
        assert enable.screen_message
        block = kiosk.expect(f"01N{STAMP}AOGENT|ALkaart ingehouden|AA{card}|AC|")
        assert block.patron_identifier == card
        assert block.screen_message
        unknown = kiosk.expect("42whatever|", ACSStatusResponse)  # not in the spec at all
        assert unknown.supported_messages == SUPPORTED
        assert unknown.screen_message == ("Dit kan niet aan dit toestel. Vraag het aan de balie.",)
    finally:
        kiosk.close()


# -- the checker itself bites: broken answers are rejected


def _good_frame() -> bytes:
    body = f"24{' ' * 14}005{STAMP}AOGENT|AAC0000001|AEAn Peeters|BLY|CQY|AY1AZ".encode()
    return body + checksum(body).encode() + b"\r"


def _retrailer(text: bytes) -> bytes:
    body = text + b"AY1AZ"
    return body + checksum(body).encode() + b"\r"


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda good: good[:-2] + b"0\r", id="wrong checksum"),
        pytest.param(lambda good: good[:-1], id="no CR"),
        pytest.param(lambda good: good[:-1] + b"\r\r", id="two CRs"),
        pytest.param(lambda good: good.replace(b"AY1", b"AY2"), id="checksum of other bytes"),
        pytest.param(
            lambda good: _retrailer(f"24{' ' * 13}005{STAMP}AOGENT|AAC1|AEX|".encode()),
            id="patron status 13 wide",
        ),
        pytest.param(
            lambda good: _retrailer(f"24{' ' * 14}005{STAMP}AOGENT|AAC1|".encode()), id="no AE"
        ),
        pytest.param(
            lambda good: _retrailer(f"24{' ' * 14}005{STAMP}AOGENT|AAC1|AEX|AEY|".encode()),
            id="AE twice",
        ),
        pytest.param(
            lambda good: _retrailer(f"24{' ' * 14}005{STAMP}AOGENT|AAC1|AEX".encode()),
            id="last field without |",
        ),
        pytest.param(
            lambda good: _retrailer(f"24{' ' * 14}nl {STAMP}AOGENT|AAC1|AEX|".encode()),
            id="language not a number",
        ),
    ],
)
def test_the_strict_check_rejects_broken_answers(broken):
    strictly(_good_frame(), PatronStatusResponse, sequence=1)
    with pytest.raises((SIP2Error, AssertionError)):
        strictly(broken(_good_frame()), PatronStatusResponse, sequence=1)


def test_the_strict_check_rejects_a_wrong_type_or_sequence():
    with pytest.raises(SIP2Error):
        strictly(_good_frame(), PatronInformationResponse, sequence=1)
    with pytest.raises(AssertionError):
        strictly(_good_frame(), PatronStatusResponse, sequence=2)
