"""Refusals of the pure rules, in a form every adapter can translate.

The domain is plain Python (no Django), so it cannot look sentences up in a catalogue.
A rule that refuses raises :class:`RuleRefusal` with the English template (marked with
:func:`gettext_noop`, the name makemessages looks for, so the catalogues hold it), a
``code`` for programs and the ``params`` that fill it; ``str()`` is the English
sentence. An adapter turns it into a :class:`lidgeld.errors.LidgeldError` with the same
three, which renders the sentence in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks ``message`` for extraction and returns it as it is."""
    return message


class RuleRefusal(ValueError):
    """A value a rule does not accept, with the sentence that says what to write."""

    def __init__(
        self, template: str, *, code: str = "invalid", params: Mapping[str, Any] | None = None
    ) -> None:
        self.template = template
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(english(template, self.params))


def english(template: str, params: Mapping[str, Any]) -> str:
    """The sentence in English, amounts as lidgeld.errors writes them in English
    (€ 1,250.00); it fills the catalogues' sentences in the reader's form."""
    if not params:
        return template
    shown = {
        name: f"€ {value:,.2f}" if isinstance(value, Decimal) else value
        for name, value in params.items()
    }
    return template % shown
