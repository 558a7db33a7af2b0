"""A borrower's PIN set at the desk: typed by the borrower (twice, masked) or generated
and printed on a slip. The PIN is never shown again, nor put in a message, an address
or a log; setting it ends the borrower's Mijn Bibliotheek sessions (the service sees
to that)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.services import borrower_pin_set, pin_generate
from lidgeld.errors import LidgeldError
from lidgeld.staffweb.access import StaffRequest, staff_page, visible_borrower
from lidgeld.staffweb.forms_desk import PinForm
from lidgeld.staffweb.views.desk_register import pin_slip


def _done(request: StaffRequest) -> None:
    messages.success(
        request,
        _("The new PIN is set. The borrower's Mijn Bibliotheek sessions were ended."),
    )


@sensitive_variables("pin", "new_pin")
@sensitive_post_parameters("pin", "pin_again")
@staff_page()
@require_http_methods(["GET", "POST"])
def pin(request: StaffRequest, borrower_id: int) -> HttpResponseBase:
    borrower = visible_borrower(request.scope, borrower_id)
    typed = request.method == "POST" and request.POST.get("mode") != "generate"
    form = PinForm(request.POST if typed else None)
    context = {"borrower": borrower, "pin_form": form, "error": "", "title": _("PIN")}
    if request.method != "POST":
        return render(request, "staffweb/desk/pin.html", context)
    if typed and not form.is_valid():
        return render(request, "staffweb/desk/pin.html", context, status=400)
    new_pin = form.cleaned_data["pin"] if typed else pin_generate()
    moment = request.moment
    try:
        borrower_pin_set(
            borrower=borrower, pin=new_pin, today=moment.today, now=moment.now, actor=moment.actor
        )
    except LidgeldError as refusal:
        context["error"] = _("The PIN was not changed: %(reason)s") % {
            "reason": form.refusal(refusal)
        }
        return render(request, "staffweb/desk/pin.html", context, status=400)
    _done(request)
    if typed:
        return redirect("staffweb:borrower", borrower_id=borrower.pk)
    return pin_slip(request, borrower, new_pin, reset=True)
