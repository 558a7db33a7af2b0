"""Notice templates: validated when saved, rendered in a sandbox.

A template sees only the documented placeholders, each a plain string, and
may use ``{{ placeholder }}``, ``{% if placeholder %}…{% endif %}`` and a few
text filters. Everything else (attributes, calls, loops, macros, includes)
is refused when the template is saved, with the line and the name that is
wrong, so a library can never write a notice that fails at the 1st.

A text can also be valid and still not render: Jinja compiles it to Python,
whose compiler allows about 99 nested blocks (``{% if %}`` 99 deep is
"too many levels of indentation"), and Jinja's own parser overflows Python's
stack from about 245 ``{% if %}`` or a few hundred ``not``/brackets deep. So
nesting is bounded (``MAX_IF_NESTING``, ``MAX_EXPRESSION_DEPTH``) before the
text is parsed, and saving renders it with sample values, once for a borrower
with an open fee and once for one with nothing open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.blocks import format_amount, format_day
from lidgeld.domain.epc_qr import format_iban
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.errors import InvalidInput
from lidgeld.finance.models import Posting
from lidgeld.finance.selectors import open_contributions
from lidgeld.libraries.models import Instance
from lidgeld.memberships.models import Membership
from lidgeld.notices.defaults import DEFAULTS, DefaultText
from lidgeld.notices.models import Message, NoticeTemplate

PLACEHOLDERS: dict[str, str] = {
    "first_name": "voornaam van de lener",
    "last_name": "familienaam van de lener",
    "card_number": "kaartnummer",
    "membership_end": "einddatum van het lidmaatschap, 31/12/2026",
    "instance_name": "naam van de bibliotheek",
    "instance_address": "adres van de bibliotheek",
    "opening_hours": "openingsuren",
    "open_amount": "openstaand lidgeld van de post met deze mededeling, 12,50 (leeg als niets openstaat)",
    "payment_reference": "gestructureerde mededeling, +++123/4567/89002+++",
    "iban": "rekeningnummer van de bibliotheek",
    "portal_url": "adres van Mijn Bibliotheek",
    "notice_date": "datum van het bericht",
}
FILTERS = ("upper", "lower", "capitalize", "title", "trim")
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


# Far below what breaks Jinja or Python (see above), far above what a notice needs.
MAX_IF_NESTING = 10
MAX_EXPRESSION_DEPTH = 20
TOO_DEEP = f"nested too deeply: at most {MAX_IF_NESTING} '{{% if %}}' inside each other"

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


class RenderFailure(InvalidInput):
    """A text that cannot be turned into a notice, with the reason."""


def _environment(*, html: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=html, keep_trailing_newline=True, trim_blocks=True
    )
    env.filters = {name: env.filters[name] for name in FILTERS}
    env.globals = {}
    env.tests = {}
    return env


_TEXT = _environment(html=False)
_HTML = _environment(html=True)


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
    env = _HTML if html else _TEXT
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
    parts = [("subject", subject, _TEXT), ("body", body_text, _TEXT)]
    if body_html:
        parts.append(("HTML body", body_html, _HTML))
    for values, who in ((SAMPLE_VALUES, "with an open fee"), (EMPTY_VALUES, "with nothing open")):
        for part, source, env in parts:
            try:
                _render_part(env, source, values)
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


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


Source = NoticeTemplate | DefaultText


def template_for(
    *,
    instance: Instance,
    kind: str,
    language: str,
    on: date,
    templates: Iterable[NoticeTemplate] | None = None,
) -> Source:
    """A dated override covering ``on``, else the library's standing text, else the default."""
    candidates = [
        t
        for t in (
            templates
            if templates is not None
            else NoticeTemplate.objects.filter(instance=instance, kind=kind, language=language)
        )
        if t.instance_id == instance.pk and t.kind == kind and t.language == language
    ]
    overrides = [
        t
        for t in candidates
        if t.valid_from and t.valid_until and t.valid_from <= on <= t.valid_until
    ]
    if overrides:
        return max(overrides, key=lambda t: (t.valid_from, t.pk))
    standing = [t for t in candidates if t.valid_from is None]
    if standing:
        return standing[0]
    return DEFAULTS[kind][language]


def notice_context(
    *,
    borrower: Borrower,
    instance: Instance,
    on: date,
    membership: Membership | None = None,
    posting: Posting | None = None,
) -> dict[str, str]:
    """The documented values for one notice, each a plain string in the borrower's language."""
    language = borrower.language
    # The amount and the reference always belong to the same item, so a transfer made
    # from the notice matches that item exactly when the bank statement comes in.
    if posting is None or posting.status != "open":
        posting = open_contributions(borrower.pk).first()
    amount = posting.balance if posting is not None else Decimal("0")
    if membership is None:
        membership = borrower.memberships.exclude(status="invalidated").order_by("-end").first()
    return {
        "first_name": borrower.first_name,
        "last_name": borrower.last_name,
        "card_number": borrower.card_number,
        "membership_end": format_day(membership.end) if membership else "",
        "instance_name": instance.name,
        "instance_address": instance.address,
        "opening_hours": instance.opening_hours,
        "open_amount": format_amount(amount, language) if amount > 0 else "",
        "payment_reference": structured_communication(posting.pk)
        if posting is not None and amount > 0
        else "",
        "iban": format_iban(instance.iban),
        "portal_url": instance.portal_url,
        "notice_date": format_day(on),
    }


def _render_part(env: SandboxedEnvironment, source: str, context: Mapping[str, str]) -> str:
    """One part of a text; a text that cannot be compiled or run is a RenderFailure."""
    try:
        return env.from_string(source).render(context)
    except TemplateError as error:
        raise RenderFailure(str(error.message or error)) from None
    except (RecursionError, MemoryError, IndentationError):
        raise RenderFailure(TOO_DEEP) from None
    except SyntaxError as error:  # what Jinja made of it does not compile
        raise RenderFailure(f"{error.msg}; simplify the text") from None
    except Exception as error:  # e.g. a filter given arguments it does not take
        raise RenderFailure(f"{type(error).__name__}: {error}") from None


def render(source: Source, context: Mapping[str, str]) -> Rendered:
    """The notice from a text; ``RenderFailure`` (with the reason) when it cannot be."""
    try:
        subject = _render_part(_TEXT, source.subject, context).strip()
        body_text = _render_part(_TEXT, source.body_text, context)
        body_html = _render_part(_HTML, source.body_html, context) if source.body_html else ""
    except RenderFailure as failure:
        raise RenderFailure(f"the notice text cannot be rendered: {failure.message}") from None
    return Rendered(subject=subject, body_text=body_text, body_html=body_html)


def message_render(
    message: Message, *, templates: Iterable[NoticeTemplate] | None = None
) -> Rendered:
    source = template_for(
        instance=message.instance,
        kind=message.kind,
        language=message.language,
        on=message.date,
        templates=templates,
    )
    context = notice_context(
        borrower=message.borrower,
        instance=message.instance,
        on=message.date,
        membership=message.membership,
        posting=message.posting,
    )
    return render(source, context)


def messages_render(messages: Iterable[Message], *, now: datetime) -> None:
    """Render and keep the text of notices not rendered yet (a no-op for the others).

    Rendering happens just before delivery, not in the daily run: the run stays
    one INSERT per step, and the text kept is the text that went out.
    """
    pending = [m for m in messages if m.rendered_at is None]
    if not pending:
        return
    templates = templates_for(pending)
    for message in pending:
        _keep(message, message_render(message, templates=templates), now=now)
    Message.objects.bulk_update(pending, RENDERED_FIELDS)


RENDERED_FIELDS = ["subject", "body", "body_html", "rendered_at"]


def templates_for(messages: Iterable[Message]) -> list[NoticeTemplate]:
    """The library texts these messages may need, in one query."""
    keys = {(m.instance_id, m.kind) for m in messages}
    if not keys:
        return []
    return list(
        NoticeTemplate.objects.filter(
            instance_id__in={i for i, _ in keys}, kind__in={k for _, k in keys}
        )
    )


def _keep(message: Message, rendered: Rendered, *, now: datetime) -> None:
    message.subject = rendered.subject[:300]
    message.body = rendered.body_text
    message.body_html = rendered.body_html
    message.rendered_at = now


def message_render_and_keep(
    message: Message, *, templates: Iterable[NoticeTemplate], now: datetime
) -> None:
    """Render one notice (not rendered yet) and keep its text; ``RenderFailure`` when
    its text cannot be rendered, and then nothing is kept."""
    if message.rendered_at is not None:
        return
    _keep(message, message_render(message, templates=templates), now=now)
    Message.objects.filter(pk=message.pk).update(
        **{name: getattr(message, name) for name in RENDERED_FIELDS}
    )
