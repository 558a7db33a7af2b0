"""Run a selection into a set, combine sets, export a set (audited), purge old sets."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, BinaryIO

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet, Value
from django.utils.translation import gettext_lazy as _

from lidgeld.audit.services import audit_record
from lidgeld.borrowers.models import Borrower
from lidgeld.db import insert_from
from lidgeld.errors import InvalidInput
from lidgeld.exports.writers import write_table
from lidgeld.scope import Scope
from lidgeld.selections.compile import borrowers_matching
from lidgeld.selections.models import BorrowerSet, BorrowerSetMember, SavedSelection, SetOrigin
from lidgeld.selections.rule_json import from_json
from lidgeld.selections.rule_text import parse, to_text
from lidgeld.selections.rules import Node, validate
from lidgeld.selections.selectors import export_fields, member_ids, set_get, set_table


def rule_from_text(text: str) -> Node:
    return validate(parse(text))


def rule_from_json(data: Any) -> Node:
    return validate(from_json(data))


class TooBroad(InvalidInput):
    """A rule whose run took longer than the time limit; the database stopped it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            _("too broad: make the rule narrower (stopped after %(seconds)g s)"),
            code="too_broad",
            params={"seconds": float(seconds)},  # %g takes no Decimal
        )
        self.seconds = seconds


def selection_run(
    *, scope: Scope, rule: Node, today: date, now: datetime, saved: SavedSelection | None = None
) -> BorrowerSet:
    """Materialise the borrowers the rule selects into a new temporary set.

    The query runs under ``LIDGELD_SELECTION_SECONDS`` (0: no limit): a rule too broad
    for it is stopped by the database (TooBroad) instead of holding a web thread."""
    borrowers = borrowers_matching(rule, scope=scope)
    with transaction.atomic():
        borrower_set = _new_set(
            scope=scope,
            origin=SetOrigin.SELECTION,
            rule=to_text(rule),
            today=today,
            now=now,
            saved=saved,
        )
        size = _insert_members(borrower_set, borrowers)
        return _finish(borrower_set, size=size, scope=scope, today=today, now=now)


def _insert_members(borrower_set: BorrowerSet, borrowers: QuerySet[Borrower]) -> int:
    seconds = settings.LIDGELD_SELECTION_SECONDS
    rows = borrowers.values_list(Value(borrower_set.pk), "pk")
    columns = ["borrower_set", "borrower"]
    if connection.vendor == "sqlite":
        # SQLite rolls the whole transaction back when it interrupts an INSERT, but
        # interrupts a SELECT harmlessly: so it times a count of the same rows, and the
        # INSERT that follows reads them again from its page cache.
        with statement_time_limit(seconds):
            borrowers.count()
        return insert_from(BorrowerSetMember, columns, rows)
    with statement_time_limit(seconds):
        return insert_from(BorrowerSetMember, columns, rows)


# PostgreSQL's SQLSTATE query_canceled: what statement_timeout raises.
_QUERY_CANCELED = "57014"


@contextmanager
def statement_time_limit(seconds: float) -> Iterator[None]:
    """Stop what the database runs inside after ``seconds``, raising TooBroad.

    Call it inside a transaction. PostgreSQL: ``statement_timeout`` for this
    transaction only (set_config(…, true) is SET LOCAL), put back as it was when the
    block ends well; when it fails, the rollback of the block puts it back. SQLite has
    no such setting: a progress handler, called every few thousand virtual-machine
    steps, interrupts the statement once the time is up; put no write inside (see
    _insert_members)."""
    if not seconds:
        yield
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('statement_timeout')")
            (previous,) = cursor.fetchone()
            # At least 1 ms: 0 would mean no limit at all.
            limit = f"{max(1, round(seconds * 1000))}ms"
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [limit])
        try:
            yield
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == _QUERY_CANCELED:
                raise TooBroad(seconds) from None
            raise
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
        return
    deadline = time.monotonic() + seconds
    raw: Any = connection.connection
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 5000)
    try:
        yield
    except OperationalError as error:
        if "interrupted" in str(error) and time.monotonic() > deadline:
            raise TooBroad(seconds) from None
        raise
    finally:
        raw.set_progress_handler(None, 0)


def set_combine(
    *, scope: Scope, left_id: int, right_id: int, origin: str, today: date, now: datetime
) -> BorrowerSet:
    """Union, intersection or difference (left without right) of two of one's sets."""
    if origin not in (SetOrigin.UNION, SetOrigin.INTERSECTION, SetOrigin.DIFFERENCE):
        raise InvalidInput(
            _(
                "'%(origin)s' is not a way to combine sets; choose union, intersection or difference"
            ),
            code="unknown_combination",
            params={"origin": origin},
        )
    left = set_get(scope=scope, set_id=left_id)
    right = set_get(scope=scope, set_id=right_id)
    left_ids = member_ids(left)
    right_ids = member_ids(right)
    if origin == SetOrigin.UNION:
        chosen = Borrower.objects.filter(pk__in=left_ids) | Borrower.objects.filter(
            pk__in=right_ids
        )
    elif origin == SetOrigin.INTERSECTION:
        chosen = Borrower.objects.filter(pk__in=left_ids).filter(pk__in=right_ids)
    else:
        chosen = Borrower.objects.filter(pk__in=left_ids).exclude(pk__in=right_ids)
    chosen = scope.limit(chosen, "home_instance_id")
    symbol = {"union": "∪", "intersection": "∩", "difference": "∖"}[origin]
    with transaction.atomic():
        borrower_set = _new_set(
            scope=scope,
            origin=origin,
            rule=f"set {left.pk} {symbol} set {right.pk}",
            today=today,
            now=now,
        )
        size = insert_from(
            BorrowerSetMember,
            ["borrower_set", "borrower"],
            chosen.order_by().values_list(Value(borrower_set.pk), "pk"),
        )
        return _finish(borrower_set, size=size, scope=scope, today=today, now=now)


def _new_set(
    *,
    scope: Scope,
    origin: str,
    rule: str,
    today: date,
    now: datetime,
    saved: SavedSelection | None = None,
) -> BorrowerSet:
    return BorrowerSet.objects.create(
        owner=scope.owner,
        origin=origin,
        rule=rule,
        saved_selection=saved,
        instance_ids=None if scope.instance_ids is None else sorted(scope.instance_ids),
        created_at=now,
        expires_on=today + timedelta(days=settings.LIDGELD_SET_DAYS),
    )


def _finish(
    borrower_set: BorrowerSet, *, size: int, scope: Scope, today: date, now: datetime
) -> BorrowerSet:
    borrower_set.size = size
    borrower_set.save(update_fields=["size"])
    audit_record(
        actor=scope.actor,
        action=f"set.{borrower_set.origin}",
        obj=borrower_set,
        today=today,
        now=now,
        after={"rule": borrower_set.rule, "size": size},
    )
    return borrower_set


def set_export(
    *,
    scope: Scope,
    set_id: int,
    fields: Sequence[str] | None,
    fmt: Any,
    out: BinaryIO,
    today: date,
    now: datetime,
    excel_csv: bool = False,
) -> int:
    """Write the set with the chosen fields; the export is audited (personal data)."""

    borrower_set = set_get(scope=scope, set_id=set_id)
    chosen = export_fields(fields)
    table = set_table(scope=scope, borrower_set=borrower_set, fields=chosen)
    rows = write_table(table, out, fmt, excel_csv=excel_csv, generated_on=today)
    set_export_audit(
        scope=scope,
        borrower_set=borrower_set,
        fields=chosen,
        fmt=fmt,
        rows=rows,
        today=today,
        now=now,
    )
    return rows


def set_export_audit(
    *,
    scope: Scope,
    borrower_set: BorrowerSet,
    fields: Sequence[str],
    fmt: Any,
    rows: int,
    today: date,
    now: datetime,
    complete: bool = True,
) -> None:
    audit_record(
        actor=scope.actor,
        action="set.export",
        obj=borrower_set,
        today=today,
        now=now,
        after={
            "set": borrower_set.pk,
            "fields": list(fields),
            "format": str(getattr(fmt, "value", fmt)),
            "rows": rows,
            "complete": complete,
        },
    )


def selection_save(
    *, scope: Scope, name: str, rule: Node, today: date, now: datetime
) -> SavedSelection:
    """Keep a rule under a name (replacing one's own rule of that name)."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("give the selection a name"), code="name_missing")
    with transaction.atomic():
        saved, created = SavedSelection.objects.update_or_create(
            owner=scope.owner,
            name=name,
            defaults={"rule": to_text(rule), "updated_at": now},
            create_defaults={"rule": to_text(rule), "updated_at": now, "created_at": now},
        )
        audit_record(
            actor=scope.actor,
            action="selection.save" if created else "selection.update",
            obj=saved,
            today=today,
            now=now,
            after={"name": name, "rule": saved.rule},
        )
    return saved


def sets_purge(*, today: date, now: datetime, actor: str) -> int:
    """Delete the sets whose time is up; running it twice deletes nothing more."""
    expired = BorrowerSet.objects.filter(expires_on__lt=today)
    with transaction.atomic():
        ids = list(expired.values_list("pk", flat=True))
        if not ids:
            return 0
        BorrowerSetMember.objects.filter(borrower_set_id__in=ids).delete()
        BorrowerSet.objects.filter(pk__in=ids).delete()
        audit_record(
            actor=actor,
            action="set.purge",
            obj=None,
            today=today,
            now=now,
            after={"sets": len(ids)},
        )
    return len(ids)
