"""The real ``lidgeld`` command in a process of its own, on the test's database.

A test that uses it needs the ``transactional_db`` fixture (or
``django_db(transaction=True)``): the other process only sees committed rows.
The child reads the real wall clock, not the test's fixed one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

SRC = Path(__file__).resolve().parents[1] / "src"


def database_url() -> str:
    """The URL of the database the test runs on (the test database, not the real one)."""
    config = connection.settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{config['NAME']}"
    login = quote(config.get("USER") or "", safe="")
    if config.get("PASSWORD"):
        login += ":" + quote(config["PASSWORD"], safe="")
    host = config.get("HOST") or "127.0.0.1"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgresql://{login}@{host}{port}/{config['NAME']}"


def lidgeld_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        PYTHONPATH=os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
        LIDGELD_DB_CONN_MAX_AGE="0",
    )
    env.pop("LIDGELD_DEBUG", None)
    env.update(extra)
    return env


def lidgeld_command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "lidgeld", *argv]


def run_lidgeld(*argv: str, env: dict[str, str] | None = None, **options: Any):
    """Run ``lidgeld ARGV…`` to its end (stdin not a terminal unless given)."""
    connection.close()  # SQLite: nothing of ours holds the file while the child writes
    options.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        lidgeld_command(*argv),
        env=env or lidgeld_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **options,
    )


def start_lidgeld(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    connection.close()
    return subprocess.Popen(
        lidgeld_command(*argv),
        env=env or lidgeld_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
