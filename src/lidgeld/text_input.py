"""Text from outside that no database can store, found at the edge it comes in by.

PostgreSQL refuses a NUL character in text (an error halfway through a request);
SQLite stores it, so the two databases would disagree. A lone surrogate is what
Python makes of command-line bytes that are not UTF-8, or what a JSON ``"\\ud800"``
escape gives: it cannot even be encoded to be sent. Each edge (web requests, JSON
bodies, the command line) asks ``unstorable`` once per value and says, in its own
words, which value to fix, before anything runs."""

from __future__ import annotations

import re

NUL = "a NUL character"
NOT_UTF8 = "characters that are not valid UTF-8 text"


def unstorable(text: str) -> str | None:
    """What in ``text`` cannot be stored (``NUL`` or ``NOT_UTF8``), or None."""
    if "\x00" in text:
        return NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return NOT_UTF8
    return None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """NUL and the other C0 controls (and DEL) are in no card number, barcode or login:
    a value with one is refused before it reaches a query (PostgreSQL refuses NUL)."""
    return _CONTROL.search(text) is not None
