"""R7: one decision, per channel, of what a borrower may do today.

Blocks are never stored: the desk, the kiosk (SIP2), the portal and the API
all ask this function and show the sentence it gives, so they cannot drift.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from lidgeld.domain.dunning import STAGE_ORDER, Stage
from lidgeld.domain.endings import EFFECTS, MembershipEnded


class Channel(enum.StrEnum):
    DESK = "desk"
    KIOSK = "kiosk"
    PORTAL = "portal"


class MembershipState(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"
    NONE = "none"


class CardState(enum.StrEnum):
    """The card a borrower showed: their current card, reported or not, or an old one."""

    OK = "ok"
    LOST = "lost"
    STOLEN = "stolen"
    REPLACED = "replaced"  # an old card, not reported before it was replaced


def card_state(reported: str, *, replaced: bool = False) -> CardState:
    """The state of a card from its report ("" | "lost" | "stolen") and whether it is
    an old one. A report that is not known counts as lost: fail closed."""
    if reported == "stolen":
        return CardState.STOLEN
    if reported:
        return CardState.LOST
    return CardState.REPLACED if replaced else CardState.OK


class Reason(enum.StrEnum):
    OK = "ok"
    NO_MEMBERSHIP = "no_membership"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"
    FEE_OPEN = "fee_open"
    FEE_REMINDER = "fee_reminder"
    FEE_UNPAID = "fee_unpaid"
    CARD_LOST = "card_lost"  # reported lost or stolen
    CARD_REPLACED = "card_replaced"
    ENDED = "ended"  # R12: ended early with a reason
    DECEASED = "deceased"  # R12: every channel, the desk included


LANGUAGES = ("nl", "fr", "en")

# Sentences a borrower or a staff member reads; {amount} and {end} are filled in.
SENTENCES: dict[Reason, dict[str, str]] = {
    Reason.OK: {
        "nl": "Je lidmaatschap is in orde.",
        "fr": "Votre abonnement est en ordre.",
        "en": "Your membership is in order.",
    },
    Reason.NO_MEMBERSHIP: {
        "nl": "Je hebt geen lidmaatschap. Kom langs de balie om lid te worden.",
        "fr": "Vous n'avez pas d'abonnement. Passez au comptoir pour vous inscrire.",
        "en": "You have no membership. Come to the desk to join.",
    },
    Reason.EXPIRED: {
        "nl": "Je lidmaatschap is afgelopen op {end}. Vernieuw het aan de balie; "
        "je reserveringen blijven bewaard.",
        "fr": "Votre abonnement a expiré le {end}. Renouvelez-le au comptoir ; "
        "vos réservations sont conservées.",
        "en": "Your membership ended on {end}. Renew it at the desk; your reservations are kept.",
    },
    Reason.INVALIDATED: {
        "nl": "Je lidmaatschap is ongeldig gemaakt omdat het lidgeld niet betaald werd. "
        "Kom langs de balie voor een nieuw lidmaatschap.",
        "fr": "Votre abonnement a été annulé faute de paiement de la cotisation. "
        "Passez au comptoir pour un nouvel abonnement.",
        "en": "Your membership was cancelled because the fee was not paid. "
        "Come to the desk for a new membership.",
    },
    Reason.FEE_OPEN: {
        "nl": "Je lidgeld van € {amount} is nog niet betaald. Betaal het om aan de "
        "zelfuitleentoestellen te lenen.",
        "fr": "Votre cotisation de {amount} € n'est pas encore payée. Payez-la pour "
        "emprunter aux automates de prêt.",
        "en": "Your membership fee of € {amount} is not paid yet. Pay it to borrow "
        "at the self-checkout kiosks.",
    },
    Reason.FEE_REMINDER: {
        "nl": "Herinnering: je lidgeld van € {amount} is nog niet betaald. Betaal het om "
        "aan de zelfuitleentoestellen te lenen.",
        "fr": "Rappel : votre cotisation de {amount} € n'est pas encore payée. Payez-la "
        "pour emprunter aux automates de prêt.",
        "en": "Reminder: your membership fee of € {amount} is not paid yet. Pay it to "
        "borrow at the self-checkout kiosks.",
    },
    Reason.FEE_UNPAID: {
        "nl": "Je lidgeld van € {amount} is niet betaald. Betaal het aan de balie; tot dan "
        "kan je in Mijn Bibliotheek niet verlengen of reserveren.",
        "fr": "Votre cotisation de {amount} € n'est pas payée. Payez-la au comptoir ; d'ici "
        "là, vous ne pouvez ni prolonger ni réserver dans Ma Bibliothèque.",
        "en": "Your membership fee of € {amount} is unpaid. Pay it at the desk; until then "
        "you cannot renew or reserve in My Library.",
    },
    Reason.CARD_LOST: {
        "nl": "Deze kaart werd als verloren gemeld. Kom met je identiteitskaart langs de "
        "balie voor een nieuwe kaart.",
        "fr": "Cette carte a été déclarée perdue. Passez au comptoir avec votre carte "
        "d’identité pour recevoir une nouvelle carte.",
        "en": "This card was reported lost. Come to the desk with your identity card "
        "for a new card.",
    },
    Reason.CARD_REPLACED: {
        "nl": "Deze kaart werd vervangen door een nieuwe kaart en is niet meer geldig. "
        "Gebruik je nieuwe kaart of kom langs de balie.",
        "fr": "Cette carte a été remplacée par une nouvelle carte et n’est plus valable. "
        "Utilisez votre nouvelle carte ou passez au comptoir.",
        "en": "This card was replaced by a new card and is no longer valid. "
        "Use your new card or come to the desk.",
    },
    Reason.ENDED: {
        "nl": "Je lidmaatschap is beëindigd op {ended}. Kom langs de balie voor een nieuw "
        "lidmaatschap.",
        "fr": "Votre abonnement a pris fin le {ended}. Passez au comptoir pour un nouvel "
        "abonnement.",
        "en": "Your membership was ended on {ended}. Come to the desk for a new membership.",
    },
    # Read by staff: nobody should lend to, renew or write to this card any more.
    Reason.DECEASED: {
        "nl": "Lidmaatschap beëindigd op {ended}: de lener is overleden. Niet uitlenen, "
        "niet verlengen.",
        "fr": "Abonnement clôturé le {ended} : l’emprunteur est décédé. Ne pas prêter, "
        "ne pas renouveler.",
        "en": "Membership ended on {ended}: the borrower has died. Do not lend, do not renew.",
    },
}

# CARD_LOST says "stolen" when the card was reported stolen.
STOLEN_SENTENCES: dict[str, str] = {
    "nl": "Deze kaart werd als gestolen gemeld. Kom met je identiteitskaart langs de "
    "balie voor een nieuwe kaart.",
    "fr": "Cette carte a été déclarée volée. Passez au comptoir avec votre carte "
    "d’identité pour recevoir une nouvelle carte.",
    "en": "This card was reported stolen. Come to the desk with your identity card for a new card.",
}

CARD_REASONS: dict[CardState, Reason] = {
    CardState.LOST: Reason.CARD_LOST,
    CardState.STOLEN: Reason.CARD_LOST,
    CardState.REPLACED: Reason.CARD_REPLACED,
}

FEE_REASONS = {
    Stage.OPEN: Reason.FEE_OPEN,
    Stage.REMINDER: Reason.FEE_REMINDER,
    Stage.UNPAID: Reason.FEE_UNPAID,
}


@dataclass(frozen=True)
class Situation:
    """Everything the decision depends on, as plain values."""

    membership: MembershipState
    membership_end: date | None
    open_amount: Decimal
    stage: Stage | None  # the furthest stage among open contributions, None when nothing is open
    card: CardState = CardState.OK  # the card that was shown (the current one at the desk)
    ended: MembershipEnded | None = None  # R12: an early ending in effect (not undone)


@dataclass(frozen=True)
class Block:
    channel: Channel
    allowed: bool
    reason: Reason
    warning: bool
    situation: Situation

    @cached_property
    def sentences(self) -> dict[str, str]:
        """The sentence in every language; made when first asked (a kiosk needs one)."""
        return _sentences(self.reason, self.situation)

    def message(self, language: str = "nl") -> str:
        if language not in LANGUAGES:
            language = "nl"
        if "sentences" in self.__dict__:
            return self.sentences[language]
        return _sentence(self.reason, self.situation, language)


def format_amount(amount: Decimal, language: str) -> str:
    text = f"{amount.quantize(Decimal('0.01')):,.2f}"
    if language == "en":
        return text
    # Belgian notation: 1.234,50
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def format_day(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def card_sentence(card: CardState, language: str) -> str:
    """What a borrower reads when a kiosk or the portal refuses this card ('' when the
    card is fine); the same sentence as the blocks of :func:`decide` give."""
    reason = CARD_REASONS.get(card)
    if reason is None:
        return ""
    if language not in LANGUAGES:
        language = "nl"
    if card is CardState.STOLEN:
        return STOLEN_SENTENCES[language]
    return SENTENCES[reason][language]


def _sentence(reason: Reason, situation: Situation, language: str) -> str:
    if reason is Reason.CARD_LOST and situation.card is CardState.STOLEN:
        return STOLEN_SENTENCES[language]
    return SENTENCES[reason][language].format(
        amount=format_amount(situation.open_amount, language),
        end=format_day(situation.membership_end),
        ended=format_day(situation.ended.on if situation.ended else None),
    )


def _sentences(reason: Reason, situation: Situation) -> dict[str, str]:
    return {language: _sentence(reason, situation, language) for language in LANGUAGES}


def _membership_reason(state: MembershipState) -> Reason | None:
    return {
        MembershipState.ACTIVE: None,
        MembershipState.EXPIRED: Reason.EXPIRED,
        MembershipState.INVALIDATED: Reason.INVALIDATED,
        MembershipState.NONE: Reason.NO_MEMBERSHIP,
    }[state]


def _ending_reason(situation: Situation) -> Reason | None:
    """R12: an ending that blocks every channel outranks everything; another one names
    itself once no period is valid (a new membership after it is what counts)."""
    if situation.ended is None:
        return None
    if EFFECTS[situation.ended.reason].block_all_channels:
        return Reason.DECEASED
    return Reason.ENDED if situation.membership is not MembershipState.ACTIVE else None


def decide(situation: Situation) -> dict[Channel, Block]:
    """Per channel: allowed or blocked, why, and what to tell the borrower.

    A card reported lost or stolen, or an old (replaced) card, outranks every other
    reason on the kiosk and the portal: that card is accepted by neither. The desk
    knows the borrower by more than the card (and replaces it): it decides as
    without the card problem, and when that allows, it warns with the card's reason.
    """
    blocks = _decide_without_card(situation)
    card_reason = CARD_REASONS.get(situation.card)
    if card_reason is None or _ending_reason(situation) is Reason.DECEASED:
        # a deceased borrower's every channel says so, whatever card is shown
        return blocks
    for channel in (Channel.KIOSK, Channel.PORTAL):
        blocks[channel] = Block(channel, False, card_reason, False, situation)
    if blocks[Channel.DESK].allowed:
        blocks[Channel.DESK] = Block(Channel.DESK, True, card_reason, True, situation)
    return blocks


def _decide_without_card(situation: Situation) -> dict[Channel, Block]:
    membership_reason = _ending_reason(situation) or _membership_reason(situation.membership)
    # Money still owed blocks the kiosk even if no stage was given: fail closed.
    stage = situation.stage if situation.stage in FEE_REASONS else Stage.OPEN
    fee_reason = FEE_REASONS[stage] if situation.open_amount > 0 else None

    def block(channel: Channel, allowed: bool, reason: Reason, warning: bool = False) -> Block:
        return Block(channel, allowed, reason, warning, situation)

    blocks: dict[Channel, Block] = {}
    # A membership problem outranks a fee: it is what the borrower must fix first.
    if membership_reason is not None:
        for channel in Channel:
            blocks[channel] = block(channel, False, membership_reason)
        return blocks

    if fee_reason is None:
        for channel in Channel:
            blocks[channel] = block(channel, True, Reason.OK)
        return blocks

    blocks[Channel.KIOSK] = block(Channel.KIOSK, False, fee_reason)
    if stage is Stage.UNPAID:
        blocks[Channel.DESK] = block(Channel.DESK, True, fee_reason, warning=True)
        blocks[Channel.PORTAL] = block(Channel.PORTAL, False, fee_reason)
    else:
        # Seed: before "niet betaald" only the kiosks block; the reason is still shown.
        blocks[Channel.DESK] = block(Channel.DESK, True, fee_reason)
        blocks[Channel.PORTAL] = block(Channel.PORTAL, True, fee_reason)
    return blocks


def furthest_stage(stages: list[Stage]) -> Stage | None:
    live = [stage for stage in stages if stage is not Stage.WRITTEN_OFF]
    return max(live, key=STAGE_ORDER.index) if live else None
