"""Who may see which borrowers, and who may change which library: the one answer every
report, selection, export and back-office change asks (R11).

A person *serves* the borrowers of their own libraries and of those libraries'
cooperation groups (``instance_ids``), but *manages* only their own libraries
(``own_ids``): settings, IBAN, notice texts and kinds, kiosks, staff accounts. A
cooperation group shares borrowers, not a library's administration."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lidgeld.errors import Refused

QS = TypeVar("QS", bound=QuerySet[Any])

# The staff roles from low to high (``lidgeld.staff.models.Role`` names them); a role
# may do what every role below it may.
ROLE_RANKS = {"desk": 1, "coordinator": 2, "administrator": 3}
# Bulk exports of personal data of borrowers outside one's own libraries need this role.
EXPORT_BEYOND_OWN = "coordinator"

_SAME_AS_SERVED: Any = object()


def role_at_least(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANKS.get(role, 0) >= ROLE_RANKS[needed]


class _Library(Protocol):
    pk: Any
    code: str


@dataclass(frozen=True)
class Scope:
    """``instance_ids`` None means every instance (an operator on the command line
    or a superuser); otherwise only rows of these instances are visible.

    ``own_ids`` are the instances this person manages (None: every one); when not
    given they are the visible ones. ``role`` is the staff role (None: no role).

    ``actor`` is who the audit trail names (``staff:<username>``, ``cli:<user>``);
    ``owner`` whose temporary sets and saved selections these are (a staff member's
    username; by default the actor)."""

    actor: str
    instance_ids: frozenset[int] | None
    own_ids: frozenset[int] | None = field(default=_SAME_AS_SERVED)
    role: str | None = None
    owner: str = ""

    def __post_init__(self) -> None:
        if self.own_ids is _SAME_AS_SERVED:
            object.__setattr__(self, "own_ids", self.instance_ids)
        if not self.owner:
            object.__setattr__(self, "owner", self.actor)

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
                _(
                    "you do not have access to that library's borrowers; "
                    "choose one of the libraries of your account"
                ),
                code="instance_not_allowed",
            )
        return wanted

    def within(self, requested: Iterable[int] | None) -> Scope:
        """The same person, looking at fewer libraries (refused outside their own)."""
        shown = self.narrow(requested)
        if shown is None or self.own_ids is None:
            own = self.own_ids if shown is None else shown
        else:
            own = shown & self.own_ids
        return replace(self, instance_ids=shown, own_ids=own)

    # --- the manage scope -----------------------------------------------------------

    @property
    def manage(self) -> Scope:
        """The same person, seeing only the libraries they manage (their own)."""
        return replace(self, instance_ids=self.own_ids)

    def require_manage(self, library: _Library, *, role: str, what: str | Promise) -> None:
        """Refused unless this person has ``role`` (or higher) and ``library`` is one of
        their own: ``what`` says what they tried to change ("the settings")."""
        if not role_at_least(self.role, role):
            raise Refused(
                _("changing %(what)s needs the %(role)s role; ask an administrator of %(library)s"),
                code="role_too_low",
                params={"what": what, "role": _role_label(role), "library": library.code},
            )
        if self.own_ids is not None and library.pk not in self.own_ids:
            raise Refused(
                _(
                    "you cannot change %(what)s of %(library)s: you manage only the "
                    "libraries of your own account (a cooperation group shares borrowers, "
                    "not a library's administration); ask an administrator of %(library)s"
                ),
                code="instance_not_managed",
                params={"what": what, "library": library.code},
            )

    # --- bulk exports of personal data ----------------------------------------------

    def require_export(self, rows: QuerySet[Any], home: str) -> None:
        """R11: a bulk export of personal data (a set, a report with names and addresses)
        may hold borrowers whose home library (``home``, the path to it from the rows,
        e.g. "borrower__home_instance") is outside one's own libraries only for the
        coordinator role and up.

        We refuse the whole export rather than leave those rows out: a list that is
        quietly shorter than the set or the report on screen looks complete, and its
        totals and mailings would be wrong without anyone knowing."""
        if self.own_ids is None or role_at_least(self.role, EXPORT_BEYOND_OWN):
            return
        codes = (
            rows.exclude(**{f"{home}__in": sorted(self.own_ids)})
            .order_by()
            .values_list(f"{home}__code", flat=True)
            .distinct()[:6]
        )
        foreign = sorted(code for code in codes if code)
        if foreign:
            named = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
            raise Refused(
                _(
                    "this export holds borrowers of other libraries (%(libraries)s); "
                    "exporting their personal data needs the %(role)s role: choose only "
                    "the libraries of your own account, or ask a coordinator"
                ),
                code="export_beyond_own",
                params={"libraries": named, "role": _role_label(EXPORT_BEYOND_OWN)},
            )


def operator_scope(actor: str) -> Scope:
    """The operator at the server's command line (or a job): every library, every role."""
    return Scope(actor=actor, instance_ids=None, own_ids=None, role="administrator")


def _role_label(role: str) -> Promise:
    # The role's name as the staff pages show it: lidgeld.staff.models.Role's labels are
    # these same msgids (that app sits above this module, so it cannot be imported).
    return _(role)


def manage_check(
    within: Scope | None, library: _Library, *, role: str, what: str | Promise
) -> None:
    """The services' entry check for a change to a library's administration. ``within``
    None: not on behalf of a staff account (the operator's command line, the demo, the
    daily run), who manage every library."""
    if within is not None:
        within.require_manage(library, role=role, what=what)
