"""``lidgeld terminal add`` and ``lidgeld sip2`` from the command line."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import check_password

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.kiosks.models import Terminal
from tests.factories import make_instance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(fast_hashers):
    pass


def test_a_terminal_is_added_with_its_password_hashed_and_audited(capsys):
    make_instance("GENT")
    code = main(
        ["terminal", "add", "--login", "kiosk-1", "--password", "s3cret-pw",
         "--instance", "gent", "--location", "Hoofdbib", "--charset", "CP850", "--json"]
    )  # fmt: skip
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "login": "kiosk-1",
        "instance": "GENT",
        "location": "Hoofdbib",
        "charset": "cp850",
        "terminator": "auto",
    }
    terminal = Terminal.objects.get()
    assert terminal.password_hash != "s3cret-pw"
    assert check_password("s3cret-pw", terminal.password_hash)
    event = AuditEvent.objects.get(action="terminal.added")
    assert "s3cret-pw" not in json.dumps(event.after)
    assert terminal.password_hash not in json.dumps(event.after)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--login", "kiosk 1", "--password", "s3cret-pw", "--instance", "GENT"], "login"),
        (["--login", "k", "--password", "short", "--instance", "GENT"], "at least 6"),
        (["--login", "k", "--password", "s3cret-pw", "--instance", "NOPE"], "no instance 'NOPE'"),
        (
            [
                "--login",
                "k",
                "--password",
                "s3cret-pw",
                "--instance",
                "GENT",
                "--charset",
                "ebcdic",
            ],
            "charset must be one of utf-8, cp850, latin-1",
        ),
        (["--login", "taken", "--password", "s3cret-pw", "--instance", "GENT"], "already"),
    ],
)
def test_bad_input_changes_nothing_and_exits_2(capsys, argv, says):
    make_instance("GENT")
    main(["terminal", "add", "--login", "taken", "--password", "s3cret-pw", "--instance", "GENT"])
    capsys.readouterr()
    assert main(["terminal", "add", *argv]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "s3cret-pw" not in err
    assert Terminal.objects.count() == 1


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--tls-cert", "cert.pem"], "needs both --tls-cert and --tls-key"),
        (["--port", "70000"], "--port must be between"),
        (["--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"], "cannot use the TLS"),
    ],
)
def test_sip2_refuses_a_wrong_setup_with_exit_2(capsys, argv, says):
    assert main(["sip2", *argv]) == 2
    assert says in capsys.readouterr().err


def test_a_terminal_gets_its_terminator_when_added_and_changed_with_set(capsys):
    make_instance("GENT")
    add = ["terminal", "add", "--login", "kiosk-1", "--password", "s3cret-pw", "--instance", "GENT"]
    assert main([*add, "--terminator", "CRLF"]) == 0
    assert Terminal.objects.get().terminator == "crlf"
    capsys.readouterr()
    assert main(["terminal", "set", "--login", "kiosk-1", "--terminator", "cr", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"login": "kiosk-1", "terminator": "cr"}
    assert Terminal.objects.get().terminator == "cr"
    event = AuditEvent.objects.get(action="terminal.terminator_set")
    assert (event.before["terminator"], event.after["terminator"]) == ("crlf", "cr")
    assert main(["terminal", "set", "--login", "kiosk-1", "--terminator", "auto"]) == 0
    assert "answers end in what the kiosk sends (auto)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["set", "--login", "kiosk-1", "--terminator", "lf"], "must be one of auto, cr, crlf"),
        (["set", "--login", "nobody", "--terminator", "cr"], "there is no terminal 'nobody'"),
        (
            ["add", "--login", "k2", "--password", "s3cret-pw", "--instance", "GENT",
             "--terminator", "\\n"],
            "must be one of auto, cr, crlf",
        ),
    ],
)  # fmt: skip
def test_a_wrong_terminator_or_terminal_is_said_and_changes_nothing(capsys, argv, says):
    make_instance("GENT")
    main(["terminal", "add", "--login", "kiosk-1", "--password", "s3cret-pw", "--instance", "GENT"])
    capsys.readouterr()
    assert main(["terminal", *argv]) == 2
    assert says in capsys.readouterr().err
    assert list(Terminal.objects.values_list("login", "terminator")) == [("kiosk-1", "auto")]


def test_sip2_refuses_a_connection_cap_that_is_no_number(capsys, monkeypatch):
    monkeypatch.setenv("LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS", "many")
    assert main(["sip2"]) == 2
    assert "LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS must be a whole number" in (
        capsys.readouterr().err
    )
    monkeypatch.delenv("LIDGELD_SIP2_MAX_CONNECTIONS_PER_ADDRESS")
    assert main(["sip2", "--max-connections", "0"]) == 2
    assert "--max-connections must be at least 1" in capsys.readouterr().err
