from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.domain.actors import staff_actor
from lidgeld.errors import InvalidInput, Refused
from lidgeld.libraries.models import Instance
from lidgeld.scope import Scope, role_at_least
from lidgeld.staff.models import Role, StaffAccount


def staff_add(
    *,
    username: str,
    password: str,
    role: str,
    instance_codes: list[str],
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> StaffAccount:
    """A staff login with a role for one or more instances; the password is hashed.

    ``within``: the scope of the administrator who adds it, who may give access only to
    libraries they manage (None: the operator at the server, who may give any)."""
    User: Any = get_user_model()
    if within is not None:
        _check_administrator(within)
    username = username.strip()
    if not username:
        raise InvalidInput(_("give a user name"), code="username_missing")
    if role not in Role.values:
        raise InvalidInput(
            _("role '%(role)s' is unknown; choose one of %(known)s"),
            code="unknown_role",
            params={"role": role, "known": ", ".join(Role.values)},
        )
    instances = staff_libraries_check(instance_codes, within)
    codes = [instance.code for instance in instances]
    if User.objects.filter(username=username).exists():
        raise InvalidInput(
            _("there is already an account '%(username)s'; choose another user name"),
            code="account_exists",
            params={"username": username},
        )
    try:
        validate_password(password)
    except ValidationError as error:
        raise InvalidInput(
            _("the password is too weak: %(problems)s"),
            code="password_too_weak",
            params={"problems": " ".join(error.messages)},
        ) from None
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        account = StaffAccount.objects.create(user=user, role=role)
        account.instances.set(instances)
        audit_record(
            actor=actor,
            action="staff.add",
            obj=account,
            today=today,
            now=now,
            instance_id=instances[0].id,
            after={"username": username, "role": role, "instances": codes},
        )
    return account


# --- managing accounts from the staff pages -----------------------------------------
#
# An administrator manages the accounts of their own libraries (their manage scope, not
# the cooperation group they serve). An account that also serves a library outside
# that scope belongs to that other library's administrators as well, so it is left
# alone: changing it would change what people elsewhere may see.


def _check_administrator(within: Scope) -> None:
    if not role_at_least(within.role, Role.ADMINISTRATOR):
        raise Refused(
            _("managing staff accounts needs the administrator role; ask an administrator"),
            code="role_too_low",
        )


def _accounts_serving_outside(within: Scope) -> QuerySet[Any, int]:
    through: Any = StaffAccount.instances.through
    return through.objects.exclude(instance_id__in=sorted(within.instance_ids or ())).values(
        "staffaccount_id"
    )


def staff_accounts_manageable(*, within: Scope) -> QuerySet[StaffAccount]:
    """The accounts an administrator with this scope may see and change."""
    within = within.manage
    accounts = (
        StaffAccount.objects.select_related("user")
        .prefetch_related("instances")
        .order_by("user__username")
    )
    if within.everything:
        return accounts
    inside: Any = StaffAccount.instances.through
    return accounts.filter(
        pk__in=inside.objects.filter(instance_id__in=sorted(within.instance_ids or ())).values(
            "staffaccount_id"
        ),
        user__is_superuser=False,
    ).exclude(pk__in=_accounts_serving_outside(within))


def _check_manageable(account: StaffAccount, within: Scope) -> None:
    _check_administrator(within)
    if not staff_accounts_manageable(within=within).filter(pk=account.pk).exists():
        raise Refused(
            _(
                "the account '%(username)s' serves libraries outside yours; "
                "ask an administrator of those libraries"
            ),
            code="account_not_allowed",
            params={"username": account.user.get_username()},
        )


def staff_libraries_check(codes: list[str], within: Scope | None) -> list[Instance]:
    """The libraries an account is to be given, by code; InvalidInput for a code that
    does not exist, Refused for one outside ``within``'s own libraries."""
    codes = sorted({code.strip().upper() for code in codes if code.strip()})
    if not codes:
        raise InvalidInput(
            _("give at least one library (instance code) for this account"),
            code="libraries_missing",
        )
    instances = list(Instance.objects.filter(code__in=codes).order_by("code"))
    missing = sorted(set(codes) - {instance.code for instance in instances})
    if missing:
        raise InvalidInput(
            _("there is no library with code %(codes)s"),
            code="unknown_library",
            params={"codes": ", ".join(missing)},
        )
    if within is not None:
        manage = within.manage
        foreign = [instance.code for instance in instances if not manage.allows(instance.pk)]
        if foreign:
            raise Refused(
                _("you cannot give access to %(codes)s: choose only libraries of your own account"),
                code="instance_not_allowed",
                params={"codes": ", ".join(foreign)},
            )
    return instances


def staff_update(
    *,
    account: StaffAccount,
    within: Scope,
    today: date,
    now: datetime,
    actor: str,
    role: str | None = None,
    instance_codes: list[str] | None = None,
    active: bool | None = None,
) -> StaffAccount:
    """Change an account's role, libraries or whether it may log in; only what differs is
    written and audited. Refused as a whole when one value is wrong."""
    _check_manageable(account, within)
    username = account.user.get_username()
    if role is not None and role not in Role.values:
        raise InvalidInput(
            _("role '%(role)s' is unknown; choose one of %(known)s"),
            code="unknown_role",
            params={"role": role, "known": ", ".join(Role.values)},
        )
    own = actor == staff_actor(username)
    if own and active is False:
        raise Refused(
            _("you cannot disable your own account; ask another administrator"),
            code="own_account",
        )
    if own and role is not None and role != Role.ADMINISTRATOR:
        raise Refused(_("you cannot take away your own administrator role"), code="own_role")
    instances = (
        staff_libraries_check(instance_codes, within) if instance_codes is not None else None
    )
    with transaction.atomic():
        locked = StaffAccount.objects.select_for_update().select_related("user").get(pk=account.pk)
        current_codes = sorted(locked.instances.values_list("code", flat=True))
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if role is not None and role != locked.role:
            before["role"], after["role"] = locked.role, role
            locked.role = role
            locked.save(update_fields=["role"])
        if instances is not None and [i.code for i in instances] != current_codes:
            before["instances"], after["instances"] = current_codes, [i.code for i in instances]
            locked.instances.set(instances)
        if active is not None and active != locked.user.is_active:
            before["active"], after["active"] = locked.user.is_active, active
            locked.user.is_active = active
            locked.user.save(update_fields=["is_active"])
        if after:
            audit_record(
                actor=actor,
                action="staff.changed",
                obj=locked,
                today=today,
                now=now,
                instance_id=_first_instance_id(locked),
                before={"username": username, **before},
                after={"username": username, **after},
            )
        return locked


def _first_instance_id(account: StaffAccount) -> int | None:
    """The library an account's audit events are filed under (its first, by code)."""
    first = account.instances.order_by("code").first()
    return first.pk if first is not None else None


def staff_password_set(
    *, account: StaffAccount, password: str, within: Scope, today: date, now: datetime, actor: str
) -> StaffAccount:
    """A new password for an account (hashed); the audit says that, never the password."""
    _check_manageable(account, within)
    user = account.user
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(
            _("the password is too weak: %(problems)s"),
            code="password_too_weak",
            params={"problems": " ".join(error.messages)},
        ) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="staff.password_set",
            obj=account,
            today=today,
            now=now,
            instance_id=_first_instance_id(account),
            after={"username": user.get_username()},
        )
    return account
