"""``lidgeld`` run in the test's own process, on the test's database."""

from __future__ import annotations

from typing import Any

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``lidgeld ARGV…``: (exit code, stdout, stderr); argparse's refusals included."""
    try:
        code = main(list(argv))
    except SystemExit as usage:
        code = int(usage.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def audit_actions(borrower: Any) -> list[str]:
    """The audit's actions on ``borrower``, oldest first."""
    events = AuditEvent.objects.filter(borrower=borrower).order_by("id")
    return list(events.values_list("action", flat=True))
