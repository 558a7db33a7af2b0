import os
import sqlite3
import subprocess
import sys


def test_python_dash_m_lidgeld_shows_the_commands():
    result = subprocess.run(
        [sys.executable, "-m", "lidgeld", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for command in ("tick", "renew", "pay", "status", "expiring", "demo", "serve", "migrate"):
        assert command in result.stdout


def test_an_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "lidgeld", "renwe"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid choice: 'renwe'" in result.stderr


def test_arguments_that_are_not_text_are_refused_before_anything_runs(tmp_path):
    # given a migrated database with one library (its own SQLite file, in a real process)
    env = {**os.environ, "LIDGELD_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}

    def lidgeld(*argv: str | bytes) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lidgeld", *argv],
            capture_output=True, text=True, timeout=120, check=False, env=env,
        )  # fmt: skip

    assert lidgeld("migrate").returncode == 0
    assert lidgeld("instance", "add", "--code", "GENT", "--name", "Gent").returncode == 0
    # when a name arrives in bytes that are not UTF-8 (a terminal in Latin-1: "Anaïs")
    result = lidgeld(
        "borrower", "add", "--card", "2001", "--first-name", b"Ana\xefs", "--last-name", "Claes",
        "--instance", "GENT",
    )  # fmt: skip
    # then it is one line that says what is wrong, and nothing is registered
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "lidgeld: error: argument 6 (after --first-name) contains characters that are not "
        "valid UTF-8 text, which cannot be stored; retype it or set the terminal to UTF-8"
    ]
    with sqlite3.connect(tmp_path / "lidgeld.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM borrowers_borrower").fetchone() == (0,)


def test_a_database_without_its_tables_is_said_to_need_migrating(tmp_path):
    env = {**os.environ, "LIDGELD_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    result = subprocess.run(
        [sys.executable, "-m", "lidgeld", "status", "2001"],
        capture_output=True, text=True, timeout=60, check=False, env=env,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("lidgeld status: database error: no such table")
    assert result.stderr.endswith("(is the database migrated? run 'lidgeld migrate')\n")


def test_serve_on_a_port_in_use_says_so_instead_of_a_traceback(tmp_path):
    import socket

    # given a migrated database and a port something else listens on
    env = {**os.environ, "LIDGELD_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    assert subprocess.run(
        [sys.executable, "-m", "lidgeld", "migrate"], env=env, capture_output=True, check=False
    ).returncode == 0  # fmt: skip
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # when lidgeld serve is started on it
        result = subprocess.run(
            [sys.executable, "-m", "lidgeld", "serve", "--no-sip2", "--no-sender",
             "--port", str(port)],
            capture_output=True, text=True, timeout=120, check=False, env=env,
        )  # fmt: skip
    # then one line says what is wrong and what to do, and it stops
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"cannot listen on 127.0.0.1:{port}: Address already in use; is lidgeld already "
        "running there? Stop it or choose another port with --port"
    ]
