"""A rule's error reads in the reader's language (issue 12 item 11).

The rule language is plain Python, so its sentences are marked templates with params;
the English ``message`` stays what the other tests pin, and ``localized`` renders the
whole sentence, its parts (what was expected, what was found, a hint) included, in one
language: on the staff pages, in the API's ``localized`` field and on the command line.
"""

from __future__ import annotations

import html
import json
from datetime import date

import pytest

from lidgeld.cli.main import main
from lidgeld.domain.sentences import RuleRefusal
from lidgeld.selections.fields import FIELDS, RuleError, ValueType, field_for
from lidgeld.selections.rule_json import from_json
from lidgeld.selections.rule_text import parse
from lidgeld.selections.rules import validate
from lidgeld.selections.values import CHOICE_NAMES, RANGE_NAMES, coerce
from tests.factories import make_borrower, make_instance, make_message, make_staff

KIND_CHOICES = "CAE, CAEL, CHR, CNB, CVL, CEW, AE, AEL, HR, NB, VL, EW"


def refused(text: str) -> RuleError:
    with pytest.raises(RuleError) as caught:
        validate(parse(text))
    return caught.value


def test_a_value_refused_reads_in_dutch_and_french_with_its_params() -> None:
    # given a rule whose message kind does not exist
    # when it is checked
    error = refused("B.kind = XYZ")
    # then the English sentence is as before, and Dutch and French fill in the same values
    assert error.message == f"'XYZ' is not a known message kind; write one of {KIND_CHOICES}"
    assert (
        error.localized("nl")
        == f"'XYZ' is onbekend als berichtsoort; schrijf een van {KIND_CHOICES}"
    )
    assert error.localized("fr") == (
        f"'XYZ' est inconnu comme sorte de message ; écrivez l’une des valeurs {KIND_CHOICES}"
    )
    assert (error.code, error.params["value"], error.position) == ("unknown_choice", "XYZ", 9)


def test_a_sentence_of_parts_reads_in_one_language() -> None:
    # given a rule that ends where a value was expected
    # when it is read
    error = refused("B.date =")
    # then what was expected and what was found are said in the sentence's language
    assert error.message == "expected a value after '=', found the end of the rule"
    assert (
        error.localized("nl") == "een waarde verwacht na '=', maar het einde van de regel gevonden"
    )
    assert (
        error.localized("fr") == "on attend une valeur après '=', mais on trouve la fin de la règle"
    )


def test_a_hint_and_a_json_kind_are_translated_too() -> None:
    # given a keyword written as a value, and a JSON value that is a number
    keyword = refused("B.date = AND B.kind = CAE")
    with pytest.raises(RuleError) as caught:
        from_json({"field": 5, "op": "="})
    # then the hint and "the number 5" follow the sentence's language
    assert keyword.localized("nl").endswith(
        '; een waarde die een sleutelwoord is, komt tussen dubbele aanhalingstekens: "AND"'
    )
    assert (
        caught.value.localized("fr")
        == 'on attend un champ comme "B.date", mais on trouve le nombre 5'
    )
    assert caught.value.path == "$.field"


def test_located_keeps_the_translation_code_and_params() -> None:
    # given an unknown field, which the field lookup refuses without knowing where
    with pytest.raises(RuleError) as caught:
        field_for("B.soort")
    error = caught.value
    # when it is placed in a rule
    placed = error.located(position=4, path="$.and[1].field")
    # then it still reads in Dutch, with the same code and params, and knows where it is
    assert placed.localized("nl") == error.localized("nl")
    assert placed.localized("nl").startswith("B (Berichten) heeft geen rubriek 'soort'")
    assert (placed.code, placed.params, placed.message) == (error.code, error.params, error.message)
    assert (placed.position, placed.path) == (4, "$.and[1].field")
    # and validate places it so too
    inside = refused("A.city = Gent AND B.soort = CAE")
    assert (inside.position, inside.path) == (18, "$.and[1].field")
    assert inside.localized("fr").startswith("B (Berichten) n’a pas de champ 'soort'")


def test_a_refused_value_is_a_rule_refusal_and_still_a_value_error() -> None:
    # given an amount with three decimals
    with pytest.raises(ValueError, match="more than two decimals") as caught:
        coerce(FIELDS["C.amount"], "12.505")
    # then it is a refusal with its template, code and params
    refusal = caught.value
    assert isinstance(refusal, RuleRefusal)
    assert (refusal.code, refusal.params) == ("too_many_decimals", {"value": "12.505"})
    assert str(refusal) == "'12.505' has more than two decimals; write an amount such as 12.50"


def test_an_out_of_range_value_keeps_its_bounds_as_written() -> None:
    # given a booking code beyond its column
    error = refused("C.booking_code = 10000")
    # then the bounds are numbers, not euros, in every language
    assert error.message == "'10000' is out of range: a booking code is 1 to 9999"
    assert (
        error.localized("nl")
        == "'10000' ligt buiten het bereik: een boekingscode ligt tussen 1 en 9999"
    )


def test_every_named_field_is_named_as_its_english_label() -> None:
    # given the fields that a refusal names, then the English is the label as before
    named = {ref for ref, field in FIELDS.items() if field.type is ValueType.CHOICE}
    assert set(CHOICE_NAMES) == named
    assert all(CHOICE_NAMES[ref] == FIELDS[ref].label_en.lower() for ref in named)
    bounded = {ref for ref, field in FIELDS.items() if field.low is not None}
    assert set(RANGE_NAMES) == bounded
    for ref in bounded:
        label = FIELDS[ref].label_en.lower()
        assert RANGE_NAMES[ref] == f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


# --- where a person reads them ------------------------------------------------------


@pytest.fixture
def desk(client):
    gent = make_instance("GENT")
    make_message(make_borrower(gent, card="G1"), date(2026, 4, 1))
    client.force_login(make_staff("balie-gent", gent))
    return client


@pytest.mark.django_db
def test_the_api_answers_the_sentence_in_the_requests_language(desk) -> None:
    # given a rule with an unknown message kind
    body = json.dumps({"text": "B.kind = XYZ"})
    # when it is checked, once without a language (Dutch) and once asking for French
    dutch = desk.post("/api/rules/check", body, content_type="application/json").json()
    french = desk.post(
        "/api/rules/check", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    ).json()
    # then "error" stays English, "localized" is the request's language, with code and params
    assert dutch["error"] == f"'XYZ' is not a known message kind; write one of {KIND_CHOICES}"
    assert (
        dutch["localized"] == f"'XYZ' is onbekend als berichtsoort; schrijf een van {KIND_CHOICES}"
    )
    assert french["localized"].startswith("'XYZ' est inconnu comme sorte de message ;")
    assert (dutch["code"], dutch["params"]["value"], dutch["position"]) == (
        "unknown_choice",
        "XYZ",
        9,
    )


@pytest.mark.django_db
def test_the_staff_page_says_a_wrong_rule_in_dutch(desk) -> None:
    # when a rule that stops after '=' is run from the staff page
    response = desk.post("/staff/selections/run", {"text": "B.date ="})
    # then the page says what was expected in Dutch
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "een waarde verwacht na '=', maar het einde van de regel gevonden" in page


@pytest.mark.django_db
def test_the_command_line_says_a_wrong_rule_in_lidgeld_language(capsys, monkeypatch) -> None:
    # given a back office that reads Dutch
    monkeypatch.setenv("LIDGELD_LANGUAGE", "nl")
    # when a rule with a swapped between is selected
    assert main(["select", "B.date between 2026-05-01 and 2026-04-01"]) == 2
    # then the sentence is Dutch and the pointer still stands under the rule
    err = capsys.readouterr().err
    assert "between 2026-05-01 and 2026-04-01 kan nooit gelden" in err
    assert "B.date between 2026-05-01 and 2026-04-01\n^" in err
