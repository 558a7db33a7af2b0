"""``lidgeld bank import``: payments from a CAMT.053 statement."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    """Filled in by the notices issue."""
