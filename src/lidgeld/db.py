"""Database helpers the ORM lacks: vendor-specific DDL and INSERT … SELECT."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, migrations, models
from django.db.models import QuerySet


class VendorSQL(migrations.operations.base.Operation):
    """Run the statements written for the database in use (``sqlite`` / ``postgresql``).

    For constraints the ORM cannot express on both: a month-end CHECK and an
    exclusion constraint on PostgreSQL, triggers on SQLite.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(
        self,
        *,
        forwards: dict[str, Sequence[str]],
        backwards: dict[str, Sequence[str]],
    ) -> None:
        self.forwards = forwards
        self.backwards = backwards

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"forwards": self.forwards, "backwards": self.backwards},
        )

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _run(self, schema_editor: Any, statements: dict[str, Sequence[str]]) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise NotImplementedError(f"lidgeld runs on SQLite and PostgreSQL, not on {vendor}")
        for statement in statements[vendor]:
            schema_editor.execute(statement, params=None)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._run(schema_editor, self.forwards)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._run(schema_editor, self.backwards)

    def describe(self) -> str:
        return "Vendor-specific SQL"


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} is not a concrete column")
    return column


def insert_from(model: type[models.Model], columns: Sequence[str], source: QuerySet[Any]) -> int:
    """``INSERT INTO model (columns) SELECT …`` in one statement; returns the row count.

    ``source`` is a ``values_list`` query whose expressions match ``columns`` in
    order (Django 5.2 keeps the order given to ``values_list``). The rows never
    travel through Python, which is what keeps the daily run set-based.
    """
    # Ordering would only make the database sort rows it is about to insert.
    select_sql, params = source.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    target = ", ".join(quote(_column(model, name)) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {select_sql}", params)
        return max(cursor.rowcount, 0)
