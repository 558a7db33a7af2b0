"""R1: membership periods and where a renewal starts; R5: who may renew, where and when."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lidgeld.domain.blocks import Channel, format_amount, format_day
from lidgeld.domain.months import add_months, end_of_month


class RenewalBase(enum.StrEnum):
    """Where a renewal starts (Koha's ``BorrowerRenewalPeriodBase``).

    ``COMBINATION`` is the default of R1: contiguous while the old period runs
    or ended within the grace, otherwise today.
    """

    COMBINATION = "combination"
    NOW = "now"
    EXPIRY = "expiry"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def period_end(start: date, months: int) -> date:
    """``end = end_of_month(start + months − 1 day)``; always a month end."""
    if months < 1:
        raise ValueError("a membership period lasts at least one month")
    return end_of_month(add_months(start, months) - timedelta(days=1))


def period_from(start: date, months: int) -> Period:
    return Period(start=start, end=period_end(start, months))


def renewal_start(
    *,
    previous_end: date | None,
    today: date,
    base: RenewalBase = RenewalBase.COMBINATION,
    grace_days: int = 0,
) -> date:
    """The first day of the period a renewal made ``today`` creates."""
    if grace_days < 0:
        raise ValueError("the renewal grace cannot be negative")
    if previous_end is None or base is RenewalBase.NOW:
        return today
    if base is RenewalBase.EXPIRY:
        return previous_end + timedelta(days=1)
    if (today - previous_end).days <= grace_days:
        return previous_end + timedelta(days=1)
    return today


def renewal_period(
    *,
    previous_end: date | None,
    today: date,
    months: int,
    base: RenewalBase = RenewalBase.COMBINATION,
    grace_days: int = 0,
) -> Period:
    start = renewal_start(previous_end=previous_end, today=today, base=base, grace_days=grace_days)
    return period_from(start, months)


# --- Who may renew, where and when (R5, and online renewal in Mijn Bibliotheek) ----------


class RenewalReason(enum.StrEnum):
    ALLOWED = "allowed"
    ALREADY_RENEWED = "already_renewed"
    ONLINE_OFF = "online_renewal_off"
    NO_MEMBERSHIP = "no_membership"
    INVALIDATED = "invalidated"
    AUTOMATIC = "renews_automatically"
    FEE_OPEN = "fee_open"
    TOO_EARLY = "too_early"


# {made}, {end}, {opens} (dates) and {amount} are filled in. The English "already
# renewed" sentence is also what staff read at the desk and in the CLI.
RENEWAL_SENTENCES: dict[RenewalReason, dict[str, str]] = {
    RenewalReason.ALLOWED: {
        "nl": "Je kan je lidmaatschap nu vernieuwen.",
        "fr": "Vous pouvez renouveler votre abonnement maintenant.",
        "en": "You can renew your membership now.",
    },
    RenewalReason.ALREADY_RENEWED: {
        "nl": "Je lidmaatschap werd al vernieuwd op {made}: het loopt tot {end}.",
        "fr": "Votre abonnement a déjà été renouvelé le {made} : il court jusqu'au {end}.",
        "en": "already renewed on {made}: the membership runs until {end}",
    },
    RenewalReason.ONLINE_OFF: {
        "nl": "Je bibliotheek laat online vernieuwen niet toe. Je kan je lidmaatschap "
        "vernieuwen aan de balie.",
        "fr": "Votre bibliothèque ne permet pas le renouvellement en ligne. Vous pouvez "
        "renouveler votre abonnement au comptoir.",
        "en": "Your library does not offer online renewal. You can renew your membership "
        "at the desk.",
    },
    RenewalReason.NO_MEMBERSHIP: {
        "nl": "Je hebt nog geen lidmaatschap om te vernieuwen. Kom langs de balie om lid te worden.",
        "fr": "Vous n'avez pas encore d'abonnement à renouveler. Passez au comptoir pour "
        "vous inscrire.",
        "en": "You have no membership to renew yet. Come to the desk to join.",
    },
    RenewalReason.INVALIDATED: {
        "nl": "Je lidmaatschap werd ongeldig gemaakt omdat het lidgeld niet betaald werd. "
        "Een nieuw lidmaatschap krijg je aan de balie.",
        "fr": "Votre abonnement a été annulé faute de paiement de la cotisation. Un nouvel "
        "abonnement s'obtient au comptoir.",
        "en": "Your membership was cancelled because the fee was not paid. You can get a "
        "new membership at the desk.",
    },
    RenewalReason.AUTOMATIC: {
        "nl": "Je lidmaatschap wordt automatisch vernieuwd; je hoeft niets te doen.",
        "fr": "Votre abonnement est renouvelé automatiquement ; vous n'avez rien à faire.",
        "en": "Your membership is renewed automatically; there is nothing you need to do.",
    },
    RenewalReason.FEE_OPEN: {
        "nl": "Betaal eerst je openstaand lidgeld van € {amount}; daarna kan je online "
        "vernieuwen. Aan de balie kan het meteen.",
        "fr": "Payez d'abord votre cotisation ouverte de {amount} € ; vous pourrez ensuite "
        "renouveler en ligne. Au comptoir, c'est possible tout de suite.",
        "en": "First pay your open membership fee of € {amount}; then you can renew online. "
        "At the desk you can renew straight away.",
    },
    RenewalReason.TOO_EARLY: {
        "nl": "Je lidmaatschap loopt tot {end}. Online vernieuwen kan vanaf {opens}.",
        "fr": "Votre abonnement court jusqu'au {end}. Le renouvellement en ligne est "
        "possible à partir du {opens}.",
        "en": "Your membership runs until {end}. You can renew online from {opens}.",
    },
}


@dataclass(frozen=True)
class LatestPeriod:
    """The live period that ends last, as the eligibility rule needs it."""

    start: date
    end: date
    made_on: date
    automatic: bool  # made by the daily run (R2), not by a person


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: RenewalReason
    sentences: dict[str, str]
    opens_on: date | None  # first day of online renewal for the latest period, if any

    def message(self, language: str = "nl") -> str:
        return self.sentences.get(language, self.sentences["nl"])


def renewal_window_opens(end: date, window_months: int) -> date:
    """First day a period ending on ``end`` may be renewed online.

    ``window_months`` counts the months up to and including the month of ``end``: 1
    (the default) opens on the 1st of that month; 0 only once the period has ended.
    """
    if window_months < 0:
        raise ValueError("the renewal window cannot be negative")
    if window_months == 0:
        return end + timedelta(days=1)
    return add_months(end.replace(day=1), 1 - window_months)


def renewal_eligibility(
    *,
    latest: LatestPeriod | None,
    invalidated: bool,
    auto_renewing: bool,
    open_amount: Decimal,
    today: date,
    channel: Channel,
    online_allowed: bool,
    window_months: int,
) -> Eligibility:
    """May this borrower renew today? The one rule for the desk and the portal.

    Everywhere: a period that has not started yet, or one a person made today that still
    runs, *is* the renewal, so a second click or a second desk renews nothing (R5). A
    period recorded today that has already ended (registered today with a start in the
    past) is history, not today's renewal. At the desk that is
    the only refusal: renewing is staff's decision. Online (any other channel) the library
    must allow it, the borrower needs a live period of a type that is not renewed
    automatically, must not be invalidated nor owe an open fee, and the latest period
    must end within the window (or have ended).
    """
    opens_on = renewal_window_opens(latest.end, window_months) if latest else None

    def answer(reason: RenewalReason) -> Eligibility:
        values = {
            "made": format_day(latest.made_on if latest else None),
            "end": format_day(latest.end if latest else None),
            "opens": format_day(opens_on),
        }
        sentences = {
            language: text.format(amount=format_amount(open_amount, language), **values)
            for language, text in RENEWAL_SENTENCES[reason].items()
        }
        return Eligibility(reason is RenewalReason.ALLOWED, reason, sentences, opens_on)

    if latest is not None and (
        latest.start > today
        or (latest.made_on == today and not latest.automatic and latest.end >= today)
    ):
        return answer(RenewalReason.ALREADY_RENEWED)
    if channel is Channel.DESK:
        return answer(RenewalReason.ALLOWED)
    if not online_allowed:
        return answer(RenewalReason.ONLINE_OFF)
    if invalidated:
        return answer(RenewalReason.INVALIDATED)
    if latest is None:
        return answer(RenewalReason.NO_MEMBERSHIP)
    if auto_renewing:
        return answer(RenewalReason.AUTOMATIC)
    if open_amount > 0:
        return answer(RenewalReason.FEE_OPEN)
    if opens_on is not None and today < opens_on:
        return answer(RenewalReason.TOO_EARLY)
    return answer(RenewalReason.ALLOWED)
