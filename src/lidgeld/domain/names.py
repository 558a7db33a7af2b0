"""How the desk finds a name it heard: "helene" finds Hélène, "vanacker" Van Acker,
"dhoogh" D’Hoogh.

The key is stored beside each name (``Borrower.search_first`` / ``search_last``) and
indexed, so the search is a range read on the key on SQLite and PostgreSQL alike;
the typed query goes through the same function."""

from __future__ import annotations

import unicodedata

# Characters a name is written with or without: spaces, apostrophes of every shape,
# hyphens and dots ("Van Acker", "D’Hoogh", "Jean-Luc", "St. Martin").
_IGNORED = frozenset(" \t'’‘`´ʼ-‐‑–—.")
# Letters NFKD does not take apart but people type without their mark.
_FOLDED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def search_key(text: str) -> str:
    """``text`` without case, accents, spaces, apostrophes, hyphens and dots."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLDED))
    return "".join(ch for ch in decomposed if ch not in _IGNORED and not unicodedata.combining(ch))[
        :100
    ]
