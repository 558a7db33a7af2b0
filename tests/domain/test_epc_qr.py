"""The EPC069-12 "SEPA credit transfer" QR payload (epc_qr.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.domain.epc_qr import (
    MAX_PAYLOAD_BYTES,
    bic_is_valid,
    creditor_reference,
    epc_payload,
    format_amount,
    format_iban,
    iban_is_valid,
)
from lidgeld.domain.payment_reference import MAX_NUMBER, structured_communication

PROPERTY = settings(max_examples=200, deadline=None)


def payload(**changes: Any) -> str:
    fields: dict[str, Any] = {
        "name": "Bibliotheek Gent",
        "iban": "BE68539007547034",
        "amount": Decimal("12.50"),
        "reference": "+++123/4567/89002+++",
    }
    return epc_payload(**(fields | changes))


def test_the_lines_of_a_payload():
    assert payload(bic="GKCCBEBB").split("\n") == [
        "BCD",  # service tag
        "002",  # version
        "1",  # UTF-8
        "SCT",  # SEPA credit transfer
        "GKCCBEBB",  # BIC
        "Bibliotheek Gent",  # beneficiary
        "BE68539007547034",  # IBAN
        "EUR12.50",  # amount
        "",  # purpose
        "123456789002",  # the structured communication, structured remittance line
    ]


def test_without_bic_the_line_stays_empty_and_nothing_trails():
    text = payload()
    assert text.split("\n")[4] == ""
    assert not text.endswith("\n")
    assert len(text.split("\n")) == 10


def test_information_for_the_payer_goes_on_line_12_and_leaves_line_11_empty():
    lines = payload(text="Lidgeld 2026 Volwassenen").split("\n")
    assert len(lines) == 12
    assert lines[9] == "123456789002"
    assert lines[10] == ""  # unstructured remittance: never next to a structured one
    assert lines[11] == "Lidgeld 2026 Volwassenen"


def test_the_iban_is_written_without_spaces_in_capitals():
    assert payload(iban="be68 5390 0754 7034", bic="gkcc bebb").split("\n")[4:7] == [
        "GKCCBEBB",
        "Bibliotheek Gent",
        "BE68539007547034",
    ]


@pytest.mark.parametrize(
    ("reference", "line"),
    [
        ("+++123/4567/89002+++", "123456789002"),
        ("***123/4567/89002***", "123456789002"),
        ("123/4567/89002", "123456789002"),
        ("123456789002", "123456789002"),
        ("+++000/0000/09797+++", "000000009797"),
        ("RF18 5390 0754 7034", "RF18539007547034"),  # ISO 11649, the standard's example
    ],
)
def test_the_reference_line(reference, line):
    assert creditor_reference(reference) == line
    assert payload(reference=reference).split("\n")[9] == line


@pytest.mark.parametrize(
    "reference",
    [
        "+++123/4567/89003+++",  # wrong check digits
        "+++123/4567/8900+++",  # 11 digits
        "RF19539007547034",  # wrong RF check digits
        "Lidgeld 2026",  # free text is not a reference
        "",
    ],
)
def test_a_bad_reference_is_refused(reference):
    with pytest.raises(ValueError, match="reference"):
        payload(reference=reference)


@pytest.mark.parametrize(
    ("amount", "line"),
    [
        (Decimal("12.5"), "EUR12.50"),
        (Decimal("12"), "EUR12.00"),
        (3, "EUR3.00"),
        (Decimal("0.01"), "EUR0.01"),
        (Decimal("999999999.99"), "EUR999999999.99"),
    ],
)
def test_the_amount_line(amount, line):
    assert format_amount(amount) == line
    assert payload(amount=amount).split("\n")[7] == line


@pytest.mark.parametrize(
    ("amount", "why"),
    [
        (Decimal("0"), "from € 0.01"),
        (Decimal("-5.00"), "from € 0.01"),
        (Decimal("1000000000.00"), "to € 999999999.99"),
        (Decimal("12.505"), "more than two decimals"),
        (Decimal("NaN"), "number of euros"),
        (12.5, "must be a Decimal"),  # a float is not an amount of money
        ("12.50", "must be a Decimal"),
    ],
)
def test_a_bad_amount_is_refused_with_the_reason(amount, why):
    with pytest.raises(ValueError, match=why):
        payload(amount=amount)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "name is required"),
        ("   ", "name is required"),
        ("B" * 71, "71 characters, at most 70"),
        ("Bibliotheek\nGent", "one line"),
    ],
)
def test_a_bad_name_is_refused_with_the_reason(name, why):
    with pytest.raises(ValueError, match=why):
        payload(name=name)


def test_a_name_of_70_characters_fits():
    assert payload(name="B" * 70).split("\n")[5] == "B" * 70


def test_a_bad_bic_is_refused():
    with pytest.raises(ValueError, match="not a BIC"):
        payload(bic="GKCCBE")


VALID_IBANS = [
    "BE68539007547034",
    "BE71096123456769",
    "BE62510007547061",
    "BE72000000001616",
    "be68 5390 0754 7034",
    "NL91ABNA0417164300",
    "DE89370400440532013000",
    "LU280019400644750000",
    "FR1420041010050500013M02606",
    "GB29NWBK60161331926819",  # a country without a known length: the general rules
]


@pytest.mark.parametrize("iban", VALID_IBANS)
def test_valid_ibans(iban):
    assert iban_is_valid(iban)


@pytest.mark.parametrize(
    ("iban", "why"),
    [
        ("BE68539007547035", "check digits are wrong"),  # last digit mistyped
        ("BE86539007547034", "check digits are wrong"),  # check digits swapped
        ("BE41539007547035", "account number check is wrong"),  # mod-97 fine, BBAN not
        ("BE6853900754703", "has 16 characters, not 15"),
        ("BE685390075470341", "has 16 characters, not 17"),
        ("NL91ABNA041716430", "has 18 characters, not 17"),
        ("BE68 5390 0754 70X4", "after BE come 14 digits|check digits are wrong"),
        ("68539007547034BE", "not an IBAN"),
        ("BE68-5390-0754-7034", "not an IBAN"),
        ("", "no IBAN"),
    ],
)
def test_invalid_ibans_are_refused_with_the_reason(iban, why):
    assert not iban_is_valid(iban)
    with pytest.raises(ValueError, match=why):
        payload(iban=iban)


def test_format_iban_in_groups_of_four():
    assert format_iban("BE68539007547034") == "BE68 5390 0754 7034"
    assert format_iban(" be68 53900754 7034") == "BE68 5390 0754 7034"
    assert format_iban("FR1420041010050500013M02606") == "FR14 2004 1010 0505 0001 3M02 606"


@pytest.mark.parametrize(
    ("bic", "valid"),
    [("GKCCBEBB", True), ("GEBABEBB", True), ("KREDBEBB100", True), ("GKCCBE", False)],
)
def test_bic_shape(bic, valid):
    assert bic_is_valid(bic) is valid


def test_the_largest_payload_within_the_limits_fits_331_bytes():
    largest = payload(
        name="N" * 70,
        bic="KREDBEBB100",
        amount=Decimal("999999999.99"),
        reference="RF48" + "1" * 21,  # 25 characters, the longest RF reference
        text="T" * 70,
    )
    assert len(largest.encode()) <= MAX_PAYLOAD_BYTES


def test_a_payload_over_331_bytes_is_refused():
    # 70 characters of three bytes each in both the name and the information
    with pytest.raises(ValueError, match=r"\d+ bytes, at most 331"):
        payload(name="€" * 70, text="€" * 70)


def test_accents_are_utf8_as_line_3_says():
    text = payload(name="Bibliothèque de Saint-Gilles")
    assert text.split("\n")[2] == "1"
    assert "Bibliothèque" in text.encode("utf-8").decode("utf-8")


@PROPERTY
@given(
    st.integers(min_value=1, max_value=MAX_NUMBER),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
)
def test_any_reference_and_amount_make_a_payload_that_gives_them_back(number, amount):
    lines = payload(reference=structured_communication(number), amount=amount).split("\n")
    assert int(lines[9][:10]) == number
    assert Decimal(lines[7].removeprefix("EUR")) == amount
