"""A validated rule tree → one ORM filter on borrowers.

Only fields of the catalogue reach the query, each through its fixed ORM path, and
values travel as query parameters: no text of the user is ever SQL.

R9's "same record" rule: conditions of one field group (B–E) that are joined by
AND or OR, with no NOT between them, describe one record: ``B.date = D AND
B.kind = CAE`` is one message that is a CAE of day D, never "a message of day D
and a CAE some other day". Within an AND, all such parts of the same group merge
into that one record. NOT negates the whole existence: ``NOT B.kind = CAE`` is a
borrower who got no CAE at all.
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from lidgeld.borrowers.models import Borrower
from lidgeld.notices.models import TYPE_CONTRIBUTION
from lidgeld.scope import Scope
from lidgeld.selections.fields import GROUPS, Field, Operator, ValueType, field_for
from lidgeld.selections.rules import And, Condition, Node, Not, Or
from lidgeld.selections.values import coerce

BORROWER_GROUP = "A"

_COMPARISONS = {
    Operator.EQ: "exact",
    Operator.LT: "lt",
    Operator.LE: "lte",
    Operator.GT: "gt",
    Operator.GE: "gte",
}


def borrowers_matching(node: Node, *, scope: Scope) -> QuerySet[Borrower]:
    """The borrowers the scope may see that the rule selects."""
    visible = scope.limit(Borrower.objects.all(), "home_instance_id")
    return visible.filter(_compile(node, scope)).order_by()


def _compile(node: Node, scope: Scope) -> Q:
    group = _single_group(node)
    if group == BORROWER_GROUP:
        return _record_q(node)
    if group is not None:
        return _exists(group, _record_q(node), scope)
    if isinstance(node, Not):
        return ~_compile(node.item, scope)
    if isinstance(node, Or):
        return functools.reduce(operator.or_, (_compile(item, scope) for item in node.items))
    assert isinstance(node, And)
    parts: list[Q] = []
    same_record: dict[str, list[Q]] = {}
    for item in node.items:
        item_group = _single_group(item)
        if item_group is not None and item_group != BORROWER_GROUP:
            same_record.setdefault(item_group, []).append(_record_q(item))
        else:
            parts.append(_compile(item, scope))
    for record_group, record_parts in same_record.items():
        parts.append(_exists(record_group, _all(record_parts), scope))
    return _all(parts)


def _single_group(node: Node) -> str | None:
    """The one field group a NOT-free subtree is about, or None."""
    if isinstance(node, Condition):
        return field_for(node.field).group
    if isinstance(node, Not):
        return None
    groups = {_single_group(item) for item in node.items}
    if len(groups) == 1:
        return groups.pop()
    return None


def _record_q(node: Node) -> Q:
    if isinstance(node, Condition):
        return condition_q(node)
    if isinstance(node, And):
        return _all([_record_q(item) for item in node.items])
    if isinstance(node, Or):
        return functools.reduce(operator.or_, (_record_q(item) for item in node.items))
    raise AssertionError("NOT never sits inside one record")


def _all(parts: list[Q]) -> Q:
    return functools.reduce(operator.and_, parts)


def _exists(group: str, record: Q, scope: Scope) -> Q:
    model: Any = apps.get_model(GROUPS[group].model)
    records = scope.limit(model.objects.filter(borrower_id=OuterRef("pk")))
    return Q(Exists(records.filter(record)))


def condition_q(condition: Condition) -> Q:
    field = field_for(condition.field)
    path = field.path
    values = [coerce(field, raw) for raw in condition.values]
    op = condition.operator
    if op is Operator.IS_EMPTY:
        empty = Q(**{f"{path}__isnull": True})
        if field.type in (ValueType.TEXT, ValueType.CHOICE):
            empty |= Q(**{path: ""})
        return empty
    if op is Operator.NE:
        return ~Q(**{path: values[0]}) & _implied(field)
    if op is Operator.BETWEEN:
        low, high = values
        return Q(**{f"{path}__range": (low, high)}) & _implied(field)
    if op is Operator.IN:
        return Q(**{f"{path}__in": values}) & _implied(field)
    if op is Operator.CONTAINS:
        return Q(**{f"{path}__icontains": values[0]})
    return Q(**{f"{path}__{_COMPARISONS[op]}": values[0]}) & _implied(field)


def _implied(field: Field) -> Q:
    """A message kind is written with its type (CAE = type C, kind AE): saying the type
    too lets the database use the overview index (instance, type, kind, date)."""
    if field.ref == "B.kind":
        return Q(type=TYPE_CONTRIBUTION)
    return Q()
