"""The Django admin as a read-mostly back office.

Rows are never added, edited or deleted through the admin: every change goes
through a service (an admin action), so it follows the rules and leaves an audit
event (R10). The change page of a row is a read-only view of it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from lidgeld import clock as clock_module
from lidgeld.domain.actors import staff_actor as staff_actor_of
from lidgeld.domain.moment import Moment

_MOMENT_ATTRIBUTE = "_lidgeld_moment"


def request_moment(request: HttpRequest) -> Moment:
    """This admin request's one reading of the clock, and who acts: read once, then
    remembered for the rest of the request."""
    moment = getattr(request, _MOMENT_ATTRIBUTE, None)
    if moment is None:
        moment = clock_module.clock.moment(staff_actor(request))
        setattr(request, _MOMENT_ATTRIBUTE, moment)
    return moment


def staff_actor(request: HttpRequest) -> str:
    """Who the audit trail names for a change made from the back office."""
    return staff_actor_of(request.user.get_username())


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: the change page shows every field read-only and cannot be saved."""

    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    """A read-only list of related rows on a change page, each linking to its own page."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
