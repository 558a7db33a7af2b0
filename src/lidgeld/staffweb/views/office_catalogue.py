"""The field catalogue of selections (R9) as the rule builder in the page reads it.

The builder is driven entirely by this: groups, fields with their kind of value and
choices, the operators each field allows. Nothing about fields is written in the
JavaScript, so a field added to the catalogue appears in the builder by itself."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from lidgeld.selections.fields import FIELDS, GROUPS, Field, Operator, operators_for
from lidgeld.staffweb.views.office_common import KIND_LABELS, english

# Operators as the JSON form of a rule names them (what /api/rules/check answers with),
# in the order the builder offers them.
OPERATOR_NAMES: dict[Operator, str] = {
    Operator.EQ: "=",
    Operator.NE: "!=",
    Operator.LT: "<",
    Operator.LE: "<=",
    Operator.GT: ">",
    Operator.GE: ">=",
    Operator.BETWEEN: "between",
    Operator.IN: "in",
    Operator.CONTAINS: "contains",
    Operator.IS_EMPTY: "is_empty",
}
# How many values each operator takes: "many" is one or more.
ARITY = {"between": 2, "in": "many", "is_empty": 0}


def _operator_labels() -> dict[str, str]:
    return {
        "=": "=",
        "!=": "≠",
        "<": "<",
        "<=": "≤",
        ">": ">",
        ">=": "≥",
        "between": _("between … and …"),
        "in": _("is one of"),
        "contains": _("contains"),
        "is_empty": _("is empty"),
    }


def _choices(field: Field) -> list[dict[str, str]]:
    kind_labels = {f"C{code}": str(label) for code, label in KIND_LABELS.items()}
    return [
        {"value": choice, "label": f"{choice} – {kind_labels[choice]}"}
        if choice in kind_labels
        else {"value": choice, "label": choice}
        for choice in field.choices
    ]


def builder_catalogue() -> dict[str, Any]:
    en = english()
    return {
        "groups": [
            {
                "letter": group.letter,
                "label": f"{group.letter} – {group.name_en if en else group.name_nl}",
            }
            for group in GROUPS.values()
        ],
        "fields": [
            {
                "ref": field.ref,
                "group": field.group,
                "label": field.label_en if en else field.label_nl,
                "type": field.type.value,
                "choices": _choices(field),
                # stored spelling → written one (a rule may say AE where staff say CAE)
                "stored": {stored: written for written, stored in field.stored_as},
                "operators": [
                    name for op, name in OPERATOR_NAMES.items() if op in operators_for(field)
                ],
            }
            for field in FIELDS.values()
        ],
        "operators": _operator_labels(),
        "arity": ARITY,
        "texts": {
            "group": _("Field group"),
            "field": _("Field"),
            "operator": _("Operator"),
            "value": _("Value"),
            "from": _("From"),
            "to": _("Up to and including"),
            "condition": _("Condition"),
            "bracket": _("Bracket group"),
            "joinRows": _("Combine these conditions with"),
            "joinGroups": _("Combine the bracket groups with"),
            "and": _("AND (all must hold)"),
            "or": _("OR (one is enough)"),
            "addCondition": _("Add condition"),
            "removeCondition": _("Remove condition"),
            "addBracket": _("Add bracket group"),
            "removeBracket": _("Remove bracket group"),
            "addValue": _("Add value"),
            "removeValue": _("Remove value"),
            "choose": _("(choose)"),
            "fillIn": _("fill in every value to see the rule as text"),
            "ok": _("The rule is complete. Run it, or keep building."),
            "checking": _("Checking the rule…"),
            "loaded": _("The text is loaded into the rows."),
            "tooDeep": _(
                "This rule has more levels of brackets (or a NOT) than the rows can show; "
                "it can still be run as text."
            ),
            "textChanged": _("The text was changed: load it into the rows, or run it as it is."),
            "atCharacter": _("at character"),
            "unreachable": _("The rule could not be checked; try again."),
        },
    }
