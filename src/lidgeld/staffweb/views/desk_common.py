"""What the desk pages share: the staff member's language, the actor of a change, and
the words for the codes the domain uses (translated; English msgids)."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lidgeld.domain.actors import staff_actor
from lidgeld.domain.blocks import Channel, MembershipState
from lidgeld.exports.formatting import format_date_be, format_money_be
from lidgeld.operations.renewals import RenewalResult

CHANNEL_LABELS = {
    Channel.DESK: gettext_lazy("Desk"),
    Channel.KIOSK: gettext_lazy("Self-checkout kiosk"),
    Channel.PORTAL: gettext_lazy("Mijn Bibliotheek (portal)"),
}
MEMBERSHIP_STATES = {
    MembershipState.ACTIVE: gettext_lazy("valid"),
    MembershipState.EXPIRED: gettext_lazy("expired"),
    MembershipState.INVALIDATED: gettext_lazy("invalidated (fee not paid)"),
    MembershipState.NONE: gettext_lazy("no membership"),
}
STAGES = {
    "open": gettext_lazy("open"),
    "reminder": gettext_lazy("reminder"),
    "unpaid": gettext_lazy("unpaid"),
    "written_off": gettext_lazy("written off"),
}
POSTING_STATUSES = {
    "open": gettext_lazy("open"),
    "paid": gettext_lazy("paid"),
    "written_off": gettext_lazy("written off"),
}
PERIOD_STATUSES = {
    "active": gettext_lazy("running"),
    "ended": gettext_lazy("ended"),
    "invalidated": gettext_lazy("invalidated"),
}
ORIGINS = {
    "registration": gettext_lazy("registration"),
    "desk": gettext_lazy("desk"),
    "portal": gettext_lazy("Mijn Bibliotheek"),
    "automatic": gettext_lazy("automatic"),
}
MESSAGE_KINDS = {
    "AE": gettext_lazy("end of contribution"),
    "HR": gettext_lazy("fee reminder"),
    "NB": gettext_lazy("fee unpaid"),
    "VL": gettext_lazy("renewal confirmation"),
}
MESSAGE_STATUSES = {
    "queued": gettext_lazy("waiting to be sent"),
    "sent": gettext_lazy("sent"),
    "failed": gettext_lazy("failed"),
    "skipped": gettext_lazy("skipped"),
}
MESSAGE_CHANNELS = {"email": gettext_lazy("e-mail"), "letter": gettext_lazy("letter")}
LANGUAGE_NAMES = {
    "nl": gettext_lazy("Dutch"),
    "fr": gettext_lazy("French"),
    "en": gettext_lazy("English"),
}
RESERVATION_STATUSES = {
    "waiting": gettext_lazy("waiting"),
    "held": gettext_lazy("held (membership not valid)"),
    "ready": gettext_lazy("ready for pick-up"),
    "fulfilled": gettext_lazy("picked up"),
    "cancelled": gettext_lazy("cancelled"),
}


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
    return _("Not renewed: %(reason)s") % {"reason": result.reason}


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
