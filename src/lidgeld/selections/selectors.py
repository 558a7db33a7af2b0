"""Reads of sets and saved selections: which sets a person sees, one set, a set as a
table for its export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lidgeld.borrowers.models import Borrower
from lidgeld.errors import InvalidInput
from lidgeld.exports.table import Column, ColumnType, Row, Table
from lidgeld.scope import Scope
from lidgeld.selections.fields import EXPORT_FIELDS, ValueType
from lidgeld.selections.models import BorrowerSet, BorrowerSetMember, SavedSelection

DEFAULT_EXPORT_FIELDS = ("card", "first_name", "last_name", "email")


def sets_visible(*, scope: Scope) -> QuerySet[BorrowerSet]:
    """One's own sets; an operator with access to everything sees all of them."""
    sets = BorrowerSet.objects.all()
    if not scope.everything:
        sets = sets.filter(owner=scope.owner)
    return sets


def set_get(*, scope: Scope, set_id: int) -> BorrowerSet:
    borrower_set = sets_visible(scope=scope).filter(pk=set_id).first()
    if borrower_set is None:
        # The same answer whether the set is someone else's or does not exist.
        raise InvalidInput(
            _("there is no set %(set)s of yours; 'lidgeld set list' shows them"),
            code="unknown_set",
            params={"set": set_id},
        )
    return borrower_set


def export_fields(names: Sequence[str] | None) -> list[str]:
    chosen = [name.strip() for name in (names or DEFAULT_EXPORT_FIELDS) if name.strip()]
    unknown = [name for name in chosen if name not in EXPORT_FIELDS]
    if unknown or not chosen:
        raise InvalidInput(
            _("unknown field %(fields)s; choose from %(choices)s"),
            code="unknown_export_field",
            params={
                "fields": ", ".join(unknown) or _("(none given)"),
                "choices": ", ".join(EXPORT_FIELDS),
            },
        )
    return chosen


def set_table(
    *, scope: Scope, borrower_set: BorrowerSet, fields: Sequence[str], for_export: bool = True
) -> Table:
    """The set's borrowers with the chosen fields, read as they are streamed out.

    ``for_export`` (the default: a file, an API answer) applies R11's export rule: a set
    with borrowers of libraries outside one's own is refused as a whole for the desk
    role (``Scope.require_export`` says why not leaving them out). The set's own page,
    which shows its first rows, passes False."""
    specs = [EXPORT_FIELDS[name] for name in fields]
    columns = [
        Column(
            key=name,
            label=spec.label_nl,
            type=ColumnType.DATE if spec.type == ValueType.DATE else ColumnType.TEXT,
        )
        for name, spec in zip(fields, specs, strict=True)
    ]
    borrowers = scope.limit(
        Borrower.objects.filter(pk__in=member_ids(borrower_set)), "home_instance_id"
    )
    if borrower_set.instance_ids is not None:
        borrowers = borrowers.filter(home_instance_id__in=borrower_set.instance_ids)
    if for_export:
        scope.require_export(borrowers, "home_instance")
    values = borrowers.order_by("card_number").values_list(*(spec.path for spec in specs))

    def rows() -> Iterator[Row]:
        for record in values.iterator(chunk_size=2000):
            yield Row(record)

    return Table(
        title=f"Set {borrower_set.pk}",
        columns=columns,
        rows=rows(),
        filters=[f"Selectie: {borrower_set.rule}", f"Aantal leners: {borrower_set.size}"],
    )


def saved_selection_get(*, scope: Scope, name: str) -> SavedSelection:
    saved = SavedSelection.objects.filter(owner=scope.owner, name=name.strip()).first()
    if saved is None:
        raise InvalidInput(
            _("you have no saved selection '%(name)s'; 'lidgeld selection list'"),
            code="unknown_selection",
            params={"name": name},
        )
    return saved


def member_ids(borrower_set: BorrowerSet) -> QuerySet[BorrowerSetMember, int]:
    return BorrowerSetMember.objects.filter(borrower_set=borrower_set).values_list(
        "borrower_id", flat=True
    )
