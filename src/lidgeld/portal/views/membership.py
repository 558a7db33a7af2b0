"""My membership: until when, what is owed and how to pay it, and renewing online."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lidgeld.circulation.models import ReservationStatus
from lidgeld.domain.epc_qr import format_iban
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_date_be, format_money_be
from lidgeld.finance.selectors import payment_instructions
from lidgeld.memberships.models import Origin, TypeKind
from lidgeld.notices.qr import epc_qr_png
from lidgeld.operations.renewals import membership_renew
from lidgeld.portal.selectors import Situation, fee_timeline, situation
from lidgeld.portal.session import PortalRequest, portal_page
from lidgeld.portal.views.common import refusal_text, render_page


@portal_page
def home_view(request: HttpRequest) -> HttpResponse:
    return redirect("portal:membership")


@portal_page
def membership_view(request: PortalRequest) -> HttpResponse:
    borrower, today = request.borrower, request.today
    standing = situation(borrower=borrower, today=today, with_plan=True)
    payment = standing.status.payment
    return render_page(
        request,
        "portal/membership.html",
        {
            "view": standing.status.membership,
            "plan": standing.plan,
            "renewal_message": _renewal_message(standing, borrower.language),
            "payment": payment,
            "iban": format_iban(payment.iban) if payment else "",
            "timeline": fee_timeline(borrower=borrower, today=today)
            if standing.status.open_amount
            else None,
        },
        section="membership",
        standing=standing,
    )


@portal_page
def payment_qr_view(request: PortalRequest) -> HttpResponse:
    """The EPC QR code of the logged-in borrower's own open contribution: the address
    names no one, so it cannot show anyone else's."""
    instructions = payment_instructions(borrower_id=request.borrower.pk)
    if instructions is None or instructions.epc_qr is None:
        raise Http404("nothing to pay by transfer")
    return HttpResponse(epc_qr_png(instructions.epc_qr), content_type="image/png")


@portal_page
@require_http_methods(["GET", "POST"])
def renew_view(request: PortalRequest) -> HttpResponse:
    """A renewal the borrower confirms: what they get and what it costs, then one click.
    The eligibility is the desk's own rule, asked again when the renewal is made."""
    borrower, today = request.borrower, request.today
    if request.method == "POST":
        try:
            result = membership_renew(
                borrower=borrower,
                paid=False,
                today=today,
                now=request.now,
                actor=request.actor,
                origin=Origin.PORTAL,
            )
        except LidgeldError as refusal:
            messages.error(request, refusal_text(refusal))
            return redirect("portal:membership")
        if result.renewed and result.membership is not None:
            if result.posting is not None:
                messages.success(
                    request,
                    _(
                        "Your membership is renewed until %(end)s. Pay the fee of %(fee)s "
                        "below, by transfer or at the desk."
                    )
                    % {
                        "end": format_date_be(result.membership.end),
                        "fee": format_money_be(result.posting.balance),
                    },
                )
            else:
                messages.success(
                    request,
                    _("Your membership is renewed until %(end)s.")
                    % {"end": format_date_be(result.membership.end)},
                )
        elif result.eligibility is not None:
            messages.info(request, result.eligibility.message(borrower.language))
        return redirect("portal:membership")
    standing = situation(borrower=borrower, today=today, with_plan=True)
    plan = standing.plan
    paying = bool(plan and plan.membership_type and plan.membership_type.kind == TypeKind.PAYING)
    return render_page(
        request,
        "portal/renew.html",
        {
            "plan": plan,
            "paying": paying,
            "renewal_message": _renewal_message(standing, borrower.language),
            "held": any(r.status == ReservationStatus.HELD for r in standing.status.reservations),
        },
        section="membership",
        standing=standing,
    )


def _renewal_message(standing: Situation, language: str) -> str:
    return standing.plan.eligibility.message(language) if standing.plan else ""
