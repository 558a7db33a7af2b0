"""Amounts in euros as people type them: at the desk, on the command line, at a kiosk.

One parser for every adapter, so ``١٢``, ``１２``, ``1e1`` or ``1_000`` are refused the
same way everywhere instead of being read by :class:`decimal.Decimal`'s generous rules
(it accepts any Unicode digit, exponents and underscores). Only ASCII digits, with a
comma (Belgian: 12,50) or a point (12.50) before at most two decimals. No thousands
separator: "1.000" is refused rather than guessed as one euro or a thousand.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lidgeld.domain.sentences import RuleRefusal, gettext_noop

CENT = Decimal("0.01")
# What a posting, a payment and a membership fee hold (DecimalField max_digits=8,
# decimal_places=2); a test keeps this and the model fields in step.
MAX_AMOUNT = Decimal("999999.99")

_AMOUNT = re.compile(r"(?P<euros>[0-9]+)(?:[.,](?P<cents>[0-9]+))?", re.ASCII)
_NEGATIVE = re.compile(r"-\s*[0-9]", re.ASCII)
_SHOWN = 20  # characters of a refused text repeated in the message


class AmountError(RuleRefusal):
    """The text is not an amount lidgeld accepts; the message says what to write."""


def parse_amount(text: str, *, allow_zero: bool = False, limit: Decimal = MAX_AMOUNT) -> Decimal:
    """``text`` as euros and cents, or :class:`AmountError` with a sentence.

    More than 0 (0 too with ``allow_zero``, for the fee of a free type) and at most
    ``limit`` (by default what the database holds)."""
    stripped = text.strip()
    shown = stripped if len(stripped) <= _SHOWN else f"{stripped[:_SHOWN]}…"
    not_positive = AmountError(
        gettext_noop("the amount must be more than 0, not '%(text)s'"),
        code="amount_not_positive",
        params={"text": shown},
    )
    if _NEGATIVE.match(stripped):
        raise not_positive
    match = _AMOUNT.fullmatch(stripped)
    if match is None:
        raise AmountError(
            gettext_noop(
                "'%(text)s' is not an amount; write euros with the digits 0-9 and a comma or "
                "point before the cents, like 12,50 (no thousands separator)"
            ),
            code="amount_invalid",
            params={"text": shown},
        )
    cents = match.group("cents") or "0"
    if len(cents) > 2:
        raise AmountError(
            gettext_noop(
                "'%(text)s' has more than two decimals; write euros and cents like 12,50 "
                "(no thousands separator)"
            ),
            code="amount_decimals",
            params={"text": shown},
        )
    euros = match.group("euros").lstrip("0") or "0"
    too_large = AmountError(
        gettext_noop("%(text)s is more than the largest amount lidgeld accepts, %(limit)s"),
        code="amount_too_large",
        params={"text": shown, "limit": limit},
    )
    if len(euros) > len(str(int(limit))):  # checked on the text: 400 digits stay cheap
        raise too_large
    amount = Decimal(f"{euros}.{cents}").quantize(CENT)
    if amount == 0 and not allow_zero:
        raise not_positive
    if amount > limit:
        raise too_large
    return amount
