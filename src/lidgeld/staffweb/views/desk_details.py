"""Correcting a borrower's details at the desk (names, date of birth, address, e-mail
address, phone, language; the card, the PIN and the home library have their own
pages). Only what was changed is sent to the service, which checks it, saves it and
audits it with before and after; the page then says what changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.checks import DETAIL_FIELDS, FIELD_WORDS
from lidgeld.errors import LidgeldError
from lidgeld.exports.formatting import format_date_be
from lidgeld.operations.details import borrower_correct
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.forms_desk import DetailsForm
from lidgeld.staffweb.views.desk_common import LANGUAGE_NAMES, label


def _shown(field: str, value: Any) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, date):
        return format_date_be(value)
    if field == "language":
        return label(LANGUAGE_NAMES, value)
    return str(value)


def changes_said(changed: dict[str, tuple[Any, Any]]) -> str:
    """ "street: Kerkstraat → Veldstraat; postal code: 9000 → 9050"."""
    return "; ".join(
        f"{FIELD_WORDS[field]}: {_shown(field, changed[field][0])} → "
        f"{_shown(field, changed[field][1])}"
        for field in DETAIL_FIELDS
        if field in changed
    )


@staff_page()
@require_http_methods(["GET", "POST"])
def details(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    initial = DetailsForm.initial_of(borrower)
    form = DetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            typed = form.details()
            changes = {field: value for field, value in typed.items() if value != initial[field]}
            try:
                done = borrower_correct(
                    borrower=borrower,
                    changes=changes,
                    today=request.moment.today,
                    now=request.moment.now,
                    actor=request.moment.actor,
                )
                changed = done.changes
            except LidgeldError as refusal:
                error = _("Nothing was saved: %(reason)s") % {"reason": form.refusal(refusal)}
            else:
                if changed:
                    messages.success(
                        request,
                        _("Details corrected: %(changes)s.") % {"changes": changes_said(changed)},
                    )
                else:
                    messages.info(request, _("Nothing was changed."))
                if done.notice is not None:
                    messages.info(
                        request,
                        _("The old e-mail address is told of the change, as the library wants."),
                    )
                return redirect("staffweb:borrower", borrower_id=borrower.pk)
        else:
            error = _("Nothing was saved: correct the fields marked.")
    context = {
        "borrower": borrower,
        "form": form,
        **form.groups(),
        "error": error,
        "title": _("Correct details"),
    }
    return render(request, "staffweb/desk/details.html", context, status=400 if error else 200)
