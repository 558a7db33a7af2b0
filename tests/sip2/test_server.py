"""The SIP2 server over a real socket: every message and every tolerance case."""

from __future__ import annotations

import socket
import time
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password

from lidgeld.circulation.models import Loan, ReservationStatus
from lidgeld.domain.blocks import SENTENCES, Reason
from lidgeld.finance.models import Payment, PostingStatus
from lidgeld.libraries.models import CooperationGroup
from lidgeld.sip2.answers import SUPPORTED
from lidgeld.sip2.codec import checksum, decode
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_open_fee,
    make_reservation,
    make_type,
)
from tests.sip2.conftest import STAMP, Client, add_terminal, running_server, with_trailer

pytestmark = pytest.mark.django_db(transaction=True)

PIN = "97531"


def member(instance, *, language="nl", pin=PIN, **names):
    borrower = make_borrower(instance, language=language, **names)
    borrower.pin_hash = make_password(pin)
    borrower.save(update_fields=["pin_hash"])
    make_membership(borrower, make_type_once(instance), start=date(2026, 1, 1))
    return borrower


def make_type_once(instance):
    from lidgeld.memberships.models import MembershipType

    return MembershipType.objects.filter(instance=instance, code="VOLW").first() or make_type(
        instance
    )


def status(client, card, pin=None, language="005"):
    text = f"23{language}{STAMP}AOGENT|AA{card}|AC|"
    if pin is not None:
        text += f"AD{pin}|"
    return client.ask(text)


# -- login, status, resend


def test_login_with_the_right_password_and_without_CP(sip2_server):
    kiosk = Client(*sip2_server)
    answer = kiosk.login()
    assert (answer.code, answer.fixed["ok"]) == ("94", "1")
    kiosk.close()


def test_login_with_a_location_code(sip2_server):
    kiosk = Client(*sip2_server)
    answer = kiosk.ask(f"9300CN{sip2_server.login}|CO{sip2_server.password}|CPBalie 2|")
    assert answer.fixed["ok"] == "1"
    kiosk.close()


def test_a_wrong_password_is_refused_and_repeated_failures_get_slower(sip2_server, caplog):
    kiosk = Client(*sip2_server)
    took = []
    for _ in range(3):
        started = time.monotonic()
        answer = kiosk.login(password="not-the-password")
        took.append(time.monotonic() - started)
        assert (answer.code, answer.fixed["ok"]) == ("94", "0")
    assert took[2] > took[0]
    assert took[2] >= 0.2  # 0.05, 0.1, 0.2 s with the test's base delay
    # once logged in properly, the counter is reset
    assert kiosk.login().fixed["ok"] == "1"
    assert "not-the-password" not in caplog.text
    assert sip2_server.password not in caplog.text
    kiosk.close()


def test_a_disabled_terminal_cannot_log_in(sip2_server):
    sip2_server.terminal.enabled = False
    sip2_server.terminal.save()
    kiosk = Client(*sip2_server)
    assert kiosk.login().fixed["ok"] == "0"
    kiosk.close()


def test_sc_status_tells_what_is_supported(client, sip2_server):
    answer = client.ask("9900302.00")
    assert answer.code == "98"
    assert answer.fixed["online_status"] == "Y"
    assert answer.fixed["protocol_version"] == "2.00"
    assert answer.get("BX") == SUPPORTED == "YYYNYYYYYYYNNNYY"
    assert answer.get("AO") == "GENT"
    assert answer.get("AN") == "Hoofdbibliotheek"


def test_nothing_about_patrons_before_login(sip2_server):
    borrower = member(sip2_server.instance)
    kiosk = Client(*sip2_server)
    answer = status(kiosk, borrower.card_number)
    assert answer.code == "24"
    assert answer.get("BL") == "N"
    assert answer.get("AE") == ""
    assert "niet aangemeld" in answer.get("AF")
    kiosk.close()


def test_97_resends_the_last_response_byte_for_byte(client, sip2_server):
    borrower = member(sip2_server.instance)
    status(client, borrower.card_number)
    first = client.last_raw
    client.send_raw(with_trailer("97", sequence=None))
    client.read()
    assert client.last_raw == first


def test_a_bad_checksum_gets_96(client):
    body = b"9900302.00AY1AZ"
    wrong = (int(checksum(body), 16) + 1) & 0xFFFF
    client.send_raw(body + f"{wrong:04X}".encode() + b"\r")
    answer = client.read()
    assert answer.code == "96"
    # and the connection goes on
    assert client.ask("9900302.00").code == "98"


# -- patron status (23) and information (63)


def test_patron_status_of_a_member_in_order(client, sip2_server):
    borrower = member(sip2_server.instance, first_name="An", last_name="Peeters")
    answer = status(client, borrower.card_number, pin=PIN)
    assert answer.code == "24"
    assert answer.fixed["patron_status"] == " " * 14
    assert answer.fixed["language"] == "005"
    assert answer.get("AA") == borrower.card_number
    assert answer.get("AE") == "An Peeters"
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "Y")
    assert answer.get("BV") is None
    assert answer.all("AF") == []


def test_patron_status_without_AC_and_AD(client, sip2_server):
    borrower = member(sip2_server.instance)
    answer = client.ask(f"23005{STAMP}AOGENT|AA{borrower.card_number}|")
    assert (answer.code, answer.get("BL"), answer.get("CQ")) == ("24", "Y", "N")


def test_a_wrong_pin_tells_nothing_about_the_account(client, sip2_server):
    borrower = member(sip2_server.instance)
    make_open_fee(borrower.memberships.first(), booked_on=date(2026, 4, 1))
    answer = status(client, borrower.card_number, pin="0000")
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "N")
    assert answer.get("BV") is None
    assert answer.fixed["patron_status"].startswith("YYYY")
    assert "pincode klopt niet" in answer.get("AF")


def test_an_unknown_card_is_not_a_valid_patron(client):
    answer = status(client, "NOPE")
    assert (answer.code, answer.get("BL")) == ("24", "N")
    assert answer.fixed["patron_status"][:4] == "YYYY"
    assert "niet gekend" in answer.get("AF")


def test_borrowers_outside_the_cooperation_group_are_not_seen(sip2_server, connect):
    group = CooperationGroup.objects.create(code="LEIE", name="Leiestreek")
    sip2_server.instance.group = group
    sip2_server.instance.save()
    deinze = make_instance("DEINZE", group=group)
    brugge = make_instance("BRUGGE")
    kiosk = connect()
    kiosk.login()
    assert status(kiosk, member(deinze).card_number).get("BL") == "Y"
    assert status(kiosk, member(brugge).card_number).get("BL") == "N"


@pytest.mark.parametrize(
    ("language", "sip_language", "start"),
    [
        ("en", "001", "Your membership fee of € 12.00 is not paid yet"),
        ("fr", "002", "Votre cotisation de 12,00 € n'est pas encore payée"),
        ("nl", "005", "Je lidgeld van € 12,00 is nog niet betaald"),
    ],
)
def test_an_open_fee_denies_charging_with_the_amount_in_the_borrowers_language(
    client, sip2_server, language, sip_language, start
):
    borrower = member(sip2_server.instance, language=language)
    make_open_fee(borrower.memberships.first(), booked_on=date(2026, 4, 10))
    answer = status(client, borrower.card_number, language="000")
    flags = answer.fixed["patron_status"]
    assert flags[0] == "Y"  # charge privileges denied
    assert flags[11] == "Y"  # excessive outstanding fees
    assert flags[2:4] == "  "  # holds and recalls are not a fee matter
    assert answer.fixed["language"] == sip_language
    assert (answer.get("BV"), answer.get("BH")) == ("12.00", "EUR")
    assert answer.get("AF").startswith(start)


@pytest.mark.parametrize(
    ("status_of_period", "reason"),
    [("ended", Reason.EXPIRED), ("invalidated", Reason.INVALIDATED)],
)
def test_an_ended_membership_denies_everything_and_says_what_to_do(
    client, sip2_server, status_of_period, reason
):
    borrower = make_borrower(sip2_server.instance, language="en")
    make_membership(
        borrower, make_type(sip2_server.instance), start=date(2025, 1, 1), status=status_of_period
    )
    answer = status(client, borrower.card_number)
    assert answer.fixed["patron_status"][:4] == "YYYY"  # charge, renewal, recall, hold denied
    expected = SENTENCES[reason]["en"].format(end="31/12/2025", amount="")
    assert answer.get("AF") == expected


def test_patron_information_with_summary_and_item_lists(client, sip2_server):
    gent = sip2_server.instance
    borrower = member(gent)
    on_loan = make_item(gent, "De Avonden")
    overdue = make_item(gent, "Het Achterhuis")
    ready = make_item(gent, "Max Havelaar")
    waiting = make_item(gent, "Karakter")
    Loan.objects.create(
        item=on_loan, borrower=borrower, out_on=date(2026, 4, 1), due_on=date(2026, 4, 22)
    )
    Loan.objects.create(
        item=overdue, borrower=borrower, out_on=date(2026, 3, 1), due_on=date(2026, 3, 22)
    )
    make_reservation(borrower, ready, date(2026, 4, 1), status=ReservationStatus.READY)
    make_reservation(borrower, waiting, date(2026, 4, 2))
    answer = client.ask(f"63005{STAMP}  Y       AOGENT|AA{borrower.card_number}|AD{PIN}|BP1|BQ5|")
    assert answer.code == "64"
    assert answer.fixed["hold_items_count"] == "0001"
    assert answer.fixed["overdue_items_count"] == "0001"
    assert answer.fixed["charged_items_count"] == "0002"
    assert answer.fixed["unavailable_holds_count"] == "0001"
    assert answer.fixed["fine_items_count"] == "0000"
    assert answer.all("AU") == [overdue.barcode, on_loan.barcode]
    assert answer.all("AS") == []  # only the category asked for
    holds = client.ask(f"63005{STAMP}Y         AOGENT|AA{borrower.card_number}|")
    assert holds.all("AS") == [ready.barcode]
    window = client.ask(f"63005{STAMP}  Y       AOGENT|AA{borrower.card_number}|BP2|BQ2|")
    assert window.all("AU") == [on_loan.barcode]


def test_patron_information_lists_the_open_fee(client, sip2_server):
    borrower = member(sip2_server.instance)
    make_open_fee(borrower.memberships.first(), booked_on=date(2026, 4, 10))
    answer = client.ask(f"63005{STAMP}   Y      AOGENT|AA{borrower.card_number}|")
    assert answer.fixed["fine_items_count"] == "0001"
    assert answer.get("BV") == "12.00"
    assert answer.all("AV") == ["1001 € 12,00"]


# -- circulation


def test_checkout_checkin_renew_and_item_information(client, sip2_server, at):
    gent = sip2_server.instance
    borrower = member(gent)
    item = make_item(gent, "De Avonden")
    info = client.ask(f"17{STAMP}AOGENT|AB{item.barcode}|")
    assert (info.code, info.fixed["circulation_status"], info.get("AJ")) == (
        "18",
        "03",
        "De Avonden",
    )

    out = client.ask(
        f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|AC|AD{PIN}|"
    )
    assert (out.code, out.fixed["ok"]) == ("12", "1")
    assert out.get("AH") == "20260501    235959"  # 10 April + 21 days
    assert out.get("AJ") == "De Avonden"
    loan = Loan.objects.get(item=item, returned_on__isnull=True)
    assert loan.due_on == date(2026, 5, 1)

    info = client.ask(f"17{STAMP}AOGENT|AB{item.barcode}|")
    assert info.fixed["circulation_status"] == "04"
    assert info.get("AH") == "20260501    235959"

    again = client.ask(f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|")
    assert again.fixed["ok"] == "0"
    assert "al uitgeleend" in again.get("AF")

    at(date(2026, 4, 20))
    renewed = client.ask(f"29NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|")
    assert (renewed.code, renewed.fixed["ok"], renewed.fixed["renewal_ok"]) == ("30", "1", "Y")
    loan.refresh_from_db()
    assert loan.due_on == date(2026, 5, 11)

    back = client.ask(f"09N{STAMP}{STAMP}APGENT|AOGENT|AB{item.barcode}|AC|")
    assert (back.code, back.fixed["ok"], back.fixed["alert"]) == ("10", "1", "N")
    assert back.get("AA") == borrower.card_number
    assert back.get("AQ") == "GENT"
    loan.refresh_from_db()
    assert loan.returned_on == date(2026, 4, 20)

    twice = client.ask(f"09N{STAMP}{STAMP}APGENT|AOGENT|AB{item.barcode}|AC|")
    assert twice.fixed["ok"] == "1"
    assert "niet uitgeleend" in twice.get("AF")


def test_checkin_of_a_reserved_item_raises_the_alert(client, sip2_server):
    gent = sip2_server.instance
    item = make_item(gent)
    Loan.objects.create(
        item=item, borrower=member(gent), out_on=date(2026, 4, 1), due_on=date(2026, 4, 22)
    )
    make_reservation(member(gent), item, date(2026, 4, 2))
    back = client.ask(f"09N{STAMP}{STAMP}APGENT|AOGENT|AB{item.barcode}|")
    assert (back.fixed["ok"], back.fixed["alert"]) == ("1", "Y")
    assert any("apart" in line for line in back.all("AF"))


def test_unknown_items_are_refused_politely(client, sip2_server):
    borrower = member(sip2_server.instance)
    out = client.ask(f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|ABNOPE|")
    assert (out.code, out.fixed["ok"]) == ("12", "0")
    assert "niet gekend" in out.get("AF")
    assert client.ask(f"17{STAMP}AOGENT|ABNOPE|").fixed["circulation_status"] == "01"
    assert client.ask(f"09N{STAMP}{STAMP}APX|AOGENT|ABNOPE|").fixed["ok"] == "0"


def test_items_of_an_instance_outside_the_group_are_unknown(client, sip2_server):
    borrower = member(sip2_server.instance)
    elsewhere = make_item(make_instance("BRUGGE"))
    out = client.ask(f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{elsewhere.barcode}|")
    assert out.fixed["ok"] == "0"


def test_renewal_is_refused_when_someone_else_waits(client, sip2_server):
    gent = sip2_server.instance
    borrower = member(gent)
    item = make_item(gent)
    Loan.objects.create(
        item=item, borrower=borrower, out_on=date(2026, 4, 1), due_on=date(2026, 4, 22)
    )
    make_reservation(member(gent), item, date(2026, 4, 2))
    answer = client.ask(f"29NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|")
    assert answer.fixed["ok"] == "0"
    assert "gereserveerd" in answer.get("AF")


def test_renew_all(client, sip2_server):
    gent = sip2_server.instance
    borrower = member(gent)
    free, wanted = make_item(gent), make_item(gent)
    for item in (free, wanted):
        Loan.objects.create(
            item=item, borrower=borrower, out_on=date(2026, 4, 1), due_on=date(2026, 4, 22)
        )
    make_reservation(member(gent), wanted, date(2026, 4, 2))
    answer = client.ask(f"65{STAMP}AOGENT|AA{borrower.card_number}|AD{PIN}|")
    assert answer.code == "66"
    assert (answer.fixed["ok"], answer.fixed["renewed_count"], answer.fixed["unrenewed_count"]) == (
        "1",
        "0001",
        "0001",
    )
    assert answer.all("BM") == [free.barcode]
    assert answer.all("BN") == [wanted.barcode]


def test_a_wrong_pin_refuses_checkout(client, sip2_server):
    borrower = member(sip2_server.instance)
    item = make_item(sip2_server.instance)
    out = client.ask(
        f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|AD9999|"
    )
    assert out.fixed["ok"] == "0"
    assert not Loan.objects.exists()


def test_end_session(client, sip2_server):
    borrower = member(sip2_server.instance)
    answer = client.ask(f"35{STAMP}AOGENT|AA{borrower.card_number}|")
    assert (answer.code, answer.fixed["end_session"], answer.get("AA")) == (
        "36",
        "Y",
        borrower.card_number,
    )


def test_fee_paid_refuses_other_currencies_and_too_much(client, sip2_server):
    borrower = member(sip2_server.instance, language="en")
    make_open_fee(borrower.memberships.first(), booked_on=date(2026, 4, 10))
    usd = client.ask(f"37{STAMP}0100USDBV12.00|AOGENT|AA{borrower.card_number}|")
    assert (usd.code, usd.fixed["payment_accepted"]) == ("38", "N")
    too_much = client.ask(f"37{STAMP}0100EURBV20.00|AOGENT|AA{borrower.card_number}|")
    assert too_much.fixed["payment_accepted"] == "N"
    assert "more than what is open (€ 12.00)" in too_much.get("AF")
    assert not Payment.objects.exists()


# -- the seed scenario


def test_seed_scenario_fee_open_then_paid_at_the_kiosk_then_expired(client, sip2_server, at):
    """A renewal on 10 April with the fee left open: on 15 April the kiosk refuses to
    lend with the fee reason; after paying at the kiosk it lends; after the membership
    ended, patron status shows the expired reason."""
    gent = sip2_server.instance
    borrower = make_borrower(gent, language="nl")
    membership = make_membership(borrower, make_type(gent, months=1), start=date(2026, 4, 10))
    make_open_fee(membership, booked_on=date(2026, 4, 10))
    item = make_item(gent, "De Avonden")
    checkout = f"11NN{STAMP}{' ' * 18}AOGENT|AA{borrower.card_number}|AB{item.barcode}|AC|"

    at(date(2026, 4, 15))
    refused = client.ask(checkout)
    assert refused.fixed["ok"] == "0"
    assert refused.get("AF").startswith("Je lidgeld van € 12,00 is nog niet betaald")
    assert not Loan.objects.exists()

    paid = client.ask(f"37{STAMP}0100EURBV12.00|AOGENT|AA{borrower.card_number}|BKKIOSK-1|")
    assert (paid.code, paid.fixed["payment_accepted"], paid.get("BK")) == ("38", "Y", "KIOSK-1")
    assert "Je kan weer lenen" in paid.get("AF")
    posting = membership.postings.get()
    assert (posting.status, posting.balance) == (PostingStatus.PAID, Decimal("0.00"))
    assert posting.payments.get().channel == "kiosk"
    assert status(client, borrower.card_number).fixed["patron_status"] == " " * 14

    lent = client.ask(checkout)
    assert lent.fixed["ok"] == "1"
    assert Loan.objects.get().borrower == borrower

    at(date(2026, 6, 1))  # the one-month period (10 April – 31 May) has ended
    after = status(client, borrower.card_number)
    assert after.fixed["patron_status"][:4] == "YYYY"
    assert after.get("AF") == (
        "Je lidmaatschap is afgelopen op 31/05/2026. Vernieuw het aan de balie; "
        "je reserveringen blijven bewaard."
    )


# -- tolerance


@pytest.mark.parametrize("terminator", [b"\r", b"\r\n"])
def test_cr_and_crlf_terminators(client, terminator):
    client.send_raw(with_trailer("9900302.00", 1)[:-1] + terminator)
    assert client.read().code == "98"
    client.send_raw(with_trailer("9900302.00", 2)[:-1] + terminator)
    assert client.read().sequence == 2


def test_crlf_requests_get_crlf_answers_and_cr_requests_cr_answers(sip2_server):
    borrower = member(sip2_server.instance)
    kiosk = Client(*sip2_server, terminator=b"\r\n")  # as Koha's emulator sends
    assert kiosk.login().fixed["ok"] == "1"
    assert kiosk.last_raw.endswith(b"AZ" + kiosk.last_raw[-6:-2] + b"\r\n")
    answer = status(kiosk, borrower.card_number, pin=PIN)
    assert (answer.code, answer.get("CQ")) == ("24", "Y")
    raw = kiosk.last_raw
    assert raw.endswith(b"\r\n")
    assert raw[:-2].endswith(checksum(raw[: raw.rindex(b"AZ") + 2]).encode())
    kiosk.close()
    # a kiosk that ends its requests in CR gets answers ended in CR, no LF after them
    plain = Client(*sip2_server)
    assert plain.login().fixed["ok"] == "1"
    assert plain.ask("9900302.00").code == "98"
    assert plain.last_raw.startswith(b"98")  # no stray LF before it
    plain.close()


@pytest.mark.parametrize(
    ("setting", "sent", "answered"),
    [("crlf", b"\r", b"\r\n"), ("cr", b"\r\n", b"\r"), ("auto", b"\r\n", b"\r\n")],
)
def test_a_terminals_own_terminator_overrides_what_it_sends(sip2_server, setting, sent, answered):
    add_terminal(sip2_server.instance, "kiosk-eol", "secret-eol", terminator=setting)
    kiosk = Client(*sip2_server, terminator=answered)
    kiosk.send_raw(with_trailer("9300CNkiosk-eol|COsecret-eol|", 1)[:-1] + sent)
    assert kiosk.read().fixed["ok"] == "1"
    kiosk.send_raw(with_trailer("9900302.00", 2)[:-1] + sent)
    assert kiosk.read().code == "98"
    assert kiosk.last_raw.endswith(answered)
    assert kiosk.last_raw[: -len(answered)].endswith(
        kiosk.last_raw[-4 - len(answered) : -len(answered)]
    )
    if answered == b"\r":
        assert kiosk.ask("9900302.00").code == "98"
        assert kiosk.last_raw.startswith(b"98")  # no LF was sent after the CR
    kiosk.close()


def test_a_leading_lf_and_two_messages_in_one_packet(client):
    first = with_trailer("9900302.00", 3)
    second = b"\n" + with_trailer("9900302.00", 4)
    client.send_raw(first + second)
    assert client.read().sequence == 3
    assert client.read().sequence == 4


def test_a_message_split_over_several_packets(client):
    data = with_trailer("9900302.00", 5)
    for piece in (data[:3], data[3:9], data[9:]):
        client.send_raw(piece)
        time.sleep(0.02)
    assert client.read().code == "98"


def test_fields_in_any_order(client, sip2_server):
    borrower = member(sip2_server.instance)
    answer = client.ask(f"23005{STAMP}AD{PIN}|AA{borrower.card_number}|AC|AOGENT|")
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "Y")


def test_a_checksum_written_with_fewer_than_four_hex_digits(client, sip2_server):
    borrower = member(sip2_server.instance)
    for n in range(3000):
        text = f"23005{STAMP}AOGENT|AA{borrower.card_number}|AC{'~' * n}|AY7AZ"
        if checksum(text.encode()).startswith("0"):
            break
    short = checksum(text.encode()).lstrip("0").lower()
    assert len(short) < 4
    client.send_raw(text.encode() + short.encode() + b"\r")
    answer = client.read()
    assert (answer.code, answer.sequence, answer.get("BL")) == ("24", 7, "Y")


def test_messages_without_error_detection_are_answered(client):
    client.send_raw(b"9900302.00\r")
    answer = client.read()
    assert answer.code == "98"
    assert answer.sequence is None


def test_malformed_messages_get_96(client):
    client.send_raw(with_trailer("2300", 2))  # a patron status cut short
    assert client.read().code == "96"
    assert client.ask("9900302.00").code == "98"


def test_messages_we_do_not_support_get_their_own_refusal_with_a_screen_message(
    client, sip2_server
):
    card = member(sip2_server.instance).card_number
    hold = client.ask(f"15+{STAMP}AOGENT|AA{card}|ABX-1|AD{PIN}|")
    assert (hold.code, hold.fixed["ok"], hold.fixed["available"]) == ("16", "0", "N")
    assert hold.get("AA") == card
    assert hold.get("AF").startswith("Reserveren kan niet aan dit toestel")
    update = client.ask(f"19{STAMP}AOGENT|ABX-1|CH|")
    assert (update.code, update.fixed["item_properties_ok"], update.get("AB")) == ("20", "0", "X-1")
    assert update.get("AF") == "Dit kan niet aan dit toestel. Vraag het aan de balie."
    enable = client.ask(f"25{STAMP}AOGENT|AA{card}|")
    assert (enable.code, enable.fixed["patron_status"][:4]) == ("26", "YYYY")
    assert enable.get("AF") == "Dit kan niet aan dit toestel. Vraag het aan de balie."
    block = client.ask(f"01N{STAMP}AOGENT|ALkaart ingehouden|AA{card}|AC|")
    assert (block.code, block.get("AA")) == ("24", card)
    assert "balie" in block.get("AF")


def test_an_unknown_command_gets_a_status_that_says_so_and_what_is_supported(client):
    for request in ("42whatever|", "24" + " " * 14 + "005" + STAMP + "AOX|"):  # 24: an answer
        answer = client.ask(request)
        assert answer.code == "98"
        assert answer.get("BX") == SUPPORTED
        assert answer.get("AF") == "Dit kan niet aan dit toestel. Vraag het aan de balie."
    # never the 96 that would have the kiosk send the same message forever
    client.send_raw(b"42no error detection|\r")
    assert client.read().code == "98"


def test_unsupported_messages_are_refused_before_login_too(sip2_server):
    kiosk = Client(*sip2_server)
    assert kiosk.ask(f"15+{STAMP}AOGENT|AAC1|").code == "16"
    assert kiosk.ask("42whatever|").code == "98"
    kiosk.close()


def test_more_than_64_kib_without_terminator_closes_the_connection(sip2_server, connect):
    kiosk = connect()
    kiosk.login()
    try:
        for _ in range(20):  # 80 KiB, no CR or LF
            kiosk.send_raw(b"9" * 4096)
    except OSError:
        pass  # the server may already have closed it
    assert kiosk.closed()
    # the server goes on for everyone else
    other = connect()
    assert other.login().fixed["ok"] == "1"


def test_a_tls_hello_on_the_plain_port_does_not_take_the_server_down(sip2_server, connect):
    hello = (
        bytes.fromhex(
            "16030100c4010000c00303" + "ab" * 32 + "00" + "0020" + "c02b" * 16 + "0100" + "0075"
        )
        + bytes(range(256)) * 2
    )
    raw = socket.create_connection((sip2_server.host, sip2_server.port), timeout=3)
    raw.sendall(hello)
    raw.settimeout(3)
    try:
        data = raw.recv(65536)
        # nothing or a 96: never a crash or a stack trace
        assert data == b"" or data.startswith(b"96")
    except (TimeoutError, ConnectionError):
        pass
    raw.close()
    kiosk = connect()
    assert kiosk.login().fixed["ok"] == "1"


def test_an_idle_connection_is_closed(transactional_db, fast_hashers):
    with running_server(idle_timeout=0.3) as server:
        kiosk = Client(server.host, server.port)
        assert kiosk.closed(wait=3)
        kiosk.close()


def test_a_cp850_terminal_gets_cp850_bytes(sip2_server, connect):
    add_terminal(sip2_server.instance, "kiosk-cp850", "secret-cp850", charset="cp850")
    borrower = member(sip2_server.instance, first_name="Désiré", last_name="Çelik", language="fr")
    make_open_fee(borrower.memberships.first(), booked_on=date(2026, 4, 10))
    kiosk = connect(charset="cp850")
    assert kiosk.login("kiosk-cp850", "secret-cp850").fixed["ok"] == "1"
    kiosk.send(f"23002{STAMP}AOGENT|AA{borrower.card_number}|")
    raw = kiosk.read_raw()
    assert "Désiré Çelik".encode("cp850") in raw
    answer = decode(raw, "cp850", errors="strict")
    assert answer.get("AE") == "Désiré Çelik"
    assert answer.get("AF").startswith("Votre cotisation de 12,00 EUR n'est pas encore payée")


def test_patron_names_with_non_ascii_letters_over_utf8(client, sip2_server):
    borrower = member(sip2_server.instance, first_name="Zoë", last_name="Ünal")
    client.send(f"23005{STAMP}AOGENT|AA{borrower.card_number}|")
    raw = client.read_raw()
    assert "Zoë Ünal".encode() in raw


def test_a_tls_server(tmp_path, transactional_db, fast_hashers, gent):
    import ssl
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
    )
    assert made.returncode == 0, made.stderr  # the TLS path is tested, never skipped
    from lidgeld.sip2.server import tls_context

    add_terminal(gent, "kiosk-tls", "secret-tls")
    with running_server(ssl_context=tls_context(str(cert), str(key))) as server:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection((server.host, server.port), timeout=5)
        tls = context.wrap_socket(raw, server_hostname="localhost")
        tls.sendall(with_trailer("9300CNkiosk-tls|COsecret-tls|", 1))
        data = b""
        while not data.endswith(b"\r"):
            data += tls.recv(4096)
        assert decode(data).fixed["ok"] == "1"
        tls.close()


def test_passwords_and_pins_never_reach_the_log(client, sip2_server, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="lidgeld.sip2")
    borrower = member(sip2_server.instance)
    client.login()
    status(client, borrower.card_number, pin=PIN)
    client.ask(f"37{STAMP}0100EURBV1.00|AOGENT|AA{borrower.card_number}|AD{PIN}|ACterm-pw|")
    assert "AD***" in caplog.text
    for secret in (PIN, sip2_server.password, "term-pw"):
        assert secret not in caplog.text
