"""What every portal page shares: the menu, the borrower's standing (the banner) and
how a refusal is put into words."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lidgeld.domain.blocks import Reason
from lidgeld.errors import LidgeldError
from lidgeld.portal.selectors import Situation, situation
from lidgeld.portal.session import PortalRequest

MENU = (
    ("membership", "portal:membership", gettext_lazy("Membership")),
    ("loans", "portal:loans", gettext_lazy("Loans")),
    ("reservations", "portal:reservations", gettext_lazy("Reservations")),
    ("messages", "portal:messages", gettext_lazy("Messages")),
    ("profile", "portal:profile", gettext_lazy("Profile")),
)


def client_address(request: HttpRequest) -> str:
    """The address the login throttle counts per (behind a proxy: the proxy's, unless
    the proxy sets REMOTE_ADDR for us)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def render_page(
    request: PortalRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    section: str,
    standing: Situation | None = None,
    status: int = 200,
) -> HttpResponse:
    borrower = request.borrower
    standing = standing or situation(borrower=borrower, today=request.today)
    page: dict[str, Any] = {
        "borrower": borrower,
        "library": borrower.home_instance,
        "situation": standing,
        "access": standing.block,
        "access_message": standing.block.message(borrower.language),
        "menu": MENU,
        "section": section,
        "today": request.today,
    }
    page.update(context or {})
    return render(request, template, page, status=status)


# Refusals whose message is already written for the borrower, in their language: the
# block decision's sentences (R7) and the portal's own services.
READY_WORDED = {reason.value for reason in Reason} | {"wrong_pin", "throttled", "link_invalid"}


def refusal_text(error: LidgeldError) -> str:
    """A service's refusal as the borrower reads it; staff wording never reaches them."""
    if error.code in READY_WORDED:
        return error.localized()
    known = {
        "reserved": _("Someone else is waiting for this item, so it cannot be renewed."),
        "returned": _("This item has already been returned."),
        "already_reserved": _("You have already reserved this item."),
    }
    return known.get(error.code, _("This is not possible right now. The desk can tell you more."))
