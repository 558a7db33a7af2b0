"""Notice texts checked when they are saved, so a library can never write a notice that
fails at the 1st.

A text may use only ``{{ placeholder }}``, ``{% if placeholder %}…{% endif %}`` and the
text filters of :mod:`lidgeld.notices.rendering`; everything else (attributes, calls,
loops, macros, includes) is refused with the line and the name that is wrong. A text can
also be valid and still not render: Jinja compiles it to Python, whose compiler allows
about 99 nested blocks (``{% if %}`` 99 deep is "too many levels of indentation"), and
Jinja's own parser overflows Python's stack from about 245 ``{% if %}`` or a few hundred
``not``/brackets deep. So nesting is bounded (``MAX_IF_NESTING``,
``MAX_EXPRESSION_DEPTH``) before the text is parsed, and saving renders it with sample
values, once for a borrower with an open fee and once for one with nothing open.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from lidgeld.errors import InvalidInput
from lidgeld.notices.rendering import (
    FILTERS,
    HTML_SANDBOX,
    MAX_EXPRESSION_DEPTH,
    MAX_IF_NESTING,
    PLACEHOLDERS,
    TEXT_SANDBOX,
    TOO_DEEP,
    RenderFailure,
    render_part,
)

_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.Const,
    nodes.Filter,
    nodes.CondExpr,
    nodes.Concat,
)


# What saving renders a text with: every value filled in, then every value empty
# (a borrower with nothing open and no address details), so both branches of each
# {% if %} are compiled and run once.
SAMPLE_VALUES: dict[str, str] = {
    "first_name": "An",
    "last_name": "Peeters",
    "card_number": "2001",
    "membership_end": "31/12/2026",
    "instance_name": "Bibliotheek",
    "instance_address": "Kouter 29\n9000 Gent",
    "opening_hours": "ma–za 10–19 u.",
    "open_amount": "12,50",
    "payment_reference": "+++123/4567/89002+++",
    "iban": "BE68 5390 0754 7034",
    "portal_url": "https://bibliotheek.be",
    "notice_date": "01/12/2026",
}
EMPTY_VALUES = dict.fromkeys(PLACEHOLDERS, "")


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr):
        return f"'.{node.attr}' reaches beyond the documented values"
    if isinstance(node, nodes.Getitem):
        return "'[…]' reaches beyond the documented values"
    if isinstance(node, nodes.Call):
        return "calling something is not allowed"
    if isinstance(node, nodes.For):
        return "'{% for %}' is not allowed"
    return f"'{type(node).__name__}' is not allowed; use {{{{ placeholder }}}} and {{% if %}}"


def _if_nesting_error(env: SandboxedEnvironment, source: str, part: str) -> str | None:
    """The first ``{% if %}`` nested deeper than allowed, read from the tokens (the lexer
    does not recurse, so this works where parsing would overflow)."""
    depth = 0
    tag_opened = False
    try:
        for line, kind, value in env.lex(source):
            if kind == "whitespace":
                continue
            if kind == "block_begin":
                tag_opened = True
                continue
            if tag_opened and kind == "name":
                if value == "if":
                    depth += 1
                    if depth > MAX_IF_NESTING:
                        return (
                            f"{part}, line {line}: '{{% if %}}' inside {depth - 1} others; "
                            f"at most {MAX_IF_NESTING} may be nested"
                        )
                elif value == "endif":
                    depth -= 1
            tag_opened = False
    except TemplateSyntaxError:
        return None  # the parser says what is wrong, with its line
    return None


def _expression_depth_error(tree: nodes.Node, part: str) -> str | None:
    """The first expression nested deeper than allowed, walked without recursion."""
    stack: list[tuple[nodes.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            return (
                f"{part}, line {getattr(node, 'lineno', 1)}: nested too deeply; at most "
                f"{MAX_EXPRESSION_DEPTH} 'not', 'and', 'or' or filters inside each other"
            )
        for child in node.iter_child_nodes():
            stack.append((child, depth + 1 if isinstance(child, nodes.Expr) else 0))
    return None


def template_errors(source: str, *, part: str, html: bool = False) -> list[str]:
    """What is wrong with a template, one sentence per problem ("body, line 3: …")."""
    env = HTML_SANDBOX if html else TEXT_SANDBOX
    if too_deep := _if_nesting_error(env, source, part):
        return [too_deep]
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        return [f"{part}, line {error.lineno}: {error.message}"]
    except (RecursionError, MemoryError):
        line = _deepest_line(env, source)
        return [f"{part}, line {line}: {TOO_DEEP}, or 'not' and brackets a few levels deep"]
    if too_deep := _expression_depth_error(tree, part):
        return [too_deep]
    problems: list[str] = []
    for node in tree.find_all(nodes.Node):
        line = getattr(node, "lineno", 1)
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(f"{part}, line {line}: {_describe(node)}")
        elif isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            problems.append(
                f"{part}, line {line}: unknown placeholder '{node.name}'; known: {', '.join(PLACEHOLDERS)}"
            )
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            problems.append(
                f"{part}, line {line}: unknown filter '{node.name}'; known: {', '.join(FILTERS)}"
            )
    return problems


def _deepest_line(env: SandboxedEnvironment, source: str) -> int:
    """The line where brackets are open deepest: where a text too deep to parse is."""
    depth, deepest, line_of = 0, -1, 1
    try:
        for line, kind, _value in env.lex(source):
            if kind in ("lparen", "lbracket", "lbrace"):
                depth += 1
                if depth > deepest:
                    deepest, line_of = depth, line
            elif kind in ("rparen", "rbracket", "rbrace"):
                depth -= 1
    except TemplateSyntaxError:
        pass
    return line_of


def trial_render_errors(*, subject: str, body_text: str, body_html: str = "") -> list[str]:
    """Render a text that passed ``template_errors`` with sample values, as saving does:
    what fails, per part and per kind of borrower."""
    problems: list[str] = []
    parts = [("subject", subject, TEXT_SANDBOX), ("body", body_text, TEXT_SANDBOX)]
    if body_html:
        parts.append(("HTML body", body_html, HTML_SANDBOX))
    for values, who in ((SAMPLE_VALUES, "with an open fee"), (EMPTY_VALUES, "with nothing open")):
        for part, source, env in parts:
            try:
                render_part(env, source, values)
            except RenderFailure as failure:
                problems.append(
                    f"{part} cannot be rendered for a borrower {who}: {failure.message}"
                )
    return problems


def validate_template(*, subject: str, body_text: str, body_html: str = "") -> None:
    if not subject.strip():
        raise InvalidInput(_("the subject is empty"), code="subject_empty")
    if not body_text.strip():
        raise InvalidInput(_("the plain-text body is empty"), code="body_empty")
    if "\n" in subject:
        raise InvalidInput(_("the subject must be one line"), code="subject_lines")
    problems = (
        template_errors(subject, part="subject")
        + template_errors(body_text, part="body")
        + (template_errors(body_html, part="HTML body", html=True) if body_html else [])
    )
    if problems:
        raise InvalidInput("; ".join(problems))
    if problems := trial_render_errors(subject=subject, body_text=body_text, body_html=body_html):
        raise InvalidInput("; ".join(problems))
