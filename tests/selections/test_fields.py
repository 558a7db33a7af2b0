"""The field catalogue of selections (R9): what a rule can test and how values read.

Staff type values the way they write them on paper (01/04/2020, 12,50, cae); the
catalogue turns them into the typed values a query needs, or says what to write.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from lidgeld.selections.fields import (
    EXPORT_FIELDS,
    FIELDS,
    GROUPS,
    Operator,
    RuleError,
    ValueType,
    field_for,
    operators_for,
)
from lidgeld.selections.values import coerce

BORROWER_COLUMNS = {
    "card_number",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "street",
    "postal_code",
    "city",
    "language",
    "home_instance__code",
    "registered_on",
}


def test_the_five_field_groups_of_the_old_system() -> None:
    assert {letter: (g.name_nl, g.model) for letter, g in GROUPS.items()} == {
        "A": ("Lener", "borrowers.Borrower"),
        "B": ("Berichten", "notices.Message"),
        "C": ("Contributies", "finance.Posting"),
        "D": ("Abonnementen", "memberships.Membership"),
        "E": ("Reserveringen", "circulation.Reservation"),
    }


def test_every_field_is_labelled_in_both_languages_and_belongs_to_a_group() -> None:
    for ref, field in FIELDS.items():
        assert ref == field.ref == f"{field.group}.{field.name}"
        assert field.group in GROUPS
        assert field.label_nl
        assert field.label_en
        assert field.path
        assert bool(field.choices) == (field.type is ValueType.CHOICE), ref


def test_the_seed_fields_are_there() -> None:
    assert field_for("B.date").label_nl == "Berichtdatum"
    assert field_for("B.kind").label_nl == "Berichtsoort"
    assert field_for("A.email").label_nl == "E-mailadres"
    assert field_for("A.email").label_en == "E-mail address"
    assert field_for("C.booking_code").type is ValueType.INTEGER
    assert field_for("A.card").path == "card_number"
    assert field_for("D.type").path == "type__code"
    assert all(FIELDS[f"{g}.instance"].path == "instance__code" for g in "BCDE")


@pytest.mark.parametrize("ref", ["B.date", "b.date", "B.DATE", "b.Date"])
def test_a_field_is_found_whatever_the_case(ref: str) -> None:
    assert field_for(ref) is FIELDS["B.date"]


@pytest.mark.parametrize(
    ("ref", "fragment"),
    [
        ("date", "is not a field; write a group letter, a dot and a field name"),
        ("B.date2", "is not a field"),
        ("F.date", "unknown field group 'F'; use A (Lener), B (Berichten), C (Contributies), "),
        ("B.datum", "B (Berichten) has no field 'datum' (did you mean B.date, Berichtdatum?)"),
        ("B.berichtsoort", "did you mean B.kind, Berichtsoort?"),
        ("B.xyz", "its fields are date, type, kind, channel, status, instance"),
    ],
)
def test_an_unknown_field_says_what_there_is(ref: str, fragment: str) -> None:
    with pytest.raises(RuleError) as caught:
        field_for(ref)
    assert fragment in caught.value.message


def test_operators_fit_the_kind_of_value() -> None:
    comparisons = {Operator.LT, Operator.LE, Operator.GT, Operator.GE, Operator.BETWEEN}
    assert comparisons <= operators_for(FIELDS["B.date"])
    assert comparisons <= operators_for(FIELDS["C.amount"])
    assert comparisons <= operators_for(FIELDS["C.booking_code"])
    assert operators_for(FIELDS["A.city"]) == {
        Operator.EQ,
        Operator.NE,
        Operator.IN,
        Operator.CONTAINS,
        Operator.IS_EMPTY,
    }
    assert operators_for(FIELDS["B.kind"]) == {
        Operator.EQ,
        Operator.NE,
        Operator.IN,
        Operator.IS_EMPTY,
    }
    assert Operator.CONTAINS not in operators_for(FIELDS["B.date"])


@pytest.mark.parametrize(
    ("ref", "raw", "value"),
    [
        ("B.date", "2020-04-01", date(2020, 4, 1)),
        ("B.date", "01/04/2020", date(2020, 4, 1)),
        ("B.date", "1/4/2020", date(2020, 4, 1)),
        ("B.date", "01-04-2020", date(2020, 4, 1)),
        ("B.date", "01.04.2020", date(2020, 4, 1)),
        ("B.date", " 2024-02-29 ", date(2024, 2, 29)),
        ("C.amount", "12.50", Decimal("12.50")),
        ("C.amount", "12,50", Decimal("12.50")),
        ("C.amount", "12,5", Decimal("12.50")),
        ("C.amount", "12", Decimal("12.00")),
        ("C.amount", "-3,10", Decimal("-3.10")),
        ("C.balance", "€ 20", Decimal("20.00")),
        ("C.balance", "20,00 €", Decimal("20.00")),
        ("C.booking_code", "1000", 1000),
        ("C.booking_code", " 1999 ", 1999),
        ("B.kind", "CAE", "AE"),
        ("B.kind", "cae", "AE"),
        ("B.kind", "AE", "AE"),
        ("B.kind", "ae", "AE"),
        ("B.kind", "CVL", "VL"),
        ("B.type", "c", "C"),
        ("A.language", "NL", "nl"),
        ("C.stage", "Reminder", "reminder"),
        ("E.status", "HELD", "held"),
        ("A.home_instance", "gent", "GENT"),
        ("B.instance", " brugge", "BRUGGE"),
        ("D.type", "std", "STD"),
        ("A.city", " Sint-Niklaas ", " Sint-Niklaas "),
        ("A.email", "An@Example.be", "An@Example.be"),
    ],
)
def test_a_value_reads_the_way_staff_write_it(ref: str, raw: str, value: object) -> None:
    result = coerce(FIELDS[ref], raw)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize(
    ("ref", "raw", "message"),
    [
        ("B.date", "1 april", "'1 april' is not a date; write 2020-04-01 or 01/04/2020"),
        ("B.date", "2020-4-1", "is not a date"),
        ("B.date", "20200401", "is not a date"),
        ("B.date", "2021-02-29", "'2021-02-29' is not an existing date"),
        ("B.date", "31/04/2020", "not an existing date"),
        ("B.date", "", "'' is not a date"),
        ("C.amount", "12.505", "more than two decimals"),
        ("C.amount", "1.250,00", "write euros such as 12.50 or 12,50 (no thousands separator)"),
        ("C.amount", "twaalf", "is not an amount"),
        ("C.booking_code", "1000.5", "is not a whole number; write digits only"),
        ("C.booking_code", "١٠٠٠", "is not a whole number"),  # Arabic-Indic digits
        # What the database cannot compare with (a 500 before): its columns' ranges
        ("C.amount", "1" + "0" * 30, "is out of range: an amount is -999999.99 to 999999.99"),
        ("C.balance", "-1000000", "'-1000000' is out of range: an open amount is -999999.99"),
        ("C.amount", "1e400", "'1e400' is not an amount; write euros such as 12.50"),
        ("C.booking_code", "10000", "'10000' is out of range: a booking code is 1 to 9999"),
        ("C.booking_code", "0", "'0' is out of range: a booking code is 1 to 9999"),
        ("C.booking_code", "1" * 5000, "is out of range: a booking code is 1 to 9999"),
        (
            "B.kind",
            "CXX",
            "'CXX' is not a known message kind; write one of CAE, CAEL, CHR, CNB, CVL, CEW",
        ),
        ("A.language", "de", "write one of nl, fr, en"),
        ("C.status", "unpaid", "write one of open, paid, written_off"),
    ],
)
def test_a_wrong_value_says_what_to_write_instead(ref: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        coerce(FIELDS[ref], raw)


def test_the_export_offers_the_borrower_columns_in_order() -> None:
    assert list(EXPORT_FIELDS) == [
        "card",
        "first_name",
        "last_name",
        "email",
        "birth_date",
        "street",
        "postal_code",
        "city",
        "language",
        "home_instance",
        "registered_on",
    ]
    assert {spec.path for spec in EXPORT_FIELDS.values()} == BORROWER_COLUMNS
    assert EXPORT_FIELDS["email"].label_nl == "E-mailadres"
    assert EXPORT_FIELDS["home_instance"].path == "home_instance__code"
    dates = {key for key, spec in EXPORT_FIELDS.items() if spec.type is ValueType.DATE}
    assert dates == {"birth_date", "registered_on"}
    assert {spec.type for spec in EXPORT_FIELDS.values()} == {ValueType.TEXT, ValueType.DATE}
