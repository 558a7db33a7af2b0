"""The rule language of selections (R9): a small tree, its text form and its JSON form.

Text: ``B.date between 2020-04-01 t/m 2020-04-30 AND B.kind = CAE``
JSON: ``{"and": [{"field": "B.date", "op": "between", "value": [...]}, ...]}``

``parse`` and ``from_json`` check the shape only; ``validate`` checks a tree against
the field catalogue. Both forms round-trip exactly: ``parse(to_text(t)) == t`` for
every tree whose AND and OR are flat, which is the only kind ``parse`` makes.
Standard library only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeAlias

from lidgeld.selections.fields import (
    GROUPS,
    Field,
    Operator,
    RuleError,
    Value,
    ValueType,
    coerce,
    field_for,
    operators_for,
    unknown_group,
)

__all__ = [
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_LIST_VALUES",
    "And",
    "Condition",
    "Node",
    "Not",
    "Operator",
    "Or",
    "RuleError",
    "conditions",
    "from_json",
    "parse",
    "to_json",
    "to_text",
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

_KEYWORDS = frozenset({"and", "or", "not", "between", "in", "contains", "is", "empty", "t/m"})
_FIELD = re.compile(r"([A-Za-z])\.([A-Za-z_]+)")
# ASCII spellings of the comparison operators, besides the canonical = ≠ < ≤ > ≥.
_SYMBOLS = {"!=": Operator.NE, "<>": Operator.NE, "<=": Operator.LE, ">=": Operator.GE}
_SYMBOLS.update((op.value, op) for op in Operator if len(op.value) == 1)
_OPERATOR_LIST = "an operator (=, ≠, <, ≤, >, ≥, between, in, contains, is empty)"
_TYPE_WORDS = {
    ValueType.TEXT: "text",
    ValueType.INTEGER: "a whole number",
    ValueType.MONEY: "an amount",
    ValueType.DATE: "a date",
    ValueType.CHOICE: "a choice",
}


def _is_keyword(word: str) -> bool:
    return word.lower() in _KEYWORDS


# --- text -> tree ---------------------------------------------------------------

_WORD, _STRING, _OP, _END = "word", "string", "operator", "end"  # as in _LEXEME


@dataclass(frozen=True)
class _Token:
    kind: str  # one of the constants above, or the punctuation itself: ( ) ,
    text: str  # as written, for messages
    value: str  # a string's unquoted content; the text otherwise
    start: int
    end: int
    op: Operator | None = None


_LEXEME = re.compile(
    r"(?P<punctuation>[(),])|(?P<operator>!=|<>|<=|>=|[≠≤≥=<>])"
    r'|(?P<word>[\w.@/+:-]+)|(?P<string>"(?:[^"\\]|\\["\\])*")'
)
_BARE = re.compile(r"[\w.@/+:-]+")  # the word lexeme: what may stand unquoted
_BAD_ESCAPE = re.compile(r'(?:[^"\\]|\\["\\])*(\\[^"\\])')


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return [*tokens, _Token(_END, "", "", i, i)]
        match = _LEXEME.match(text, i)
        if match is None:
            raise _lexing_error(text, i)
        lexeme, kind = match.group(), match.lastgroup or ""
        if kind == _STRING:
            value = re.sub(r"\\(.)", r"\1", lexeme[1:-1])
        elif kind == "punctuation":
            kind = value = lexeme
        else:
            value = lexeme
        tokens.append(_Token(kind, lexeme, value, i, match.end(), _SYMBOLS.get(lexeme)))
        i = match.end()


def _lexing_error(text: str, i: int) -> RuleError:
    if text[i] == "!":
        return RuleError("'!' must be followed by '='; write != or ≠", position=i, expected="'='")
    if text[i] != '"':
        return RuleError(
            f"unexpected character '{text[i]}'; put a value that contains it in double quotes",
            position=i,
        )
    escape = _BAD_ESCAPE.match(text, i + 1)
    if escape:
        return RuleError(
            f"unknown escape '{escape.group(1)}' in a quoted value; "
            'write \\" for a double quote and \\\\ for a backslash',
            position=escape.start(1),
        )
    return RuleError(
        'unterminated quoted value; end it with a double quote (")', position=i, expected="'\"'"
    )


def _found(token: _Token) -> str:
    return "the end of the rule" if token.kind == _END else f"'{token.text}'"


def _expected(token: _Token, what: str, *, after: str = "", hint: str = "") -> RuleError:
    where = f" after {after}" if after else ""
    return RuleError(
        f"expected {what}{where}, found {_found(token)}{hint}", position=token.start, expected=what
    )


def _join(kind: type[And] | type[Or], nodes: list[Node]) -> Node:
    """One And/Or over the nodes, lifting nested ones of the same kind (one tree per rule)."""
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.items if isinstance(node, kind) else (node,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _too_deep(*, position: int | None = None, path: str | None = None) -> RuleError:
    return RuleError(
        f"brackets and NOT are nested more than {MAX_DEPTH} deep here; "
        "write the rule with fewer levels",
        position=position,
        path=path,
    )


def _too_many_conditions(*, position: int | None = None, path: str | None = None) -> RuleError:
    return RuleError(
        f"a rule holds at most {MAX_CONDITIONS} conditions; split it into several "
        "selections and combine their sets",
        position=position,
        path=path,
    )


def _too_many_values(*, position: int | None = None, path: str | None = None) -> RuleError:
    return RuleError(
        f"one 'in' takes at most {MAX_LIST_VALUES} values; split the list over several "
        "conditions joined by OR",
        position=position,
        path=path,
    )


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.last_end = 0
        self.depth = 0  # brackets and NOT open around the current token
        self.conditions = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != _END:
            self.index += 1
            self.last_end = token.end
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == _WORD and token.value.lower() in words

    def any_of(self) -> Node:
        items = [self.all_of()]
        while self.at_word("or"):
            self.take()
            items.append(self.all_of())
        return _join(Or, items)

    def all_of(self) -> Node:
        items = [self.negation()]
        while self.at_word("and"):
            self.take()
            items.append(self.negation())
        return _join(And, items)

    def negation(self) -> Node:
        if self.peek().kind != "(" and not self.at_word("not"):
            return self.condition()
        if self.depth == MAX_DEPTH:
            raise _too_deep(position=self.peek().start)
        self.depth += 1
        try:
            return self.nested()
        finally:
            self.depth -= 1

    def nested(self) -> Node:
        if self.at_word("not"):
            self.take()
            return Not(self.negation())
        opening = self.take()
        node = self.any_of()
        closing = self.peek()
        if closing.kind == _END:
            raise RuleError(
                f"expected ')' at the end, to close the '(' at character {opening.start + 1}",
                position=closing.start,
                expected="')'",
            )
        if closing.kind != ")":
            what = f"AND, OR or ')' to close the '(' at character {opening.start + 1}"
            raise _expected(closing, what, hint=_spaced(closing))
        self.take()
        return node

    def condition(self) -> Condition:
        if self.conditions == MAX_CONDITIONS:
            raise _too_many_conditions(position=self.peek().start)
        self.conditions += 1
        first = self.take()
        ref = self.field(first)
        token = self.peek()
        values: list[tuple[str, tuple[int, int]]] = []
        if token.kind == _OP and token.op is not None:
            operator = token.op
            self.take()
            values.append(self.value(after=f"'{token.text}'"))
        elif self.at_word("between"):
            operator = Operator.BETWEEN
            self.take()
            values.append(self.value(after="between"))
            if not self.at_word("and", "t/m"):
                raise _expected(self.peek(), "'and' or 't/m' between the two values of between")
            separator = self.take()
            values.append(self.value(after=f"'{separator.text}'"))
        elif self.at_word("in"):
            operator = Operator.IN
            values.extend(self.value_list())
        elif self.at_word("contains"):
            operator = Operator.CONTAINS
            self.take()
            values.append(self.value(after="contains"))
        elif self.at_word("is"):
            operator = Operator.IS_EMPTY
            self.take()
            if self.at_word("not"):
                raise _expected(
                    self.peek(), "'empty'", after="'is'", hint=f"; write NOT {ref} is empty"
                )
            if not self.at_word("empty"):
                raise _expected(self.peek(), "'empty'", after="'is'")
            self.take()
        else:
            raise _expected(token, _OPERATOR_LIST, after=ref)
        return Condition(
            ref,
            operator,
            tuple(text for text, _ in values),
            span=(first.start, self.last_end),
            value_spans=tuple(span for _, span in values),
        )

    def field(self, token: _Token) -> str:
        match = _FIELD.fullmatch(token.value) if token.kind == _WORD else None
        if match is None:
            if token.kind == _WORD and not _is_keyword(token.value):
                raise _expected(token, "a field such as B.date (group letter, dot, field name)")
            raise _expected(token, "a condition such as B.date = 2020-04-01")
        letter = match.group(1).upper()
        if letter not in GROUPS:
            raise RuleError(unknown_group(letter), position=token.start, expected="a field group")
        return f"{letter}.{match.group(2).lower()}"

    def value(self, *, after: str) -> tuple[str, tuple[int, int]]:
        token = self.peek()
        if token.kind == _STRING or (token.kind == _WORD and not _is_keyword(token.value)):
            self.take()
            return token.value, (token.start, token.end)
        hint = ""
        if token.kind == _WORD:
            hint = f'; a value that is a keyword goes in double quotes: "{token.value}"'
        raise _expected(token, "a value", after=after, hint=hint)

    def value_list(self) -> list[tuple[str, tuple[int, int]]]:
        self.take()
        if self.peek().kind != "(":
            raise _expected(
                self.peek(), "'(' and a list of values, such as in (nl, fr)", after="in"
            )
        self.take()
        if self.peek().kind == ")":
            raise _expected(self.peek(), "at least one value between the brackets of in")
        values = [self.value(after="'('")]
        while self.peek().kind == ",":
            self.take()
            if len(values) == MAX_LIST_VALUES:
                raise _too_many_values(position=self.peek().start)
            values.append(self.value(after="','"))
        if self.peek().kind != ")":
            raise _expected(self.peek(), "',' or ')' in the list of values")
        self.take()
        return values


def parse(text: str) -> Node:
    """The tree of a rule written as text; RuleError says where and what was expected."""
    parser = _Parser(text)
    if parser.peek().kind == _END:
        raise RuleError(
            "empty rule; write a condition such as B.date = 2020-04-01",
            position=0,
            expected="a condition",
        )
    node = parser.any_of()
    token = parser.peek()
    if token.kind == ")":
        raise RuleError("this ')' has no matching '('", position=token.start)
    if token.kind == ",":
        raise RuleError(
            "a comma only separates the values of in (…); write amounts with a dot (12.50) "
            'or in double quotes ("12,50")',
            position=token.start,
        )
    if token.kind != _END:
        raise _expected(token, "AND, OR or the end of the rule", hint=_spaced(token))
    return node


def _spaced(token: _Token) -> str:
    """A hint for the usual cause of a stray word: a value with a space, unquoted."""
    if token.kind == _WORD and not _is_keyword(token.value):
        return '; put a value that contains spaces in double quotes, such as "1 april"'
    return ""


# --- tree -> text ---------------------------------------------------------------


def _precedence(node: Node) -> int:
    return {Or: 1, And: 2, Not: 3, Condition: 4}[type(node)]


def _arity_problem(condition: Condition) -> str | None:
    count, operator = len(condition.values), condition.operator
    if operator is Operator.IS_EMPTY:
        return None if count == 0 else "'is empty' takes no value"
    if operator is Operator.BETWEEN:
        return None if count == 2 else "between needs two values, such as 2020-04-01 and 2020-04-30"
    if operator is Operator.IN:
        return None if count >= 1 else "in needs at least one value, such as in (nl, fr)"
    return None if count == 1 else f"'{operator.value}' needs exactly one value"


def _checked(condition: Condition) -> tuple[str, ...]:
    problem = _arity_problem(condition)
    if problem is not None:
        raise ValueError(f"{condition.field}: {problem}")
    return condition.values


def _value_text(value: str) -> str:
    if _BARE.fullmatch(value) and not _is_keyword(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_text(node: Node) -> str:
    """The canonical text of a tree: what parse() reads back into the same tree."""
    if isinstance(node, Condition):
        values = [_value_text(value) for value in _checked(node)]
        operator = node.operator
        if operator is Operator.BETWEEN:
            return f"{node.field} between {values[0]} and {values[1]}"
        if operator is Operator.IN:
            return f"{node.field} in ({', '.join(values)})"
        if operator is Operator.IS_EMPTY:
            return f"{node.field} is empty"
        return f"{node.field} {operator.value} {values[0]}"
    if isinstance(node, Not):
        return "NOT " + _bracketed(node.item, 3)
    joiner, level = (" AND ", 2) if isinstance(node, And) else (" OR ", 1)
    return joiner.join(_bracketed(item, level) for item in node.items)


def _bracketed(node: Node, level: int) -> str:
    text = to_text(node)
    return f"({text})" if _precedence(node) < level else text


# --- JSON -----------------------------------------------------------------------

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
        values = _checked(node)
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
            f"expected a rule object with 'and', 'or', 'not' or 'field', found {_kind(data)}",
            path=path,
            expected="an object",
        )
    if depth == MAX_DEPTH and any(key in data for key in ("and", "or", "not")):
        raise _too_deep(path=path)
    for key, kind in (("and", And), ("or", Or)):
        if key in data:
            _only(data, {key}, path)
            items = data[key]
            if not isinstance(items, list) or not items:
                raise RuleError(
                    f"expected a non-empty list of rules, found {_kind(items)}",
                    path=f"{path}.{key}",
                    expected="a list",
                )
            nodes = [
                _from_json(item, f"{path}.{key}[{i}]", depth=depth + 1, seen=seen)
                for i, item in enumerate(items)
            ]
            return _join(kind, nodes)
    if "not" in data:
        _only(data, {"not"}, path)
        return Not(_from_json(data["not"], f"{path}.not", depth=depth + 1, seen=seen))
    if "field" in data:
        if seen[0] == MAX_CONDITIONS:
            raise _too_many_conditions(path=path)
        seen[0] += 1
        return _condition_from_json(data, path)
    raise RuleError(
        "expected a rule object with one of the keys 'and', 'or', 'not' or 'field'",
        path=path,
        expected="an object",
    )


def _condition_from_json(data: dict[object, object], path: str) -> Condition:
    _only(data, {"field", "op", "value"}, path)
    ref = data["field"]
    match = _FIELD.fullmatch(ref) if isinstance(ref, str) else None
    if match is None:
        raise RuleError(
            f'expected a field such as "B.date", found {_kind(ref)}',
            path=f"{path}.field",
            expected="a field",
        )
    letter = match.group(1).upper()
    if letter not in GROUPS:
        raise RuleError(unknown_group(letter), path=f"{path}.field", expected="a field group")
    name = data.get("op")
    operator = _OPS_FROM_JSON.get(name.lower()) if isinstance(name, str) else None
    if operator is None:
        names = ", ".join(f'"{n}"' for n in _JSON_OPS.values())
        raise RuleError(
            f"expected 'op' to be one of {names}, found {_kind(name)}",
            path=f"{path}.op",
            expected="an operator",
        )
    raw = data.get("value")
    value_path = f"{path}.value"
    values: tuple[str, ...]
    if operator is Operator.IS_EMPTY:
        if raw is not None:
            raise RuleError("is_empty takes no value; leave 'value' out", path=value_path)
        values = ()
    elif operator in (Operator.BETWEEN, Operator.IN):
        wanted = "a list of two values" if operator is Operator.BETWEEN else "a list of values"
        if not isinstance(raw, list) or not raw:
            raise RuleError(f"expected {wanted}, found {_kind(raw)}", path=value_path)
        if len(raw) > MAX_LIST_VALUES:
            raise _too_many_values(path=value_path)
        values = tuple(_scalar(item, f"{value_path}[{i}]") for i, item in enumerate(raw))
        if operator is Operator.BETWEEN and len(values) != 2:
            raise RuleError(f"expected {wanted}, found {len(values)}", path=value_path)
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
        f'expected a value as a string, such as "2020-04-01" or "12.50", found {_kind(raw)}',
        path=path,
        expected="a string",
    )


def _only(data: dict[object, object], allowed: set[str], path: str) -> None:
    extra = sorted(str(key) for key in data if key not in allowed)
    if extra:
        raise RuleError(
            f"unexpected key '{extra[0]}'; this object takes only {', '.join(sorted(allowed))}",
            path=f"{path}.{extra[0]}",
        )


def _kind(value: object) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"


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
            f"{field.ref} ({field.label_nl}) holds {_TYPE_WORDS[field.type]}, so "
            f"'{node.operator.value}' does not apply; use "
            f"{', '.join(usable[:-1])} or {usable[-1]}",
            position=start,
            path=f"{path}.op",
            expected="an operator",
        )
    problem = _arity_problem(node)
    if problem is not None:
        raise RuleError(problem, position=start, path=f"{path}.value")
    typed = [_typed(node, field, i, path) for i in range(len(node.values))]
    if node.operator is Operator.BETWEEN and _after(typed[0], typed[1]):
        raise RuleError(
            f"between {node.values[0]} and {node.values[1]} can never hold: the first value "
            "is larger than the second; swap them",
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
        raise RuleError(
            str(error),
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
