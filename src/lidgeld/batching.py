"""Shared shapes of the set-based steps of the daily run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

# Enough borrowers to check a dry run by eye; the counts are always complete.
CARDS_SHOWN = 200


@dataclass(frozen=True)
class BatchContext:
    """What every step needs besides its instance."""

    day: date  # the business day being processed
    run_on: date  # the day the run happens (later than ``day`` when catching up)
    now: datetime
    actor: str
    collect_cards: bool = False


@dataclass
class StepResult:
    counts: dict[str, int] = field(default_factory=dict)
    cards: dict[str, list[str]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def note(
        self,
        ctx: BatchContext,
        name: str,
        rows: QuerySet[Any],
        *,
        card_path: str = "borrower__card_number",
    ) -> None:
        """Remember which borrowers a change is about to touch (dry run with --verbose)."""
        if ctx.collect_cards:
            self.cards[name] = list(
                rows.order_by(card_path).values_list(card_path, flat=True)[:CARDS_SHOWN]
            )
