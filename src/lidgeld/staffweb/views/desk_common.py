"""What the desk pages share: the staff member's language, the actor of a change, and
the words for the codes the domain uses (translated; English msgids)."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lidgeld.borrowers.models import LANGUAGE_CHOICES
from lidgeld.circulation.models import ReservationStatus
from lidgeld.domain.actors import staff_actor
from lidgeld.exports.formatting import format_date_be, format_money_be
from lidgeld.finance.models import STAGE_LABELS, PostingStatus
from lidgeld.memberships.models import MembershipStatus, Origin
from lidgeld.notices.models import KIND_NAMES, MessageStatus
from lidgeld.notices.models import Channel as MessageChannel
from lidgeld.operations.renewals import RenewalResult
from lidgeld.standing.labels import CHANNEL_LABELS as STANDING_CHANNEL_LABELS
from lidgeld.standing.labels import MEMBERSHIP_STATE_LABELS

# The codes' words are defined once, by the models' choices and standing's labels;
# these are the names the desk's views know them by.
CHANNEL_LABELS = STANDING_CHANNEL_LABELS
MEMBERSHIP_STATES = MEMBERSHIP_STATE_LABELS
STAGES = STAGE_LABELS
POSTING_STATUSES = dict(PostingStatus.choices)
PERIOD_STATUSES = dict(MembershipStatus.choices)
ORIGINS = dict(Origin.choices)
MESSAGE_KINDS = KIND_NAMES
MESSAGE_STATUSES = dict(MessageStatus.choices)
MESSAGE_CHANNELS = dict(MessageChannel.choices)
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)
RESERVATION_STATUSES = dict(ReservationStatus.choices)


def label(labels: dict[Any, Any], code: Any) -> str:
    return str(labels.get(code, code))


def staff_language() -> str:
    """The language the block sentences are shown in: the page's (nl or en)."""
    return "en" if (get_language() or "nl").lower().startswith("en") else "nl"


def actor(request: HttpRequest) -> str:
    """Who the audit trail names for a change made in these pages: the same name as in
    the back office."""
    return staff_actor(request.user.get_username())


def one_time_key() -> str:
    """The key a form that pays carries from the moment it is shown: a second POST of
    the same form (a double click, a reload) books nothing (see finance.PaymentRequest)."""
    return secrets.token_urlsafe(24)


def renewal_outcome(result: RenewalResult) -> str:
    """One renewal's result in a sentence for staff: the period and its fee, then what
    the borrower paid with it and what stays open, older contributions included."""
    membership, posting = result.membership, result.posting
    if result.renewed and membership is not None:
        values = {"start": format_date_be(membership.start), "end": format_date_be(membership.end)}
        if posting is None:
            sentence = _("Renewed from %(start)s until %(end)s; no fee.") % values
        else:
            values["fee"] = format_money_be(posting.amount)
            if posting.balance == 0:
                sentence = _("Renewed from %(start)s until %(end)s; fee %(fee)s paid.") % values
            else:
                sentence = _("Renewed from %(start)s until %(end)s; fee %(fee)s open.") % values
        return " ".join([sentence, *_paid_with_it(result)])
    if membership is not None:
        # At the desk the one refusal with a period is "that period is the renewal".
        return _("Not renewed: already renewed on %(made)s; the membership runs until %(end)s.") % {
            "made": format_date_be(membership.created_on),
            "end": format_date_be(membership.end),
        }
    if result.reason == "unknown card number":
        return _("Not renewed: no borrower with this card in your libraries.")
    return _("Not renewed: %(reason)s") % {"reason": result.reason_in(get_language() or "nl")}


def _paid_with_it(result: RenewalResult) -> list[str]:
    """What the fee sentence does not say: older contributions paid, or still open."""
    new_fee = result.posting
    payment = result.payment
    values = {"open": format_money_be(result.still_open)}
    if payment is not None:
        only_the_new_fee = [part.posting_id for part in payment.parts] == [
            new_fee.pk if new_fee is not None else None
        ]
        if only_the_new_fee and result.still_open == 0:
            return []  # "fee € 12,00 paid." says it all
        values["paid"] = format_money_be(payment.paid)
        if result.still_open == 0:
            return [
                _("Paid %(paid)s, the oldest contribution first; nothing is open any more.")
                % values
            ]
        return [_("Paid %(paid)s, the oldest contribution first; %(open)s is still open.") % values]
    if result.still_open > (new_fee.balance if new_fee is not None else 0):
        return [_("In all, %(open)s is open.") % values]
    return []
