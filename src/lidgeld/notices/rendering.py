"""Notice texts rendered in a sandbox, and the text each notice gets.

A template sees only the documented placeholders (``PLACEHOLDERS``), each a plain
string, and the few text filters in ``FILTERS``; a text that cannot be compiled or run
is a ``RenderFailure`` with the reason. A notice's text is the library's dated override
covering its date, else the library's standing text, else the default, filled with its
borrower's values and kept on the message just before delivery. What a text may contain
is checked when it is saved, by :mod:`lidgeld.notices.template_validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from lidgeld.borrowers.models import Borrower
from lidgeld.domain.ages import age_on
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
    "next_period_start": "eerste dag na het lidmaatschap, 01/01/2027",
    "age_at_next_start": "leeftijd van de lener op die dag, 18 (leeg zonder geboortedatum)",
    "next_type_name": "type dat volgt voorbij de maximumleeftijd, Volwassene (leeg als er geen is)",
    "next_type_fee": "lidgeld van dat type, 12,00 (leeg als het gratis is)",
    "next_type_months": "duur van dat type in maanden, 12",
    "new_email_masked": "nieuw e-mailadres, verborgen, h***@example.be (in het bericht over een "
    "gewijzigd e-mailadres; leeg als het verwijderd werd)",
    "changed_in_portal": "niet leeg als de lener het e-mailadres zelf wijzigde in Mijn "
    "Bibliotheek, leeg als de bibliotheek het deed",
}
# Values only a notice written at the moment of a change has (the e-mail change notice);
# empty in every other notice.
CHANGE_PLACEHOLDERS = ("new_email_masked", "changed_in_portal")
NO_CHANGE = dict.fromkeys(CHANGE_PLACEHOLDERS, "")
FILTERS = ("upper", "lower", "capitalize", "title", "trim")


# Far below what breaks Jinja or Python (see lidgeld.notices.template_validation), far
# above what a notice needs.
MAX_IF_NESTING = 10
MAX_EXPRESSION_DEPTH = 20


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


TEXT_SANDBOX = _environment(html=False)
HTML_SANDBOX = _environment(html=True)


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
        **NO_CHANGE,
    } | _what_follows(borrower, membership)


def _what_follows(borrower: Borrower, membership: Membership | None) -> dict[str, str]:
    """R12: the day after the period, the borrower's age then, and the type that follows
    the period's type past its maximum age (the age-limit CAE names it)."""
    if membership is None:
        return dict.fromkeys(
            ("next_period_start", "age_at_next_start", "next_type_name", "next_type_fee",
             "next_type_months"),
            "",
        )  # fmt: skip
    start = membership.end + timedelta(days=1)
    following = membership.type.next_type
    return {
        "next_period_start": format_day(start),
        "age_at_next_start": str(age_on(borrower.birth_date, start)) if borrower.birth_date else "",
        "next_type_name": following.name if following else "",
        "next_type_fee": format_amount(following.fee, borrower.language)
        if following and following.fee > 0
        else "",
        "next_type_months": str(following.months) if following else "",
    }


def render_part(env: SandboxedEnvironment, source: str, context: Mapping[str, str]) -> str:
    """One part of a text; a text that cannot be compiled or run is a RenderFailure."""
    try:
        return env.from_string(source).render(context)
    except TemplateError as error:
        # Jinja's own sentence, in English: no catalogue has it.
        raise RenderFailure(str(error.message or error), code="render_failed") from None
    except (RecursionError, MemoryError, IndentationError):
        raise RenderFailure(
            _("nested too deeply: at most %(most)s '{%% if %%}' inside each other"),
            code="render_too_deep",
            params={"most": MAX_IF_NESTING},
        ) from None
    except SyntaxError as error:  # what Jinja made of it does not compile
        raise RenderFailure(
            _("%(problem)s; simplify the text"), code="render_failed", params={"problem": error.msg}
        ) from None
    except Exception as error:  # e.g. a filter given arguments it does not take
        raise RenderFailure(f"{type(error).__name__}: {error}", code="render_failed") from None


def render(source: Source, context: Mapping[str, str]) -> Rendered:
    """The notice from a text; ``RenderFailure`` (with the reason) when it cannot be."""
    try:
        subject = render_part(TEXT_SANDBOX, source.subject, context).strip()
        body_text = render_part(TEXT_SANDBOX, source.body_text, context)
        body_html = render_part(HTML_SANDBOX, source.body_html, context) if source.body_html else ""
    except RenderFailure as failure:
        raise RenderFailure(
            _("the notice text cannot be rendered: %(problem)s"),
            code=failure.code,
            params={"problem": failure},
        ) from None
    return Rendered(subject=subject, body_text=body_text, body_html=body_html)


def message_render(
    message: Message,
    *,
    templates: Iterable[NoticeTemplate] | None = None,
    values: Mapping[str, str] | None = None,
) -> Rendered:
    """The text of one notice; ``values`` fill the placeholders only the moment of a
    change knows (``CHANGE_PLACEHOLDERS``)."""
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
    return render(source, context | dict(values or {}))


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
    message: Message,
    *,
    templates: Iterable[NoticeTemplate] | None,
    now: datetime,
    values: Mapping[str, str] | None = None,
) -> None:
    """Render one notice (not rendered yet) and keep its text; ``RenderFailure`` when
    its text cannot be rendered, and then nothing is kept."""
    if message.rendered_at is not None:
        return
    _keep(message, message_render(message, templates=templates, values=values), now=now)
    Message.objects.filter(pk=message.pk).update(
        **{name: getattr(message, name) for name in RENDERED_FIELDS}
    )
