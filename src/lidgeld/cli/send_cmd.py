"""``lidgeld send``: deliver the outbox."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    """Filled in by the notices issue."""
