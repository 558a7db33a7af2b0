"""What the back-office pages share: the libraries a person may see and those they
may manage, and errors shown in the page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language

from lidgeld.domain.actors import staff_actor
from lidgeld.libraries.models import Instance
from lidgeld.notices.models import KIND_NAMES
from lidgeld.scope import Scope
from lidgeld.staffweb.access import StaffRequest
from lidgeld.staffweb.views.desk_common import LANGUAGE_NAMES

# The notice kinds by the code staff know (type C in front), with what each means.
KIND_LABELS = KIND_NAMES
LANGUAGE_LABELS = LANGUAGE_NAMES


def english() -> bool:
    return (get_language() or "nl").startswith("en")


def scope_of(request: StaffRequest) -> Scope:
    scope: Scope = request.scope
    return scope


def instances_visible(request: StaffRequest) -> QuerySet[Instance]:
    """The libraries whose borrowers this person serves (reports, selections)."""
    return scope_of(request).limit(Instance.objects.order_by("code"), "id")


def manage_scope_of(request: StaffRequest) -> Scope:
    """What this person may change: their own libraries, not the cooperation group's."""
    return scope_of(request).manage


def instances_managed(request: StaffRequest) -> QuerySet[Instance]:
    """The libraries whose settings, texts, kiosks and accounts this person may change."""
    return manage_scope_of(request).limit(Instance.objects.order_by("code"), "id")


def instance_managed(request: StaffRequest, code: str) -> Instance:
    """The library with this code if this person manages it; otherwise 404, the same
    answer as for a code that does not exist."""
    instance = instances_managed(request).filter(code=code.strip().upper()).first()
    if instance is None:
        raise Http404("no such library")
    return instance


def instance_chosen(request: StaffRequest) -> Instance | None:
    """The library named by ``?instance=`` (one this person manages), else the first of
    their own ones."""
    code = request.GET.get("instance", "").strip()
    if code:
        return instance_managed(request, code)
    return instances_managed(request).first()


def actor_of(request: HttpRequest) -> str:
    """Who the audit trail names: the same name as on the desk pages and the back office."""
    return staff_actor(request.user.get_username())
