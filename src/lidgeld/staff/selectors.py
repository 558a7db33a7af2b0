from __future__ import annotations

from typing import Any

from django.db.models import Q

from lidgeld.errors import Refused
from lidgeld.libraries.models import Instance
from lidgeld.staff.scope import Scope


def visible_instance_ids(*, user: Any) -> frozenset[int] | None:
    """The instances of the account and of their cooperation groups; None for a superuser."""
    if user.is_superuser:
        return None
    account = getattr(user, "staff_account", None)
    if account is None:
        return frozenset()
    own = list(account.instances.values_list("id", "group_id"))
    ids = {instance_id for instance_id, _ in own}
    groups = {group_id for _, group_id in own if group_id is not None}
    if groups:
        ids |= set(Instance.objects.filter(Q(group_id__in=groups)).values_list("id", flat=True))
    return frozenset(ids)


def scope_for_user(*, user: Any) -> Scope:
    if not user.is_active:
        raise Refused(f"the account '{user.get_username()}' is disabled", code="user_inactive")
    return Scope(actor=user.get_username(), instance_ids=visible_instance_ids(user=user))
