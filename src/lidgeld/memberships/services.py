"""Membership types: find one, add one, set its age limits (R12)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.domain.ages import age_limits_check
from lidgeld.domain.dunning import CONTRIBUTION_CODES, is_contribution
from lidgeld.domain.sentences import RuleRefusal
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
            _("instance %(instance)s has no membership type '%(type)s' (known: %(known)s)"),
            code="unknown_membership_type",
            params={"instance": instance.code, "type": code, "known": known or _("none")},
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
    min_age: int | None = None,
    max_age: int | None = None,
    next_type: MembershipType | None = None,
) -> MembershipType:
    code = code_clean(code, "type")
    if kind not in KIND_NAMES:
        raise InvalidInput(
            _("kind must be paying, free or free-auto, not '%(kind)s'"),
            code="unknown_kind",
            params={"kind": kind},
        )
    type_kind = KIND_NAMES[kind]
    if not name.strip():
        raise InvalidInput(_("give the type a name"), code="name_missing")
    if not 1 <= months <= 120:
        raise InvalidInput(_("months must be between 1 and 120"), code="months_out_of_range")
    if not is_contribution(booking_code):
        low, high = CONTRIBUTION_CODES
        raise InvalidInput(
            _("a contribution's booking code is between %(low)s and %(high)s"),
            code="booking_code_out_of_range",
            params={"low": low, "high": high},
        )
    if type_kind == TypeKind.PAYING and fee <= 0:
        raise InvalidInput(
            _("a paying type needs a fee above 0, e.g. --fee 12.00"), code="fee_missing"
        )
    if type_kind != TypeKind.PAYING and fee != 0:
        raise InvalidInput(
            _("a free type has no fee; leave --fee out or give 0"), code="fee_not_allowed"
        )
    _limits_check(instance, min_age, max_age, next_type)
    with transaction.atomic():
        if MembershipType.objects.filter(instance=instance, code=code).exists():
            raise InvalidInput(
                _("instance %(instance)s already has a type %(type)s"),
                code="membership_type_exists",
                params={"instance": instance.code, "type": code},
            )
        membership_type = MembershipType.objects.create(
            instance=instance,
            code=code,
            name=name.strip(),
            kind=type_kind,
            fee=fee,
            months=months,
            booking_code=booking_code,
            min_age=min_age,
            max_age=max_age,
            next_type=next_type,
        )
        audit_record(
            actor=actor,
            action="membership_type.added",
            obj=membership_type,
            today=today,
            now=now,
            instance_id=instance.pk,
            after={"code": code, "kind": type_kind, "fee": str(fee), "months": months}
            | _limits_of(membership_type),
        )
        return membership_type


def _limits_of(membership_type: MembershipType) -> dict[str, object]:
    return {
        "min_age": membership_type.min_age,
        "max_age": membership_type.max_age,
        "next_type": membership_type.next_type.code if membership_type.next_type else None,
    }


def _limits_check(
    instance: Instance,
    min_age: int | None,
    max_age: int | None,
    next_type: MembershipType | None,
    *,
    itself: MembershipType | None = None,
) -> None:
    try:
        age_limits_check(min_age, max_age)
    except RuleRefusal as refusal:
        raise InvalidInput.of(refusal) from None
    if next_type is None:
        return
    if next_type.instance_id != instance.pk:
        raise InvalidInput(
            _("the type that follows, %(type)s, belongs to another library than %(instance)s"),
            code="next_type_of_other_instance",
            params={"type": next_type.code, "instance": instance.code},
        )
    if itself is not None and next_type.pk == itself.pk:
        raise InvalidInput(
            _("a type cannot follow itself; choose another type or none"),
            code="next_type_is_itself",
        )


def membership_type_limits_set(
    *,
    membership_type: MembershipType,
    min_age: int | None,
    max_age: int | None,
    next_type: MembershipType | None,
    today: date,
    now: datetime,
    actor: str,
) -> MembershipType:
    """R12: the ages a type is for and the type that follows past its maximum age
    (the paying type a youth member becomes). Periods already made keep their type;
    the limits count from the next registration, renewal or automatic renewal."""
    _limits_check(membership_type.instance, min_age, max_age, next_type, itself=membership_type)
    with transaction.atomic():
        locked = (
            MembershipType.objects.select_for_update(of=("self",))
            .select_related("next_type")
            .get(pk=membership_type.pk)
        )
        before = _limits_of(locked)
        locked.min_age, locked.max_age, locked.next_type = min_age, max_age, next_type
        locked.save(update_fields=["min_age", "max_age", "next_type"])
        after = _limits_of(locked)
        if after != before:
            audit_record(
                actor=actor,
                action="membership_type.limits_set",
                obj=locked,
                today=today,
                now=now,
                instance_id=locked.instance_id,
                before=before,
                after=after,
            )
        return locked
