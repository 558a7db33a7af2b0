"""Who may see which borrowers: the one answer every report, selection and export asks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import QuerySet

from lidgeld.errors import Refused

QS = TypeVar("QS", bound=QuerySet[Any])


@dataclass(frozen=True)
class Scope:
    """``instance_ids`` None means every instance (an operator on the command line
    or a superuser); otherwise only rows of these instances are visible."""

    actor: str
    instance_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.instance_ids is None

    def allows(self, instance_id: int | None) -> bool:
        return self.instance_ids is None or instance_id in self.instance_ids

    def limit(self, queryset: QS, field: str = "instance_id") -> QS:
        """Only the rows whose ``field`` (an instance id) this scope may see."""
        if self.instance_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": sorted(self.instance_ids)})

    def narrow(self, requested: Iterable[int] | None) -> frozenset[int] | None:
        """The instances to show for a request that names some (or none: all it may see).
        Naming an instance outside the scope is refused, not silently dropped."""
        if requested is None:
            return self.instance_ids
        wanted = frozenset(requested)
        if self.instance_ids is not None and not wanted <= self.instance_ids:
            raise Refused(
                "you do not have access to that library's borrowers; "
                "choose one of the libraries of your account",
                code="instance_not_allowed",
            )
        return wanted

    def within(self, requested: Iterable[int] | None) -> Scope:
        """The same person, looking at fewer libraries (refused outside their own)."""
        return Scope(actor=self.actor, instance_ids=self.narrow(requested))


def operator_scope(actor: str) -> Scope:
    return Scope(actor=actor, instance_ids=None)
