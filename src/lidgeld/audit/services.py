from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import DateField, DateTimeField, F, JSONField, QuerySet, Value

from lidgeld.audit.models import AuditEvent
from lidgeld.batching import BatchContext
from lidgeld.db import insert_from


def audit_record(
    *,
    actor: str,
    action: str,
    obj: Any,
    today: date,
    now: datetime,
    borrower_id: int | None = None,
    instance_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        at=now,
        business_date=today,
        actor=actor,
        action=action,
        object_type=type(obj)._meta.model_name if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        borrower_id=borrower_id,
        instance_id=instance_id,
        before=None if before is None else _plain(before),
        after=None if after is None else _plain(after),
    )


Row = TypeVar("Row", bound=models.Model)


def audited_update(
    model: type[Row],
    *,
    pk: int,
    changes: dict[str, Any],
    action: str | Callable[[dict[str, Any]], str],
    actor: str,
    today: date,
    now: datetime,
    instance_id: Callable[[Row], int | None],
    identity: Callable[[Row], dict[str, Any]] = lambda row: {},
    skip_unchanged: bool = False,
) -> Row:
    """Lock one row, write ``changes`` to it and audit what the fields were and became,
    all in one transaction: two administrators changing the same row one after the
    other each see the other's value as their "before". ``identity`` adds fields that
    name the row in both (a kiosk's login); with ``skip_unchanged`` a change to what
    is already there writes and audits nothing. ``action`` may depend on the changes."""
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=pk)
        before = {field: getattr(locked, field) for field in changes}
        if skip_unchanged and before == changes:
            return locked
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(changes))
        named = identity(locked)
        audit_record(
            actor=actor,
            action=action(changes) if callable(action) else action,
            obj=locked,
            today=today,
            now=now,
            instance_id=instance_id(locked),
            before={**named, **before},
            after={**named, **changes},
        )
        return locked


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit's JSON holds them: amounts as "2.50", days as ISO text, so
    a service hands over the values it has, as they are."""
    return {
        field: str(value)
        if isinstance(value, Decimal)
        else value.isoformat()
        if isinstance(value, date)
        else value
        for field, value in values.items()
    }


AUDIT_COLUMNS = (
    "at",
    "business_date",
    "actor",
    "action",
    "object_type",
    "object_id",
    "borrower",
    "instance",
    "before",
    "after",
)


def audit_insert_from(
    rows: QuerySet[Any],
    *,
    ctx: BatchContext,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    borrower_field: str = "borrower_id",
    instance_field: str = "instance_id",
) -> int:
    """One audit row per row of ``rows``, in a single INSERT … SELECT."""
    source = rows.values_list(
        Value(ctx.now, output_field=DateTimeField()),
        Value(ctx.day, output_field=DateField()),
        Value(ctx.actor),
        Value(action),
        Value(rows.model._meta.model_name),
        F("pk"),
        F(borrower_field),
        F(instance_field),
        Value(before, output_field=JSONField()),
        Value(after, output_field=JSONField()),
    )
    return insert_from(AuditEvent, AUDIT_COLUMNS, source)
