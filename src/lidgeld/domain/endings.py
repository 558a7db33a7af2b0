"""R12: a membership ended early, with a typed reason whose effects are declared here.

The services (operations/ending.py), the daily run's notice and dunning steps, the
block decision (blocks.py) and the confirmation page all read this one table, so the
page lists exactly what the service will do. Plain Python: labels and sentences are
English msgids marked with ``gettext_noop``; the adapters translate them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from lidgeld.domain.sentences import RuleRefusal, gettext_noop


class EndReason(enum.StrEnum):
    AT_REQUEST = "at_request"
    DECEASED = "deceased"
    MOVED = "moved"
    DUPLICATE = "duplicate"
    ADMINISTRATIVE = "administrative"


class Effective(enum.StrEnum):
    """When the ending takes effect: at once, or when the current period ends."""

    TODAY = "today"
    PERIOD_END = "period_end"


@dataclass(frozen=True)
class Effects:
    """What ending a membership for one reason does."""

    label: str  # a msgid: "deceased"
    stop_notices: bool  # no CAE for the ended period (R4), nothing queued for it
    stop_dunning: bool  # its open contributions stay where they are: no stage, no notice
    block_all_channels: bool  # desk included, whatever the membership's state
    write_off_open: bool  # open contributions are written off with this reason
    cancel_reservations: bool  # live reservations are cancelled (not held, R3)
    no_mail_ever: bool  # no notice to this borrower again; queued ones are skipped
    loans_must_be_returned: bool  # open loans refuse the ending unless the desk confirms
    fee_stays_unless_coordinator: bool  # open contributions stay open
    # The effective dates this reason allows: someone who died is not a member until
    # the end of the period.
    effective: tuple[Effective, ...] = (Effective.TODAY, Effective.PERIOD_END)
    # The write-off's reason as stored (Dutch, as the daily run's own write-offs).
    write_off_reason: str = ""


EFFECTS: dict[EndReason, Effects] = {
    EndReason.AT_REQUEST: Effects(
        label=gettext_noop("at the borrower's request"),
        stop_notices=True,
        stop_dunning=True,
        block_all_channels=False,
        write_off_open=False,
        cancel_reservations=False,
        no_mail_ever=False,
        loans_must_be_returned=True,
        fee_stays_unless_coordinator=True,
    ),
    EndReason.DECEASED: Effects(
        label=gettext_noop("deceased"),
        stop_notices=True,
        stop_dunning=True,
        block_all_channels=True,
        write_off_open=True,
        cancel_reservations=True,
        no_mail_ever=True,
        loans_must_be_returned=False,
        fee_stays_unless_coordinator=False,
        effective=(Effective.TODAY,),
        write_off_reason="Lidmaatschap beëindigd: lener overleden",
    ),
    EndReason.MOVED: Effects(
        label=gettext_noop("moved away"),
        stop_notices=True,
        stop_dunning=True,
        block_all_channels=False,
        write_off_open=False,
        cancel_reservations=False,
        no_mail_ever=False,
        loans_must_be_returned=False,
        fee_stays_unless_coordinator=True,
    ),
    EndReason.DUPLICATE: Effects(
        label=gettext_noop("duplicate record"),
        stop_notices=True,
        stop_dunning=True,
        block_all_channels=False,
        write_off_open=False,
        cancel_reservations=False,
        no_mail_ever=False,
        loans_must_be_returned=False,
        fee_stays_unless_coordinator=True,
    ),
    EndReason.ADMINISTRATIVE: Effects(
        label=gettext_noop("administrative"),
        stop_notices=True,
        stop_dunning=True,
        block_all_channels=False,
        write_off_open=False,
        cancel_reservations=False,
        no_mail_ever=False,
        loans_must_be_returned=False,
        fee_stays_unless_coordinator=True,
    ),
}

# What the confirmation step says for each effect that applies (msgids).
EFFECT_SENTENCES: dict[str, str] = {
    "stop_notices": gettext_noop("No end-of-membership notice is sent for this period."),
    "stop_dunning": gettext_noop(
        "The follow-up of unpaid contributions stops: no reminder, no further stage."
    ),
    "block_all_channels": gettext_noop(
        "Every channel is blocked at once, the desk included: desk, kiosk and Mijn Bibliotheek."
    ),
    "write_off_open": gettext_noop("Every open contribution is written off with this reason."),
    "cancel_reservations": gettext_noop("Every reservation is cancelled."),
    "no_mail_ever": gettext_noop(
        "No notice is ever sent to this borrower again; notices still waiting are skipped."
    ),
    "loans_must_be_returned": gettext_noop(
        "Open loans must be returned first; the desk can go on anyway after a warning."
    ),
    "fee_stays_unless_coordinator": gettext_noop(
        "An open contribution stays open; a coordinator can write it off."
    ),
}
EFFECT_ORDER = tuple(EFFECT_SENTENCES)

# A coordinator can undo an ending for this many days after the day it was made.
REVERSAL_DAYS = 30


def effects_of(reason: str) -> Effects:
    try:
        return EFFECTS[EndReason(reason)]
    except ValueError:
        raise RuleRefusal(
            gettext_noop(
                "'%(reason)s' is not a reason to end a membership; choose at_request, "
                "deceased, moved, duplicate or administrative"
            ),
            code="unknown_end_reason",
            params={"reason": reason},
        ) from None


def effect_sentences(reason: str) -> list[str]:
    """The msgids of what ending for ``reason`` does, in a fixed order."""
    effects = effects_of(reason)
    return [EFFECT_SENTENCES[name] for name in EFFECT_ORDER if getattr(effects, name)]


def reasons_with(effect: str) -> list[str]:
    """The reason codes that have ``effect`` (for a set-based query: reason IN …)."""
    return [reason.value for reason, effects in EFFECTS.items() if getattr(effects, effect)]


def effective_day(reason: str, effective: str, *, today: date, period_end: date | None) -> date:
    """The day the ending takes effect; refused when the reason does not allow the
    choice, or "end of the period" when no period runs today."""
    effects = effects_of(reason)
    try:
        chosen = Effective(effective)
    except ValueError:
        raise RuleRefusal(
            gettext_noop("choose when the ending takes effect: today or at the period's end"),
            code="unknown_effective",
        ) from None
    if chosen not in effects.effective:
        raise RuleRefusal(
            gettext_noop("a membership ended because the borrower died ends today"),
            code="effective_not_allowed",
        )
    if chosen is Effective.TODAY:
        return today
    if period_end is None:
        raise RuleRefusal(
            gettext_noop("no period runs today, so the ending can only take effect today"),
            code="no_current_period",
        )
    return period_end


def reversible_until(ended_on: date) -> date:
    return ended_on + timedelta(days=REVERSAL_DAYS)


def check_reversible(ended_on: date, today: date) -> None:
    if today > reversible_until(ended_on):
        raise RuleRefusal(
            gettext_noop(
                "an ending can be undone for %(days)s days; this one was made on %(made)s"
            ),
            code="reversal_too_late",
            params={"days": REVERSAL_DAYS, "made": ended_on},
        )


@dataclass(frozen=True)
class MembershipEnded:
    """For the block decision: the borrower's membership was ended for ``reason``,
    in effect since ``on``."""

    reason: EndReason
    on: date
