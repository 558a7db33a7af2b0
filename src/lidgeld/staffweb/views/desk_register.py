"""A new borrower at the desk: the form, the duplicate warning, the PIN and the slip.

Every check is the service's (:func:`lidgeld.operations.registration.borrower_register`):
a refusal shows the form again with what was typed and the reason, at the top and by
the field. When the borrower types the PIN, the registration is tried without saving
(every check, the duplicate warning included) before the screen is handed over; what
was typed waits in the session under a one-time key, never the PIN, which is only in
the last POST, not kept, not logged and never shown again. A generated PIN is printed
on a slip once, on a page no browser or proxy stores."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from lidgeld.borrowers.models import Borrower
from lidgeld.borrowers.services import LikelyDuplicate, pin_generate
from lidgeld.errors import LidgeldError
from lidgeld.operations.registration import borrower_register
from lidgeld.scope import Scope
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.forms_desk import PinForm, RegistrationForm

PENDING = "staffweb.registrations"  # session: one-time key → what was typed
PENDING_KEPT = 5  # registrations waiting for a PIN per session (a desk has one at a time)


class _NotSaved(Exception):
    """Ends a trial registration: everything it wrote is rolled back."""


def _register(
    request: StaffRequest,
    values: dict[str, Any],
    *,
    duplicates_in: Scope | None,
    pin: str | None = None,
) -> Borrower:
    moment = request.moment
    return borrower_register(
        **values,
        pin=pin,
        duplicates_in=duplicates_in,
        today=moment.today,
        now=moment.now,
        actor=moment.actor,
    )


def _try(request: StaffRequest, values: dict[str, Any], *, duplicates_in: Scope | None) -> None:
    """The registration with all its checks, rolled back: raises what it would raise."""
    try:
        with transaction.atomic():
            _register(request, values, duplicates_in=duplicates_in)
            raise _NotSaved
    except _NotSaved:
        pass


def _form_page(
    request: StaffRequest,
    form: RegistrationForm,
    *,
    error: str = "",
    duplicates: list[Borrower] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        **form.groups(),
        "error": error,
        "duplicates": duplicates or [],
        "title": _("New borrower"),
    }
    status = 400 if error or duplicates or form.errors else 200
    return render(request, "staffweb/desk/register.html", context, status=status)


def _registered(request: StaffRequest, borrower: Borrower) -> None:
    messages.success(
        request,
        _("%(name)s is registered with card %(card)s.")
        % {"name": borrower.full_name, "card": borrower.card_number},
    )


def pin_slip(
    request: StaffRequest, borrower: Borrower, pin: str, *, reset: bool = False
) -> HttpResponse:
    """The PIN on a page to print, shown this once: no browser or proxy keeps it.
    ``reset``: a PIN replaced at the desk (the borrower's portal sessions ended)."""
    response = render(
        request,
        "staffweb/desk/pin_slip.html",
        {"borrower": borrower, "pin": pin, "reset": reset, "title": _("PIN slip")},
    )
    add_never_cache_headers(response)
    return response


@sensitive_variables("pin")
@sensitive_post_parameters("pin", "pin_again")
@staff_page()
@require_http_methods(["GET", "POST"])
def register(request: StaffRequest) -> HttpResponseBase:
    if request.method != "POST":
        form = RegistrationForm(scope=request.scope, initial={"start": request.moment.today})
        return _form_page(request, form)
    form = RegistrationForm(request.POST, scope=request.scope)
    if not form.is_valid():
        return _form_page(request, form, error=_("Not registered: correct the fields marked."))
    values = form.registration()
    anyway = request.POST.get("anyway") == "1"
    duplicates_in = None if anyway else request.scope
    mode = form.cleaned_data["pin_mode"]
    try:
        if mode == "borrower":
            _try(request, values, duplicates_in=duplicates_in)
            return redirect("staffweb:borrower-new-pin", key=_keep(request, form, anyway))
        pin = pin_generate() if mode == "generate" else None
        borrower = _register(request, values, duplicates_in=duplicates_in, pin=pin)
    except LikelyDuplicate as found:
        return _form_page(request, form, duplicates=found.borrowers)
    except LidgeldError as refusal:
        return _form_page(request, form, error=_refused(form, refusal))
    _registered(request, borrower)
    if pin is not None:
        return pin_slip(request, borrower, pin)
    return redirect("staffweb:borrower", borrower_id=borrower.pk)


def _refused(form: RegistrationForm, refusal: LidgeldError) -> str:
    return _("Not registered: %(reason)s") % {"reason": form.refusal(refusal)}


def _keep(request: StaffRequest, form: RegistrationForm, anyway: bool) -> str:
    key = secrets.token_urlsafe(16)
    pending = dict(request.session.get(PENDING, {}))
    pending[key] = {"data": form.kept(), "anyway": anyway}
    request.session[PENDING] = dict(list(pending.items())[-PENDING_KEPT:])
    return key


def _forget(request: StaffRequest, key: str) -> None:
    pending = dict(request.session.get(PENDING, {}))
    pending.pop(key, None)
    request.session[PENDING] = pending


@sensitive_variables("pin")
@sensitive_post_parameters("pin", "pin_again")
@staff_page()
@require_http_methods(["GET", "POST"])
def register_pin(request: StaffRequest, key: str) -> HttpResponseBase:
    """The screen handed to the borrower: the PIN twice. Only now is the registration
    saved, with what the desk typed before."""
    kept = request.session.get(PENDING, {}).get(key)
    if kept is None:
        messages.error(
            request, _("This registration is no longer waiting for a PIN; fill in the form again.")
        )
        return redirect("staffweb:borrower-new")
    form = RegistrationForm(kept["data"], scope=request.scope)
    if not form.is_valid():  # the staff member's libraries changed in between
        _forget(request, key)
        return _form_page(request, form, error=_("Not registered: correct the fields marked."))
    pin_form = PinForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "pin_form": pin_form,
        "first_name": form.cleaned_data["first_name"],
        "last_name": form.cleaned_data["last_name"],
        "card_number": form.cleaned_data["card_number"],
        "title": _("Choose a PIN"),
    }
    if request.method != "POST":
        return render(request, "staffweb/desk/register_pin.html", context)
    if not pin_form.is_valid():
        return render(request, "staffweb/desk/register_pin.html", context, status=400)
    pin = pin_form.cleaned_data["pin"]
    duplicates_in = None if kept["anyway"] else request.scope
    try:
        borrower = _register(request, form.registration(), duplicates_in=duplicates_in, pin=pin)
    except LikelyDuplicate as found:  # registered by someone else meanwhile
        _forget(request, key)
        return _form_page(request, form, duplicates=found.borrowers)
    except LidgeldError as refusal:
        if refusal.code == "pin_malformed":
            context["error"] = pin_form.refusal(refusal)
            return render(request, "staffweb/desk/register_pin.html", context, status=400)
        _forget(request, key)
        return _form_page(request, form, error=_refused(form, refusal))
    _forget(request, key)
    _registered(request, borrower)
    return redirect("staffweb:borrower", borrower_id=borrower.pk)
