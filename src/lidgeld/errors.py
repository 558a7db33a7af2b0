"""Errors a user can cause. Each carries a sentence that says what to fix.

Like Django's ValidationError, an error holds a msgid (English, with ``%(name)s``
placeholders; marked with ``gettext_lazy`` so makemessages finds it), a ``code`` that
programs read and the ``params`` that fill the sentence. The sentence is rendered
where a person reads it, in their language: ``localized()`` on staff pages, in the
portal and at the kiosk, and on the command line in LIDGELD_LANGUAGE (English unless
set); ``message`` is the English one, for the API's ``error`` field and logs. Amounts and days in the params are written the way the language writes
them (€ 12,50 and 31/12/2026 in Dutch and French)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self

try:
    from django.apps import apps
    from django.utils.functional import Promise
    from django.utils.translation import get_language, gettext, override

    WITH_DJANGO = True
except ImportError:
    # The rule language (lidgeld.selections.rules) is plain Python and raises these
    # errors too, without Django: there the sentence is the English msgid.
    WITH_DJANGO = False

from lidgeld.domain.blocks import format_amount, format_day
from lidgeld.domain.sentences import RuleRefusal

# The language of the sentences as written in the code: the msgids are English.
SOURCE_LANGUAGE = "en"


class LidgeldError(Exception):
    """Base for errors that are shown to the user as they are."""

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "error",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.msgid = message
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message)

    @classmethod
    def of(cls, refusal: RuleRefusal) -> Self:
        """The refusal of a pure rule (lidgeld.domain), as an error to show."""
        return cls(refusal.template, code=refusal.code, params=refusal.params)

    @property
    def message(self) -> str:
        """The sentence in English (the API, logs and tests read it)."""
        return self.localized(SOURCE_LANGUAGE)

    def localized(self, language: str | None = None) -> str:
        """The sentence in ``language``, else in the active one (the page's, the
        borrower's), its amounts and days written as that language writes them."""
        if not WITH_DJANGO or not apps.ready:
            # Raised before Django is set up (the command line reading its arguments):
            # no catalogue to look in yet, and such sentences are plain English strings.
            return _filled(str(self.msgid), self.params, SOURCE_LANGUAGE)
        with override(language or get_language()):
            # A plain str msgid (gettext_noop, or a sentence built before it was raised)
            # is looked up too; one the catalogues do not have comes back as it is.
            template = str(self.msgid) if isinstance(self.msgid, Promise) else gettext(self.msgid)
            return _filled(template, self.params, get_language() or SOURCE_LANGUAGE)

    def api_params(self) -> dict[str, Any]:
        """The params as JSON can carry them: amounts as "12.50", days as ISO dates."""
        return {name: _plain(value) for name, value in self.params.items()}


def _filled(template: str, params: Mapping[str, Any], language: str) -> str:
    if not params:
        return template  # a sentence without placeholders may hold a literal %
    return template % {name: _shown(value, language) for name, value in params.items()}


def _shown(value: Any, language: str) -> Any:
    if isinstance(value, RuleRefusal):
        value = LidgeldError.of(value)
    if isinstance(value, LidgeldError):
        return value.localized(language)  # a sentence inside a sentence, in one language
    if isinstance(value, (list, tuple)):
        return "; ".join(str(_shown(item, language)) for item in value)
    if WITH_DJANGO and isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return f"€ {format_amount(value, 'en' if language.startswith('en') else 'nl')}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return format_day(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, LidgeldError | RuleRefusal):
        return value.message if isinstance(value, LidgeldError) else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if WITH_DJANGO and isinstance(value, Promise):
        with override(SOURCE_LANGUAGE):
            return str(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)


class InvalidInput(LidgeldError):
    """The input itself is wrong (unknown card, malformed date, …)."""


class Refused(LidgeldError):
    """The input is well-formed but the rules do not allow it now."""
