"""Sentences the notice machinery itself writes into the Message log."""

from __future__ import annotations


def late_reason(days_late: int, max_delay: int) -> str:
    return (
        f"Niet verstuurd: {days_late} dagen te laat (maximum {max_delay}); "
        f"not sent: {days_late} days late (at most {max_delay})"
    )
