"""What a notice's record says happened, in one place for every page and report.

A notice is *sent* only when it reached the borrower's side: the mail server took
the e-mail, or staff confirmed the letter printed. A queued e-mail is waiting for
the sender; a queued letter is "te printen" until its batch is confirmed (issue 11,
items 13 and 14). Nothing here may describe a notice as sent when none was."""

from __future__ import annotations

from enum import StrEnum

from lidgeld.libraries.models import Instance
from lidgeld.notices.models import POSTING_KINDS, Channel, MessageStatus


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
    from lidgeld.notices.services import KIND_SWITCHES

    return [kind for kind in POSTING_KINDS if not getattr(instance, KIND_SWITCHES[kind])]
