from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from lidgeld.domain.actors import staff_actor
from lidgeld.errors import Refused
from lidgeld.libraries.models import Instance
from lidgeld.scope import Scope


def _instance_ids(user: Any) -> tuple[frozenset[int], frozenset[int]] | None:
    """(own, served): the account's instances, and those with their cooperation groups'
    instances. None for a superuser, who has every instance."""
    if user.is_superuser:
        return None
    account = getattr(user, "staff_account", None)
    if account is None:
        return frozenset(), frozenset()
    rows = list(account.instances.values_list("id", "group_id"))
    own = frozenset(instance_id for instance_id, _ in rows)
    groups = {group_id for _, group_id in rows if group_id is not None}
    if not groups:
        return own, own
    shared = Instance.objects.filter(group_id__in=sorted(groups)).values_list("id", flat=True)
    return own, own | frozenset(shared)


def visible_instance_ids(*, user: Any) -> frozenset[int] | None:
    """The instances of the account and of their cooperation groups; None for a superuser."""
    ids = _instance_ids(user)
    return None if ids is None else ids[1]


def own_instance_ids(*, user: Any) -> frozenset[int] | None:
    """The instances of the account itself, the ones it manages; None for a superuser."""
    ids = _instance_ids(user)
    return None if ids is None else ids[0]


def role_of(user: Any) -> str | None:
    """The staff role of a login; a superuser is an administrator of every library."""
    if user.is_superuser:
        return "administrator"
    account = getattr(user, "staff_account", None)
    return account.role if account is not None else None


def scope_for_user(*, user: Any) -> Scope:
    """What this login serves (its libraries and their cooperation groups), what it
    manages (its own libraries) and its role: one answer for pages, API and CLI."""
    if not user.is_active:
        raise Refused(
            _("the account '%(user)s' is disabled"),
            code="user_inactive",
            params={"user": user.get_username()},
        )
    ids = _instance_ids(user)
    own, served = (None, None) if ids is None else ids
    username = user.get_username()
    return Scope(
        actor=staff_actor(username), owner=username, instance_ids=served, own_ids=own,
        role=role_of(user),
    )  # fmt: skip
