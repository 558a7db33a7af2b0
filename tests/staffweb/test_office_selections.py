"""Selections in the staff pages: run a rule into a set, see it, export it with chosen
fields (through the audited download), combine sets, keep and rerun rules."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.libraries.models import CooperationGroup
from lidgeld.scope import Scope
from lidgeld.selections.fields import Operator
from lidgeld.selections.models import BorrowerSet, SavedSelection
from lidgeld.selections.rule_json import from_json, to_json
from lidgeld.selections.rules import Condition
from lidgeld.selections.services import rule_from_text, selection_run
from lidgeld.staffweb.views.office_catalogue import OPERATOR_NAMES, builder_catalogue
from tests.factories import make_borrower, make_instance, make_message, make_staff
from tests.selections.test_services import BROAD, many_borrowers

pytestmark = pytest.mark.django_db

APRIL_1 = date(2026, 4, 1)
SEED_RULE = "B.date = 2026-04-01 AND B.kind = CAE"


@pytest.fixture
def world():
    gent, brugge = make_instance("GENT"), make_instance("BRUGGE")
    make_message(make_borrower(gent, card="G1", email="g1@example.be"), APRIL_1)
    make_message(make_borrower(gent, card="G2", email="g2@example.be"), APRIL_1, kind="HR")
    make_message(make_borrower(brugge, card="B1", email="b1@example.be"), APRIL_1)
    return gent, brugge


@pytest.fixture
def desk(client, world):
    client.force_login(make_staff("balie-gent", world[0]))
    return client


def catalogue_in(page: str) -> dict:
    """The field catalogue and texts the page gives the builder's script."""
    marker = '<script id="builder-catalogue" type="application/json">'
    return json.loads(page.split(marker)[1].split("</script>")[0])


def run(client, **data):
    return client.post("/staff/selections/run", data)


def test_the_builder_page_carries_the_field_catalogue(desk):
    response = desk.get("/staff/selections/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="builder-catalogue"' in page
    assert "Berichtsoort" in page  # Dutch labels by default
    assert 'for="rule-text"' in page
    catalogue = catalogue_in(page)
    assert catalogue["texts"]["group"] == "Rubriektype"
    assert catalogue["texts"]["addCondition"] == "Voorwaarde toevoegen"
    assert catalogue["operators"]["in"] == "is een van"
    assert '<h2 id="sets-title">Mijn tijdelijke sets</h2>' in page
    assert "Uitvoeren en nieuwe set maken" in page


def test_the_builder_speaks_english_by_choice(desk):
    desk.cookies["django_language"] = "en"
    page = desk.get("/staff/selections/").content.decode()
    catalogue = catalogue_in(page)
    assert catalogue["texts"]["group"] == "Field group"
    assert "Message kind" in page  # the field labels follow the page's language
    assert "Run and make a new set" in page


def test_the_catalogue_operators_are_the_json_forms_names():
    catalogue = builder_catalogue()
    kind = next(f for f in catalogue["fields"] if f["ref"] == "B.kind")
    assert kind["operators"] == ["=", "!=", "in", "is_empty"]
    assert kind["stored"]["AE"] == "CAE"
    for operator, name in OPERATOR_NAMES.items():
        values = {Operator.BETWEEN: ("1", "2"), Operator.IS_EMPTY: ()}.get(operator, ("1",))
        node = Condition("C.amount", operator, values)
        assert to_json(node)["op"] == name
        assert from_json(to_json(node)) == node


def test_running_the_seeds_rule_makes_a_set_of_the_cae_borrowers(desk):
    response = run(desk, text=SEED_RULE)
    borrower_set = BorrowerSet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/selections/sets/{borrower_set.pk}/"
    assert (borrower_set.size, borrower_set.owner) == (1, "balie-gent")
    page = desk.get(response["Location"]).content.decode()
    assert f"Set {borrower_set.pk} gemaakt: 1 lener." in page
    # Cells, not substrings: the page's random CSRF token may hold "G2" or "B1".
    assert "<td>G1</td>" in page
    assert "<td>g1@example.be</td>" in page
    assert "<td>B1</td>" not in page
    assert "<td>G2</td>" not in page


def test_a_wrong_rule_is_pointed_at_and_nothing_is_made(desk):
    response = run(desk, text="B.date = 2026-04-01 AND B.kind = XYZ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "is onbekend als berichtsoort; schrijf een van CAE" in page  # the page's Dutch
    assert "Bij teken 34:" in page  # where XYZ starts, said in the page's Dutch
    assert "B.date = 2026-04-01 AND B.kind = XYZ</textarea>" in page  # the text is kept
    assert not BorrowerSet.objects.exists()


def test_a_rule_can_be_saved_and_run_again(desk):
    run(desk, text=SEED_RULE, save_as="CAE april")
    saved = SavedSelection.objects.get()
    assert (saved.name, saved.owner, saved.rule) == ("CAE april", "balie-gent", SEED_RULE)
    page = desk.get("/staff/selections/", {"saved": "CAE april"}).content.decode()
    assert f"{SEED_RULE}</textarea>" in page
    assert run(desk, saved="CAE april").status_code == 302
    assert BorrowerSet.objects.filter(saved_selection=saved).count() == 2


def test_a_rule_too_broad_for_the_time_limit_is_said_in_dutch_and_nothing_is_made(
    desk, world, settings
):
    # given many borrowers and a time limit of one millisecond
    many_borrowers(world[0], 50_000)
    settings.LIDGELD_SELECTION_SECONDS = 0.001
    # when a broad rule is run from the staff page, and saved with it
    response = run(desk, text=BROAD, save_as="te breed")
    # then the page says in Dutch what to do, keeps the text, and keeps nothing else
    assert response.status_code == 400
    page = response.content.decode()
    assert "Te breed: maak de regel nauwer (gestopt na 0,001 s)." in page
    assert f"{BROAD}</textarea>" in page
    assert not BorrowerSet.objects.exists()
    assert not SavedSelection.objects.exists()


def test_running_within_one_library_outside_ones_own_is_refused(desk):
    response = run(desk, text=SEED_RULE, instance="BRUGGE")
    assert response.status_code == 400
    assert not BorrowerSet.objects.exists()


def test_the_export_dialog_hands_over_to_the_audited_download(desk):
    run(desk, text=SEED_RULE)
    borrower_set = BorrowerSet.objects.get()
    response = desk.get(
        f"/staff/selections/sets/{borrower_set.pk}/export",
        {"fields": ["card", "email"], "format": "xlsx"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/api/sets/{borrower_set.pk}/export?fields=card%2Cemail&format=xlsx"
    )
    download = desk.get(response["Location"])
    assert download["Content-Disposition"].endswith('.xlsx"')
    event = AuditEvent.objects.get(action="set.export")
    assert event.after["fields"] == ["card", "email"]


def test_an_export_without_fields_says_what_to_choose(desk):
    run(desk, text=SEED_RULE)
    borrower_set = BorrowerSet.objects.get()
    response = desk.get(f"/staff/selections/sets/{borrower_set.pk}/export", {"format": "csv"})
    assert response.status_code == 302
    page = desk.get(response["Location"]).content.decode()
    assert "onbekende rubriek (geen opgegeven); kies uit card" in page
    assert not AuditEvent.objects.filter(action="set.export").exists()


def test_someone_elses_set_is_not_found(desk, world):
    other = selection_run(
        scope=Scope(actor="balie-brugge", instance_ids=frozenset({world[1].pk})),
        rule=rule_from_text(SEED_RULE),
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
    )
    assert desk.get(f"/staff/selections/sets/{other.pk}/").status_code == 404
    response = desk.get(f"/staff/selections/sets/{other.pk}/export", {"fields": "card"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="set.export").exists()


def test_two_sets_are_combined(desk):
    run(desk, text=SEED_RULE)
    run(desk, text="B.kind in (CAE, CHR)")
    first, second = BorrowerSet.objects.order_by("pk")
    response = desk.post(
        "/staff/selections/sets/combine",
        {"left": second.pk, "right": first.pk, "operation": "difference"},
    )
    combined = BorrowerSet.objects.order_by("pk").last()
    assert response["Location"] == f"/staff/selections/sets/{combined.pk}/"
    assert (combined.size, combined.origin) == (1, "difference")


def test_a_bad_combination_is_said(desk):
    run(desk, text=SEED_RULE)
    response = desk.post("/staff/selections/sets/combine", {"left": "1", "right": "x"})
    assert response.status_code == 302
    page = desk.get(response["Location"]).content.decode()
    assert "moet een geheel getal zijn" in page  # the page speaks Dutch


def test_the_rule_check_answers_the_builder(desk):
    rule = {"and": [{"field": "B.date", "op": "=", "value": "01/04/2026"},
                    {"field": "B.kind", "op": "=", "value": "CAE"}]}  # fmt: skip
    response = desk.post("/api/rules/check", json.dumps({"rule": rule}), "application/json")
    assert response.json()["text"] == "B.date = 01/04/2026 AND B.kind = CAE"


def test_a_desk_sees_but_may_not_export_a_set_with_borrowers_of_the_group(client):
    """R11: a GENT desk serves LOCH's borrowers, but their personal data leaves in bulk
    only with a coordinator: the set page shows them, the export says why not."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    make_message(make_borrower(gent, card="G1"), APRIL_1)
    make_message(make_borrower(loch, card="L1"), APRIL_1)
    client.force_login(make_staff("balie-gent", gent))
    run(client, text=SEED_RULE)
    borrower_set = BorrowerSet.objects.get()
    assert "L1" in client.get(f"/staff/selections/sets/{borrower_set.pk}/").content.decode()
    response = client.get(
        f"/staff/selections/sets/{borrower_set.pk}/export", {"fields": "card", "format": "csv"}
    )
    assert response["Location"] == f"/staff/selections/sets/{borrower_set.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "bevat leners van andere bibliotheken (LOCH)" in page
    assert not AuditEvent.objects.filter(action="set.export").exists()
    # and the download itself refuses too, in a sentence
    refused = client.get(f"/api/sets/{borrower_set.pk}/export", {"fields": "card"})
    assert refused.status_code == 403
    assert "needs the coordinator role" in refused.json()["error"]
