"""Service errors carry a msgid, a code and params; the sentence is rendered in the
reader's language, with amounts and days as that language writes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import override

from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.finance.models import PostingStatus
from lidgeld.finance.services import payment_register
from tests.factories import make_borrower, make_instance


def too_much() -> Refused:
    return Refused(
        "%(amount)s is more than the open contribution of %(open)s; pay at most %(open)s",
        code="amount_too_large",
        params={"amount": Decimal("100.00"), "open": Decimal("12.50")},
    )


def test_message_is_the_english_sentence_whatever_the_active_language():
    # Given a refusal with amounts, when it is read in a Dutch context
    with override("nl"):
        message = too_much().message
    # then message stays English, amounts with a point
    assert message == (
        "€ 100.00 is more than the open contribution of € 12.50; pay at most € 12.50"
    )


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "nl",
            "€ 100,00 is meer dan het openstaande lidgeld van € 12,50; betaal hoogstens € 12,50",
        ),
        ("fr", "€ 100,00 dépasse la cotisation due de € 12,50 ; payez au plus € 12,50"),
        ("en", "€ 100.00 is more than the open contribution of € 12.50; pay at most € 12.50"),
    ],
)
def test_localized_translates_the_sentence_and_writes_amounts_the_belgian_way(language, sentence):
    # Given a refusal, when it is rendered in a language, then the whole sentence is
    # in that language, € 12,50 in Dutch and French
    assert too_much().localized(language) == sentence


def test_localized_follows_the_active_language_and_writes_days_as_31_12_2026():
    # Given an error with days in it, when it is rendered without naming a language
    error = Refused(
        "borrower %(card)s already has a membership between %(start)s and %(end)s",
        code="period_taken",
        params={"card": "G001", "start": date(2026, 1, 1), "end": date(2026, 12, 31)},
    )
    # then the active language is used
    with override("nl"):
        assert error.localized() == (
            "lener G001 heeft al een lidmaatschap tussen 01/01/2026 en 31/12/2026"
        )


def test_a_lazy_label_in_the_params_is_translated_with_the_sentence():
    # Given a refusal naming a status label, then each language names it in its words
    error = Refused(
        "this item is %(status)s, only open items can be paid",
        code="item_closed",
        params={"status": PostingStatus.PAID.label},
    )
    assert error.message == "this item is paid, only open items can be paid"
    assert error.localized("nl") == (
        "deze post is betaald, alleen openstaande posten kunnen betaald worden"
    )


def test_api_params_are_plain_json_values():
    # Given params with an amount, a day and a label, then the API gets plain values
    error = InvalidInput(
        "x",
        code="c",
        params={"a": Decimal("12.5"), "d": date(2026, 4, 1), "s": PostingStatus.PAID.label},
    )
    assert error.api_params() == {"a": "12.50", "d": "2026-04-01", "s": "paid"}


def test_a_sentence_without_params_keeps_a_literal_percent():
    # Given an error whose sentence has a % and no placeholders, then it is shown as is
    assert InvalidInput("100% sure", code="c").localized("nl") == "100% sure"


@pytest.mark.django_db
def test_a_service_refusal_carries_its_code_and_params():
    # Given a borrower owing € 12,00, when staff try to register € 20,00
    gent = make_instance("GENT")
    borrower = make_borrower(gent)
    with pytest.raises(Refused) as refused:
        payment_register(
            borrower=borrower,
            amount=Decimal("20.00"),
            today=date(2026, 4, 10),
            now=at_nine(date(2026, 4, 10)),
            actor="t",
        )
    # then the refusal says why by its code and values, whatever the language
    assert refused.value.code == "nothing_open"
    assert refused.value.params == {"card": borrower.card_number}


# --- refusals of the pure rules (lidgeld.domain) ---------------------------------------


def test_a_rule_refusal_is_english_as_it_is_and_translated_once_shown():
    from lidgeld.domain.amounts import AmountError, parse_amount

    # Given an amount the rule refuses, as the domain raises it
    with pytest.raises(AmountError) as refused:
        parse_amount("1000000")
    # then its own sentence is English, the limit with a thousands comma
    assert str(refused.value) == (
        "1000000 is more than the largest amount lidgeld accepts, € 999,999.99"
    )
    # and as an error to show it keeps code and params and reads in each language
    error = InvalidInput.of(refused.value)
    assert (error.code, error.api_params()["limit"]) == ("amount_too_large", "999999.99")
    assert error.localized("nl") == (
        "1000000 is meer dan het grootste bedrag dat lidgeld aanvaardt, € 999.999,99"
    )
    assert error.localized("fr").endswith("le plus grand montant que lidgeld accepte, € 999.999,99")


def test_a_refusal_inside_a_sentence_is_read_in_the_same_language():
    from lidgeld.domain.months import OutOfCalendar, check_year

    # Given a year off the calendar, named by a parameter of the API or the staff pages
    with pytest.raises(OutOfCalendar) as refused:
        check_year(date(3001, 1, 1), "3001-01-01")
    error = InvalidInput(
        "'%(name)s' = %(problem)s", code=refused.value.code, params={"name": "from",
        "problem": refused.value},
    )  # fmt: skip
    # then the inner sentence follows the outer one's language
    assert error.localized("nl") == (
        "'from' = '3001-01-01' ligt te ver: het jaar moet tussen 1900 en 2999 liggen"
    )
    assert error.message == "'from' = '3001-01-01' is too far off: the year must be 1900 to 2999"
    assert error.api_params()["problem"] == error.message.removeprefix("'from' = ")
