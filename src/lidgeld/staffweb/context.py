from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lidgeld.staff.models import Role
from lidgeld.staffweb.access import may

NAVIGATION = (
    # url name, label, role needed
    ("staffweb:dashboard", _("Dashboard"), Role.DESK),
    ("staffweb:borrower-search", _("Borrowers"), Role.DESK),
    ("staffweb:expiring", _("Expiring memberships"), Role.DESK),
    ("staffweb:letters", _("Letters"), Role.DESK),
    ("staffweb:reports", _("Reports"), Role.DESK),
    ("staffweb:selections", _("Selections"), Role.DESK),
    ("staffweb:templates", _("Notice texts"), Role.COORDINATOR),
    ("staffweb:settings", _("Settings"), Role.ADMINISTRATOR),
)


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    role = getattr(request, "role", None)
    if role is None:
        return {}
    return {
        "staff_navigation": [
            (name, label) for name, label, needed in NAVIGATION if may(role, needed)
        ],
        "staff_role": role,
    }
