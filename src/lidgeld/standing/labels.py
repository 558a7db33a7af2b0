"""The words for a borrower's standing: the state of their membership and the places
a block applies to. The codes are the domain's (plain enums, no Django there); the
one translated label of each code is here, for every page that shows it."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lidgeld.domain.blocks import Channel, MembershipState

MEMBERSHIP_STATE_LABELS: dict[MembershipState, Promise] = {
    MembershipState.ACTIVE: _("valid"),
    MembershipState.EXPIRED: _("expired"),
    MembershipState.INVALIDATED: _("invalidated (fee not paid)"),
    MembershipState.NONE: _("no membership"),
}
# Lower case, as they stand inside a sentence; a heading capitalises them.
CHANNEL_LABELS: dict[Channel, Promise] = {
    Channel.DESK: _("desk"),
    Channel.KIOSK: _("self-checkout kiosk"),
    Channel.PORTAL: _("Mijn Bibliotheek"),
}
