"""Profile: language, e-mail address and PIN. Each form is its own page section and
its own POST, so a mistake in one never touches the others."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lidgeld.borrowers.services import borrower_contact_update
from lidgeld.errors import LidgeldError
from lidgeld.portal.accounts import portal_email_change, portal_pin_change
from lidgeld.portal.forms import EmailForm, LanguageForm, PinChangeForm
from lidgeld.portal.session import PortalRequest, portal_page, session_pin_changed
from lidgeld.portal.views.common import client_address, refusal_text, render_page


def _page(request: PortalRequest, status: int = 200, **forms: Any) -> HttpResponse:
    borrower = request.borrower
    context = {
        "language_form": LanguageForm(initial={"language": borrower.language}),
        "email_form": EmailForm(initial={"email": borrower.email}),
        "pin_form": PinChangeForm(),
    }
    context.update(forms)
    return render_page(request, "portal/profile.html", context, section="profile", status=status)


@portal_page
def profile_view(request: PortalRequest) -> HttpResponse:
    return _page(request)


@portal_page
@require_POST
def profile_language_view(request: PortalRequest) -> HttpResponse:
    borrower = request.borrower
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, language_form=form)
    borrower_contact_update(
        borrower=borrower,
        language=form.cleaned_data["language"],
        today=request.today,
        now=request.now,
        actor=request.actor,
    )
    # Say it in the language just chosen.
    translation.activate(borrower.language)
    messages.success(request, _("From now on we use this language for you."))
    return redirect("portal:profile")


@portal_page
@require_POST
def profile_email_view(request: PortalRequest) -> HttpResponse:
    borrower = request.borrower
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            portal_email_change(
                borrower=borrower,
                email=form.cleaned_data["email"],
                pin=form.cleaned_data["pin"],
                address=client_address(request),
                now=request.now,
                today=request.today,
            )
        except LidgeldError as refusal:
            form.add_error("pin" if refusal.code == "wrong_pin" else None, refusal_text(refusal))
        else:
            if borrower.email:
                messages.success(
                    request,
                    _("Your e-mail address is now %(email)s.") % {"email": borrower.email},
                )
            else:
                messages.success(request, _("No e-mail address: we send your messages by letter."))
            return redirect("portal:profile")
    return _page(request, status=400, email_form=form)


@portal_page
@require_POST
def profile_pin_view(request: PortalRequest) -> HttpResponse:
    borrower = request.borrower
    form = PinChangeForm(request.POST)
    if form.is_valid():
        try:
            portal_pin_change(
                borrower=borrower,
                current=form.cleaned_data["current_pin"],
                new=form.cleaned_data["new_pin"],
                address=client_address(request),
                now=request.now,
                today=request.today,
            )
        except LidgeldError as refusal:
            target = "current_pin" if refusal.code == "wrong_pin" else None
            form.add_error(target, refusal_text(refusal))
        else:
            session_pin_changed(request, borrower)
            messages.success(request, _("Your new PIN is set. Use it from now on."))
            return redirect("portal:profile")
    return _page(request, status=400, pin_form=form)
