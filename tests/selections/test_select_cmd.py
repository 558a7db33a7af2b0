"""``lidgeld select`` and ``lidgeld set``: the seed's recipe in two commands."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.libraries.models import CooperationGroup
from lidgeld.selections.models import BorrowerSet
from tests.factories import make_borrower, make_instance, make_message, make_staff

pytestmark = pytest.mark.django_db

APRIL_1 = date(2026, 4, 1)


def run_json(capsys, *argv: str):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def cae_world():
    gent = make_instance("GENT")
    brugge = make_instance("BRUGGE")
    make_message(make_borrower(gent, card="G1", email="g1@example.be"), APRIL_1)
    make_message(make_borrower(gent, card="G2", email="g2@example.be"), APRIL_1, kind="HR")
    make_message(make_borrower(brugge, card="B1", email="b1@example.be"), APRIL_1)
    return gent, brugge


def test_select_then_export_xlsx_with_the_email_field(cae_world, capsys, tmp_path):
    chosen = run_json(capsys, "select", "B.date = 2026-04-01 AND B.kind = CAE")
    assert chosen["size"] == 2

    target = tmp_path / "cae.xlsx"
    answer = run_json(
        capsys,
        "set",
        "export",
        str(chosen["set"]),
        "--fields",
        "card,email",
        "--format",
        "xlsx",
        "-o",
        str(target),
    )

    assert answer["rows"] == 2
    sheet = load_workbook(target).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Kaartnummer", "E-mailadres"],
        ["B1", "b1@example.be"],
        ["G1", "g1@example.be"],
    ]
    assert AuditEvent.objects.get(action="set.export").after["rows"] == 2


def test_a_desk_user_of_one_instance_selects_only_there(cae_world, capsys, tmp_path):
    make_staff("balie-gent", cae_world[0])
    chosen = run_json(capsys, "select", "B.kind = CAE", "--user", "balie-gent")
    assert chosen["size"] == 1
    assert chosen["owner"] == "balie-gent"

    # the operator's set is not theirs to export
    operator_set = run_json(capsys, "select", "B.kind = CAE")
    target = tmp_path / "other.csv"
    code = main(
        ["set", "export", str(operator_set["set"]), "--user", "balie-gent", "-o", str(target)]
    )
    assert code == 2
    assert f"there is no set {operator_set['set']} of yours" in capsys.readouterr().err
    assert not target.exists()


def test_a_parse_error_says_where_and_changes_nothing(capsys):
    assert main(["select", "B.date = 2026-04-01 AND B.kind"]) == 2
    err = capsys.readouterr().err
    assert "expected an operator" in err
    assert "^" in err
    assert BorrowerSet.objects.count() == 0


def test_csv_to_stdout_for_belgian_excel(cae_world, capsys):
    chosen = run_json(capsys, "select", "A.card = G1")
    assert (
        main(["set", "export", str(chosen["set"]), "--fields", "card,email", "--excel", "-o", "-"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.splitlines()[1:] == ["G1;g1@example.be"]


def test_combine_list_and_saved_selections(cae_world, capsys):
    cae = run_json(capsys, "select", "B.kind = CAE")
    gent = run_json(capsys, "select", "A.home_instance = GENT")
    both = run_json(capsys, "set", "combine", "intersection", str(cae["set"]), str(gent["set"]))
    assert both["size"] == 1

    run_json(capsys, "selection", "save", "CAE Gent", "B.kind = CAE AND A.home_instance = gent")
    again = run_json(capsys, "select", "--saved", "CAE Gent")
    assert again["size"] == 1
    listed = run_json(capsys, "set", "list")
    assert [item["set"] for item in listed][:1] == [again["set"]]


def test_unknown_fields_and_formats_are_usage_errors(cae_world, capsys, tmp_path):
    chosen = run_json(capsys, "select", "A.card = G1")
    assert (
        main(
            ["set", "export", str(chosen["set"]), "--fields", "pin", "-o", str(tmp_path / "x.csv")]
        )
        == 2
    )
    assert "unknown field pin" in capsys.readouterr().err
    assert (
        main(["set", "export", str(chosen["set"]), "--format", "docx", "-o", str(tmp_path / "x")])
        == 2
    )
    assert "csv, xlsx or pdf" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_field_list_names_every_group(capsys):
    fields = run_json(capsys, "selection", "fields")
    assert {item["field"][0] for item in fields} == {"A", "B", "C", "D", "E"}


def test_the_daily_run_purges_sets_whose_days_are_up(cae_world, capsys):
    chosen = run_json(capsys, "select", "B.kind = CAE")
    BorrowerSet.objects.filter(pk=chosen["set"]).update(expires_on=date(2026, 4, 9))

    assert run_json(capsys, "tick", "--today", "2026-04-10", "--dry-run")["dry_run"] is True
    assert BorrowerSet.objects.filter(pk=chosen["set"]).exists()
    assert run_json(capsys, "tick", "--today", "2026-04-10")["sets_purged"] == 1
    assert not BorrowerSet.objects.exists()
    assert run_json(capsys, "tick", "--today", "2026-04-10")["sets_purged"] == 0


def test_select_within_some_libraries(cae_world, capsys):
    assert run_json(capsys, "select", "B.kind = CAE", "--instance", "BRUGGE")["size"] == 1
    make_staff("balie-gent", cae_world[0])
    code = main(["select", "B.kind = CAE", "--instance", "BRUGGE", "--user", "balie-gent"])
    assert code == 2
    assert "you do not have access to that library" in capsys.readouterr().err
    assert BorrowerSet.objects.count() == 1


def test_a_desk_user_exports_only_their_own_librarys_borrowers(capsys, tmp_path):
    """R11: LOCH shares GENT's borrowers, but their personal data leaves in bulk only
    with a coordinator (or up) of GENT; the desk is refused and no file is written."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent, loch = make_instance("GENT", group=group), make_instance("LOCH", group=group)
    make_message(make_borrower(gent, card="G1"), APRIL_1)
    make_message(make_borrower(loch, card="L1"), APRIL_1)
    make_staff("balie-gent", gent)
    make_staff("coord-gent", gent, role="coordinator")
    chosen = run_json(capsys, "select", "B.kind = CAE", "--user", "balie-gent")
    assert chosen["size"] == 2
    target = tmp_path / "cae.csv"
    code = main(["set", "export", str(chosen["set"]), "--user", "balie-gent", "-o", str(target)])
    assert code == 2
    assert "holds borrowers of other libraries (LOCH)" in capsys.readouterr().err
    assert not target.exists()
    assert not AuditEvent.objects.filter(action="set.export").exists()
    theirs = run_json(capsys, "select", "B.kind = CAE", "--user", "coord-gent")
    answer = run_json(capsys, "set", "export", str(theirs["set"]), "--user", "coord-gent",
                      "-o", str(target))  # fmt: skip
    assert answer["rows"] == 2
