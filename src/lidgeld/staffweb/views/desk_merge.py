"""Merging two records of one person (R12), coordinators and up: from the record to
keep, the other is picked by its card number; the preview says what moves, the POST
moves it (operations.merge) and opens the kept record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.selectors import card_holder
from lidgeld.errors import LidgeldError
from lidgeld.operations.merge import MOVED, borrower_merge, merge_preview
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.views.desk_common import actor

MOVED_WORDS = {
    "periods": gettext_lazy("Membership periods"),
    "postings": gettext_lazy("Contributions and other items"),
    "payments": gettext_lazy("Payments"),
    "messages": gettext_lazy("Messages"),
    "reservations": gettext_lazy("Reservations"),
    "loans": gettext_lazy("Loans"),
    "notes": gettext_lazy("Notes"),
    "cards": gettext_lazy("Cards"),
    "audit": gettext_lazy("Audit events"),
}


def _other(request: StaffRequest, card: str, kept: Borrower) -> tuple[Borrower | None, str]:
    """The borrower with this card (current or old) in one's libraries, or why not."""
    if not card:
        return None, ""
    holder = card_holder(card)
    if holder is None or not request.scope.allows(holder.borrower.home_instance_id):
        return None, _("No borrower with card %(card)s in your libraries.") % {"card": card}
    if holder.borrower.pk == kept.pk:
        return None, _("Card %(card)s is this borrower's own card.") % {"card": card}
    return holder.borrower, ""


@staff_page(needed=Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def merge(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    kept = visible_borrower(request.scope, borrower_id)
    data = request.POST if request.method == "POST" else request.GET
    card = data.get("card", "").strip()
    duplicate, error = _other(request, card, kept)
    status = 400 if error else 200
    if request.method == "POST" and duplicate is not None:
        try:
            result = borrower_merge(
                kept=kept,
                duplicate=duplicate,
                today=request.moment.today,
                now=request.moment.now,
                actor=actor(request),
                within=request.scope,
            )
        except LidgeldError as refusal:
            error, status = refusal.localized(), 400
        else:
            messages.success(
                request,
                _("Card %(card)s is merged into this borrower; its card is now an old card.")
                % {"card": result.duplicate_card},
            )
            return redirect("staffweb:borrower", borrower_id=kept.pk)
    context: dict[str, Any] = {
        "kept": kept,
        "card": card,
        "error": error,
        "title": _("Merge with another record"),
    }
    if duplicate is not None:
        preview = merge_preview(kept=kept, duplicate=duplicate)
        context.update(
            duplicate=duplicate,
            preview=preview,
            moved=[(MOVED_WORDS[name], preview.counts[name]) for name in MOVED],
            problem=preview.problem.localized() if preview.problem else "",
        )
    return render(request, "staffweb/desk/merge.html", context, status=status)
