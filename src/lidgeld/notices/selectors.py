"""What a notice's record says happened, in one place for every page and report.

A notice is *sent* only when it reached the borrower's side: the mail server took
the e-mail, or staff confirmed the letter printed. A queued e-mail is waiting for
the sender; a queued letter is "te printen" until its batch is confirmed (issue 11,
items 13 and 14). Nothing here may describe a notice as sent when none was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.notices.defaults import DefaultText
from lidgeld.notices.models import POSTING_KINDS, Channel, MessageStatus
from lidgeld.notices.rendering import (
    Rendered,
    RenderFailure,
    notice_context,
    render,
    template_for,
)
from lidgeld.notices.services import KIND_SWITCHES, check_kind, check_language
from lidgeld.notices.template_validation import template_problems


class NoticeState(StrEnum):
    SENT = "sent"  # the e-mail went out, or the letter was confirmed printed
    QUEUED = "queued"  # an e-mail waiting for the sender
    TO_PRINT = "to_print"  # a letter not confirmed printed yet
    FAILED = "failed"
    SKIPPED = "skipped"  # too late to send (R4)
    NONE = "none"  # no notice at all


def notice_state(status: str | None, channel: str | None) -> NoticeState:
    """The state of one notice from its status and channel (None: there is none)."""
    if not status:
        return NoticeState.NONE
    if status == MessageStatus.QUEUED:
        return NoticeState.TO_PRINT if channel == Channel.LETTER else NoticeState.QUEUED
    return NoticeState(status)


def stage_notices_off(instance: Instance) -> list[str]:
    """The stage notices (HR reminder, NB unpaid) this library has switched off: its
    borrowers reach those stages, and the portal block, without being told (R6)."""

    return [kind for kind in POSTING_KINDS if not getattr(instance, KIND_SWITCHES[kind])]


def notice_preview(
    *, borrower: Borrower, kind: str, on: date, language: str | None = None
) -> Rendered:
    """Exactly what this borrower would get in a notice of this kind dated ``on``."""
    kind = check_kind(kind)
    if language is not None:
        borrower.language = check_language(language)
    instance = borrower.home_instance
    source = template_for(instance=instance, kind=kind, language=borrower.language, on=on)
    return render(source, notice_context(borrower=borrower, instance=instance, on=on))


@dataclass(frozen=True)
class DraftPreview:
    """A text being written, rendered for one borrower; or why it cannot be yet."""

    rendered: Rendered | None
    problems: list[InvalidInput]  # the view shows them in the page's language


def notice_draft_preview(
    *,
    instance: Instance,
    borrower: Borrower,
    language: str,
    subject: str,
    body_text: str,
    body_html: str,
    on: date,
) -> DraftPreview:
    """What this borrower would get from a text that is not saved yet.

    The same checks as saving, each problem with its line, so the person writing
    sees a mistake while typing instead of when pressing save."""
    language = check_language(language)
    problems = template_problems(subject=subject, body_text=body_text, body_html=body_html)
    if problems:
        return DraftPreview(rendered=None, problems=problems)
    borrower.language = language  # a preview object only; never saved
    draft = DefaultText(subject=subject, body_text=body_text, body_html=body_html)
    try:
        rendered = render(draft, notice_context(borrower=borrower, instance=instance, on=on))
    except RenderFailure as failure:  # checked above; kept so a preview never breaks the page
        return DraftPreview(rendered=None, problems=[failure])
    return DraftPreview(rendered=rendered, problems=[])
