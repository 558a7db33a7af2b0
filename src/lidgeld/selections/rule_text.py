"""The text form of a rule: ``parse`` reads it into a tree, ``to_text`` writes it back.

Text: ``B.date between 2020-04-01 t/m 2020-04-30 AND B.kind = CAE``. The form
round-trips exactly: ``parse(to_text(t)) == t`` for every tree whose AND and OR are
flat, which is the only kind ``parse`` makes. Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

_KEYWORDS = frozenset({"and", "or", "not", "between", "in", "contains", "is", "empty", "t/m"})
# ASCII spellings of the comparison operators, besides the canonical = ≠ < ≤ > ≥.
_SYMBOLS = {"!=": Operator.NE, "<>": Operator.NE, "<=": Operator.LE, ">=": Operator.GE}
_SYMBOLS.update((op.value, op) for op in Operator if len(op.value) == 1)
_OPERATOR_LIST = gettext_noop("an operator (=, ≠, <, ≤, >, ≥, between, in, contains, is empty)")


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
        return RuleError(
            gettext_noop("'!' must be followed by '='; write != or ≠"),
            position=i,
            expected="'='",
        )
    if text[i] != '"':
        return RuleError(
            gettext_noop(
                "unexpected character '%(character)s'; put a value that contains it in "
                "double quotes"
            ),
            params={"character": text[i]},
            position=i,
        )
    escape = _BAD_ESCAPE.match(text, i + 1)
    if escape:
        return RuleError(
            gettext_noop(
                "unknown escape '%(escape)s' in a quoted value; "
                'write \\" for a double quote and \\\\ for a backslash'
            ),
            params={"escape": escape.group(1)},
            position=escape.start(1),
        )
    return RuleError(
        gettext_noop('unterminated quoted value; end it with a double quote (")'),
        position=i,
        expected="'\"'",
    )


def _found(token: _Token) -> RuleRefusal | str:
    return phrase(gettext_noop("the end of the rule")) if token.kind == _END else f"'{token.text}'"


def _expected(
    token: _Token,
    what: str | RuleRefusal,
    *,
    after: str = "",
    hint: RuleRefusal | str = "",
) -> RuleError:
    """``what`` and ``hint``: phrases, or the rule language's own words as they are."""
    params = {"what": what, "found": _found(token), "hint": hint}
    if after:
        template = gettext_noop("expected %(what)s after %(after)s, found %(found)s%(hint)s")
        params["after"] = after
    else:
        template = gettext_noop("expected %(what)s, found %(found)s%(hint)s")
    return RuleError(template, params=params, position=token.start, expected=str(what))


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
        return joined(Or, items)

    def all_of(self) -> Node:
        items = [self.negation()]
        while self.at_word("and"):
            self.take()
            items.append(self.negation())
        return joined(And, items)

    def negation(self) -> Node:
        if self.peek().kind != "(" and not self.at_word("not"):
            return self.condition()
        if self.depth == MAX_DEPTH:
            raise too_deep(position=self.peek().start)
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
                gettext_noop(
                    "expected ')' at the end, to close the '(' at character %(character)s"
                ),
                params={"character": opening.start + 1},
                position=closing.start,
                expected="')'",
            )
        if closing.kind != ")":
            what = phrase(
                gettext_noop("AND, OR or ')' to close the '(' at character %(character)s"),
                character=opening.start + 1,
            )
            raise _expected(closing, what, hint=_spaced(closing))
        self.take()
        return node

    def condition(self) -> Condition:
        if self.conditions == MAX_CONDITIONS:
            raise too_many_conditions(position=self.peek().start)
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
                raise _expected(
                    self.peek(),
                    phrase(gettext_noop("'and' or 't/m' between the two values of between")),
                )
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
                hint = phrase(gettext_noop("; write NOT %(ref)s is empty"), ref=ref)
                raise _expected(self.peek(), "'empty'", after="'is'", hint=hint)
            if not self.at_word("empty"):
                raise _expected(self.peek(), "'empty'", after="'is'")
            self.take()
        else:
            raise _expected(token, phrase(_OPERATOR_LIST), after=ref)
        return Condition(
            ref,
            operator,
            tuple(text for text, _ in values),
            span=(first.start, self.last_end),
            value_spans=tuple(span for _, span in values),
        )

    def field(self, token: _Token) -> str:
        match = FIELD_REF.fullmatch(token.value) if token.kind == _WORD else None
        if match is None:
            if token.kind == _WORD and not _is_keyword(token.value):
                what = gettext_noop("a field such as B.date (group letter, dot, field name)")
            else:
                what = gettext_noop("a condition such as B.date = 2020-04-01")
            raise _expected(token, phrase(what))
        letter = match.group(1).upper()
        if letter not in GROUPS:
            raise unknown_group(letter, position=token.start)
        return f"{letter}.{match.group(2).lower()}"

    def value(self, *, after: str) -> tuple[str, tuple[int, int]]:
        token = self.peek()
        if token.kind == _STRING or (token.kind == _WORD and not _is_keyword(token.value)):
            self.take()
            return token.value, (token.start, token.end)
        hint: RuleRefusal | str = ""
        if token.kind == _WORD:
            hint = phrase(
                gettext_noop('; a value that is a keyword goes in double quotes: "%(word)s"'),
                word=token.value,
            )
        raise _expected(token, phrase(gettext_noop("a value")), after=after, hint=hint)

    def value_list(self) -> list[tuple[str, tuple[int, int]]]:
        self.take()
        if self.peek().kind != "(":
            what = phrase(gettext_noop("'(' and a list of values, such as in (nl, fr)"))
            raise _expected(self.peek(), what, after="in")
        self.take()
        if self.peek().kind == ")":
            what = phrase(gettext_noop("at least one value between the brackets of in"))
            raise _expected(self.peek(), what)
        values = [self.value(after="'('")]
        while self.peek().kind == ",":
            self.take()
            if len(values) == MAX_LIST_VALUES:
                raise too_many_values(position=self.peek().start)
            values.append(self.value(after="','"))
        if self.peek().kind != ")":
            raise _expected(self.peek(), phrase(gettext_noop("',' or ')' in the list of values")))
        self.take()
        return values


def parse(text: str) -> Node:
    """The tree of a rule written as text; RuleError says where and what was expected."""
    parser = _Parser(text)
    if parser.peek().kind == _END:
        raise RuleError(
            gettext_noop("empty rule; write a condition such as B.date = 2020-04-01"),
            position=0,
            expected="a condition",
        )
    node = parser.any_of()
    token = parser.peek()
    if token.kind == ")":
        raise RuleError(gettext_noop("this ')' has no matching '('"), position=token.start)
    if token.kind == ",":
        raise RuleError(
            gettext_noop(
                "a comma only separates the values of in (…); write amounts with a dot (12.50) "
                'or in double quotes ("12,50")'
            ),
            position=token.start,
        )
    if token.kind != _END:
        what = phrase(gettext_noop("AND, OR or the end of the rule"))
        raise _expected(token, what, hint=_spaced(token))
    return node


def _spaced(token: _Token) -> RuleRefusal | str:
    """A hint for the usual cause of a stray word: a value with a space, unquoted."""
    if token.kind == _WORD and not _is_keyword(token.value):
        return phrase(
            gettext_noop('; put a value that contains spaces in double quotes, such as "1 april"')
        )
    return ""


# --- tree -> text ---------------------------------------------------------------


def _precedence(node: Node) -> int:
    return {Or: 1, And: 2, Not: 3, Condition: 4}[type(node)]


def _value_text(value: str) -> str:
    if _BARE.fullmatch(value) and not _is_keyword(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_text(node: Node) -> str:
    """The canonical text of a tree: what parse() reads back into the same tree."""
    if isinstance(node, Condition):
        values = [_value_text(value) for value in checked_values(node)]
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
