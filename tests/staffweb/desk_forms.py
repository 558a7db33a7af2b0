"""What the desk's borrower forms are filled in with in the tests: a complete
registration of Hélène Van Acker, and the page as a person reads it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

REGISTRATION = {
    "first_name": "Hélène",
    "last_name": "Van Acker",
    "birth_date": "1990-03-14",
    "street": "Kerkstraat",
    "house_number": "12",
    "box": "b",
    "postal_code": "9000",
    "city": "Gent",
    "country": "BE",
    "email": "helene@example.be",
    "phone": "09 266 10 00",
    "language": "nl",
    "card_number": "B9000000001",
    "start": "2026-04-10",
    "fee": "open",
    "pin_mode": "none",
}


def registration(instance: Any, membership_type: Any = None, **changes: str) -> dict[str, Any]:
    return REGISTRATION | {
        "home_instance": str(instance.pk),
        "membership_type": str(membership_type.pk) if membership_type is not None else "",
        **changes,
    }


def text_of(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def value_of(response: Any, name: str) -> str | None:
    """The value an input of the page is filled in with (None: no value attribute)."""
    html = response.content.decode()
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag is not None, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None
