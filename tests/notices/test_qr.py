"""The EPC QR code drawn by segno and read back by an independent decoder (zxing-cpp),
and the payment instructions in the borrower's status (issue 3, item 5)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

from lidgeld.cli.main import main
from lidgeld.clock import at_nine
from lidgeld.domain.epc_qr import epc_payload
from lidgeld.domain.payment_reference import (
    parse_structured_communication,
    structured_communication,
)
from lidgeld.finance.selectors import payment_instructions
from lidgeld.finance.services import payment_register
from lidgeld.notices.qr import epc_qr_png, epc_qr_svg
from lidgeld.standing.status import borrower_status
from tests.factories import make_borrower, make_instance, make_membership, make_open_fee, make_type

IBAN = "BE68539007547034"


def decode(image: Image.Image) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "exactly one code in the image"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0]


def decode_png(png: bytes) -> zxingcpp.Barcode:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return decode(Image.open(io.BytesIO(png)))


def decode_svg(svg: str) -> zxingcpp.Barcode:
    """Rasterise segno's SVG path (``M x y``, ``h n`` and ``m dx dy`` along module rows)
    one pixel per module, enlarged, and hand it to the decoder."""
    root = ElementTree.fromstring(svg)  # well-formed XML
    size = int(root.attrib["width"]) // 4  # drawn at scale 4 in these tests
    path = next(e for e in root.iter() if e.attrib.get("class") == "qrline").attrib["d"]
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                image.putpixel((column, int(y)), 0)
            x += float(a)
    return decode(image.resize((size * 6, size * 6), Image.Resampling.NEAREST))


def fields(text: str) -> dict[str, str]:
    lines = text.split("\n")
    return {
        "iban": lines[6],
        "amount": lines[7],
        "reference": lines[9],
        "name": lines[5],
    }


def test_the_png_gives_back_iban_amount_and_reference():
    payload = epc_payload(
        name="Bibliotheek Gent",
        iban=IBAN,
        amount=Decimal("12.50"),
        reference="+++090/9337/55493+++",
        bic="GKCCBEBB",
    )
    barcode = decode_png(epc_qr_png(payload))
    assert barcode.text == payload
    assert barcode.ec_level == "M"  # EPC069-12 prescribes level M
    read = fields(barcode.text)
    assert read["iban"] == IBAN
    assert read["amount"] == "EUR12.50"
    assert parse_structured_communication(read["reference"]) == 909_337_554


def test_the_inline_svg_scans_too():
    payload = epc_payload(
        name="Bibliotheek Gent", iban=IBAN, amount=Decimal("7"), reference="+++000/0000/09797+++"
    )
    svg = epc_qr_svg(payload, scale=4)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<title>EPC QR: scan to pay</title>" in svg
    barcode = decode_svg(svg)
    assert barcode.text == payload
    assert barcode.ec_level == "M"
    assert fields(barcode.text)["reference"] == "000000009797"


def test_accents_and_the_euro_sign_survive_as_utf8():
    payload = epc_payload(
        name="Bibliothèque communale d'Etterbeek",
        iban="BE71 0961 2345 6769",
        amount=Decimal("15.00"),
        reference=structured_communication(42),
        text="Cotisation 2026 — 15 €",
    )
    barcode = decode_png(epc_qr_png(payload))
    assert barcode.bytes == payload.encode("utf-8")
    assert barcode.text == payload


def test_the_largest_payload_still_scans_within_version_13():
    payload = epc_payload(
        name="N" * 70,
        iban="FR1420041010050500013M02606",
        amount=Decimal("999999999.99"),
        reference="RF48" + "1" * 21,
        bic="KREDBEBB100",
        text="T" * 70,
    )
    assert decode_png(epc_qr_png(payload, scale=3)).text == payload


def test_the_png_scale_is_pixels_per_module():
    payload = epc_payload(
        name="Bibliotheek Gent", iban=IBAN, amount=Decimal("12.50"), reference="1234567890 02"
    )
    small, large = (Image.open(io.BytesIO(epc_qr_png(payload, scale=s))) for s in (2, 6))
    assert large.size[0] == 3 * small.size[0]


# ---------------------------------------------------------------- in the status output


def fee_borrower(**instance_fields):
    instance = make_instance(
        "GENT",
        **({"iban": IBAN, "bic": "GKCCBEBB", "sender_name": "Bibliotheek Gent"} | instance_fields),
    )
    borrower = make_borrower(instance, card="2001")
    membership_type = make_type(instance)
    older = make_membership(borrower, membership_type, start=date(2025, 5, 1))
    newer = make_membership(borrower, membership_type, start=date(2026, 5, 1))
    return borrower, older, newer


@pytest.mark.django_db
def test_the_status_carries_how_to_pay_the_oldest_open_fee():
    borrower, older, newer = fee_borrower()
    # booked out of id order: the oldest booking counts, not the first row
    new_fee = make_open_fee(newer, booked_on=date(2026, 4, 10), amount="12.00")
    old_fee = make_open_fee(older, booked_on=date(2025, 5, 1), amount="7.50")
    payment = borrower_status(borrower=borrower, today=date(2026, 4, 10)).as_dict()["payment"]
    assert payment == {
        "reference": structured_communication(old_fee.pk),
        "amount": "7.50",
        "iban": IBAN,
        "bic": "GKCCBEBB",
        "beneficiary": "Bibliotheek Gent",
        "epc_qr": epc_payload(
            name="Bibliotheek Gent",
            iban=IBAN,
            amount=Decimal("7.50"),
            reference=structured_communication(old_fee.pk),
            bic="GKCCBEBB",
        ),
    }
    instructions = payment_instructions(borrower_id=borrower.pk)
    assert instructions is not None
    assert payment == instructions.as_dict()

    # scanned: the bank app fills in what the bank import will match on
    read = fields(decode_png(epc_qr_png(payment["epc_qr"])).text)
    assert read == {
        "iban": IBAN,
        "amount": "EUR7.50",
        "reference": re.sub(r"\D", "", payment["reference"]),
        "name": "Bibliotheek Gent",
    }
    assert parse_structured_communication(read["reference"]) == old_fee.pk

    # once the older fee is paid, the newer one is next
    payment_register(
        borrower=borrower,
        amount=Decimal("7.50"),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    after = borrower_status(borrower=borrower, today=date(2026, 4, 10)).as_dict()["payment"]
    assert after["reference"] == structured_communication(new_fee.pk)
    assert after["amount"] == "12.00"


@pytest.mark.django_db
def test_a_partly_paid_fee_asks_for_what_is_left():
    borrower, older, _ = fee_borrower()
    make_open_fee(older, booked_on=date(2025, 5, 1), amount="12.00")
    payment_register(
        borrower=borrower,
        amount=Decimal("2.00"),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    payment = payment_instructions(borrower_id=borrower.pk)
    assert payment is not None
    assert payment.amount == Decimal("10.00")
    assert payment.epc_qr is not None
    assert "\nEUR10.00\n" in payment.epc_qr


@pytest.mark.django_db
def test_nothing_open_means_no_payment():
    borrower, older, _ = fee_borrower()
    assert borrower_status(borrower=borrower, today=date(2026, 4, 10)).as_dict()["payment"] is None
    make_open_fee(older, booked_on=date(2025, 5, 1), amount="7.50")
    payment_register(
        borrower=borrower,
        amount=Decimal("7.50"),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="t",
    )
    assert borrower_status(borrower=borrower, today=date(2026, 4, 10)).as_dict()["payment"] is None
    assert payment_instructions(borrower_id=borrower.pk) is None


@pytest.mark.django_db
@pytest.mark.parametrize("iban", ["", "BE68539007547035", "not an iban"])
def test_without_a_valid_iban_there_is_a_reference_but_no_code(iban):
    borrower, older, _ = fee_borrower(iban=iban)
    fee = make_open_fee(older, booked_on=date(2025, 5, 1))
    payment = borrower_status(borrower=borrower, today=date(2026, 4, 10)).as_dict()["payment"]
    assert payment["reference"] == structured_communication(fee.pk)
    assert payment["amount"] == "12.00"
    assert payment["epc_qr"] is None


@pytest.mark.django_db
def test_the_name_without_sender_name_and_a_mistyped_bic_left_out():
    borrower, older, _ = fee_borrower(sender_name="", bic="GKCC", iban="be68 5390 0754 7034")
    make_open_fee(older, booked_on=date(2025, 5, 1))
    payment = payment_instructions(borrower_id=borrower.pk)
    assert payment is not None
    assert payment.beneficiary == "Bibliotheek Gent"  # make_instance's name
    assert payment.iban == IBAN
    assert payment.epc_qr is not None
    lines = payment.epc_qr.split("\n")
    assert lines[4] == ""  # BIC left out: optional in version 002
    assert lines[5] == "Bibliotheek Gent"
    assert lines[6] == IBAN


@pytest.mark.django_db
def test_a_long_name_is_cut_to_the_70_characters_the_code_holds():
    long_name = "Openbare Bibliotheek " + "Gent " * 20
    borrower, older, _ = fee_borrower(sender_name=long_name)
    make_open_fee(older, booked_on=date(2025, 5, 1))
    payment = payment_instructions(borrower_id=borrower.pk)
    assert payment is not None
    assert payment.epc_qr is not None
    assert payment.beneficiary == long_name.strip()
    assert payment.epc_qr.split("\n")[5] == long_name[:70].strip()


@pytest.mark.django_db
def test_the_status_text_says_where_to_pay(capsys):
    borrower, older, _ = fee_borrower()
    fee = make_open_fee(older, booked_on=date(2025, 5, 1), amount="7.50")
    assert main(["status", borrower.card_number, "--on", "2026-04-10"]) == 0
    out = capsys.readouterr().out
    assert (
        f"  pay € 7.50 to BE68 5390 0754 7034 with reference {structured_communication(fee.pk)}\n"
        in out
    )


@pytest.mark.django_db
def test_the_status_text_without_iban(capsys):
    borrower, older, _ = fee_borrower(iban="")
    fee = make_open_fee(older, booked_on=date(2025, 5, 1), amount="7.50")
    assert main(["status", borrower.card_number, "--on", "2026-04-10"]) == 0
    out = capsys.readouterr().out
    assert f"  pay € 7.50 with reference {structured_communication(fee.pk)} (no QR code" in out
