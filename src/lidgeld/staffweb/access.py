"""Who may open a staff page: logged in, a staff account, a role high enough.

Every page gets ``request.scope`` (the libraries this person may see; its ``manage``
view holds the ones they may change) and ``request.role``; borrowers outside the
scope are answered with 404, the same as a borrower that does not exist, so a URL
reveals nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from lidgeld.borrowers.models import Borrower
from lidgeld.clock import clock
from lidgeld.domain.actors import staff_actor
from lidgeld.domain.moment import Moment
from lidgeld.scope import Scope, role_at_least
from lidgeld.staff.models import Role
from lidgeld.staff.selectors import role_of, scope_for_user

__all__ = ["StaffRequest", "may", "role_of", "staff_page", "visible_borrower"]


class StaffRequest(HttpRequest):
    """A request that passed ``staff_page``: whom this person serves and their role.

    Never made: ``staff_page`` sets the two attributes on Django's request and the
    views are typed with this class."""

    scope: Scope
    role: str
    # This request's one reading of the clock, and the person acting (staff:<username>).
    moment: Moment


def may(role: str | None, needed: str) -> bool:
    return role_at_least(role, needed)


def staff_page(
    needed: str = Role.DESK,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user: Any = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "staffweb:login")
            role = role_of(user)
            if role is None or not user.is_active:
                raise PermissionDenied("this login is not a staff account")
            if not may(role, needed):
                raise PermissionDenied(f"this page is for the role {Role(needed).label} and up")
            staff_request = cast(StaffRequest, request)
            staff_request.scope = scope_for_user(user=user)
            staff_request.role = role
            staff_request.moment = clock.moment(staff_actor(user.get_username()))
            return view(staff_request, *args, **kwargs)

        return wrapper

    return decorate


def visible_borrower(scope: Scope, borrower_id: int) -> Borrower:
    """The borrower if this person may see them; otherwise 404, never 403."""
    borrower = (
        scope.limit(Borrower.objects.select_related("home_instance"), "home_instance_id")
        .filter(pk=borrower_id)
        .first()
    )
    if borrower is None:
        raise Http404("no such borrower")
    return borrower
