"""Notice templates: validated when saved, rendered in a sandbox.

A template sees only the documented placeholders, each a plain string, and
may use ``{{ placeholder }}``, ``{% if placeholder %}…{% endif %}`` and a few
text filters. Everything else (attributes, calls, loops, macros, includes)
is refused when the template is saved, with the line and the name that is
wrong, so a library can never write a notice that fails at the 1st.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.blocks import format_amount, format_day
from lidgeld.domain.payment_reference import structured_communication
from lidgeld.errors import InvalidInput
from lidgeld.finance.models import Posting
from lidgeld.finance.services import open_contributions
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


def template_errors(source: str, *, part: str, html: bool = False) -> list[str]:
    """What is wrong with a template, one sentence per problem ("body, line 3: …")."""
    env = _HTML if html else _TEXT
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as error:
        return [f"{part}, line {error.lineno}: {error.message}"]
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


def validate_template(*, subject: str, body_text: str, body_html: str = "") -> None:
    if not subject.strip():
        raise InvalidInput("the subject is empty")
    if not body_text.strip():
        raise InvalidInput("the plain-text body is empty")
    if "\n" in subject:
        raise InvalidInput("the subject must be one line")
    problems = (
        template_errors(subject, part="subject")
        + template_errors(body_text, part="body")
        + (template_errors(body_html, part="HTML body", html=True) if body_html else [])
    )
    if problems:
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
        "iban": _spaced_iban(instance.iban),
        "portal_url": instance.portal_url,
        "notice_date": format_day(on),
    }


def _spaced_iban(iban: str) -> str:
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def render(source: Source, context: Mapping[str, str]) -> Rendered:
    subject = _TEXT.from_string(source.subject).render(context).strip()
    body_text = _TEXT.from_string(source.body_text).render(context)
    body_html = _HTML.from_string(source.body_html).render(context) if source.body_html else ""
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
    keys = {(m.instance_id, m.kind) for m in pending}
    templates = list(
        NoticeTemplate.objects.filter(
            instance_id__in={i for i, _ in keys}, kind__in={k for _, k in keys}
        )
    )
    for message in pending:
        rendered = message_render(message, templates=templates)
        message.subject = rendered.subject[:300]
        message.body = rendered.body_text
        message.body_html = rendered.body_html
        message.rendered_at = now
    Message.objects.bulk_update(pending, ["subject", "body", "body_html", "rendered_at"])
