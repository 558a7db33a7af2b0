"""Printable letters: the day's letter notices as one A4 PDF (issue 3, item 4).

A borrower without a usable e-mail address gets their notice on paper. The
letters run renders every queued letter of one business day, one letter per
sheet (a long one runs on to continuation pages), ready to fold into a window
envelope. Writing the PDF delivers nothing: the letters go in a batch that staff
confirm once it came out of the printer, and only then are they sent
(:mod:`lidgeld.notices.letter_batches`).

The layout is :mod:`lidgeld.notices.letter_layout`; what a letter carries besides
its text is :mod:`lidgeld.notices.letter_content`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lidgeld.notices.letter_content import Letter, Payment, payment_of
from lidgeld.notices.letter_layout import letters_pdf
from lidgeld.notices.models import Message


@dataclass(frozen=True)
class LettersResult:
    pdf: bytes  # empty when there are no letters
    count: int
    message_ids: list[int]
    pages: int = 0


def letters_document(messages: Sequence[Message], *, title: str) -> LettersResult:
    """Rendered letters as one A4 PDF, in the order given; changes nothing. The
    payment box shows what each borrower owes now."""
    if not messages:
        return LettersResult(pdf=b"", count=0, message_ids=[])
    payments: dict[int, Payment | None] = {}
    letters = []
    for message in messages:
        if message.borrower_id not in payments:
            payments[message.borrower_id] = payment_of(message.borrower_id)
        letters.append(Letter(message=message, payment=payments[message.borrower_id]))
    pdf, pages = letters_pdf(letters, title=title)
    return LettersResult(
        pdf=pdf, count=len(letters), message_ids=[m.pk for m in messages], pages=pages
    )
