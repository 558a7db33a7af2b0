"""The Django admin's login, throttled like the staff login.

Superusers log in at /admin/login/ too; without this, their passwords could be guessed
there at full speed, and a lock earned at /staff/login/ would not hold. The admin keeps
its own form and page; only the check comes first and the outcome is counted, on the
same keys as the staff login (``login_keys``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponseBase

from lidgeld.clock import clock
from lidgeld.web.throttle import (
    client_address,
    login_keys,
    throttle_clear,
    throttle_fail,
    throttle_message,
    throttle_verdict,
)

THROTTLED = "throttled"


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """An attempt that must wait is refused before the password is looked at; a wrong
    password, or a login that may not use the admin, counts as a failure."""

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # the form says what is missing; nothing was tried
        keys = login_keys(username=username, address=client_address(self.request))
        now = clock.now()
        verdict = throttle_verdict(keys=keys, now=now)
        if not verdict.allowed:
            raise ValidationError(throttle_message(verdict), code=THROTTLED)
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle_fail(keys=keys, now=now)
            raise
        throttle_clear(key=keys[0])
        return cleaned


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
    """The admin's own login view with the throttled form; a refused attempt is answered
    with 429, as at the staff login."""
    response: HttpResponseBase = admin.site.login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.is_bound and form.has_error(NON_FIELD_ERRORS, THROTTLED):
        response.status_code = 429
    return response
