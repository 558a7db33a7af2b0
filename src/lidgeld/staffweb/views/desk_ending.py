"""Ending a membership early and undoing that (R12), coordinators and up.

The form asks the reason and when it takes effect; the confirmation step lists what
the reason does (lidgeld.domain.endings, the table the service carries out), the open
loans and what is open; the POST calls operations.ending. Undo: within 30 days."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lidgeld.domain.endings import EFFECTS, Effective
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_date_be
from lidgeld.memberships.models import MembershipEnding
from lidgeld.operations.ending import (
    ending_preview,
    membership_end,
    membership_end_reverse,
)
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.views.desk_common import actor


def _reasons() -> list[tuple[str, str]]:
    return [(reason.value, _(effects.label)) for reason, effects in EFFECTS.items()]


def _effective_choices() -> list[tuple[str, str]]:
    return [
        (Effective.TODAY.value, _("today")),
        (Effective.PERIOD_END.value, _("at the end of the current period")),
    ]


@staff_page(needed=Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def end(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    today = request.moment.today
    data = request.POST if request.method == "POST" else request.GET
    reason = data.get("reason", "")
    effective = data.get("effective", Effective.TODAY.value)
    context: dict[str, Any] = {
        "borrower": borrower,
        "reasons": _reasons(),
        "effective_choices": _effective_choices(),
        "reason": reason,
        "effective": effective,
        "error": "",
        "title": _("End the membership"),
    }
    status = 200
    if request.method == "POST":
        try:
            result = membership_end(
                borrower=borrower,
                reason=reason,
                effective=effective,
                today=today,
                now=request.moment.now,
                actor=actor(request),
                confirm=data.get("confirm_loans") == "yes",
                within=request.scope,
            )
        except LidgeldError as error:
            context["error"] = error.localized()
            status = 400
        else:
            messages.success(
                request,
                _("Membership ended (%(reason)s), taking effect on %(day)s.")
                % {
                    "reason": result.ending.get_reason_display(),
                    "day": format_date_be(result.ending.effective),
                },
            )
            return redirect("staffweb:borrower", borrower_id=borrower.pk)
    if reason in EFFECTS:
        preview = ending_preview(borrower=borrower, reason=reason, effective=effective, today=today)
        context.update(
            preview=preview,
            reason_label=_(preview.effects.label),
            effects=[_(sentence) for sentence in preview.sentences],
            problem=preview.problem.localized() if preview.problem else "",
            loans_warn=preview.effects.loans_must_be_returned and bool(preview.loans),
        )
    elif reason:
        context["error"] = _("Choose one of the reasons.")
        status = 400
    return render(request, "staffweb/desk/end_membership.html", context, status=status)


@staff_page(needed=Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def undo(request: StaffRequest, borrower_id: int, ending_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    ending = get_object_or_404(MembershipEnding, pk=ending_id, borrower=borrower)
    error = ""
    if request.method == "POST":
        try:
            result = membership_end_reverse(
                ending=ending,
                today=request.moment.today,
                now=request.moment.now,
                actor=actor(request),
                within=request.scope,
            )
        except LidgeldError as refusal:
            error = refusal.localized()
        else:
            messages.success(
                request,
                _(
                    "The ending is undone: the membership counts again. %(written_off)s "
                    "written-off contribution(s) and %(cancelled)s cancelled reservation(s) "
                    "stay as they are."
                )
                % {"written_off": result.kept_written_off, "cancelled": result.kept_cancelled},
            )
            return redirect("staffweb:borrower", borrower_id=borrower.pk)
    context = {
        "borrower": borrower,
        "ending": ending,
        "until": ending.reversible_until,
        "written_off": len(ending.done.get("written_off", [])),
        "cancelled": len(ending.done.get("reservations_cancelled", [])),
        "error": error,
        "title": _("Undo the end of the membership"),
    }
    return render(request, "staffweb/desk/end_undo.html", context, status=400 if error else 200)
