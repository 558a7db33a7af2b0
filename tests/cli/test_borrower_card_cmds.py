"""``lidgeld borrower pin`` and ``borrower card lost|replace`` (issue 13, items 3 and 6),
in this process; and the desk's chain add → set → note → pin → card lost → card
replace as a real process on the test's database, its --json read back."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import check_password

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower, Card
from lidgeld.finance.models import Posting, PostingStatus
from tests.cli.inprocess import audit_actions, run
from tests.factories import make_borrower, make_instance, with_pin
from tests.subprocess_cli import run_lidgeld

PIN = "80417395"  # nothing else in these tests has these digits


@pytest.fixture
def lotte(db):
    gent = make_instance("GENT")
    return make_borrower(gent, card="2001", first_name="Lotte", last_name="Claes")


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "before", "after")))


def test_pin_from_stdin_is_set_and_never_kept_as_such(capsys, monkeypatch, lotte):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PIN}\n"))

    code, out, err = run(capsys, "borrower", "pin", "2001", "--pin-stdin", "--json")

    assert code == 0, err
    assert json.loads(out) == {"card": "2001", "pin_set": True}
    lotte.refresh_from_db()
    assert check_password(PIN, lotte.pin_hash)
    assert audit_actions(lotte) == ["borrower.pin_set"]
    assert PIN not in audit_text()
    assert PIN not in out + err


def test_pin_generate_prints_it_once(capsys, lotte):
    code, out, err = run(capsys, "borrower", "pin", "2001", "--generate")

    assert code == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("PIN: ")]
    pin = line.split()[1]
    lotte.refresh_from_db()
    assert check_password(pin, lotte.pin_hash)
    assert pin not in audit_text()


@pytest.mark.parametrize(
    "argv",
    [
        ["2001", PIN],
        ["2001", "--pin", PIN],
        [f"--pin={PIN}", "2001"],
        ["2001", "--generate", PIN],
        ["--pin-stdin", "2001", PIN],
    ],
)
def test_pin_never_takes_the_pin_as_an_argument(capsys, monkeypatch, db, argv):
    # given a borrower with a PIN, and another PIN waiting on stdin
    lotte = with_pin(make_borrower(make_instance(), card="2001"), "1234")
    monkeypatch.setattr("sys.stdin", io.StringIO("5678\n"))

    # when a PIN is typed on the command line
    code, out, err = run(capsys, "borrower", "pin", *argv)

    # then it is refused, the PIN stays as it was, and nothing is audited
    assert code == 2, out
    assert "never given on the command line" in err
    lotte.refresh_from_db()
    assert check_password("1234", lotte.pin_hash)
    assert not check_password(PIN, lotte.pin_hash)
    assert audit_actions(lotte) == []


@pytest.mark.parametrize(
    ("stdin", "argv", "says"),
    [
        ("12\n", ["2001", "--pin-stdin"], "a PIN is 4 to 12 digits 0-9"),
        ("", ["2001", "--pin-stdin"], "a PIN is 4 to 12 digits 0-9"),
        ("١٢٣٤\n", ["2001", "--pin-stdin"], "a PIN is 4 to 12 digits 0-9"),
        ("1234\n", ["2001"], "say where the PIN comes from"),
        ("1234\n", ["9999", "--pin-stdin"], "no borrower has card number '9999'"),
    ],
)
def test_a_bad_pin_says_what_to_fix_and_sets_nothing(capsys, monkeypatch, lotte, stdin, argv, says):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))

    code, out, err = run(capsys, "borrower", "pin", *argv)

    assert code == 2, out
    assert says in err
    lotte.refresh_from_db()
    assert lotte.pin_hash == ""
    assert audit_actions(lotte) == []


def test_card_lost_blocks_the_card_and_says_how_to_replace_it(capsys, lotte):
    code, out, err = run(capsys, "borrower", "card", "lost", "2001", "--on", "2026-04-09")

    assert code == 0, err
    assert "card 2001 of Lotte Claes reported lost on 09/04/2026" in out
    assert "lidgeld borrower card replace 2001 --new NUMBER" in out
    lotte.refresh_from_db()
    assert lotte.card_reported == "lost"
    code, out, err = run(capsys, "borrower", "card", "lost", "2001", "--stolen", "--json")
    assert code == 0, err
    assert json.loads(out) == {"card": "2001", "reported": "stolen", "reported_on": "2026-04-10"}
    code, out, err = run(capsys, "borrower", "card", "lost", "2001", "--stolen")
    assert code == 2
    assert "card 2001 is already reported stolen" in err


def test_card_replace_with_the_fee_books_it_outside_the_contributions(capsys, lotte):
    code, out, err = run(capsys, "borrower", "card", "replace", "2001", "--new", "3001", "--fee")

    assert code == 0, err
    assert "card 2001 of Lotte Claes replaced by 3001; the old card stays in the history" in out
    assert "fee € 2.50 booked (code 2100), open" in out
    lotte.refresh_from_db()
    assert lotte.card_number == "3001"
    assert Card.objects.get(number="2001").replaced_on == date(2026, 4, 10)
    fee = Posting.objects.get(borrower=lotte)
    assert (fee.booking_code, fee.amount, fee.status) == (2100, Decimal("2.50"), PostingStatus.OPEN)


def test_card_replace_with_the_fee_paid_in_json(capsys, lotte):
    code, out, err = run(
        capsys, "borrower", "card", "replace", "2001", "--new", "3001", "--fee", "--fee-paid",
        "--json",
    )  # fmt: skip

    assert code == 0, err
    assert json.loads(out) == {
        "card": "3001",
        "old_card": "2001",
        "fee": {"amount": "2.50", "booking_code": 2100, "open": "0.00", "paid": True},
    }
    assert Posting.objects.get(borrower=lotte).status == PostingStatus.PAID


def test_an_old_card_is_refused_for_a_report_or_a_replacement_with_the_card_to_use(
    capsys, monkeypatch, lotte
):
    # given Lotte's card 2001 was replaced by 3001 on 10 April
    assert run(capsys, "borrower", "card", "replace", "2001", "--new", "3001")[0] == 0
    before = audit_text()

    # when the old card is reported or replaced, then the desk is told which card to use
    for argv in (["lost", "2001"], ["replace", "2001", "--new", "3002"]):
        code, out, err = run(capsys, "borrower", "card", *argv)
        assert code == 2, out
        assert (
            "card 2001 is an old card of Lotte Claes, replaced on 10/04/2026; "
            "use the current card 3001"
        ) in err
    # and in Dutch when the command line speaks Dutch
    monkeypatch.setenv("LIDGELD_LANGUAGE", "nl")
    code, _, err = run(capsys, "borrower", "card", "lost", "2001")
    assert "kaart 2001 is een oude kaart van Lotte Claes, vervangen op 10/04/2026" in err
    assert audit_text() == before
    assert Borrower.objects.get(pk=lotte.pk).card_reported == ""


def test_an_old_card_still_finds_its_borrower_for_a_correction(capsys, lotte):
    run(capsys, "borrower", "card", "replace", "2001", "--new", "3001")

    code, _out, err = run(capsys, "borrower", "set", "2001", "--city", "Gent")

    assert code == 0, err
    assert "card 2001 is an old card of Lotte Claes; the current card is 3001" in err
    assert Borrower.objects.get(pk=lotte.pk).city == "Gent"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["2001", "--new", "3001", "--fee-paid"], "--fee-paid goes with --fee"),
        (["2001", "--new", "2001"], "a card number is never used twice"),
        (["2001", "--new", "30 01"], "a card number is 1 to 32 letters, digits or dashes"),
        (["9999", "--new", "3001"], "no borrower has card number '9999'"),
    ],
)
def test_a_bad_replacement_says_what_to_fix_and_changes_nothing(capsys, lotte, argv, says):
    code, out, err = run(capsys, "borrower", "card", "replace", *argv)

    assert code == 2, out
    assert says in err
    assert Borrower.objects.get(pk=lotte.pk).card_number == "2001"
    assert not Posting.objects.exists()
    assert audit_actions(lotte) == []


@pytest.mark.real_hashers  # the child process hashes as production does
@pytest.mark.django_db(transaction=True)
def test_the_desks_chain_from_registration_to_a_new_card_in_a_real_process(tmp_path):
    # given a library that asks € 2,50 for a new card
    make_instance("GENT")

    def lidgeld(*argv: str, stdin=None) -> dict:
        done = run_lidgeld(*argv, "--json", **({"stdin": stdin} if stdin else {}))
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    # when the desk registers, corrects, notes, gives a PIN, reports the card, replaces it
    added = lidgeld(
        "borrower", "add", "--card", "2001", "--first-name", "Lotte", "--last-name", "Claes",
        "--instance", "GENT", "--street", "Kouter", "--house-number", "29",
        "--postal-code", "9000", "--city", "Gent", "--birth-date", "1990-01-02",
    )  # fmt: skip
    corrected = lidgeld("borrower", "set", "2001", "--street", "Veldstraat", "--house-number", "4")
    noted = lidgeld("borrower", "note", "2001", "Nieuwe kaart gevraagd", "--at-desk")
    pin_file = tmp_path / "pin"
    pin_file.write_text(f"{PIN}\n")
    with pin_file.open() as stdin:
        pinned = lidgeld("borrower", "pin", "2001", "--pin-stdin", stdin=stdin)
    lost = lidgeld("borrower", "card", "lost", "2001")
    replaced = lidgeld("borrower", "card", "replace", "2001", "--new", "3001", "--fee")

    # then each answer says what was done
    assert added == {"card": "2001", "name": "Lotte Claes", "instance": "GENT"}
    assert corrected["changed"] == {"street": ["Kouter", "Veldstraat"], "house_number": ["29", "4"]}
    assert (noted["note"]["text"], noted["note"]["at_desk"]) == ("Nieuwe kaart gevraagd", True)
    assert pinned == {"card": "2001", "pin_set": True}
    assert lost["reported"] == "lost"
    assert replaced["old_card"] == "2001"
    assert replaced["card"] == "3001"
    assert replaced["fee"]["amount"] == "2.50"
    assert replaced["fee"]["paid"] is False
    # and the borrower and the audit hold it all, never the PIN
    lotte = Borrower.objects.get(card_number="3001")
    assert (lotte.street, lotte.house_number) == ("Veldstraat", "4")
    assert check_password(PIN, lotte.pin_hash)
    assert audit_actions(lotte) == [
        "borrower.registered",
        "borrower.details_corrected",
        "note.added",
        "borrower.pin_set",
        "card.reported",
        "card.replaced",
        "posting.booked",
    ]
    assert all(
        actor.startswith("cli:") for actor in AuditEvent.objects.values_list("actor", flat=True)
    )
    assert PIN not in audit_text()
