"""The seed, told through the command line."""

import json

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.borrowers.models import Borrower
from lidgeld.cli.main import main
from lidgeld.finance.models import Posting
from lidgeld.memberships.models import Membership

pytestmark = pytest.mark.django_db


def lidgeld(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def status(capsys, card: str, on: str) -> dict:
    code, out, _ = lidgeld(capsys, "status", card, "--on", on, "--json")
    assert code == 0
    return json.loads(out)


@pytest.fixture
def network(capsys):
    assert (
        lidgeld(
            capsys,
            "instance",
            "add",
            "--code",
            "GENT",
            "--name",
            "Bibliotheek Gent",
            "--group",
            "OOST",
        )[0]
        == 0
    )
    assert (
        lidgeld(
            capsys, "type", "add", "--instance", "GENT", "--code", "VOLW", "--name", "Volwassenen",
            "--kind", "paying", "--fee", "12.00", "--months", "12", "--booking-code", "1001",
        )[0]
        == 0
    )  # fmt: skip
    code, _, err = lidgeld(
        capsys, "borrower", "add", "--card", "2001", "--first-name", "Lotte", "--last-name", "Claes",
        "--email", "lotte@example.be", "--instance", "GENT", "--type", "VOLW",
        "--start", "2025-04-01", "--on", "2025-04-01", "--paid",
    )  # fmt: skip
    assert code == 0, err


def test_the_seeds_worked_example(capsys, network):
    # the membership ends on 31 March 2026; the 1 March run announces it
    assert lidgeld(capsys, "tick", "--today", "2026-03-01")[0] == 0
    assert status(capsys, "2001", "2026-03-01")["messages"] == [
        {"type": "C", "kind": "AE", "date": "2026-03-01", "channel": "email", "status": "queued"}
    ]
    # on 1 April the borrower is expired: blocked everywhere, with the reason
    lidgeld(capsys, "tick", "--today", "2026-04-01")
    expired = status(capsys, "2001", "2026-04-01")
    assert expired["membership"] == {"status": "expired", "end": "2026-03-31", "type": "VOLW"}
    assert {c: b["allowed"] for c, b in expired["blocks"].items()} == {
        "desk": False,
        "kiosk": False,
        "portal": False,
    }
    assert expired["blocks"]["portal"]["reason"] == "expired"

    # renewed on 10 April with the fee left open: only the kiosk blocks
    code, out, _ = lidgeld(capsys, "renew", "2001", "--on", "2026-04-10", "--open")
    assert code == 0
    assert "renewed 10/04/2026 – 30/04/2027, fee € 12.00 open" in out
    renewed = status(capsys, "2001", "2026-04-10")
    assert renewed["contribution"] == {"open": "12.00", "stage": "open"}
    assert renewed["blocks"]["kiosk"]["allowed"] is False
    assert renewed["blocks"]["kiosk"]["reason"] == "fee_open"
    assert renewed["blocks"]["portal"]["allowed"] is True

    # 1 May: reminder, still no portal block
    assert lidgeld(capsys, "tick", "--today", "2026-05-01", "--allow-future")[0] == 0
    may = status(capsys, "2001", "2026-05-01")
    assert may["contribution"]["stage"] == "reminder"
    assert may["blocks"]["portal"]["allowed"] is True

    # 1 October: unpaid, portal blocked, desk warned
    assert lidgeld(capsys, "tick", "--today", "2026-10-01", "--allow-future")[0] == 0
    october = status(capsys, "2001", "2026-10-01")
    assert october["contribution"]["stage"] == "unpaid"
    assert october["blocks"]["portal"] == {
        "allowed": False,
        "reason": "fee_unpaid",
        "warning": False,
        "message": "Je lidgeld van € 12,00 is niet betaald. Betaal het aan de balie; tot dan kan je "
        "in Mijn Bibliotheek niet verlengen of reserveren.",
    }
    assert october["blocks"]["desk"]["allowed"] is True
    assert october["blocks"]["desk"]["warning"] is True

    # 1 December: invalidated and written off
    assert lidgeld(capsys, "tick", "--today", "2026-12-01", "--allow-future")[0] == 0
    december = status(capsys, "2001", "2026-12-01")
    assert december["membership"]["status"] == "invalidated"
    assert december["contribution"] == {"open": "0.00", "stage": None}
    assert december["blocks"]["desk"]["allowed"] is False
    assert december["blocks"]["desk"]["reason"] == "invalidated"


def test_paying_in_full_clears_the_blocks_at_once(capsys, network):
    lidgeld(capsys, "tick", "--today", "2026-04-01")
    lidgeld(capsys, "renew", "2001", "--on", "2026-04-10", "--open")
    assert lidgeld(capsys, "tick", "--today", "2026-10-01", "--allow-future")[0] == 0
    assert status(capsys, "2001", "2026-10-02")["blocks"]["portal"]["allowed"] is False
    code, out, _ = lidgeld(capsys, "pay", "2001", "12,00", "--on", "2026-10-02")
    assert code == 0
    assert "€ 0.00 still open" in out
    after = status(capsys, "2001", "2026-10-02")
    assert all(block["allowed"] for block in after["blocks"].values())
    assert after["contribution"] == {"open": "0.00", "stage": None}


def test_a_partial_payment_leaves_the_rest_open(capsys, network):
    lidgeld(capsys, "renew", "2001", "--on", "2026-04-10", "--open")
    code, out, _ = lidgeld(capsys, "pay", "2001", "5", "--on", "2026-04-11", "--json")
    assert code == 0
    assert json.loads(out) == {"card": "2001", "paid": "5.00", "still_open": "7.00"}
    assert status(capsys, "2001", "2026-04-11")["blocks"]["kiosk"]["allowed"] is False


def test_expiring_lists_the_memberships_ending_in_a_month(capsys, network):
    code, out, _ = lidgeld(capsys, "expiring", "--month", "2026-03", "--json")
    assert code == 0
    listing = json.loads(out)
    assert listing["count"] == 1
    assert listing["memberships"][0]["card"] == "2001"
    assert json.loads(lidgeld(capsys, "expiring", "--month", "2026-04", "--json")[1])["count"] == 0


def test_a_dry_run_says_what_would_happen_and_changes_nothing(capsys, network):
    lidgeld(capsys, "tick", "--today", "2026-03-31")
    audit_before = AuditEvent.objects.count()
    code, out, _ = lidgeld(capsys, "tick", "--today", "2026-04-01", "--dry-run", "--verbose")
    assert code == 0
    assert "dry run (nothing changed)" in out
    assert "expired 1" in out
    assert "expiry expired: 2001" in out
    assert AuditEvent.objects.count() == audit_before
    assert Membership.objects.get().status == "active"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["renew", "2001", "--on", "2026-13-01", "--open"], "'2026-13-01' is not a date"),
        (["renew", "2001", "--open", "--paid"], "not allowed with argument"),
        (["renew", "9999", "--open"], "no borrower has card number '9999'"),
        (["pay", "2001", "-3"], "amount"),
        (["pay", "2001", "12.345"], "more than two decimals"),
        (["pay", "2001", "50.00"], "more than the open contribution"),
        (["expiring", "--month", "2026-4x"], "is not a month"),
        (["borrower", "add", "--card", "2002", "--first-name", "A", "--last-name", "B",
          "--instance", "NOPE"], "no instance 'NOPE'"),
        (["borrower", "add", "--card", "2002", "--first-name", "A", "--last-name", "B",
          "--instance", "GENT", "--email", "a@"], "not a valid e-mail address"),
        (["borrower", "add", "--card", "2001", "--first-name", "A", "--last-name", "B",
          "--instance", "GENT"], "already in use"),
        (["type", "add", "--instance", "GENT", "--code", "X", "--name", "X", "--kind", "paying",
          "--booking-code", "2500", "--fee", "5"], "between 1000 and 1999"),
        (["tick", "--today", "yesterday"], "is not a date"),
        (["borrower", "add", "--card", "2002", "--first-name", "A\x00n", "--last-name", "B",
          "--instance", "GENT"], "argument 6 (after --first-name) contains a NUL character"),
        (["status", "20\x0001"], "argument 2 contains a NUL character, which cannot be stored"),
        (["borrower", "add", "--card", "2002", "--first-name", "A" * 5000, "--last-name", "B",
          "--instance", "GENT"], "the first name is at most 100 characters long, not 5000"),
        (["borrower", "add", "--card", "2002", "--first-name", "A", "--last-name", "B",
          "--instance", "GENT", "--city", "Gent" * 30], "the city is at most 100 characters"),
        (["borrower", "add", "--card", "2002", "--first-name", "A", "--last-name", "B",
          "--instance", "GENT", "--pin", "١٢٣٤"], "a PIN is 4 to 12 digits 0-9"),
        (["borrower", "add", "--card", "2002", "--first-name", "A", "--last-name", "B",
          "--instance", "GENT", "--pin", "１２３４"], "a PIN is 4 to 12 digits 0-9"),
        (["expiring", "--month", "9999-12"], "is too far off: the year must be 1900 to 2999"),
        (["renew", "2001", "--on", "9999-12-15", "--open"], "is too far off: the year must be 1900 to 2999"),
        (["pay", "2001", "1.00", "--on", "0001-01-01"], "is too far off: the year must be 1900 to 2999"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_changes_nothing(capsys, network, argv, says):
    lidgeld(capsys, "renew", "2001", "--on", "2026-04-10", "--open")
    before = (
        Borrower.objects.count(),
        Membership.objects.count(),
        Posting.objects.count(),
        AuditEvent.objects.count(),
    )
    try:
        code = main(argv)
    except SystemExit as usage_error:  # argparse's own checks exit from inside
        code = usage_error.code
    _, err = capsys.readouterr()
    assert code == 2
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert before == (
        Borrower.objects.count(),
        Membership.objects.count(),
        Posting.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.postgres_only
def test_a_value_too_long_for_the_database_is_said_without_blaming_migration(capsys, network):
    # given a name no column takes (no service checks this one's length: PostgreSQL does)
    before = AuditEvent.objects.count()
    # when
    code, _, err = lidgeld(capsys, "instance", "add", "--code", "LANG", "--name", "B" * 300)
    # then the sentence says which kind of value to fix, and nothing is added
    assert code == 2
    assert err == (
        "lidgeld instance: error: the database refused a value: value too long for type "
        "character varying(200); shorten it or check the number\n"
    )
    assert AuditEvent.objects.count() == before
