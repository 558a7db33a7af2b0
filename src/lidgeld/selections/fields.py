"""What a selection rule can test (R9): field groups ("rubriektypes") and their fields.

Standard library only, so the rule language, the CLI help and the tests work without
Django. Each field names a fixed ORM path on its group's model: only these paths ever
reach a query, whatever a user writes.

``RuleError`` and ``Operator`` live here rather than in ``rules`` because the
catalogue needs them and ``rules`` imports the catalogue. How a value written for a
field reads is in :mod:`lidgeld.selections.values`.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lidgeld.domain.sentences import RuleRefusal, gettext_noop
from lidgeld.errors import InvalidInput

if TYPE_CHECKING:
    from django.utils.functional import Promise

__all__ = [
    "EXPORT_FIELDS",
    "FIELDS",
    "GROUPS",
    "ExportField",
    "Field",
    "FieldGroup",
    "Operator",
    "RuleError",
    "ValueType",
    "field_for",
    "operators_for",
    "phrase",
]


class RuleError(InvalidInput):
    """A rule that cannot be used, with where the problem is and what to write instead.

    ``message`` is one sentence without the location, so adapters can place it
    themselves (the CLI prints it above ``pointer(text)``). ``position`` is a 0-based
    character offset in the rule text, ``path`` a JSONPath into the JSON form.
    ``expected`` says in English what would have fitted, for programs; no page shows it.
    """

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "invalid_rule",
        params: Mapping[str, Any] | None = None,
        position: int | None = None,
        path: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.position = position
        self.path = path
        self.expected = expected

    def __str__(self) -> str:
        # People count characters from 1; the attribute stays 0-based for code.
        if self.position is not None:
            return f"at character {self.position + 1}: {self.message}"
        if self.path is not None:
            return f"at {self.path}: {self.message}"
        return self.message

    def located(self, *, position: int | None, path: str | None) -> RuleError:
        """The same error, placed in a rule (a field lookup does not know where it is)."""
        # The msgid and params, not the English message, so it is still translated.
        return RuleError(
            self.msgid,
            code=self.code,
            params=self.params,
            position=position,
            path=path,
            expected=self.expected,
        )

    @classmethod
    def of_refusal(
        cls,
        refusal: RuleRefusal,
        *,
        position: int | None = None,
        path: str | None = None,
        expected: str | None = None,
    ) -> RuleError:
        """A refused value (:mod:`lidgeld.selections.values`), placed in the rule."""
        return cls(
            refusal.template,
            code=refusal.code,
            params=refusal.params,
            position=position,
            path=path,
            expected=expected,
        )

    def pointer(self, text: str) -> str:
        """The line of ``text`` holding the error and a caret under the position."""
        if self.position is None:
            return text
        position = min(max(self.position, 0), len(text))
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        line = text[start : len(text) if end == -1 else end]
        # Keep tabs so the caret lines up however the terminal expands them.
        pad = "".join("\t" if ch == "\t" else " " for ch in line[: position - start])
        return f"{line}\n{pad}^"


class Operator(enum.Enum):
    EQ = "="
    NE = "≠"
    LT = "<"
    LE = "≤"
    GT = ">"
    GE = "≥"
    BETWEEN = "between"
    IN = "in"
    CONTAINS = "contains"
    IS_EMPTY = "is empty"


class ValueType(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True)
class FieldGroup:
    letter: str
    name_nl: str
    name_en: str
    model: str  # Django label, "app.Model"


@dataclass(frozen=True)
class Field:
    group: str
    name: str
    label_nl: str
    label_en: str
    type: ValueType
    path: str  # ORM lookup path on the group's model
    choices: tuple[str, ...] = ()  # what users write, for CHOICE
    # Written choice → stored value, where they differ (CAE is stored as kind AE). The
    # stored values are accepted as written too.
    stored_as: tuple[tuple[str, str], ...] = ()
    upper_case: bool = False  # codes are stored in capitals whatever users type
    # The column's range, for numbers: a value beyond it cannot even be sent to the
    # database to compare (an amount of 10^30 was a 500), so it is said instead.
    low: int | Decimal | None = None
    high: int | Decimal | None = None

    @property
    def ref(self) -> str:
        return f"{self.group}.{self.name}"


@dataclass(frozen=True)
class ExportField:
    key: str
    label_nl: str
    label_en: str
    path: str  # ORM path on Borrower
    type: ValueType


GROUPS: dict[str, FieldGroup] = {
    group.letter: group
    for group in (
        FieldGroup("A", "Lener", "Borrower", "borrowers.Borrower"),
        FieldGroup("B", "Berichten", "Messages", "notices.Message"),
        FieldGroup("C", "Contributies", "Contributions", "finance.Posting"),
        FieldGroup("D", "Abonnementen", "Memberships", "memberships.Membership"),
        FieldGroup("E", "Reserveringen", "Reservations", "circulation.Reservation"),
    )
}

_T, _I, _M, _D, _C = (
    ValueType.TEXT,
    ValueType.INTEGER,
    ValueType.MONEY,
    ValueType.DATE,
    ValueType.CHOICE,
)
_INSTANCE = ("Instantie", "Instance", _T, "instance__code")

# ref, Dutch label, English label, type, ORM path ("" when it is the field's name)
_CATALOGUE: tuple[tuple[str, str, str, ValueType, str], ...] = (
    ("A.card", "Kaartnummer", "Card number", _T, "card_number"),
    ("A.first_name", "Voornaam", "First name", _T, ""),
    ("A.last_name", "Familienaam", "Last name", _T, ""),
    ("A.birth_date", "Geboortedatum", "Date of birth", _D, ""),
    ("A.postal_code", "Postcode", "Postal code", _T, ""),
    ("A.city", "Gemeente", "City", _T, ""),
    ("A.email", "E-mailadres", "E-mail address", _T, ""),
    ("A.language", "Taal", "Language", _C, ""),
    ("A.home_instance", "Thuisinstantie", "Home instance", _T, "home_instance__code"),
    ("A.registered_on", "Ingeschreven op", "Registered on", _D, ""),
    ("B.date", "Berichtdatum", "Message date", _D, ""),
    ("B.type", "Berichttype", "Message type", _C, ""),
    ("B.kind", "Berichtsoort", "Message kind", _C, ""),
    ("B.channel", "Kanaal", "Channel", _C, ""),
    ("B.status", "Berichtstatus", "Message status", _C, ""),
    ("B.instance", *_INSTANCE),
    ("C.booking_code", "Boekingscode", "Booking code", _I, ""),
    ("C.amount", "Bedrag", "Amount", _M, ""),
    ("C.balance", "Open bedrag", "Open amount", _M, ""),
    ("C.booked_on", "Geboekt op", "Booked on", _D, ""),
    ("C.status", "Status post", "Item status", _C, ""),
    ("C.stage", "Fase", "Stage", _C, ""),
    ("C.instance", *_INSTANCE),
    ("D.type", "Abonnementstype", "Membership type", _T, "type__code"),
    ("D.start", "Begindatum", "Start date", _D, ""),
    ("D.end", "Einddatum", "End date", _D, ""),
    ("D.status", "Status abonnement", "Membership status", _C, ""),
    ("D.origin", "Oorsprong", "Origin", _C, ""),
    ("D.instance", *_INSTANCE),
    ("E.status", "Status reservering", "Reservation status", _C, ""),
    ("E.placed_on", "Geplaatst op", "Placed on", _D, ""),
    ("E.instance", *_INSTANCE),
)
_CHOICES: dict[str, tuple[str, ...]] = {
    "A.language": ("nl", "fr", "en"),
    "B.type": ("C",),
    # Staff know message kinds by their full code, type letter included (CAE).
    "B.kind": ("CAE", "CAEL", "CHR", "CNB", "CVL", "CEW"),
    "B.channel": ("email", "letter"),
    "B.status": ("queued", "sent", "failed", "skipped"),
    "C.status": ("open", "paid", "written_off"),
    "C.stage": ("open", "reminder", "unpaid", "written_off"),
    "D.status": ("active", "ended", "invalidated"),
    "D.origin": ("registration", "desk", "portal", "automatic"),
    "E.status": ("waiting", "held", "ready", "fulfilled", "cancelled"),
}
_STORED_AS = {
    "B.kind": (
        ("CAE", "AE"),
        ("CAEL", "AEL"),
        ("CHR", "HR"),
        ("CNB", "NB"),
        ("CVL", "VL"),
        ("CEW", "EW"),
    )
}
# finance.Posting: booking codes 1–9999 (a CHECK), amounts of 8 digits with 2 decimals.
_MAX_AMOUNT = Decimal("999999.99")
_BOUNDS: dict[str, tuple[int | Decimal, int | Decimal]] = {
    "C.booking_code": (1, 9999),
    "C.amount": (-_MAX_AMOUNT, _MAX_AMOUNT),
    "C.balance": (-_MAX_AMOUNT, _MAX_AMOUNT),
}


def _field(ref: str, label_nl: str, label_en: str, type_: ValueType, path: str) -> Field:
    group, name = ref.split(".")
    path = path or name
    return Field(
        group,
        name,
        label_nl,
        label_en,
        type_,
        path,
        _CHOICES.get(ref, ()),
        _STORED_AS.get(ref, ()),
        # Instance and membership-type codes are stored in capitals.
        upper_case=path.endswith("__code"),
        low=_BOUNDS[ref][0] if ref in _BOUNDS else None,
        high=_BOUNDS[ref][1] if ref in _BOUNDS else None,
    )


FIELDS: dict[str, Field] = {row[0]: _field(*row) for row in _CATALOGUE}


def _export(key: str) -> ExportField:
    field = FIELDS[f"A.{key}"]
    type_ = ValueType.DATE if field.type is ValueType.DATE else ValueType.TEXT
    return ExportField(key, field.label_nl, field.label_en, field.path, type_)


# The borrower columns a set export may contain, in the order they are offered.
EXPORT_FIELDS: dict[str, ExportField] = {
    spec.key: spec
    for spec in (
        _export("card"),
        _export("first_name"),
        _export("last_name"),
        _export("email"),
        _export("birth_date"),
        ExportField("street", "Straat", "Street", "street", ValueType.TEXT),
        _export("postal_code"),
        _export("city"),
        _export("language"),
        _export("home_instance"),
        _export("registered_on"),
    )
}

_ORDERED = (Operator.EQ, Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE)
_OPERATORS: dict[ValueType, frozenset[Operator]] = {
    ValueType.TEXT: frozenset(
        {Operator.EQ, Operator.NE, Operator.IN, Operator.CONTAINS, Operator.IS_EMPTY}
    ),
    ValueType.CHOICE: frozenset({Operator.EQ, Operator.NE, Operator.IN, Operator.IS_EMPTY}),
}
for _ordered_type in (ValueType.INTEGER, ValueType.MONEY, ValueType.DATE):
    _OPERATORS[_ordered_type] = frozenset(
        {*_ORDERED, Operator.BETWEEN, Operator.IN, Operator.IS_EMPTY}
    )


def operators_for(field: Field) -> frozenset[Operator]:
    """The operators that make sense for the field's kind of value."""
    return _OPERATORS[field.type]


def phrase(template: str, **params: Any) -> RuleRefusal:
    """A part of a sentence (what was expected, a hint) to put in the params of a whole
    one: rendered in the language of the sentence around it. Mark ``template`` with
    gettext_noop where it is written."""
    return RuleRefusal(template, code="phrase", params=params)


def unknown_group(
    letter: str, *, position: int | None = None, path: str | None = None
) -> RuleError:
    names = [f"{g.letter} ({g.name_nl})" for g in GROUPS.values()]
    return RuleError(
        gettext_noop("unknown field group '%(letter)s'; use %(groups)s or %(last)s"),
        code="unknown_field_group",
        params={"letter": letter, "groups": ", ".join(names[:-1]), "last": names[-1]},
        position=position,
        path=path,
        expected="a field group",
    )


_REF = re.compile(r"([A-Za-z])\.([A-Za-z_]+)")


def field_for(ref: str) -> Field:
    """The field a reference such as ``B.date`` or ``b.DATE`` names."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise RuleError(
            gettext_noop(
                "'%(ref)s' is not a field; write a group letter, a dot and a field name, "
                "such as B.date"
            ),
            code="not_a_field",
            params={"ref": ref},
            expected="a field",
        )
    letter, name = match.group(1).upper(), match.group(2).lower()
    if letter not in GROUPS:
        raise unknown_group(letter)
    field = FIELDS.get(f"{letter}.{name}")
    if field is not None:
        return field
    raise _unknown_field(letter, name)


def _unknown_field(letter: str, name: str) -> RuleError:
    own = [field for field in FIELDS.values() if field.group == letter]
    # Staff know the Dutch labels from the old system ("Berichtsoort"), so those lead
    # to a suggestion too.
    spellings: dict[str, Field] = {}
    for field in own:
        for spelling in (field.name, field.label_nl, field.label_en):
            spellings[re.sub(r"[\s_-]", "", spelling.lower())] = field
    close = difflib.get_close_matches(re.sub(r"[\s_-]", "", name), spellings, n=1, cutoff=0.6)
    params: dict[str, Any] = {
        "letter": letter,
        "group": GROUPS[letter].name_nl,
        "name": name,
        "fields": ", ".join(field.name for field in own),
    }
    template = gettext_noop(
        "%(letter)s (%(group)s) has no field '%(name)s'; its fields are %(fields)s"
    )
    if close:
        field = spellings[close[0]]
        params.update(ref=field.ref, label=field.label_nl)
        template = gettext_noop(
            "%(letter)s (%(group)s) has no field '%(name)s' (did you mean %(ref)s, "
            "%(label)s?); its fields are %(fields)s"
        )
    return RuleError(template, code="unknown_field", params=params, expected="a field")
