from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy

from lidgeld.audit.services import audit_record, audited_update
from lidgeld.domain.amounts import AmountError, parse_amount
from lidgeld.domain.dunning import DunningPolicy
from lidgeld.domain.epc_qr import bic_is_valid, iban_refusal
from lidgeld.domain.renewal import RenewalBase
from lidgeld.domain.sentences import RuleRefusal
from lidgeld.errors import InvalidInput
from lidgeld.libraries.models import CooperationGroup, Instance
from lidgeld.scope import Scope, manage_check

CODE_PATTERN = re.compile(r"^[A-Z0-9_-]{1,20}$")


def code_clean(code: str, what: str) -> str:
    """A code as staff type it: trimmed and in capitals, or refused with the rule."""
    code = code.strip().upper()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            gettext_lazy("%(what)s code '%(code)s' must be 1 to 20 capitals, digits, '-' or '_'"),
            code="code_malformed",
            params={"what": what, "code": code},
        )
    return code


def instance_add(
    *, code: str, name: str, today: date, now: datetime, actor: str, group_code: str | None = None
) -> Instance:
    code = code_clean(code, "instance")
    if not name.strip():
        raise InvalidInput(gettext_lazy("give the instance a name"), code="name_missing")
    with transaction.atomic():
        if Instance.objects.filter(code=code).exists():
            raise InvalidInput(
                gettext_lazy("instance %(code)s already exists"),
                code="instance_exists",
                params={"code": code},
            )
        group = None
        if group_code:
            group, _ = CooperationGroup.objects.get_or_create(
                code=code_clean(group_code, "group"), defaults={"name": group_code.strip()}
            )
        instance = Instance.objects.create(code=code, name=name.strip(), group=group)
        audit_record(
            actor=actor,
            action="instance.added",
            obj=instance,
            today=today,
            now=now,
            instance_id=instance.pk,
            after={"code": code, "name": instance.name, "group": group.code if group else None},
        )
        return instance


INSTANCE_TEXT_FIELDS = (
    "name",
    "address",
    "opening_hours",
    "sender_name",
    "sender_email",
    "reply_to_email",
    "portal_url",
    "iban",
    "bic",
)
INSTANCE_NUMBER_FIELDS = (
    "renewal_grace_days",
    "reminder_after_months",
    "unpaid_after_months",
    "write_off_after_months",
    "notice_max_delay_days",
    "portal_renewal_window_months",
    "card_fee_booking_code",
)
# Amounts in euros ("2,50"): what the desk charges for a new card.
INSTANCE_MONEY_FIELDS = ("card_fee",)
# The largest value each number may take: beyond it the setting makes no sense (and the
# column could not hold it).
INSTANCE_NUMBER_LIMITS = {
    "renewal_grace_days": 366,
    "reminder_after_months": 120,
    "unpaid_after_months": 120,
    "write_off_after_months": 120,
    "notice_max_delay_days": 365,
    "portal_renewal_window_months": 12,
    "card_fee_booking_code": 9999,
}
# Switches: which notices go out, and whether borrowers may renew in Mijn Bibliotheek.
INSTANCE_FLAG_FIELDS = (
    "notice_end_of_contribution",
    "notice_reminder",
    "notice_unpaid",
    "notice_renewal",
    "portal_renewal",
    "notice_old_email",
)


def instance_update(
    *,
    instance: Instance,
    changes: dict[str, object],
    today: date,
    now: datetime,
    actor: str,
    within: Scope | None = None,
) -> Instance:
    """Change a library's details and policy; refused as a whole when a value is wrong.
    ``within``: the staff member's scope; only their own libraries (R11)."""
    manage_check(within, instance, role="administrator", what=gettext_lazy("the settings"))
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    unknown = (
        set(changes)
        - set(INSTANCE_TEXT_FIELDS)
        - set(INSTANCE_NUMBER_FIELDS)
        - set(INSTANCE_FLAG_FIELDS)
        - set(INSTANCE_MONEY_FIELDS)
        - {"renewal_base"}
    )
    if unknown:
        raise InvalidInput(
            gettext_lazy("cannot change %(fields)s"),
            code="unknown_field",
            params={"fields": ", ".join(sorted(unknown))},
        )
    clean: dict[str, object] = {}
    for field, value in changes.items():
        if field in INSTANCE_TEXT_FIELDS:
            text = str(value).replace("\\n", "\n").strip()
            if field == "name" and not text:
                raise InvalidInput(gettext_lazy("the name cannot be empty"), code="name_missing")
            if field in ("sender_email", "reply_to_email") and text:
                try:
                    validate_email(text)
                except ValidationError:
                    raise InvalidInput(
                        gettext_lazy("'%(email)s' is not a valid e-mail address"),
                        code="email_invalid",
                        params={"email": text},
                    ) from None
            if field == "iban" and text:
                text = text.replace(" ", "").upper()
                if refusal := iban_refusal(text):
                    raise InvalidInput.of(refusal)
            if field == "bic" and text and not bic_is_valid(text):
                raise InvalidInput(
                    gettext_lazy("'%(bic)s' is not a BIC (8 or 11 letters and digits)"),
                    code="bic_invalid",
                    params={"bic": text},
                )
            clean[field] = text
        elif field == "renewal_base":
            if value not in {base.value for base in RenewalBase}:
                raise InvalidInput(
                    gettext_lazy("the renewal base is combination, now or expiry"),
                    code="unknown_renewal_base",
                )
            clean[field] = value
        elif field in INSTANCE_MONEY_FIELDS:
            try:
                clean[field] = parse_amount(str(value), allow_zero=True, limit=Decimal("9999.99"))
            except AmountError as refusal:
                raise InvalidInput.of(refusal) from None
        elif field in INSTANCE_FLAG_FIELDS:
            if not isinstance(value, bool):
                raise InvalidInput(
                    gettext_lazy("%(field)s is on or off (true or false), not '%(value)s'"),
                    code="not_a_flag",
                    params={"field": field, "value": value},
                )
            clean[field] = value
        else:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInput(
                    gettext_lazy("%(field)s must be a whole number of 0 or more"),
                    code="not_a_count",
                    params={"field": field},
                )
            if value > INSTANCE_NUMBER_LIMITS[field]:
                raise InvalidInput(
                    gettext_lazy("%(field)s can be at most %(limit)s"),
                    code="number_too_large",
                    params={"field": field, "limit": INSTANCE_NUMBER_LIMITS[field]},
                )
            if field == "card_fee_booking_code" and (1000 <= value <= 1999 or value < 1):
                raise InvalidInput(
                    gettext_lazy(
                        "the card fee needs a booking code of its own outside 1000-1999 "
                        "(those are the contributions'), such as 2100"
                    ),
                    code="card_fee_code_is_contribution",
                )
            clean[field] = value
    policy = {
        name: clean.get(f"{name}_after_months", getattr(instance, f"{name}_after_months"))
        for name in ("reminder", "unpaid", "write_off")
    }
    try:
        DunningPolicy(
            reminder_months=int(policy["reminder"]),  # type: ignore[call-overload]
            unpaid_months=int(policy["unpaid"]),  # type: ignore[call-overload]
            write_off_months=int(policy["write_off"]),  # type: ignore[call-overload]
        )
    except RuleRefusal as refusal:
        raise InvalidInput.of(refusal) from None
    return audited_update(
        Instance, pk=instance.pk, changes=clean, action="instance.changed", actor=actor,
        today=today, now=now, instance_id=lambda row: row.pk,
    )  # fmt: skip
