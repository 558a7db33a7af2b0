"""The desk's changes to one borrower: renew (with a confirmation step), register a
payment, write off an open item (coordinators and up).

Each GET only shows what will happen; each POST calls the one service that does it
(and audits it) and goes back to the borrower page, which then shows the new blocks.
A refusal or a typing mistake changes nothing and is said at the top of that page."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lidgeld.domain.blocks import format_amount
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_money_be
from lidgeld.finance.models import Posting, PostingStatus
from lidgeld.finance.services import parse_amount, payment_register, posting_write_off
from lidgeld.memberships.models import MembershipType, TypeKind
from lidgeld.memberships.selectors import types_of
from lidgeld.operations.renewals import membership_renew, renewal_plan
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.views.desk_common import actor, one_time_key, renewal_outcome
from lidgeld.standing.dues import renewal_dues


def _back(borrower_id: int) -> HttpResponseBase:
    return redirect("staffweb:borrower", borrower_id=borrower_id)


def _type_picked(types: list[MembershipType], value: str) -> MembershipType | None:
    """The type chosen in the form (its id), among those offered; None: the plan's own."""
    return next((t for t in types if str(t.pk) == value.strip()), None) if value else None


@staff_page()
@require_http_methods(["GET", "POST"])
def renew(request: StaffRequest, borrower_id: int, paid: bool) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    today = request.moment.today
    data = request.POST if request.method == "POST" else request.GET
    # Item 8: the type may change at renewal, among the library's own types; the
    # plan's type (R12: the type that follows, past the age limit) is preselected.
    plan = renewal_plan(borrower=borrower, today=today)
    library = (
        plan.membership_type.instance_id if plan.membership_type else borrower.home_instance_id
    )
    types = list(types_of(library))
    picked = _type_picked(types, data.get("type", ""))
    if data.get("type", "").strip() and picked is None:
        messages.error(request, _("Choose one of the library's membership types."))
        if request.method == "POST":
            return _back(borrower.pk)
    if request.method == "POST":
        typed = request.POST.get("amount", "").strip()
        try:
            result = membership_renew(
                borrower=borrower,
                paid=paid,
                # "fee paid" without an amount pays everything open, as the form says
                amount=parse_amount(typed) if paid and typed else None,
                today=today,
                now=request.moment.now,
                actor=actor(request),
                membership_type=picked,
                request_key=request.POST.get("key") or None,
            )
        except LidgeldError as error:
            messages.error(request, _("Not renewed: %(reason)s") % {"reason": error.localized()})
        else:
            sentence = renewal_outcome(result)
            (messages.success if result.renewed else messages.warning)(request, sentence)
            if result.repeated:
                messages.info(request, _sent_twice())
        return _back(borrower.pk)
    if picked is not None and picked != plan.membership_type:
        plan = renewal_plan(borrower=borrower, today=today, membership_type=picked)
    chosen = plan.membership_type
    fee = chosen.fee if chosen is not None and chosen.kind == TypeKind.PAYING else None
    dues = renewal_dues(
        borrower_id=borrower.pk, new_fee=fee if fee and plan.period else Decimal("0.00")
    )
    context = {
        "borrower": borrower,
        "plan": plan,
        "paid": paid,
        "fee": fee,
        "types": types,
        "type_chosen": chosen,
        "dues": dues,
        "amount_prefill": format_amount(dues.total, "nl") if dues.total else "",
        "key": one_time_key(),
        "today": today,
    }
    return render(request, "staffweb/desk/renew_confirm.html", context)


@staff_page()
@require_POST
def payment(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    try:
        amount = parse_amount(request.POST.get("amount", ""))
        result = payment_register(
            borrower=borrower,
            amount=amount,
            today=request.moment.today,
            now=request.moment.now,
            actor=actor(request),
            # The form's one-time key: a second POST of the same form books nothing.
            request_key=request.POST.get("key", ""),
        )
    except LidgeldError as error:
        messages.error(
            request, _("Payment not registered: %(reason)s") % {"reason": error.localized()}
        )
    else:
        values = {"paid": format_money_be(result.paid), "open": format_money_be(result.still_open)}
        messages.success(
            request,
            _("Payment of %(paid)s registered; %(open)s is still open.") % values
            if result.still_open
            else _("Payment of %(paid)s registered; the contribution is paid in full.") % values,
        )
        if result.repeated:
            messages.info(request, _sent_twice())
    return _back(borrower.pk)


def _sent_twice() -> str:
    return _("This form was sent twice: it was booked once, this is the first answer.")


@staff_page(needed=Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def write_off(request: StaffRequest, borrower_id: int, posting_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    posting = get_object_or_404(Posting, pk=posting_id, borrower=borrower)
    error = ""
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST":
        try:
            done = posting_write_off(
                posting=posting,
                today=request.moment.today,
                now=request.moment.now,
                actor=actor(request),
                reason=reason,
            )
        except LidgeldError as refusal:
            error = refusal.localized()
        else:
            messages.success(
                request,
                _("%(amount)s written off.") % {"amount": format_money_be(done.amount)},
            )
            return _back(borrower.pk)
    context = {
        "borrower": borrower,
        "posting": posting,
        "is_open": posting.status == PostingStatus.OPEN,
        "reason": reason,
        "error": error,
    }
    status = 400 if error else 200
    return render(request, "staffweb/desk/write_off_confirm.html", context, status=status)
