"""The desk's own work in the demo: cards lost and replaced, a card reported stolen,
notes, a membership ended for each reason, played through the services after the replay so the staff pages show them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from lidgeld.borrowers.cards import card_report
from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.notes import note_add
from lidgeld.clock import at_nine
from lidgeld.demo.network import ACTOR
from lidgeld.operations.cards import card_replace_at_desk
from lidgeld.operations.ending import membership_end

ENDINGS = (
    ("deceased", "today"),
    ("at_request", "period_end"),
    ("moved", "today"),
    ("duplicate", "today"),
    ("administrative", "today"),
)
NOTES = (
    ("Slechtziend: druk brieven in grote letters af.", True),
    ("Haalt ook de reservaties van haar moeder af (volmacht gezien).", True),
    ("Vroeg naar de leesclub van donderdag.", False),
    ("Verhuist in het voorjaar naar Gent; nieuw adres nog niet gekend.", False),
)


def new_card_number(card: str) -> str:
    """A replacement card: the demo's cards are digits, so an R in front is never taken."""
    return f"R{card}"


def desk_life(borrowers: Sequence[Borrower], *, today: date) -> dict[str, str]:
    """Act on the given borrowers (picked by the caller, the plan's own order); returns
    example card numbers per situation for the summary."""
    examples: dict[str, str] = {}
    if len(borrowers) < 8 + len(ENDINGS):
        return examples
    replaced, stolen, noted = borrowers[:3], borrowers[3], borrowers[4:8]
    for n, borrower in enumerate(replaced):
        day = today - timedelta(days=30 - 7 * n)
        old = borrower.card_number
        card_report(borrower=borrower, report="lost", today=day, now=at_nine(day), actor=ACTOR)
        later = day + timedelta(days=2)
        card_replace_at_desk(
            borrower=borrower,
            new_number=new_card_number(old),
            charge_fee=True,
            fee_paid=n != 1,  # one leaves the card fee open
            today=later,
            now=at_nine(later),
            actor=ACTOR,
        )
        examples.setdefault("old_card", old)
    day = today - timedelta(days=1)
    card_report(borrower=stolen, report="stolen", today=day, now=at_nine(day), actor=ACTOR)
    examples["card_stolen"] = stolen.card_number
    for borrower, (text, at_desk) in zip(noted, NOTES, strict=True):
        day = today - timedelta(days=10)
        note_add(
            borrower=borrower, text=text, at_desk=at_desk, today=day, now=at_nine(day), actor=ACTOR
        )
        if at_desk:
            examples.setdefault("desk_note", borrower.card_number)
    # R12: a membership ended for each reason, some weeks ago (undo is open for 30 days)
    for n, (borrower, (reason, effective)) in enumerate(
        zip(borrowers[8 : 8 + len(ENDINGS)], ENDINGS, strict=True)
    ):
        day = today - timedelta(days=3 + 9 * n)
        membership_end(
            borrower=borrower,
            reason=reason,
            effective=effective,
            confirm=True,  # the demo's desk has seen the loans warning
            today=day,
            now=at_nine(day),
            actor=ACTOR,
        )
        examples[f"ended_{reason}"] = borrower.card_number
    return examples
