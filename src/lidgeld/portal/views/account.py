"""Logging in and out, and a new PIN through a link by e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lidgeld.clock import clock
from lidgeld.errors import LidgeldError
from lidgeld.portal.accounts import (
    pin_reset_borrower,
    pin_reset_complete,
    pin_reset_request,
    portal_login,
    reset_valid_for,
    wait_sentence,
)
from lidgeld.portal.forms import LoginForm, NewPinForm, PinForgotForm
from lidgeld.portal.session import BORROWER_KEY, safe_next, session_end, session_start
from lidgeld.portal.views.common import client_address

RESET_TOKEN_KEY = "portal.reset_token"
# The page that takes a reset link is always reached through this address, so the
# token never stays in the address bar or a Referer header.
RESET_FORM_TOKEN = "set"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _minutes() -> dict[str, int]:
    return {"minutes": int(reset_valid_for().total_seconds() // 60)}


def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.session.get(BORROWER_KEY) and request.method == "GET":
        return redirect("portal:membership")
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        now = clock.now()
        outcome = portal_login(
            card_number=form.cleaned_data["card_number"],
            pin=form.cleaned_data["pin"],
            address=client_address(request),
            now=now,
        )
        if outcome.borrower is not None:
            session_start(request, outcome.borrower, now=now)
            return HttpResponseRedirect(safe_next(request, next_url))
        if outcome.verdict is not None:
            error, status = wait_sentence(outcome.verdict), 429
        elif outcome.card_refusal:
            error = outcome.card_refusal  # the card is blocked: the borrower goes to the desk
        else:
            error = _(
                "The card number or the PIN is not correct. Check both and try again, "
                "or choose a new PIN."
            )
    return _no_store(
        render(
            request,
            "portal/login.html",
            {"form": form, "error": error, "next": next_url},
            status=status,
        )
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    session_end(request)
    messages.success(request, _("You are logged out. See you soon!"))
    return redirect("portal:login")


def pin_forgot_view(request: HttpRequest) -> HttpResponse:
    form = PinForgotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        now = clock.now()

        def link_for(token: str) -> str:
            return request.build_absolute_uri(reverse("portal:pin-reset", args=[token]))

        verdict = pin_reset_request(
            card_number=form.cleaned_data["card_number"],
            address=client_address(request),
            link_for=link_for,
            now=now,
            today=timezone.localdate(now),
        )
        if not verdict.allowed:
            form.add_error(None, wait_sentence(verdict))
        else:
            return _no_store(render(request, "portal/pin_sent.html", _minutes()))
    return _no_store(render(request, "portal/pin_forgot.html", {"form": form}))


def pin_reset_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: kept in the session, then the form without it."""
    if token != RESET_FORM_TOKEN:
        request.session[RESET_TOKEN_KEY] = token
        return redirect("portal:pin-reset", token=RESET_FORM_TOKEN)
    token = request.session.get(RESET_TOKEN_KEY, "")
    now = clock.now()
    borrower = pin_reset_borrower(token=token, now=now) if token else None
    if borrower is None:
        response = render(request, "portal/pin_reset_invalid.html", _minutes(), status=400)
        return _no_store(response)
    # In the language of the e-mail that brought them here.
    translation.activate(borrower.language)
    request.LANGUAGE_CODE = borrower.language
    form = NewPinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pin_reset_complete(
                token=token,
                pin=form.cleaned_data["new_pin"],
                now=now,
                today=timezone.localdate(now),
            )
        except LidgeldError as refusal:
            form.add_error(None, refusal.message)
        else:
            # Logged in nowhere: the new PIN is proved by logging in with it.
            session_end(request)
            messages.success(request, _("Your new PIN is set. Log in with it."))
            return redirect("portal:login")
    response = render(request, "portal/pin_reset.html", {"form": form})
    response["Referrer-Policy"] = "no-referrer"
    return _no_store(response)
