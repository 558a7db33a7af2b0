"""The JSON form of a rule: ``from_json`` reads it into a tree, ``to_json`` writes it.

JSON: ``{"and": [{"field": "B.date", "op": "between", "value": [...]}, ...]}``. Like
the text form it round-trips exactly for every tree whose AND and OR are flat.
Standard library only.
"""

from __future__ import annotations

from decimal import Decimal

from lidgeld.domain.sentences import RuleRefusal, gettext_noop
from lidgeld.selections.fields import GROUPS, Operator, RuleError, phrase, unknown_group
from lidgeld.selections.rules import (
    FIELD_REF,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_LIST_VALUES,
    And,
    Condition,
    Node,
    Not,
    Or,
    checked_values,
    joined,
    too_deep,
    too_many_conditions,
    too_many_values,
)

# The text form's ≠ ≤ ≥ are awkward to type in JSON.
_JSON_OPS = {
    **{op: op.value for op in Operator},
    Operator.NE: "!=",
    Operator.LE: "<=",
    Operator.GE: ">=",
    Operator.IS_EMPTY: "is_empty",
}
_OPS_FROM_JSON = {
    **{name: op for op, name in _JSON_OPS.items()},
    **{op.value: op for op in Operator},
    "<>": Operator.NE,
}


def to_json(node: Node) -> dict[str, object]:
    if isinstance(node, Condition):
        data: dict[str, object] = {"field": node.field, "op": _JSON_OPS[node.operator]}
        values = checked_values(node)
        if node.operator in (Operator.BETWEEN, Operator.IN):
            data["value"] = list(values)
        elif node.operator is not Operator.IS_EMPTY:
            data["value"] = values[0]
        return data
    if isinstance(node, Not):
        return {"not": to_json(node.item)}
    key = "and" if isinstance(node, And) else "or"
    return {key: [to_json(item) for item in node.items]}


def from_json(data: object) -> Node:
    """The tree of a rule in its JSON form; RuleError.path points at what is wrong."""
    return _from_json(data, "$", depth=0, seen=[0])


def _from_json(data: object, path: str, *, depth: int, seen: list[int]) -> Node:
    """``depth``: the and/or/not objects around ``data``; ``seen``: conditions so far."""
    if not isinstance(data, dict):
        raise RuleError(
            gettext_noop(
                "expected a rule object with 'and', 'or', 'not' or 'field', found %(found)s"
            ),
            params={"found": _kind(data)},
            path=path,
            expected="an object",
        )
    if depth == MAX_DEPTH and any(key in data for key in ("and", "or", "not")):
        raise too_deep(path=path)
    for key, kind in (("and", And), ("or", Or)):
        if key in data:
            _only(data, {key}, path)
            items = data[key]
            if not isinstance(items, list) or not items:
                raise RuleError(
                    gettext_noop("expected a non-empty list of rules, found %(found)s"),
                    params={"found": _kind(items)},
                    path=f"{path}.{key}",
                    expected="a list",
                )
            nodes = [
                _from_json(item, f"{path}.{key}[{i}]", depth=depth + 1, seen=seen)
                for i, item in enumerate(items)
            ]
            return joined(kind, nodes)
    if "not" in data:
        _only(data, {"not"}, path)
        return Not(_from_json(data["not"], f"{path}.not", depth=depth + 1, seen=seen))
    if "field" in data:
        if seen[0] == MAX_CONDITIONS:
            raise too_many_conditions(path=path)
        seen[0] += 1
        return _condition_from_json(data, path)
    raise RuleError(
        gettext_noop("expected a rule object with one of the keys 'and', 'or', 'not' or 'field'"),
        path=path,
        expected="an object",
    )


def _condition_from_json(data: dict[object, object], path: str) -> Condition:
    _only(data, {"field", "op", "value"}, path)
    ref = data["field"]
    match = FIELD_REF.fullmatch(ref) if isinstance(ref, str) else None
    if match is None:
        raise RuleError(
            gettext_noop('expected a field such as "B.date", found %(found)s'),
            params={"found": _kind(ref)},
            path=f"{path}.field",
            expected="a field",
        )
    letter = match.group(1).upper()
    if letter not in GROUPS:
        raise unknown_group(letter, path=f"{path}.field")
    name = data.get("op")
    operator = _OPS_FROM_JSON.get(name.lower()) if isinstance(name, str) else None
    if operator is None:
        names = ", ".join(f'"{n}"' for n in _JSON_OPS.values())
        raise RuleError(
            gettext_noop("expected 'op' to be one of %(operators)s, found %(found)s"),
            params={"operators": names, "found": _kind(name)},
            path=f"{path}.op",
            expected="an operator",
        )
    raw = data.get("value")
    value_path = f"{path}.value"
    values: tuple[str, ...]
    if operator is Operator.IS_EMPTY:
        if raw is not None:
            raise RuleError(
                gettext_noop("is_empty takes no value; leave 'value' out"), path=value_path
            )
        values = ()
    elif operator in (Operator.BETWEEN, Operator.IN):
        wanted = phrase(
            gettext_noop("a list of two values")
            if operator is Operator.BETWEEN
            else gettext_noop("a list of values")
        )
        if not isinstance(raw, list) or not raw:
            raise _wanted(wanted, _kind(raw), path=value_path)
        if len(raw) > MAX_LIST_VALUES:
            raise too_many_values(path=value_path)
        values = tuple(_scalar(item, f"{value_path}[{i}]") for i, item in enumerate(raw))
        if operator is Operator.BETWEEN and len(values) != 2:
            raise _wanted(wanted, len(values), path=value_path)
    else:
        values = (_scalar(raw, value_path),)
    field = f"{letter}.{match.group(2).lower()}"
    return Condition(field, operator, values)


def _scalar(raw: object, path: str) -> str:
    if isinstance(raw, str):
        return raw
    # Whole numbers are natural in JSON (booking codes); fractions are not, since a
    # float cannot hold 12.10 exactly.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise RuleError(
        gettext_noop(
            'expected a value as a string, such as "2020-04-01" or "12.50", found %(found)s'
        ),
        params={"found": _kind(raw)},
        path=path,
        expected="a string",
    )


def _only(data: dict[object, object], allowed: set[str], path: str) -> None:
    extra = sorted(str(key) for key in data if key not in allowed)
    if extra:
        raise RuleError(
            gettext_noop("unexpected key '%(key)s'; this object takes only %(keys)s"),
            params={"key": extra[0], "keys": ", ".join(sorted(allowed))},
            path=f"{path}.{extra[0]}",
        )


def _wanted(wanted: RuleRefusal, found: RuleRefusal | str | int, *, path: str) -> RuleError:
    return RuleError(
        gettext_noop("expected %(what)s, found %(found)s"),
        params={"what": wanted, "found": found},
        path=path,
    )


def _kind(value: object) -> RuleRefusal | str:
    """What a JSON value is, as a message says it: JSON's own words and a string as
    they are written, the rest in the message's language."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float | Decimal):
        return phrase(gettext_noop("the number %(number)s"), number=str(value))
    return phrase(gettext_noop("a list") if isinstance(value, list) else gettext_noop("an object"))
