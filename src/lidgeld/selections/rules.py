"""The rule tree of selections (R9): its nodes, its bounds, and ``validate``.

A rule is written as text (:mod:`lidgeld.selections.rule_text`) or as JSON
(:mod:`lidgeld.selections.rule_json`); both read into this tree and check its shape
only. ``validate`` checks a tree against the field catalogue. Standard library only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from lidgeld.domain.sentences import RuleRefusal, gettext_noop
from lidgeld.selections.fields import (
    Field,
    Operator,
    RuleError,
    ValueType,
    field_for,
    operators_for,
    phrase,
)
from lidgeld.selections.values import Value, coerce

__all__ = [
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_LIST_VALUES",
    "And",
    "Condition",
    "Node",
    "Not",
    "Or",
    "conditions",
    "validate",
]


@dataclass(frozen=True)
class Condition:
    field: str  # "B.date"
    operator: Operator
    values: tuple[str, ...]  # as the user wrote them; validate() checks they coerce
    span: tuple[int, int] | None = dataclasses.field(default=None, compare=False)
    # Where each value stands in the text, so a bad value is pointed at exactly.
    value_spans: tuple[tuple[int, int], ...] | None = dataclasses.field(
        default=None, compare=False, repr=False
    )


@dataclass(frozen=True)
class _Junction:
    items: tuple[Node, ...]

    def __post_init__(self) -> None:
        if len(self.items) < 2:
            raise ValueError(f"{type(self).__name__} needs at least two items")


class And(_Junction):
    pass


class Or(_Junction):
    pass


@dataclass(frozen=True)
class Not:
    item: Node


Node: TypeAlias = Condition | And | Or | Not

# Bounds on what one rule may hold. Past them a rule is no longer something a person
# reads, and it would exhaust the parser (a RecursionError at some 300 brackets), the
# database (SQLite's expression depth, its number of query parameters) or a web thread.
MAX_DEPTH = 50  # brackets and NOT inside each other (JSON: and/or/not objects)
MAX_CONDITIONS = 100
MAX_LIST_VALUES = 1000  # values of one "in (…)"

# A field reference as both forms write it: group letter, dot, field name.
FIELD_REF = re.compile(r"([A-Za-z])\.([A-Za-z_]+)")

# What a field holds, as a message about a wrong operator or value says it.
_TYPE_WORDS = {
    ValueType.TEXT: gettext_noop("text"),
    ValueType.INTEGER: gettext_noop("a whole number"),
    ValueType.MONEY: gettext_noop("an amount"),
    ValueType.DATE: gettext_noop("a date"),
    ValueType.CHOICE: gettext_noop("a choice"),
}


def joined(kind: type[And] | type[Or], nodes: list[Node]) -> Node:
    """One And/Or over the nodes, lifting nested ones of the same kind (one tree per rule)."""
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.items if isinstance(node, kind) else (node,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def too_deep(*, position: int | None = None, path: str | None = None) -> RuleError:
    return RuleError(
        gettext_noop(
            "brackets and NOT are nested more than %(depth)s deep here; "
            "write the rule with fewer levels"
        ),
        code="too_deep",
        params={"depth": MAX_DEPTH},
        position=position,
        path=path,
    )


def too_many_conditions(*, position: int | None = None, path: str | None = None) -> RuleError:
    return RuleError(
        gettext_noop(
            "a rule holds at most %(count)s conditions; split it into several "
            "selections and combine their sets"
        ),
        code="too_many_conditions",
        params={"count": MAX_CONDITIONS},
        position=position,
        path=path,
    )


def too_many_values(*, position: int | None = None, path: str | None = None) -> RuleError:
    return RuleError(
        gettext_noop(
            "one 'in' takes at most %(count)s values; split the list over several "
            "conditions joined by OR"
        ),
        code="too_many_values",
        params={"count": MAX_LIST_VALUES},
        position=position,
        path=path,
    )


def arity_problem(condition: Condition) -> RuleRefusal | None:
    count, operator = len(condition.values), condition.operator
    if operator is Operator.IS_EMPTY:
        if count == 0:
            return None
        template = gettext_noop("'is empty' takes no value")
    elif operator is Operator.BETWEEN:
        if count == 2:
            return None
        template = gettext_noop("between needs two values, such as 2020-04-01 and 2020-04-30")
    elif operator is Operator.IN:
        if count >= 1:
            return None
        template = gettext_noop("in needs at least one value, such as in (nl, fr)")
    else:
        if count == 1:
            return None
        template = gettext_noop("'%(operator)s' needs exactly one value")
    return RuleRefusal(template, code="number_of_values", params={"operator": operator.value})


def checked_values(condition: Condition) -> tuple[str, ...]:
    problem = arity_problem(condition)
    if problem is not None:
        raise RuleRefusal(
            gettext_noop("%(field)s: %(problem)s"),
            code=problem.code,
            params={"field": condition.field, "problem": problem},
        )
    return condition.values


# --- meaning --------------------------------------------------------------------


def conditions(node: Node) -> Iterator[Condition]:
    """Every condition of the tree, left to right."""
    if isinstance(node, Condition):
        yield node
    elif isinstance(node, Not):
        yield from conditions(node.item)
    else:
        for item in node.items:
            yield from conditions(item)


def validate(node: Node) -> Node:
    """The tree with canonical field refs, once every condition makes sense.

    Checks field, operator, number of values and each value against the catalogue;
    RuleError points at the condition (or the bad value) in the text and in JSON.
    """
    return _validate(node, "$")


def _validate(node: Node, path: str) -> Node:
    if isinstance(node, Condition):
        return _validate_condition(node, path)
    if isinstance(node, Not):
        return Not(_validate(node.item, f"{path}.not"))
    key = "and" if isinstance(node, And) else "or"
    items = tuple(_validate(item, f"{path}.{key}[{i}]") for i, item in enumerate(node.items))
    return And(items) if isinstance(node, And) else Or(items)


def _validate_condition(node: Condition, path: str) -> Condition:
    start = node.span[0] if node.span else None
    try:
        field = field_for(node.field)
    except RuleError as error:
        raise error.located(position=start, path=f"{path}.field") from None
    allowed = operators_for(field)
    if node.operator not in allowed:
        usable = [op.value for op in Operator if op in allowed]
        raise RuleError(
            gettext_noop(
                "%(field)s (%(label)s) holds %(kind)s, so '%(operator)s' does not apply; "
                "use %(operators)s or %(last)s"
            ),
            code="operator_does_not_apply",
            params={
                "field": field.ref,
                "label": field.label_nl,
                "kind": phrase(_TYPE_WORDS[field.type]),
                "operator": node.operator.value,
                "operators": ", ".join(usable[:-1]),
                "last": usable[-1],
            },
            position=start,
            path=f"{path}.op",
            expected="an operator",
        )
    problem = arity_problem(node)
    if problem is not None:
        raise RuleError.of_refusal(problem, position=start, path=f"{path}.value")
    typed = [_typed(node, field, i, path) for i in range(len(node.values))]
    if node.operator is Operator.BETWEEN and _after(typed[0], typed[1]):
        raise RuleError(
            gettext_noop(
                "between %(low)s and %(high)s can never hold: the first value "
                "is larger than the second; swap them"
            ),
            code="between_swapped",
            params={"low": node.values[0], "high": node.values[1]},
            position=start,
            path=f"{path}.value",
        )
    return dataclasses.replace(node, field=field.ref)


def _typed(node: Condition, field: Field, index: int, path: str) -> Value:
    try:
        return coerce(field, node.values[index])
    except ValueError as error:
        spans = node.value_spans
        position = spans[index][0] if spans and index < len(spans) else None
        if position is None and node.span:
            position = node.span[0]
        many = node.operator in (Operator.BETWEEN, Operator.IN)
        # Every refusal of coerce is a RuleRefusal; any other ValueError is still the
        # user's value, said as it is rather than a 500.
        refusal = error if isinstance(error, RuleRefusal) else RuleRefusal(str(error))
        raise RuleError.of_refusal(
            refusal,
            position=position,
            path=f"{path}.value[{index}]" if many else f"{path}.value",
            expected=_TYPE_WORDS[field.type],
        ) from None


def _after(low: Value, high: Value) -> bool:
    if isinstance(low, date) and isinstance(high, date):
        return low > high
    if isinstance(low, int | Decimal) and isinstance(high, int | Decimal):
        return low > high
    return False
