"""``lidgeld renew`` and ``lidgeld pay`` as a librarian runs them: a real process on a
database of its own (issue 11, items 10 and 17)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
