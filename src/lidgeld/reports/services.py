"""What leaving the building with a report records (R10; reports carry personal data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from lidgeld.audit.services import audit_record
from lidgeld.scope import Scope


def report_export_audit(
    *,
    scope: Scope,
    report: str,
    fmt: Any,
    rows: int,
    filters: dict[str, Any],
    today: date,
    now: datetime,
    **where: Any,
) -> None:
    """``where`` says how it left: ``file=`` on the command line, ``complete=`` for a
    download the browser may have cut off."""
    audit_record(
        actor=scope.actor,
        action="report.export",
        obj=None,
        today=today,
        now=now,
        after={
            "report": report,
            "format": str(getattr(fmt, "value", fmt)),
            "rows": rows,
            "filters": filters,
            **where,
        },
    )
