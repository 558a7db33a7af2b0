"""Membership types: find one, add one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from lidgeld.audit.services import audit_record
from lidgeld.domain.dunning import CONTRIBUTION_CODES, is_contribution
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import Instance
from lidgeld.libraries.services import code_clean
from lidgeld.memberships.models import MembershipType, TypeKind


def membership_type_get(*, instance: Instance, code: str) -> MembershipType:
    try:
        return MembershipType.objects.get(instance=instance, code=code)
    except MembershipType.DoesNotExist:
        known = ", ".join(
            MembershipType.objects.filter(instance=instance).values_list("code", flat=True)
        )
        raise InvalidInput(
            f"instance {instance.code} has no membership type '{code}' (known: {known or 'none'})"
        ) from None


KIND_NAMES = {"paying": TypeKind.PAYING, "free": TypeKind.FREE, "free-auto": TypeKind.FREE_AUTO}


def membership_type_add(
    *,
    instance: Instance,
    code: str,
    name: str,
    kind: str,
    fee: Decimal,
    months: int,
    booking_code: int,
    today: date,
    now: datetime,
    actor: str,
) -> MembershipType:
    code = code_clean(code, "type")
    if kind not in KIND_NAMES:
        raise InvalidInput(f"kind must be paying, free or free-auto, not '{kind}'")
    type_kind = KIND_NAMES[kind]
    if not name.strip():
        raise InvalidInput("give the type a name")
    if not 1 <= months <= 120:
        raise InvalidInput("months must be between 1 and 120")
    if not is_contribution(booking_code):
        low, high = CONTRIBUTION_CODES
        raise InvalidInput(f"a contribution's booking code is between {low} and {high}")
    if type_kind == TypeKind.PAYING and fee <= 0:
        raise InvalidInput("a paying type needs a fee above 0, e.g. --fee 12.00")
    if type_kind != TypeKind.PAYING and fee != 0:
        raise InvalidInput("a free type has no fee; leave --fee out or give 0")
    with transaction.atomic():
        if MembershipType.objects.filter(instance=instance, code=code).exists():
            raise InvalidInput(f"instance {instance.code} already has a type {code}")
        membership_type = MembershipType.objects.create(
            instance=instance,
            code=code,
            name=name.strip(),
            kind=type_kind,
            fee=fee,
            months=months,
            booking_code=booking_code,
        )
        audit_record(
            actor=actor,
            action="membership_type.added",
            obj=membership_type,
            today=today,
            now=now,
            instance_id=instance.pk,
            after={"code": code, "kind": type_kind, "fee": str(fee), "months": months},
        )
        return membership_type
