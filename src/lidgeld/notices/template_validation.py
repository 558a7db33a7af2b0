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

from lidgeld.errors import InvalidInput, LidgeldError
from lidgeld.notices.rendering import (
    FILTERS,
    HTML_SANDBOX,
    MAX_EXPRESSION_DEPTH,
    MAX_IF_NESTING,
    PLACEHOLDERS,
    TEXT_SANDBOX,
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
    "next_period_start": "01/01/2027",
    "age_at_next_start": "18",
    "next_type_name": "Volwassene",
    "next_type_fee": "12,00",
    "next_type_months": "12",
    "new_email_masked": "h***@example.be",
    "changed_in_portal": "ja",
}
EMPTY_VALUES = dict.fromkeys(PLACEHOLDERS, "")

# The problems that are a part left out or misshapen rather than a template's mistake.
_REQUIRED = frozenset({"subject_empty", "body_empty", "subject_lines"})
# The parts of a text as the person writing it reads their names.
PART_NAMES = {"subject": _("subject"), "body": _("body"), "HTML body": _("HTML body")}


def _at(part: str, line: int, problem: LidgeldError | str) -> InvalidInput:
    """A problem placed in a text; ``problem`` is ours, or Jinja's own (English) sentence."""
    return InvalidInput(
        _("%(part)s, line %(line)s: %(problem)s"),
        code="template_invalid",
        params={"part": PART_NAMES.get(part, part), "line": line, "problem": problem},
    )


def _describe(node: nodes.Node) -> InvalidInput:
    if isinstance(node, nodes.Getattr):
        return InvalidInput(
            _("'.%(attribute)s' reaches beyond the documented values"),
            code="template_beyond",
            params={"attribute": node.attr},
        )
    if isinstance(node, nodes.Getitem):
        return InvalidInput(_("'[…]' reaches beyond the documented values"), code="template_beyond")
    if isinstance(node, nodes.Call):
        return InvalidInput(_("calling something is not allowed"), code="template_not_allowed")
    if isinstance(node, nodes.For):
        return InvalidInput(_("'{% for %}' is not allowed"), code="template_not_allowed")
    return InvalidInput(
        _("'%(node)s' is not allowed; use {{ placeholder }} and {%% if %%}"),
        code="template_not_allowed",
        params={"node": type(node).__name__},
    )


def _if_nesting_error(env: SandboxedEnvironment, source: str, part: str) -> InvalidInput | None:
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
                        return _at(
                            part,
                            line,
                            InvalidInput(
                                _(
                                    "'{%% if %%}' inside %(others)s others; at most %(most)s may be nested"
                                ),
                                code="template_too_deep",
                                params={"others": depth - 1, "most": MAX_IF_NESTING},
                            ),
                        )
                elif value == "endif":
                    depth -= 1
            tag_opened = False
    except TemplateSyntaxError:
        return None  # the parser says what is wrong, with its line
    return None


def _expression_depth_error(tree: nodes.Node, part: str) -> InvalidInput | None:
    """The first expression nested deeper than allowed, walked without recursion."""
    stack: list[tuple[nodes.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            return _at(
                part,
                getattr(node, "lineno", 1),
                InvalidInput(
                    _(
                        "nested too deeply; at most %(most)s 'not', 'and', 'or' or filters "
                        "inside each other"
                    ),
                    code="template_too_deep",
                    params={"most": MAX_EXPRESSION_DEPTH},
                ),
            )
        for child in node.iter_child_nodes():
            stack.append((child, depth + 1 if isinstance(child, nodes.Expr) else 0))
    return None


def template_errors(source: str, *, part: str, html: bool = False) -> list[InvalidInput]:
    """What is wrong with a template, one error per problem ("body, line 3: …")."""
    env = HTML_SANDBOX if html else TEXT_SANDBOX
    if too_deep := _if_nesting_error(env, source, part):
        return [too_deep]
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        return [_at(part, error.lineno, error.message or str(error))]
    except (RecursionError, MemoryError):
        too_deep = InvalidInput(
            _(
                "nested too deeply: at most %(most)s '{%% if %%}' inside each other, or 'not' "
                "and brackets a few levels deep"
            ),
            code="template_too_deep",
            params={"most": MAX_IF_NESTING},
        )
        return [_at(part, _deepest_line(env, source), too_deep)]
    if too_deep := _expression_depth_error(tree, part):
        return [too_deep]
    problems: list[InvalidInput] = []
    for node in tree.find_all(nodes.Node):
        line = getattr(node, "lineno", 1)
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(_at(part, line, _describe(node)))
        elif isinstance(node, nodes.Name) and node.name not in PLACEHOLDERS:
            unknown = InvalidInput(
                _("unknown placeholder '%(name)s'; known: %(known)s"),
                code="template_placeholder_unknown",
                params={"name": node.name, "known": ", ".join(PLACEHOLDERS)},
            )
            problems.append(_at(part, line, unknown))
        elif isinstance(node, nodes.Filter) and node.name not in FILTERS:
            unknown = InvalidInput(
                _("unknown filter '%(name)s'; known: %(known)s"),
                code="template_filter_unknown",
                params={"name": node.name, "known": ", ".join(FILTERS)},
            )
            problems.append(_at(part, line, unknown))
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


def trial_render_errors(*, subject: str, body_text: str, body_html: str = "") -> list[InvalidInput]:
    """Render a text that passed ``template_errors`` with sample values, as saving does:
    what fails, per part and per kind of borrower."""
    problems: list[InvalidInput] = []
    parts = [("subject", subject, TEXT_SANDBOX), ("body", body_text, TEXT_SANDBOX)]
    if body_html:
        parts.append(("HTML body", body_html, HTML_SANDBOX))
    trials = (
        (
            SAMPLE_VALUES,
            _("%(part)s cannot be rendered for a borrower with an open fee: %(problem)s"),
        ),
        (
            EMPTY_VALUES,
            _("%(part)s cannot be rendered for a borrower with nothing open: %(problem)s"),
        ),
    )
    for values, sentence in trials:
        for part, source, env in parts:
            try:
                render_part(env, source, values)
            except RenderFailure as failure:
                problems.append(
                    InvalidInput(
                        sentence,
                        code="template_not_renderable",
                        params={"part": PART_NAMES[part], "problem": failure},
                    )
                )
    return problems


def template_problems(*, subject: str, body_text: str, body_html: str = "") -> list[InvalidInput]:
    """Everything wrong with a text, as saving and the preview while typing check it: the
    parts that must be there, then each part's template, then a trial render."""
    problems: list[InvalidInput] = []
    if not subject.strip():
        problems.append(InvalidInput(_("the subject is empty"), code="subject_empty"))
    if not body_text.strip():
        problems.append(InvalidInput(_("the plain-text body is empty"), code="body_empty"))
    if "\n" in subject:
        problems.append(InvalidInput(_("the subject must be one line"), code="subject_lines"))
    problems += template_errors(subject, part="subject") + template_errors(body_text, part="body")
    if body_html:
        problems += template_errors(body_html, part="HTML body", html=True)
    if not problems:
        problems = trial_render_errors(subject=subject, body_text=body_text, body_html=body_html)
    return problems


def validate_template(*, subject: str, body_text: str, body_html: str = "") -> None:
    """Refused with what is wrong: a missing part alone (the form marks that field),
    else every problem of the templates in one sentence."""
    problems = template_problems(subject=subject, body_text=body_text, body_html=body_html)
    missing = next((problem for problem in problems if problem.code in _REQUIRED), None)
    if missing is not None:
        raise missing
    if problems:
        raise InvalidInput("%(problems)s", code="template_invalid", params={"problems": problems})
