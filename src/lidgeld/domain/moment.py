"""The moment an edge acts in: the clock read once, and who acts.

A request, a command, a SIP2 message or a job reads the clock once into a
``Moment`` and passes ``today``, ``now`` and ``actor`` down, so everything one
action writes carries the same day, the same time and the same name, and a test
fixes all three by building one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Moment:
    today: date  # the business day, in the library's time zone
    now: datetime  # the instant (aware), for audit rows and time stamps
    actor: str  # who acts, as domain.actors names them
