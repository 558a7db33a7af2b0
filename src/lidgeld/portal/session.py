"""Who is logged in to Mijn Bibliotheek.

Borrowers are not Django users: the session holds the borrower's id under keys
of its own, next to (never instead of) any staff login. A session ends when the
borrower logs out, after ``LIDGELD_PORTAL_IDLE_MINUTES`` without a request
(default 30), when the browser closes, and when the PIN or the card changes
elsewhere (a reset link, the desk giving a new PIN, reporting the card lost or
stolen, replacing it): the session remembers a fingerprint of the PIN hash, the
card number and its report.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.middleware.csrf import rotate_token
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from lidgeld.borrowers.models import Borrower
from lidgeld.clock import clock
from lidgeld.domain.actors import portal_actor

BORROWER_KEY = "portal.borrower"
SEEN_KEY = "portal.seen"  # POSIX seconds of the last request
PIN_KEY = "portal.pin"  # session_fingerprint() at login
# Writing the session on every page would cost a database write per request; the
# idle clock only needs to move once a minute.
SEEN_RESOLUTION = 60


def idle_limit() -> timedelta:
    return timedelta(minutes=getattr(settings, "LIDGELD_PORTAL_IDLE_MINUTES", 30))


def session_fingerprint(borrower: Borrower) -> str:
    """Changes when the PIN, the card or the card's report changes: the session ends."""
    return salted_hmac(
        "lidgeld.portal.session",
        f"{borrower.pin_hash}|{borrower.card_number}|{borrower.card_reported}",
    ).hexdigest()


def session_start(request: HttpRequest, borrower: Borrower, *, now: datetime) -> None:
    """Log ``borrower`` in: a new session key (no fixation) and a new CSRF token."""
    request.session.cycle_key()
    rotate_token(request)
    request.session[BORROWER_KEY] = borrower.pk
    request.session[SEEN_KEY] = int(now.timestamp())
    request.session[PIN_KEY] = session_fingerprint(borrower)


def session_pin_changed(request: HttpRequest, borrower: Borrower) -> None:
    """The borrower changed their own PIN here: this session stays, others end."""
    request.session.cycle_key()
    request.session[PIN_KEY] = session_fingerprint(borrower)


def session_end(request: HttpRequest) -> None:
    """Forget everything: a library's public computer must not keep anyone logged in."""
    request.session.flush()


def safe_next(request: HttpRequest, target: str | None) -> str:
    """Where to go after logging in: a portal page of this site, else the membership page."""
    if (
        target
        and target.startswith("/portal/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return reverse("portal:membership")


def _to_login(request: HttpRequest, *, expired: bool) -> HttpResponseRedirect:
    if expired:
        messages.info(request, _("Your session has ended. Please log in again."))
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return HttpResponseRedirect(reverse("portal:login") + (f"?{query}" if query else ""))


def _current_borrower(request: HttpRequest, now: datetime) -> tuple[Borrower | None, bool]:
    """The logged-in borrower, or None and whether a session just ran out."""
    session = request.session
    borrower_id = session.get(BORROWER_KEY)
    if borrower_id is None:
        return None, False
    seen = session.get(SEEN_KEY, 0)
    if now.timestamp() - seen > idle_limit().total_seconds():
        session_end(request)
        return None, True
    borrower = Borrower.objects.select_related("home_instance").filter(pk=borrower_id).first()
    if borrower is None or not constant_time_compare(
        session.get(PIN_KEY, ""), session_fingerprint(borrower)
    ):
        session_end(request)
        return None, True
    if now.timestamp() - seen >= SEEN_RESOLUTION:
        session[SEEN_KEY] = int(now.timestamp())
    return borrower, False


class PortalRequest(HttpRequest):
    """A request that passed ``portal_page``: the borrower, the clock read once, and
    the actor for the audit trail. Never made: the views are typed with this class."""

    borrower: Borrower
    now: datetime
    today: date
    actor: str


def portal_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page for a logged-in borrower.

    The view gets ``request.borrower``, ``request.now`` and ``request.today`` (the
    clock is read once, here) and ``request.actor`` for the audit trail. It runs in
    the borrower's language. Its answer says how long the server worked on it
    (``Server-Timing: app;dur=…``, in milliseconds, from reading the session to the
    rendered page) and that it must not be cached: it shows one person's data.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        started = time.perf_counter()
        now = clock.now()
        borrower, expired = _current_borrower(request, now)
        if borrower is None:
            response: HttpResponseBase = _to_login(request, expired=expired)
        else:
            portal_request = cast(PortalRequest, request)
            portal_request.borrower = borrower
            portal_request.now = now
            portal_request.today = timezone.localdate(now)
            portal_request.actor = portal_actor(borrower.card_number)
            translation.activate(borrower.language)
            portal_request.LANGUAGE_CODE = borrower.language
            response = view(portal_request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    return wrapper
