"""Staff login and logout, slowed down and then locked after repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from lidgeld.audit.services import audit_record
from lidgeld.clock import clock
from lidgeld.domain.actors import staff_actor
from lidgeld.staffweb.access import role_of
from lidgeld.web.throttle import (
    client_address,
    login_keys,
    throttle_clear,
    throttle_fail,
    throttle_message,
    throttle_verdict,
)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponseBase:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    context: dict[str, Any] = {"next": next_url, "username": ""}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        context["username"] = username
        # The login's one reading of the clock: the throttle and the audit row share it.
        # (Who acts is known only once the password matched: the audit row names them.)
        now = clock.now()
        keys = login_keys(username=username, address=client_address(request))
        verdict = throttle_verdict(keys=keys, now=now)
        if not verdict.allowed:
            context["error"] = throttle_message(verdict)
            return render(request, "staffweb/login.html", context, status=429)
        user = authenticate(request, username=username, password=password)
        if user is None or role_of(user) is None:
            throttle_fail(keys=keys, now=now)
            context["error"] = _("The user name or password is not correct.")
            return render(request, "staffweb/login.html", context, status=200)
        login(request, user)  # rotates the session key
        throttle_clear(key=keys[0])
        audit_record(
            actor=staff_actor(user.get_username()),
            action="staff.login",
            obj=None,
            today=clock.today_of(now),
            now=now,
        )
        return redirect(next_url or "staffweb:dashboard")
    return render(request, "staffweb/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("staffweb:login")
