"""``lidgeld renew`` and ``lidgeld pay`` as a librarian runs them: a real process on a
database of its own (issue 11, items 10 and 17); ``lidgeld borrower add|set|note`` in
this process on the test's database (issue 13). PIN and cards: test_borrower_card_cmds."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Note
from tests.cli.inprocess import audit_actions, run
from tests.factories import make_borrower, make_instance

SRC = Path(__file__).resolve().parents[2] / "src"


class Lidgeld:
    """Runs ``python -m lidgeld`` against one SQLite file."""

    def __init__(self, database: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        }

    def __call__(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lidgeld", *argv],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            check=False,
        )

    def ok(self, *argv: str) -> str:
        done = self(*argv)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """GENT with a paying type of € 12,00; borrower 2001 joined on 1 May 2025 and has
    not paid that first fee; the membership ends on 30 April 2026. Made once: each test
    starts from a copy."""
    database = tmp_path_factory.mktemp("cli") / "lidgeld.sqlite3"
    run = Lidgeld(database)
    run.ok("migrate")
    run.ok("instance", "add", "--code", "GENT", "--name", "Bibliotheek Gent")
    run.ok(
        "type", "add", "--instance", "GENT", "--code", "VOLW", "--name", "Volwassenen",
        "--kind", "paying", "--fee", "12.00", "--months", "12", "--booking-code", "1001",
    )  # fmt: skip
    run.ok(
        "borrower", "add", "--card", "2001", "--first-name", "Lotte", "--last-name", "Claes",
        "--instance", "GENT", "--type", "VOLW", "--start", "2025-05-01", "--on", "2025-05-01",
    )  # fmt: skip
    return database


@pytest.fixture
def lidgeld(prepared, tmp_path) -> Lidgeld:
    database = tmp_path / prepared.name
    for suffix in ("", "-wal", "-shm"):
        source = prepared.with_name(prepared.name + suffix)
        if source.exists():
            shutil.copyfile(source, database.with_name(database.name + suffix))
    return Lidgeld(database)


def test_renew_paid_settles_the_older_fee_too_and_says_so(lidgeld):
    out = lidgeld.ok("renew", "2001", "--on", "2026-04-10", "--paid")

    assert "2001: renewed 01/05/2026 – 30/04/2027, fee € 12.00 paid" in out
    assert "paid € 24.00" in out
    assert "€ 12.00 for Lidgeld Volwassenen 01/05/2025–30/04/2026" in out
    assert "nothing stays open" in out
    status = json.loads(lidgeld.ok("status", "2001", "--on", "2026-04-10", "--json"))
    assert status["contribution"] == {"open": "0.00", "stage": None}
    assert status["blocks"]["kiosk"]["allowed"] is True  # R7: the kiosk block clears


def test_renew_paid_with_a_smaller_amount_pays_the_oldest_first(lidgeld):
    done = lidgeld("renew", "2001", "--on", "2026-04-10", "--paid", "--amount", "20", "--json")

    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)["results"]
    assert result["renewed"] is True
    payment = result["payment"]
    assert (payment["paid"], payment["still_open"]) == ("20.00", "4.00")
    assert [(item["booked_on"], item["paid"], item["open"]) for item in payment["items"]] == [
        ("2025-05-01", "12.00", "0.00"),
        ("2026-04-10", "8.00", "4.00"),
    ]
    assert result["still_open"] == "4.00"


def test_renew_open_says_what_is_open_in_total(lidgeld):
    out = lidgeld.ok("renew", "2001", "--on", "2026-04-10", "--open")
    assert "fee € 12.00 open; € 24.00 open in total" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["pay", "2001", "١٢"], "is not an amount; write euros with the digits 0-9"),
        (["pay", "2001", "１２"], "is not an amount"),
        (["pay", "2001", "1e1"], "is not an amount"),
        (["pay", "2001", "1000000"], "largest amount lidgeld accepts, € 999,999.99"),
        (["renew", "2001", "--paid", "--amount", "1e1"], "is not an amount"),
        (["renew", "2001", "--open", "--amount", "5"], "--amount goes with --paid"),
        (
            ["type", "add", "--instance", "GENT", "--code", "DUUR", "--name", "Duur",
             "--kind", "paying", "--fee", "1000000", "--booking-code", "1002"],
            "largest amount lidgeld accepts, € 999,999.99",
        ),
    ],
)  # fmt: skip
def test_a_wrong_amount_is_one_line_and_pays_nothing(lidgeld, argv, says):
    done = lidgeld(*argv)

    assert done.returncode == 2, done.stdout
    assert says in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    status = json.loads(lidgeld.ok("status", "2001", "--on", "2026-04-10", "--json"))
    assert status["contribution"]["open"] == "12.00"


# --- issue 13: borrower add|set|note, in this process on the test's database ----------


@pytest.fixture
def gent(db):
    return make_instance("GENT")


@pytest.fixture
def lotte(gent):
    return make_borrower(
        gent, card="2001", first_name="Lotte", last_name="Claes", email="lotte@example.be",
        birth_date=date(1990, 1, 2), street="Kouter", house_number="29", postal_code="9000",
        city="Gent",
    )  # fmt: skip


ADD = ["borrower", "add", "--instance", "GENT", "--first-name", "Lotte", "--last-name", "Claes"]


def test_add_keeps_the_whole_address_and_the_phone_as_e164(capsys, gent):
    code, out, err = run(
        capsys, *ADD, "--card", "3001", "--street", "Veldstraat", "--house-number", "12A",
        "--box", "3", "--postal-code", "9000", "--city", "Gent", "--country", "be",
        "--phone", "09 266 10 00", "--json",
    )  # fmt: skip

    assert code == 0, err
    assert json.loads(out) == {"card": "3001", "name": "Lotte Claes", "instance": "GENT"}
    borrower = Borrower.objects.get(card_number="3001")
    assert (borrower.street, borrower.house_number, borrower.box) == ("Veldstraat", "12A", "3")
    assert (borrower.postal_code, borrower.city, borrower.country) == ("9000", "Gent", "BE")
    assert borrower.phone == "+3292661000"
    assert not borrower.pin_hash


def test_add_with_pin_generate_prints_the_pin_once_and_stores_only_its_hash(capsys, gent):
    code, out, err = run(capsys, *ADD, "--card", "3001", "--pin-generate", "--json")

    assert code == 0, err
    pin = json.loads(out)["pin"]
    borrower = Borrower.objects.get(card_number="3001")
    assert check_password(pin, borrower.pin_hash)
    assert pin not in json.dumps(list(AuditEvent.objects.values("before", "after")))
    code, out, _ = run(capsys, *ADD, "--card", "3002", "--email", "x@example.be", "--pin-generate")
    assert code == 0
    (line,) = [line for line in out.splitlines() if line.startswith("PIN: ")]
    assert "shown only now" in line


def test_add_reads_the_pin_from_stdin_and_says_nothing_of_it(capsys, monkeypatch, gent):
    monkeypatch.setattr("sys.stdin", io.StringIO("80417395\n"))

    code, out, err = run(capsys, *ADD, "--card", "3001", "--pin-stdin", "--json")

    assert code == 0, err
    assert "pin" not in json.loads(out)
    assert "80417395" not in out + err
    assert check_password("80417395", Borrower.objects.get(card_number="3001").pin_hash)


def test_add_refuses_a_likely_duplicate_of_any_library_and_lists_it(capsys, gent, lotte):
    # given Lotte at GENT and a library of another group
    make_instance("BRUG")

    # when the desk of BRUG registers her again, with her birth date
    code, out, err = run(
        capsys, "borrower", "add", "--instance", "BRUG", "--first-name", "lotte",
        "--last-name", "CLAES", "--birth-date", "1990-01-02", "--card", "3001",
    )  # fmt: skip

    # then nothing is registered, and the duplicate is shown to tell whether it is her
    assert code == 2, out
    assert "with the same name and date of birth or the same e-mail address" in err
    (row,) = [line for line in err.splitlines() if line.startswith("  ")]
    assert row.split() == ["2001", "Lotte", "Claes", "02/01/1990", "9000", "Gent", "(GENT)"]
    assert "--even-if-duplicate" in err
    assert not Borrower.objects.filter(card_number="3001").exists()


def test_add_refuses_a_duplicate_e_mail_in_json_too_and_goes_on_when_told(capsys, gent, lotte):
    argv = [*ADD[:4], "--first-name", "L.", "--last-name", "C.", "--card", "3001",
            "--email", "LOTTE@example.be"]  # fmt: skip

    code, out, err = run(capsys, *argv, "--json")

    assert code == 2
    answer = json.loads(out)
    assert answer["registered"] is False
    assert answer["error"]["code"] == "likely_duplicate"
    assert answer["duplicates"] == [
        {"card": "2001", "name": "Lotte Claes", "birth_date": "1990-01-02",
         "postal_code": "9000", "city": "Gent", "instance": "GENT"}
    ]  # fmt: skip
    code, out, err = run(capsys, *argv, "--even-if-duplicate", "--json")
    assert code == 0, err
    assert Borrower.objects.filter(card_number="3001").exists()


def test_set_changes_only_what_it_names_and_blanks_with_empty(capsys, lotte):
    code, out, err = run(
        capsys, "borrower", "set", "2001", "--street", "Veldstraat", "--house-number", "4",
        "--email", "",
    )  # fmt: skip

    assert code == 0, err
    assert "street: Kouter → Veldstraat" in out
    assert "house number: 29 → 4" in out
    assert "e-mail address: lotte@example.be → (empty)" in out
    lotte.refresh_from_db()
    assert (lotte.street, lotte.house_number, lotte.email) == ("Veldstraat", "4", "")
    assert (lotte.postal_code, lotte.city, lotte.birth_date) == ("9000", "Gent", date(1990, 1, 2))
    event = AuditEvent.objects.get(action="borrower.details_corrected")
    assert event.before == {"street": "Kouter", "house_number": "29", "email": "lotte@example.be"}
    assert event.after == {"street": "Veldstraat", "house_number": "4", "email": ""}


def test_set_in_json_gives_before_and_after_per_field(capsys, lotte):
    code, out, err = run(
        capsys, "borrower", "set", "2001", "--birth-date", "", "--phone", "0470 12 34 56",
        "--json",
    )  # fmt: skip

    assert code == 0, err
    assert json.loads(out) == {
        "card": "2001",
        "changed": {"birth_date": ["1990-01-02", None], "phone": ["", "+32470123456"]},
    }


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["2001"], "say what to change"),
        (["2001", "--postal-code", "99999"], "is not a Belgian postcode"),
        (["2001", "--email", "lotte@"], "is not a valid e-mail address"),
        (["2001", "--first-name", ""], "give both a first name and a last name"),
        (["2001", "--language", "de"], "language must be nl, fr or en"),
        (["2001", "--birth-date", "2030-01-01"], "cannot be right"),
        (["9999", "--city", "Gent"], "no borrower has card number '9999'"),
    ],
)
def test_set_with_bad_input_says_what_to_fix_and_changes_nothing(capsys, lotte, argv, says):
    code, out, err = run(capsys, "borrower", "set", *argv)

    assert code == 2, out
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert audit_actions(lotte) == []


def test_a_note_is_added_listed_and_removed(capsys, lotte):
    code, out, err = run(
        capsys, "borrower", "note", "2001", "Verhuist in mei", "--at-desk", "--json"
    )
    assert code == 0, err
    added = json.loads(out)["note"]
    assert (added["text"], added["at_desk"]) == ("Verhuist in mei", True)
    run(capsys, "borrower", "note", "2001", "Tweede")

    code, out, _ = run(capsys, "borrower", "note", "2001", "--list")
    assert code == 0
    assert out.index("Tweede") < out.index("[at the desk] Verhuist in mei")  # newest first

    code, out, err = run(capsys, "borrower", "note", "2001", "--remove", str(added["id"]))
    assert code == 0, err
    assert f"note {added['id']} of 2001 removed" in out
    code, out, _ = run(capsys, "borrower", "note", "2001", "--list", "--json")
    assert [note["text"] for note in json.loads(out)["notes"]] == ["Tweede"]
    assert audit_actions(lotte) == ["note.added", "note.added", "note.removed"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["2001"], "give the note's text"),
        (["2001", "   "], "an empty note is not kept"),
        (["2001", "x" * 2001], "a note is at most 2000 characters long"),
        (["2001", "--remove", "999"], "2001 has no note 999"),
        (["2001", "tekst", "--list"], "--list and --remove take no note text"),
        (["9999", "tekst"], "no borrower has card number '9999'"),
    ],
)
def test_a_bad_note_says_what_to_fix_and_keeps_nothing(capsys, lotte, argv, says):
    code, out, err = run(capsys, "borrower", "note", *argv)

    assert code == 2, out
    assert says in err
    assert not Note.objects.exists()
