"""Managing staff accounts: within one's own libraries (not the cooperation group's),
audited, never a password in the audit, never locking oneself out."""

from __future__ import annotations

from datetime import date

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.libraries.models import CooperationGroup
from lidgeld.scope import operator_scope
from lidgeld.staff.models import StaffAccount
from lidgeld.staff.selectors import scope_for_user
from lidgeld.staff.services import (
    staff_accounts_manageable,
    staff_add,
    staff_password_set,
    staff_update,
)
from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)


@pytest.fixture
def world():
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent = make_instance("GENT", group=group)
    leuven = make_instance("LEUVEN", group=group)
    brugge = make_instance("BRUGGE")
    gent_admin = scope_for_user(user=make_staff("beheer-gent", gent, role="administrator"))
    return gent, leuven, brugge, gent_admin


def account(username: str) -> StaffAccount:
    return StaffAccount.objects.select_related("user").get(user__username=username)


def test_an_administrator_manages_the_accounts_within_their_libraries(world, django_user_model):
    gent, leuven, brugge, within = world
    make_staff("balie-gent", gent)
    make_staff("balie-leuven", leuven)
    make_staff("balie-brugge", brugge)
    make_staff("balie-gent-brugge", gent, brugge)
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    StaffAccount.objects.create(user=root, role="administrator").instances.set([gent])
    names = [a.user.username for a in staff_accounts_manageable(within=within)]
    # LEUVEN shares GENT's borrowers (one cooperation group), not its administration
    assert names == ["balie-gent", "beheer-gent"]
    assert staff_accounts_manageable(within=operator_scope("ops")).count() == 6


def test_staff_update_changes_only_what_differs(world):
    gent, _leuven, _brugge, within = world
    make_staff("balie", gent)
    staff_update(
        account=account("balie"), role="coordinator", instance_codes=["gent"], active=True,
        within=within, today=TODAY, now=at_nine(TODAY), actor="beheer-gent",
    )  # fmt: skip
    event = AuditEvent.objects.get(action="staff.changed")
    assert event.before == {"username": "balie", "role": "desk"}
    assert event.after == {"username": "balie", "role": "coordinator"}
    staff_update(
        account=account("balie"), role="coordinator", instance_codes=["GENT"],
        within=within, today=TODAY, now=at_nine(TODAY), actor="beheer-gent",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="staff.changed").count() == 1


@pytest.mark.parametrize(
    ("changes", "error", "says"),
    [
        ({"role": "baas"}, InvalidInput, "role 'baas' is unknown"),
        ({"instance_codes": []}, InvalidInput, "at least one library"),
        ({"instance_codes": ["NERGENS"]}, InvalidInput, "no library with code NERGENS"),
        ({"instance_codes": ["GENT", "BRUGGE"]}, Refused, "cannot give access to BRUGGE"),
        ({"instance_codes": ["GENT", "LEUVEN"]}, Refused, "cannot give access to LEUVEN"),
    ],
)
def test_a_wrong_change_is_refused_as_a_whole(world, changes, error, says):
    make_staff("balie", world[0])
    with pytest.raises(error, match=says):
        staff_update(
            account=account("balie"), active=False, within=world[3], today=TODAY, now=at_nine(TODAY),
            actor="beheer-gent", **changes,
        )  # fmt: skip
    assert account("balie").user.is_active
    assert not AuditEvent.objects.exists()


def test_an_account_that_also_serves_another_network_is_left_alone(world):
    gent, _leuven, brugge, within = world
    make_staff("balie-beide", gent, brugge)
    with pytest.raises(Refused, match="outside yours"):
        staff_update(
            account=account("balie-beide"),
            active=False,
            within=within,
            today=TODAY,
            now=at_nine(TODAY),
            actor="b",
        )
    with pytest.raises(Refused, match="outside yours"):
        staff_password_set(
            account=account("balie-beide"), password="overgenomen-123", within=within,
            today=TODAY, now=at_nine(TODAY), actor="b",
        )  # fmt: skip


def test_an_administrator_cannot_lock_themselves_out(world):
    mine = account("beheer-gent")
    with pytest.raises(Refused, match="disable your own"):
        staff_update(
            account=mine,
            active=False,
            within=world[3],
            today=TODAY,
            now=at_nine(TODAY),
            actor="staff:beheer-gent",
        )
    with pytest.raises(Refused, match="your own administrator role"):
        staff_update(
            account=mine,
            role="desk",
            within=world[3],
            today=TODAY,
            now=at_nine(TODAY),
            actor="staff:beheer-gent",
        )


def test_a_password_is_set_hashed_and_not_audited(world):
    make_staff("balie", world[0])
    staff_password_set(
        account=account("balie"), password="een-nieuw-wachtwoord", within=world[3],
        today=TODAY, now=at_nine(TODAY), actor="beheer-gent",
    )  # fmt: skip
    assert account("balie").user.check_password("een-nieuw-wachtwoord")
    event = AuditEvent.objects.get(action="staff.password_set")
    assert "wachtwoord" not in str(event.after)
    with pytest.raises(InvalidInput, match="too weak"):
        staff_password_set(
            account=account("balie"),
            password="kort",
            within=world[3],
            today=TODAY,
            now=at_nine(TODAY),
            actor="b",
        )


def test_adding_within_refuses_libraries_outside_and_adds_inside(world):
    for outside in ("BRUGGE", "LEUVEN"):
        with pytest.raises(Refused, match=outside):
            staff_add(
                username="x", password="een-lang-wachtwoord", role="desk",
                instance_codes=[outside], within=world[3], today=TODAY, now=at_nine(TODAY), actor="beheer-gent",
            )  # fmt: skip
    added = staff_add(
        username="x", password="een-lang-wachtwoord", role="desk",
        instance_codes=["GENT"], within=world[3], today=TODAY, now=at_nine(TODAY), actor="beheer-gent",
    )  # fmt: skip
    assert list(added.instances.values_list("code", flat=True)) == ["GENT"]
