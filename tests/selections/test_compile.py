"""R9: rules become one filter on borrowers, with the same-record rule per field group."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.circulation.models import ReservationStatus
from lidgeld.libraries.models import CooperationGroup
from lidgeld.scope import Scope, operator_scope
from lidgeld.selections.compile import borrowers_matching
from lidgeld.selections.rule_text import parse
from lidgeld.selections.rules import validate
from tests.factories import (
    make_borrower,
    make_instance,
    make_item,
    make_membership,
    make_message,
    make_open_fee,
    make_reservation,
    make_type,
)

pytestmark = pytest.mark.django_db

APRIL_1 = date(2020, 4, 1)
EVERYONE = operator_scope("test")


def cards(rule: str, scope: Scope = EVERYONE) -> set[str]:
    return set(
        borrowers_matching(validate(parse(rule)), scope=scope).values_list("card_number", flat=True)
    )


@pytest.fixture
def gent():
    return make_instance("GENT")


def test_the_seed_selection_means_one_message_that_is_a_cae_of_that_day(gent):
    # given: one borrower with a CAE on 1 April, one with another kind that day and a
    # CAE on another day, one with nothing
    got_it = make_borrower(gent, card="CAE-ON-DAY")
    make_message(got_it, APRIL_1, kind="AE")
    mixed = make_borrower(gent, card="MIXED")
    make_message(mixed, APRIL_1, kind="HR")
    make_message(mixed, date(2020, 3, 1), kind="AE")
    make_borrower(gent, card="NOTHING")

    # when / then
    assert cards("B.date = 2020-04-01 AND B.kind = CAE") == {"CAE-ON-DAY"}
    assert cards("B.date between 2020-04-01 t/m 2020-04-01 AND B.kind = CAE") == {"CAE-ON-DAY"}
    # Separate records, said with brackets and OR, find both
    assert cards("B.date = 2020-04-01 OR B.kind = CAE") == {"CAE-ON-DAY", "MIXED"}


def test_and_across_groups_needs_each_group_but_not_the_same_record(gent):
    volw = make_type(gent)
    paid_up = make_borrower(gent, card="PAID")
    make_message(paid_up, APRIL_1)
    make_membership(paid_up, volw, date(2020, 5, 1))
    owes = make_borrower(gent, card="OWES")
    make_message(owes, APRIL_1)
    membership = make_membership(owes, volw, date(2020, 5, 1))
    make_open_fee(membership, booked_on=date(2020, 5, 1), stage="reminder")

    rule = "B.kind = CAE AND C.status = open AND C.stage = reminder AND D.type = VOLW"
    assert cards(rule) == {"OWES"}


def test_not_means_no_such_record_at_all(gent):
    with_cae = make_borrower(gent, card="WITH")
    make_message(with_cae, APRIL_1)
    make_message(with_cae, APRIL_1, kind="HR")
    make_borrower(gent, card="WITHOUT")

    assert cards("NOT B.kind = CAE") == {"WITHOUT"}
    # ≠ stays inside the record: a message that is not a CAE
    assert cards("B.kind ≠ CAE") == {"WITH"}


def test_borrower_fields_and_operators(gent):
    make_borrower(gent, card="A1", email="an@example.be", first_name="An", last_name="Peeters")
    make_borrower(gent, card="A2", email="", first_name="Bert", last_name="Claes")
    make_borrower(gent, card="A3", email="cis@voorbeeld.be", language="fr", last_name="Maes")

    assert cards("A.email is empty") == {"A2"}
    assert cards("A.email contains EXAMPLE") == {"A1"}
    assert cards("A.language in (fr, en)") == {"A3"}
    assert cards("A.last_name ≠ Claes AND NOT A.email contains voorbeeld") == {"A1"}
    assert cards("(A.card = A1 OR A.card = A2) AND NOT A.card = A1") == {"A2"}


def test_memberships_and_reservations(gent):
    volw = make_type(gent)
    ended = make_borrower(gent, card="ENDED")
    make_membership(ended, volw, date(2025, 4, 1), status="ended")
    running = make_borrower(gent, card="RUNNING")
    make_membership(running, volw, date(2026, 1, 1))
    item = make_item(gent)
    make_reservation(ended, item, date(2026, 3, 20), status=ReservationStatus.HELD)

    assert cards("D.status = ended AND D.end < 2026-04-01") == {"ENDED"}
    assert cards("D.end ≥ 2026-12-31") == {"RUNNING"}
    assert cards("E.status = held AND E.placed_on between 2026-03-01 and 2026-03-31") == {"ENDED"}


def test_contribution_amounts_and_codes(gent):
    volw = make_type(gent, fee="12.00")
    small = make_borrower(gent, card="SMALL")
    make_open_fee(make_membership(small, volw, date(2026, 1, 1)), date(2026, 1, 1), amount="5.00")
    large = make_borrower(gent, card="LARGE")
    make_open_fee(make_membership(large, volw, date(2026, 1, 1)), date(2026, 1, 1), amount="12.50")

    assert cards('C.amount > "12,00"') == {"LARGE"}
    assert cards("C.balance between 1 and 5.00 AND C.booking_code = 1001") == {"SMALL"}


def test_a_scope_sees_its_group_and_nothing_else():
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent = make_instance("GENT", group=group)
    leuven = make_instance("LEUVEN", group=group)
    brugge = make_instance("BRUGGE")
    for instance in (gent, leuven, brugge):
        borrower = make_borrower(instance, card=f"CARD-{instance.code}")
        make_message(borrower, APRIL_1)
    gent_desk = Scope(actor="balie-gent", instance_ids=frozenset({gent.pk, leuven.pk}))

    assert cards("B.kind = CAE", gent_desk) == {"CARD-GENT", "CARD-LEUVEN"}
    assert cards("A.card = CARD-BRUGGE", gent_desk) == set()


def test_records_of_other_instances_do_not_count_for_a_scope():
    gent = make_instance("GENT")
    brugge = make_instance("BRUGGE")
    borrower = make_borrower(gent, card="SHARED")
    # a message Brugge sent this Gent borrower is Brugge's business
    make_message(borrower, APRIL_1, instance=brugge)
    gent_desk = Scope(actor="balie-gent", instance_ids=frozenset({gent.pk}))

    assert cards("B.kind = CAE", gent_desk) == set()
    assert cards("B.kind = CAE") == {"SHARED"}


def test_the_query_is_one_statement_whatever_the_rule(gent, django_assert_num_queries):
    make_message(make_borrower(gent), APRIL_1)
    rule = validate(
        parse("(B.date = 2020-04-01 AND B.kind = CAE OR A.language = fr) AND NOT D.status = ended")
    )
    with django_assert_num_queries(1):
        list(borrowers_matching(rule, scope=EVERYONE))
