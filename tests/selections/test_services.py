"""Sets: run, combine, export (audited), purge; only one's own and within one's scope."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test.utils import CaptureQueriesContext

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.exports.writers import ExportFormat
from lidgeld.libraries.models import CooperationGroup
from lidgeld.scope import Scope, operator_scope
from lidgeld.selections.models import BorrowerSet, BorrowerSetMember
from lidgeld.selections.selectors import set_get, sets_visible
from lidgeld.selections.services import (
    rule_from_text,
    selection_run,
    selection_save,
    set_combine,
    set_export,
    sets_purge,
)
from lidgeld.staff.selectors import scope_for_user
from tests.factories import make_borrower, make_instance, make_message, make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
APRIL_1 = date(2026, 4, 1)


@pytest.fixture
def gent():
    return make_instance("GENT")


def run(rule: str, scope: Scope) -> BorrowerSet:
    return selection_run(scope=scope, rule=rule_from_text(rule), today=TODAY, now=at_nine(TODAY))


def export_csv(scope: Scope, set_id: int, fields: list[str]) -> list[list[str]]:
    out = io.BytesIO()
    set_export(
        scope=scope,
        set_id=set_id,
        fields=fields,
        fmt=ExportFormat.CSV,
        out=out,
        today=TODAY,
        now=at_nine(TODAY),
    )
    return list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"))))


def test_the_seed_recipe_selection_to_set_to_email_export(gent):
    # given: who got a CAE on 1 April, and who got something else that day
    cae = make_borrower(gent, card="C1", email="cae@example.be")
    make_message(cae, APRIL_1)
    other = make_borrower(gent, card="C2", email="other@example.be")
    make_message(other, APRIL_1, kind="HR")
    make_message(other, date(2026, 3, 1))
    staff = operator_scope("balie")

    # when
    borrower_set = run("B.date = 2026-04-01 AND B.kind = CAE", staff)
    rows = export_csv(staff, borrower_set.pk, ["email"])

    # then
    assert borrower_set.size == 1
    assert borrower_set.rule == "B.date = 2026-04-01 AND B.kind = CAE"
    assert borrower_set.expires_on == TODAY + timedelta(days=7)
    assert rows == [["E-mailadres"], ["cae@example.be"]]
    event = AuditEvent.objects.get(action="set.export")
    assert event.actor == "balie"
    assert event.object_id == borrower_set.pk
    assert event.after == {
        "set": borrower_set.pk,
        "fields": ["email"],
        "format": "csv",
        "rows": 1,
        "complete": True,
    }


def test_a_set_export_keeps_a_borrowers_formula_as_text(gent):
    # given a borrower whose names and street start like spreadsheet formulas
    borrower = make_borrower(gent, card="C1", first_name="=1+1", last_name="+32 478")
    borrower.street = "-5 Kerkstraat"
    borrower.save(update_fields=["street"])
    staff = operator_scope("balie")
    borrower_set = run("A.card = C1", staff)
    # when the set goes to CSV
    rows = export_csv(staff, borrower_set.pk, ["card", "first_name", "last_name", "street"])
    # then each of them is text behind an apostrophe
    assert rows[1] == ["C1", "'=1+1", "'+32 478", "'-5 Kerkstraat"]


def test_a_set_is_frozen_when_it_runs(gent):
    first = make_borrower(gent, card="C1")
    make_message(first, APRIL_1)
    staff = operator_scope("balie")
    borrower_set = run("B.kind = CAE", staff)

    make_message(make_borrower(gent, card="LATER"), APRIL_1)

    assert [row[0] for row in export_csv(staff, borrower_set.pk, ["card"])[1:]] == ["C1"]


def test_sets_combine(gent):
    staff = operator_scope("balie")
    for card, language in (("NL1", "nl"), ("NL2", "nl"), ("FR1", "fr")):
        make_borrower(gent, card=card, language=language)
    dutch = run("A.language = nl", staff)
    first_cards = run("A.card in (NL1, FR1)", staff)

    def members(borrower_set: BorrowerSet) -> set[str]:
        return {row[0] for row in export_csv(staff, borrower_set.pk, ["card"])[1:]}

    union = set_combine(
        scope=staff,
        left_id=dutch.pk,
        right_id=first_cards.pk,
        origin="union",
        today=TODAY,
        now=at_nine(TODAY),
    )
    both = set_combine(
        scope=staff,
        left_id=dutch.pk,
        right_id=first_cards.pk,
        origin="intersection",
        today=TODAY,
        now=at_nine(TODAY),
    )
    rest = set_combine(
        scope=staff,
        left_id=dutch.pk,
        right_id=first_cards.pk,
        origin="difference",
        today=TODAY,
        now=at_nine(TODAY),
    )
    assert (members(union), union.size) == ({"NL1", "NL2", "FR1"}, 3)
    assert (members(both), both.size) == ({"NL1"}, 1)
    assert (members(rest), rest.size) == ({"NL2"}, 1)
    assert rest.rule == f"set {dutch.pk} ∖ set {first_cards.pk}"
    with pytest.raises(InvalidInput, match="union, intersection or difference"):
        set_combine(
            scope=staff,
            left_id=dutch.pk,
            right_id=rest.pk,
            origin="xor",
            today=TODAY,
            now=at_nine(TODAY),
        )


def test_one_sees_and_exports_only_ones_own_sets(gent):
    make_borrower(gent, card="C1")
    an = Scope(actor="an", instance_ids=frozenset({gent.pk}))
    bert = Scope(actor="bert", instance_ids=frozenset({gent.pk}))
    ans_set = run("A.card = C1", an)

    assert list(sets_visible(scope=bert)) == []
    with pytest.raises(InvalidInput, match=f"there is no set {ans_set.pk} of yours"):
        set_get(scope=bert, set_id=ans_set.pk)
    with pytest.raises(InvalidInput):
        export_csv(bert, ans_set.pk, ["email"])
    assert not AuditEvent.objects.filter(action="set.export").exists()


def test_an_instance_user_cannot_select_or_export_outside_their_group():
    gent = make_instance("GENT")
    brugge = make_instance("BRUGGE")
    make_message(make_borrower(gent, card="G1", email="g@example.be"), APRIL_1)
    make_message(make_borrower(brugge, card="B1", email="b@example.be"), APRIL_1)
    gent_desk = Scope(actor="balie-gent", instance_ids=frozenset({gent.pk}))

    borrower_set = run("B.kind = CAE OR A.card = B1", gent_desk)

    assert borrower_set.size == 1
    assert export_csv(gent_desk, borrower_set.pk, ["card", "email"])[1:] == [["G1", "g@example.be"]]


def test_unknown_export_fields_are_refused_before_anything_is_written(gent):
    staff = operator_scope("balie")
    borrower_set = run("A.card = C1", staff)
    with pytest.raises(InvalidInput, match="unknown field password; choose from card"):
        export_csv(staff, borrower_set.pk, ["email", "password"])
    assert not AuditEvent.objects.filter(action="set.export").exists()


def test_a_saved_selection_is_replaced_under_its_name(gent):
    staff = operator_scope("balie")
    selection_save(
        scope=staff,
        name="CAE april",
        rule=rule_from_text("B.kind = CAE"),
        today=TODAY,
        now=at_nine(TODAY),
    )
    saved = selection_save(
        scope=staff,
        name="CAE april",
        rule=rule_from_text("b.KIND = cae"),
        today=TODAY,
        now=at_nine(TODAY),
    )
    assert saved.rule == "B.kind = cae"
    assert AuditEvent.objects.filter(action__startswith="selection.").count() == 2


def test_expired_sets_are_purged_once(gent):
    make_borrower(gent, card="C1")
    staff = operator_scope("balie")
    old = run("A.card = C1", staff)
    kept = run("A.card = C1", staff)
    BorrowerSet.objects.filter(pk=old.pk).update(expires_on=TODAY - timedelta(days=1))

    assert sets_purge(today=TODAY, now=at_nine(TODAY), actor="job:tick") == 1
    assert sets_purge(today=TODAY, now=at_nine(TODAY), actor="job:tick") == 0
    assert list(BorrowerSet.objects.values_list("pk", flat=True)) == [kept.pk]
    assert BorrowerSetMember.objects.filter(borrower_set_id=old.pk).count() == 0


def test_running_a_selection_takes_the_same_queries_whatever_the_size(gent):
    staff = operator_scope("balie")

    def queries_for(count: int) -> int:
        for _ in range(count):
            make_message(make_borrower(gent), APRIL_1)
        from django.db import connection

        with CaptureQueriesContext(connection) as queries:
            borrower_set = run("B.kind = CAE", staff)
        assert borrower_set.size >= count
        return len(queries)

    assert queries_for(2) == queries_for(40)


# --- R11: bulk export beyond one's own libraries needs the coordinator role -------------


@pytest.fixture
def group_world():
    """GENT and LOCH share borrowers (group OOST): a GENT desk serves both."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    make_message(make_borrower(gent, card="G1", email="g@example.be"), APRIL_1)
    make_message(make_borrower(loch, card="L1", email="l@example.be"), APRIL_1)
    return gent, loch


def staff_scope(username: str, role: str, *instances) -> Scope:
    return scope_for_user(user=make_staff(username, *instances, role=role))


def test_a_desk_may_not_export_borrowers_of_another_library_of_the_group(group_world):
    gent, _loch = group_world
    desk = staff_scope("balie-gent", "desk", gent)
    # given a set that holds a LOCH borrower, which the GENT desk may serve
    both = run("B.kind = CAE", desk)
    assert both.size == 2
    # when the desk exports it, the whole export is refused and nothing is written
    out = io.BytesIO()
    with pytest.raises(Refused, match=r"holds borrowers of other libraries \(LOCH\).*coordinator"):
        set_export(scope=desk, set_id=both.pk, fields=["email"], fmt=ExportFormat.CSV,
                   out=out, today=TODAY, now=at_nine(TODAY))  # fmt: skip
    assert out.getvalue() == b""
    assert not AuditEvent.objects.filter(action="set.export").exists()
    # but a set of GENT's own borrowers it may export (and it is audited)
    own = selection_run(scope=desk.within([gent.pk]), rule=rule_from_text("B.kind = CAE"),
                        today=TODAY, now=at_nine(TODAY))  # fmt: skip
    assert export_csv(desk, own.pk, ["card", "email"])[1:] == [["G1", "g@example.be"]]
    assert AuditEvent.objects.filter(action="set.export", actor="staff:balie-gent").count() == 1


def test_a_coordinator_exports_the_whole_group(group_world):
    gent, _loch = group_world
    coordinator = staff_scope("coord-gent", "coordinator", gent)
    both = run("B.kind = CAE", coordinator)
    rows = export_csv(coordinator, both.pk, ["card"])[1:]
    assert sorted(rows) == [["G1"], ["L1"]]
    assert AuditEvent.objects.get(action="set.export").after["rows"] == 2


# --- a time limit on running a rule -------------------------------------------------------


def many_borrowers(instance, count: int) -> None:
    """``count`` borrowers in one statement, so that a broad rule takes a while for real."""
    from django.db import connection

    columns = (
        "card_number, first_name, last_name, email, street, postal_code, city, language, "
        "home_instance_id, pin_hash, registered_on"
    )
    values = "'T' || n, 'Voornaam' || n, 'Naam' || n, '', '', '', 'Gent', 'nl', %s, '', %s"
    if connection.vendor == "postgresql":
        sql = f"INSERT INTO borrowers_borrower ({columns}) SELECT {values} FROM generate_series(1, %s) n"
    else:
        sql = (
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
            f"INSERT INTO borrowers_borrower ({columns}) SELECT {values} FROM g"
        )
    params = [instance.pk, "2020-01-01", count]
    with connection.cursor() as cursor:
        cursor.execute(sql, params if connection.vendor == "postgresql" else [count, *params[:2]])


# Five substring searches over every borrower: no index helps, each row is read in full.
BROAD = " OR ".join(
    f"A.{name} contains {word}"
    for name, word in [("first_name", "zz"), ("last_name", "yy"), ("city", "xx"),
                       ("email", "ww"), ("postal_code", "vv")]
)  # fmt: skip


def test_a_rule_that_runs_past_the_time_limit_is_stopped_and_leaves_nothing(gent, settings):
    # given 200,000 borrowers and a time limit of one millisecond
    many_borrowers(gent, 200_000)
    settings.LIDGELD_SELECTION_SECONDS = 0.001
    staff = operator_scope("balie")
    # when a broad rule runs
    with pytest.raises(InvalidInput) as caught:
        run(BROAD, staff)
    # then it is stopped by the database with what to do, and no set is left behind
    assert caught.value.code == "too_broad"
    assert caught.value.message == "too broad: make the rule narrower (stopped after 0.001 s)"
    assert not BorrowerSet.objects.exists()
    assert not BorrowerSetMember.objects.exists()
    assert not AuditEvent.objects.filter(action="set.selection").exists()
    # and the connection works on, without the limit: the same rule then runs in full
    settings.LIDGELD_SELECTION_SECONDS = 0
    assert run(BROAD, staff).size == 0
    assert run("A.city = Gent", staff).size == 200_000


@pytest.mark.postgres_only
def test_the_time_limit_is_postgresqls_statement_timeout_and_ends_with_the_run(gent, settings):
    from django.db import connection, transaction

    settings.LIDGELD_SELECTION_SECONDS = 10
    make_borrower(gent, card="C1")
    with transaction.atomic():  # a staff page runs it inside its own transaction
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            before = cursor.fetchone()[0]
        assert run("A.card = C1", operator_scope("balie")).size == 1
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == before
