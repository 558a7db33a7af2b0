"""Staff accounts (administrator): list, add, change role and libraries, disable, reset
the password. An administrator manages the accounts of their own libraries only, not
those of the rest of the cooperation group (R11); the services refuse anything else,
the pages answer 404 for accounts they may not see and 403 when a form gives access to
a library that is not theirs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lidgeld.errors import LidgeldError, Refused
from lidgeld.staff.models import Role, StaffAccount
from lidgeld.staff.services import (
    staff_accounts_manageable,
    staff_add,
    staff_libraries_check,
    staff_password_set,
    staff_update,
)
from lidgeld.staffweb.access import StaffRequest, staff_page
from lidgeld.staffweb.forms import ROLE_LABELS, AccountAddForm, AccountEditForm, PasswordForm
from lidgeld.staffweb.views.office_common import actor_of, instances_managed, manage_scope_of


def _libraries(request: StaffRequest) -> list[Any]:
    return list(instances_managed(request))


def _foreign_libraries(request: StaffRequest) -> str:
    """The service's refusal when the form names a library this person does not manage
    (the form offers only theirs, so only a crafted request gets here); else ""."""
    try:
        staff_libraries_check(request.POST.getlist("instances"), manage_scope_of(request))
    except Refused as refusal:
        return refusal.localized()
    except LidgeldError:
        pass  # an empty or unknown choice: the form says so
    return ""


def _account_or_404(request: StaffRequest, pk: int) -> StaffAccount:
    account = staff_accounts_manageable(within=manage_scope_of(request)).filter(pk=pk).first()
    if account is None:
        raise Http404("no such account")
    return account


def _list_page(
    request: StaffRequest, form: AccountAddForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "title": _("Staff accounts"),
        "tab": "accounts",
        "accounts": [
            (account, ROLE_LABELS.get(account.role, account.get_role_display()))
            for account in staff_accounts_manageable(within=manage_scope_of(request))
        ],
        "form": form,
        "error": error,
    }
    return render(request, "staffweb/office/accounts.html", context, status=status)


@require_GET
@staff_page(Role.ADMINISTRATOR)
def accounts(request: StaffRequest) -> HttpResponse:
    libraries = _libraries(request)
    initial = {"role": Role.DESK, "instances": [i.code for i in libraries[:1]]}
    return _list_page(request, AccountAddForm(libraries=libraries, initial=initial))


@require_POST
@staff_page(Role.ADMINISTRATOR)
def account_add(request: StaffRequest) -> HttpResponseBase:
    form = AccountAddForm(request.POST, libraries=_libraries(request))
    if refused := _foreign_libraries(request):
        return _list_page(request, form, error=refused, status=403)
    if not form.is_valid():
        return _list_page(request, form, error=_("Some values need fixing; see below."), status=400)
    data = form.cleaned_data
    try:
        account = staff_add(
            username=data["username"],
            password=data["password"],
            role=data["role"],
            instance_codes=data["instances"],
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        return _list_page(request, form, error=error.localized(), status=400)
    messages.success(request, _("Account %(name)s added.") % {"name": account.user.get_username()})
    return redirect("staffweb:settings-accounts")


def _edit_page(
    request: HttpRequest,
    account: StaffAccount,
    form: AccountEditForm,
    *,
    error: str = "",
    password_error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "title": account.user.get_username(),
        "tab": "accounts",
        "account": account,
        "form": form,
        "password_form": PasswordForm(),
        "error": error,
        "password_error": password_error,
        "own": account.user.get_username() == request.user.get_username(),
    }
    return render(request, "staffweb/office/account_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_page(Role.ADMINISTRATOR)
def account_edit(request: StaffRequest, pk: int) -> HttpResponseBase:
    account = _account_or_404(request, pk)
    libraries = _libraries(request)
    if request.method == "GET":
        initial = {
            "role": account.role,
            "instances": [i.code for i in account.instances.all()],
            "active": account.user.is_active,
        }
        return _edit_page(request, account, AccountEditForm(libraries=libraries, initial=initial))
    form = AccountEditForm(request.POST, libraries=libraries)
    if refused := _foreign_libraries(request):
        return _edit_page(request, account, form, error=refused, status=403)
    if not form.is_valid():
        return _edit_page(
            request, account, form, error=_("Some values need fixing; see below."), status=400
        )
    data = form.cleaned_data
    try:
        staff_update(
            account=account,
            role=data["role"],
            instance_codes=data["instances"],
            active=data["active"],
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        return _edit_page(request, account, form, error=error.localized(), status=400)
    messages.success(request, _("Account %(name)s saved.") % {"name": account.user.get_username()})
    return redirect("staffweb:settings-accounts")


@require_POST
@staff_page(Role.ADMINISTRATOR)
def account_password(request: StaffRequest, pk: int) -> HttpResponseBase:
    account = _account_or_404(request, pk)
    form = PasswordForm(request.POST)
    try:
        if not form.is_valid():
            raise LidgeldError(_("Give the new password."))
        staff_password_set(
            account=account,
            password=form.cleaned_data["password"],
            within=manage_scope_of(request),
            today=request.moment.today,
            now=request.moment.now,
            actor=actor_of(request),
        )
    except LidgeldError as error:
        initial = {
            "role": account.role,
            "instances": [i.code for i in account.instances.all()],
            "active": account.user.is_active,
        }
        edit_form = AccountEditForm(libraries=_libraries(request), initial=initial)
        return _edit_page(request, account, edit_form, password_error=error.localized(), status=400)
    if account.user.pk == request.user.pk:
        # One's own new password should not log oneself out.
        update_session_auth_hash(request, account.user)
    messages.success(
        request,
        _("The password of %(name)s is changed.") % {"name": account.user.get_username()},
    )
    return redirect("staffweb:settings-accounts")
