from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from lidgeld.audit.services import audit_record
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.staff.models import Role, StaffAccount


def staff_add(
    *,
    username: str,
    password: str,
    role: str,
    instance_codes: list[str],
    today: date,
    actor: str,
) -> StaffAccount:
    """A staff login with a role for one or more instances; the password is hashed."""
    User: Any = get_user_model()
    username = username.strip()
    if not username:
        raise InvalidInput("give a user name")
    if role not in Role.values:
        raise InvalidInput(f"role '{role}' is unknown; choose one of {', '.join(Role.values)}")
    codes = [code.strip().upper() for code in instance_codes if code.strip()]
    if not codes:
        raise InvalidInput("give at least one library (instance code) for this account")
    instances = list(Instance.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {instance.code for instance in instances})
    if missing:
        raise InvalidInput(f"there is no library with code {', '.join(missing)}")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"there is already an account '{username}'; choose another user name")
    try:
        validate_password(password)
    except ValidationError as error:
        raise InvalidInput("the password is too weak: " + " ".join(error.messages)) from None
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        account = StaffAccount.objects.create(user=user, role=role)
        account.instances.set(instances)
        audit_record(
            actor=actor,
            action="staff.add",
            obj=account,
            today=today,
            instance_id=instances[0].id,
            after={"username": username, "role": role, "instances": sorted(codes)},
        )
    return account
