"""Loans: due dates, and renewing one or all when the block decision allows it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lidgeld.circulation.models import Loan
from lidgeld.domain.blocks import Channel, Reason
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_date_be
from lidgeld.operations.loans import loan_renew
from lidgeld.portal.selectors import open_loans, own_open_loan
from lidgeld.portal.session import PortalRequest, portal_page
from lidgeld.portal.views.common import refusal_text, render_page

BLOCK_REASONS = {reason.value for reason in Reason}


@portal_page
def loans_view(request: PortalRequest) -> HttpResponse:
    return render_page(
        request,
        "portal/loans.html",
        {"loans": list(open_loans(request.borrower))},
        section="loans",
    )


def _renew(request: PortalRequest, loan: Loan) -> tuple[bool, str, bool]:
    """Renew one loan; (renewed, what to tell the borrower, blocked: the others will
    be refused for the same reason)."""
    try:
        renewed = loan_renew(
            loan=loan,
            today=request.today,
            now=request.now,
            actor=request.actor,
            channel=Channel.PORTAL,
        )
    except LidgeldError as refusal:
        if refusal.code in BLOCK_REASONS:
            return False, refusal_text(refusal), True
        text = _("%(title)s: not renewed. %(reason)s") % {
            "title": loan.item.title,
            "reason": refusal_text(refusal),
        }
        return False, text, False
    text = _("%(title)s: renewed until %(due)s.") % {
        "title": renewed.item.title,
        "due": format_date_be(renewed.due_on),
    }
    return True, text, False


@portal_page
@require_POST
def loan_renew_view(request: PortalRequest, loan_id: int) -> HttpResponse:
    loan = own_open_loan(request.borrower, loan_id)
    if loan is None:
        raise Http404("no such loan")
    renewed, text, _blocked = _renew(request, loan)
    (messages.success if renewed else messages.error)(request, text)
    return redirect("portal:loans")


@portal_page
@require_POST
def loans_renew_all_view(request: PortalRequest) -> HttpResponse:
    loans = list(open_loans(request.borrower))
    if not loans:
        messages.info(request, _("You have nothing on loan."))
    for loan in loans:
        renewed, text, blocked = _renew(request, loan)
        (messages.success if renewed else messages.error)(request, text)
        if blocked:
            break
    return redirect("portal:loans")
