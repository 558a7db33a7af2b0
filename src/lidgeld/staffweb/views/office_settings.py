"""Settings per library (administrator): policy and details, and the kiosks' SIP2
accounts. Every change goes through the library's or the kiosk's service, audited.
Only one's own libraries are offered and reached (the manage scope, R11): another
library's settings or kiosks are 404, even within the cooperation group."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lidgeld.errors import LidgeldError
from lidgeld.kiosks.models import TERMINATORS, Terminal
from lidgeld.kiosks.services import (
    terminal_add,
    terminal_disable,
    terminal_enable,
    terminal_password_set,
    terminal_terminator_set,
)
from lidgeld.libraries.models import Instance
from lidgeld.libraries.services import instance_update
from lidgeld.notices.selectors import stage_notices_off
from lidgeld.staff.models import Role
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.forms import (
    InstanceSettingsForm,
    PasswordForm,
    TerminalAddForm,
    TerminatorForm,
)
from lidgeld.staffweb.views.office_common import (
    KIND_LABELS,
    actor_of,
    instance_chosen,
    instance_managed,
    instances_managed,
    manage_scope_of,
)


def _url(name: str, instance: Instance) -> str:
    return f"{reverse(name)}?{urlencode({'instance': instance.code})}"


def _settings_page(
    request: StaffRequest,
    instance: Instance | None,
    form: InstanceSettingsForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "title": _("Settings"),
        "tab": "library",
        "instances": instances_managed(request),
        "instance": instance,
        "form": form,
        "error": error,
        # R6: nobody is blocked without being told; say so while a stage notice is off.
        "stage_notices_off": [
            f"C{kind} – {KIND_LABELS[kind]}" for kind in stage_notices_off(instance)
        ]
        if instance
        else [],
    }
    return render(request, "staffweb/office/settings.html", context, status=status)


@require_GET
@staff_page(Role.ADMINISTRATOR)
def settings(request: StaffRequest) -> HttpResponse:
    instance = instance_chosen(request)
    form = InstanceSettingsForm.for_instance(instance) if instance else None
    return _settings_page(request, instance, form)


@require_POST
@staff_page(Role.ADMINISTRATOR)
def settings_save(request: StaffRequest, code: str) -> HttpResponseBase:
    instance = instance_managed(request, code)
    form = InstanceSettingsForm.for_instance(instance, request.POST)
    if not form.is_valid():
        return _settings_page(
            request, instance, form, error=_("Some values need fixing; see below."), status=400
        )
    changes = form.changes(instance)
    if not changes:
        messages.info(request, _("Nothing changed."))
        return redirect(_url("staffweb:settings", instance))
    try:
        instance_update(
            instance=instance,
            changes=changes,
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        return _settings_page(request, instance, form, error=error.localized(), status=400)
    messages.success(request, _("The settings of %(code)s are saved.") % {"code": instance.code})
    return redirect(_url("staffweb:settings", instance))


# --- kiosks (SIP2 terminal accounts) ----------------------------------------------------


def _terminal_or_404(request: StaffRequest, pk: int) -> Terminal:
    terminal = get_object_or_404(Terminal.objects.select_related("instance"), pk=pk)
    if not manage_scope_of(request).allows(terminal.instance_id):
        raise Http404("no such terminal")
    return terminal


def _terminals_page(
    request: StaffRequest,
    instance: Instance | None,
    *,
    add_form: TerminalAddForm | None = None,
    error: str = "",
    status: int = 200,
    failed: int | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {
        "title": _("Kiosks (SIP2)"),
        "tab": "terminals",
        "instances": instances_managed(request),
        "instance": instance,
        "terminals": Terminal.objects.filter(instance=instance).order_by("login")
        if instance
        else [],
        "add_form": add_form or TerminalAddForm(),
        "terminators": TERMINATORS,
        "error": error,
        "failed": failed,
    }
    return render(request, "staffweb/office/terminals.html", context, status=status)


@require_GET
@staff_page(Role.ADMINISTRATOR)
def terminals(request: StaffRequest) -> HttpResponse:
    return _terminals_page(request, instance_chosen(request))


@require_POST
@staff_page(Role.ADMINISTRATOR)
def terminal_new(request: StaffRequest, code: str) -> HttpResponseBase:
    instance = instance_managed(request, code)
    form = TerminalAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            terminal = terminal_add(
                login=data["login"],
                password=data["password"],
                instance_code=instance.code,
                location=data["location"],
                charset=data["charset"],
                within=manage_scope_of(request),
                terminator=data["terminator"] or "auto",
                today=request.moment.today,
                now=request.moment.now,
                actor=actor_of(request),
            )
        except LidgeldError as error:
            return _terminals_page(
                request, instance, add_form=form, error=error.localized(), status=400
            )
        messages.success(request, _("Kiosk %(login)s added.") % {"login": terminal.login})
        return redirect(_url("staffweb:settings-terminals", instance))
    return _terminals_page(
        request,
        instance,
        add_form=form,
        error=_("Some values need fixing; see below."),
        status=400,
    )


@require_POST
@staff_page(Role.ADMINISTRATOR)
def terminal_switch(request: StaffRequest, pk: int, on: bool) -> HttpResponseBase:
    terminal = _terminal_or_404(request, pk)
    change = terminal_enable if on else terminal_disable
    change(
        terminal=terminal,
        within=manage_scope_of(request),
        today=request.moment.today,
        now=request.moment.now,
        actor=actor_of(request),
    )
    done = _("Kiosk %(login)s may log in again.") if on else _("Kiosk %(login)s is disabled.")
    messages.success(request, done % {"login": terminal.login})
    return redirect(_url("staffweb:settings-terminals", terminal.instance))


@require_POST
@staff_page(Role.ADMINISTRATOR)
def terminal_password(request: StaffRequest, pk: int) -> HttpResponseBase:
    terminal = _terminal_or_404(request, pk)
    form = PasswordForm(request.POST)
    try:
        if not form.is_valid():
            raise LidgeldError(_("Give the new password."))
        terminal_password_set(
            terminal=terminal,
            password=form.cleaned_data["password"],
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        return _terminals_page(
            request, terminal.instance, error=error.localized(), status=400, failed=terminal.pk
        )
    messages.success(
        request, _("The password of kiosk %(login)s is changed.") % {"login": terminal.login}
    )
    return redirect(_url("staffweb:settings-terminals", terminal.instance))


@require_POST
@staff_page(Role.ADMINISTRATOR)
def terminal_terminator(request: StaffRequest, pk: int) -> HttpResponseBase:
    terminal = _terminal_or_404(request, pk)
    form = TerminatorForm(request.POST)
    try:
        if not form.is_valid():
            raise LidgeldError(_("Choose how the answers to this kiosk end."))
        terminal_terminator_set(
            terminal=terminal,
            terminator=form.cleaned_data["terminator"],
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
            within=manage_scope_of(request),
        )
    except LidgeldError as error:
        return _terminals_page(
            request, terminal.instance, error=error.localized(), status=400, failed=terminal.pk
        )
    messages.success(
        request, _("The line end of kiosk %(login)s is changed.") % {"login": terminal.login}
    )
    return redirect(_url("staffweb:settings-terminals", terminal.instance))
