"""``lidgeld report``: the reports of R8 as files, for what the account may see."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date

import openpyxl
import pypdfium2
import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput
from lidgeld.staff.services import staff_add
from tests.factories import make_borrower, make_membership, make_open_fee, make_type
from tests.reports.conftest import PASSWORD, TODAY, make_message, make_posting

pytestmark = pytest.mark.django_db

APRIL_1 = date(2026, 4, 1)


def lidgeld(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as usage_error:  # argparse's own checks exit from inside
        code = int(usage_error.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def exports() -> list[dict]:
    return [
        event.after for event in AuditEvent.objects.filter(action="report.export").order_by("id")
    ]


def pdf_text(path) -> str:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


@pytest.fixture
def library(network):
    """Lotte (GENT) got her CAE on 1 April and owes two contributions; An (LEUVEN) got a
    letter; Wim (BRUGGE) is another network's borrower."""
    volw = make_type(network.gent, "VOLW")
    lotte = make_borrower(network.gent, card="G001", first_name="Lotte", last_name="Claes",
                          email="lotte@example.be")  # fmt: skip
    an = make_borrower(network.leuven, card="L001", first_name="An", last_name="Peeters",
                       email="an@example.be")  # fmt: skip
    wim = make_borrower(network.brugge, card="B001", first_name="Wim", last_name="Wouters",
                        email="wim@example.be")  # fmt: skip
    period = make_membership(lotte, volw, start=date(2025, 5, 1))
    make_open_fee(period, date(2025, 5, 1))
    make_posting(lotte, date(2026, 1, 5), amount="8.50")
    make_posting(an, date(2026, 2, 1), amount="10.00")
    make_posting(an, date(2026, 2, 1), amount="3.00", code=2000)
    make_posting(wim, date(2026, 2, 1), amount="15.00")
    make_message(lotte, APRIL_1, membership=period, status="sent", to_address="lotte@werk.be")
    make_message(an, APRIL_1, channel="letter", status="queued")
    make_message(wim, APRIL_1, status="sent")
    make_message(lotte, APRIL_1, kind="HR")
    make_message(an, date(2026, 3, 1))
    return network


# --- The seed's reports as files --------------------------------------------------------


def test_the_cae_mails_of_one_day_as_csv(capsys, library, tmp_path):
    target = tmp_path / "cae.csv"
    code, out, err = lidgeld(
        capsys, "report", "messages", "--type", "C", "--kind", "CAE",
        "--from", "2026-04-01", "--to", "2026-04-01", "--format", "csv", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert out == f"3 rows → {target}\n"
    assert target.read_text(encoding="utf-8").splitlines() == [
        "Datum,Instantie,Berichtsoort,Kanaal,Status,Naam,Lenerskaart,E-mailadres",
        "2026-04-01,BRUGGE,CAE,e-mail,verzonden,Wim Wouters,B001,wim@example.be",
        "2026-04-01,GENT,CAE,e-mail,verzonden,Lotte Claes,G001,lotte@werk.be",
        "2026-04-01,LEUVEN,CAE,brief,in wachtrij,An Peeters,L001,an@example.be",
    ]


def test_excel_csv_is_split_on_semicolons(capsys, library, tmp_path):
    target = tmp_path / "cae.csv"
    code, _, err = lidgeld(
        capsys, "report", "messages", "--kind", "CAE", "--from", "2026-04-01",
        "--to", "2026-04-01", "--summary", "--excel", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    lines = target.read_bytes().decode("utf-8-sig").splitlines()
    assert lines == [
        "Datum;Berichtsoort;Kanaal;Status;Aantal",
        "01/04/2026;CAE;e-mail;verzonden;2",
        "01/04/2026;CAE;brief;in wachtrij;1",
        ";Totaal;;;3",
    ]


def test_outstanding_items_as_xlsx(capsys, library, tmp_path):
    target = tmp_path / "openstaand.xlsx"
    code, out, err = lidgeld(
        capsys, "report", "outstanding", "--codes", "1000-1999", "--to", "2026-04-10",
        "-o", str(target), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {
        "report": "outstanding",
        "rows": 8,  # 4 items, 3 subtotals, 1 total
        "file": str(target),
        "format": "xlsx",  # from the file name
    }
    sheet = openpyxl.load_workbook(target).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["Lenerskaart", "Naam", "E-mailadres", "Boekingscode"]
    assert values[1][:4] == ["G001", "Lotte Claes", "lotte@example.be", 1001]
    assert values[3][1] == "Subtotaal Lotte Claes"
    assert values[3][8] == pytest.approx(20.50)
    assert values[-1][1] == "Totaal"
    assert values[-1][4] == "3 klanten, 4 posten"
    assert values[-1][8] == pytest.approx(45.50)
    assert [row[0] for row in values[1:] if row[0]] == ["G001", "G001", "L001", "B001"]


def test_a_report_csv_keeps_a_borrowers_formula_as_text_and_amounts_plain(
    capsys, network, tmp_path
):
    # given a borrower whose name and address a spreadsheet would run, with an open item
    hostile = make_borrower(network.gent, card="G009", first_name="=HYPERLINK(1)",
                            last_name="-Peeters", email="@example.be")  # fmt: skip
    make_posting(hostile, date(2026, 2, 1), amount="5.00")
    for excel in ([], ["--excel"]):
        target = tmp_path / f"openstaand{len(excel)}.csv"
        # when the outstanding items go to CSV, in both dialects
        code, _, err = lidgeld(
            capsys, "report", "outstanding", "--to", "2026-04-10", "-o", str(target), *excel
        )
        assert code == 0, err
        rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig")),
                               delimiter=";" if excel else ","))  # fmt: skip
        # then the name and address are text with an apostrophe, the amount a plain number
        item = rows[1]
        assert item[:3] == ["G009", "'=HYPERLINK(1) -Peeters", "'@example.be"]
        assert item[8] == ("5,00" if excel else "5.00")
        assert rows[2][1] == "Subtotaal =HYPERLINK(1) -Peeters"


def test_expiring_memberships_as_pdf(capsys, library, tmp_path):
    target = tmp_path / "vervallend.pdf"
    code, out, err = lidgeld(
        capsys, "report", "expiring", "--month", "2026-04", "--format", "pdf", "-o", str(target)
    )
    assert code == 0, err
    assert out == f"1 rows → {target}\n"
    assert target.read_bytes().startswith(b"%PDF")
    text = pdf_text(target)
    assert "Vervallende abonnementen" in text
    assert "Lotte Claes" in text
    assert "Maand: april 2026" in text


def test_the_month_defaults_to_this_month_and_the_csv_can_go_to_the_screen(capsys, library):
    code, out, err = lidgeld(capsys, "report", "expiring", "-o", "-")
    assert code == 0, err
    assert out.splitlines() == [
        "Instantie,Naam,Lenerskaart,Abonnementstype,Omschrijving type,Einddatum,"
        "Openstaand lidgeld,E-mailadres,CAE verstuurd,Volgend type (leeftijdsgrens)",
        "GENT,Lotte Claes,G001,VOLW,Volw,2026-04-30,20.50,lotte@example.be,ja,",
    ]
    assert err == "1 rows → (screen)\n"


def test_the_messages_period_defaults_to_today(capsys, library, tmp_path):
    make_message(library.gent.borrowers.get(card_number="G001"), TODAY, kind="VL", status="queued")
    code, out, _ = lidgeld(capsys, "report", "messages", "--summary", "-o", "-")
    assert code == 0
    assert out.splitlines()[1:] == ["2026-04-10,CVL,e-mail,in wachtrij,1", ",Totaal,,,1"]


def test_every_export_is_audited_with_its_row_count(capsys, library, tmp_path):
    lidgeld(capsys, "report", "outstanding", "--codes", "2000-2000", "--from", "2026-01-01",
            "-o", str(tmp_path / "boetes.csv"))  # fmt: skip
    lidgeld(capsys, "report", "expiring", "--month", "2026-05", "-o", str(tmp_path / "mei.pdf"))
    assert exports() == [
        {
            "report": "outstanding",
            "format": "csv",
            "rows": 3,
            "filters": {
                "instances": None,
                "codes": [2000, 2000],
                "from": "2026-01-01",
                "to": "2026-04-10",
            },
            "file": "boetes.csv",
        },
        {
            "report": "expiring",
            "format": "pdf",
            "rows": 0,
            "filters": {"instances": None, "month": "2026-05"},
            "file": "mei.pdf",
        },
    ]
    event = AuditEvent.objects.filter(action="report.export").order_by("id").first()
    assert event.business_date == TODAY
    assert event.borrower_id is None
    assert event.actor.startswith("cli")


# --- What the account may see -----------------------------------------------------------


@pytest.fixture
def gent_desk(library):
    staff_add(username="balie.gent", password=PASSWORD, role="desk", instance_codes=["GENT"],
              today=TODAY, now=at_nine(TODAY), actor="test")  # fmt: skip
    return "balie.gent"


def test_a_gent_coordinator_gets_its_cooperation_group_and_never_brugge(
    capsys, gent_desk, tmp_path
):
    staff_add(username="coord.gent", password=PASSWORD, role="coordinator",
              instance_codes=["GENT"], today=TODAY, now=at_nine(TODAY), actor="test")  # fmt: skip
    target = tmp_path / "cae.csv"
    code, _, err = lidgeld(
        capsys, "report", "messages", "--kind", "CAE", "--from", "2026-04-01",
        "--to", "2026-04-01", "--user", "coord.gent", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert [line.split(",")[6] for line in target.read_text().splitlines()[1:]] == [
        "G001",
        "L001",
    ]
    assert AuditEvent.objects.get(action="report.export").actor == "staff:coord.gent"


@pytest.mark.parametrize("report", ["messages", "outstanding", "expiring"])
def test_a_gent_desk_may_not_export_the_borrowers_of_leuven(
    capsys, library, gent_desk, tmp_path, report
):
    """R11: LEUVEN's borrowers are served by a GENT desk (one cooperation group), but
    their personal data leaves in bulk only with a coordinator: refused, no file."""
    an = library.leuven.borrowers.get(card_number="L001")
    make_membership(an, make_type(library.leuven, "VOLW"), start=date(2025, 5, 1))  # ends April
    target = tmp_path / "report.csv"
    code, _, err = lidgeld(
        capsys, "report", report, "--user", gent_desk, "-o", str(target), *PERIOD[report]
    )
    assert code == 2, err
    assert "holds borrowers of other libraries (LEUVEN)" in err
    assert "needs the coordinator role" in err
    assert os.listdir(tmp_path) == []
    assert exports() == []
    # GENT's own borrowers the desk may export
    code, _, err = lidgeld(capsys, "report", report, "--user", gent_desk, "--instance", "GENT",
                           "-o", str(target), *PERIOD[report])  # fmt: skip
    assert code == 0, err
    assert len(exports()) == 1


PERIOD = {
    "messages": ("--from", "2026-04-01", "--to", "2026-04-01"),
    "outstanding": ("--to", "2026-04-10"),
    "expiring": ("--month", "2026-04"),
}


@pytest.mark.parametrize("report", ["messages", "outstanding", "expiring"])
def test_asking_a_gent_desks_report_for_brugge_is_refused_and_writes_nothing(
    capsys, gent_desk, tmp_path, report
):
    target = tmp_path / "brugge.xlsx"
    code, out, err = lidgeld(
        capsys, "report", report, "--user", gent_desk, "--instance", "BRUGGE", "-o", str(target)
    )
    assert code == 2
    assert out == ""
    assert err == (
        "lidgeld report: error: you do not have access to that library's borrowers; "
        "choose one of the libraries of your account\n"
    )
    assert os.listdir(tmp_path) == []
    assert exports() == []


def test_an_unknown_account_is_named(capsys, library, tmp_path):
    code, _, err = lidgeld(
        capsys, "report", "expiring", "--user", "niemand", "-o", str(tmp_path / "x.csv")
    )
    assert code == 2
    assert "there is no staff account 'niemand'" in err
    assert os.listdir(tmp_path) == []


# --- Mistakes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["outstanding", "--codes", "1000"], None),  # one code is a range of one: fine
        (["outstanding", "--codes", "duizend"],
         "'duizend' is not a booking-code range; write it as FROM-TO, e.g. 1000-1999"),
        (["outstanding", "--codes", "1999-1000"], "give the lowest code first, e.g. 1000–1999"),
        (["outstanding", "--codes", "0-5"], "booking codes run from 1 to 9999"),
        (["outstanding", "--from", "2026-05-01"], "the period starts after it ends"),
        (["expiring", "--month", "april"],
         "'april' is not a month; write the month as YYYY-MM, e.g. 2026-04"),
        (["expiring", "--month", "2026-13"], "write the month as YYYY-MM, e.g. 2026-04"),
        (["messages", "--format", "docx"], "'docx' is not an export format; write csv, xlsx or pdf"),
        (["messages", "--kind", "XX"], "message kind 'XX' is unknown; choose one of CAE"),
        (["messages", "--from", "2026-04-11"], "the period starts after it ends"),
        (["messages", "--from", "1/4/2026"], "write it as YYYY-MM-DD"),
        (["messages", "--instance", "ANTWERPEN"], "there is no library with code ANTWERPEN"),
    ],
)  # fmt: skip
def test_a_mistake_is_one_line_exit_2_and_writes_nothing(capsys, library, tmp_path, argv, says):
    target = tmp_path / "rapport.csv"
    code, _, err = lidgeld(capsys, "report", *argv, "-o", str(target))
    if says is None:
        assert code == 0, err
        return
    assert code == 2
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == []
    assert exports() == []


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_xlsx_and_pdf_need_a_file(capsys, library, fmt):
    code, out, err = lidgeld(capsys, "report", "expiring", "--format", fmt, "-o", "-")
    assert code == 2
    assert out == ""
    assert f"give a file name, e.g. -o rapport.{fmt}" in err
    assert exports() == []


def test_a_missing_folder_is_named(capsys, library, tmp_path):
    code, _, err = lidgeld(
        capsys, "report", "expiring", "-o", str(tmp_path / "nergens" / "rapport.csv")
    )
    assert code == 2
    assert f"there is no folder '{tmp_path / 'nergens'}'" in err


def test_a_run_that_fails_half_way_leaves_no_half_file_and_keeps_the_old_one(
    capsys, library, tmp_path, monkeypatch
):
    import lidgeld.exports.writers as writers

    target = tmp_path / "openstaand.csv"
    target.write_text("het rapport van gisteren\n")

    def fail_half_way(table, out, fmt, **options):
        out.write(b"Lenerskaart,Naam\nG001,Lotte")
        raise InvalidInput("the disk is full; free some space")

    monkeypatch.setattr(writers, "write_table", fail_half_way)
    code, _, err = lidgeld(capsys, "report", "outstanding", "-o", str(target))
    assert code == 2
    assert "the disk is full" in err
    assert os.listdir(tmp_path) == ["openstaand.csv"]
    assert target.read_text() == "het rapport van gisteren\n"
    assert exports() == []
