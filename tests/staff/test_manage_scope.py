"""R11, the manage scope: a cooperation group shares borrowers, not a library's
administration. A GENT administrator serves LOCH's borrowers (same group) but cannot
change LOCH's settings, IBAN, notice texts and kinds, kiosks or staff accounts; the
services refuse it whoever calls them (pages, CLI ``--user``), and nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.clock import at_nine
from lidgeld.errors import Refused
from lidgeld.kiosks.models import Terminal
from lidgeld.kiosks.services import (
    terminal_add,
    terminal_disable,
    terminal_enable,
    terminal_password_set,
)
from lidgeld.libraries.models import CooperationGroup, Instance
from lidgeld.libraries.services import instance_update
from lidgeld.notices.models import NoticeTemplate
from lidgeld.notices.services import (
    notice_kinds_set,
    notice_override_delete,
    notice_template_save,
)
from lidgeld.scope import operator_scope
from lidgeld.staff.models import StaffAccount
from lidgeld.staff.selectors import scope_for_user
from lidgeld.staff.services import staff_add, staff_password_set, staff_update
from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)
NOT_YOURS = "you cannot change .* of LOCH: you manage only the libraries of your own account"


@pytest.fixture(autouse=True)
def _quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    """GENT and LOCH share borrowers (group OOST); BRUGGE is another network."""
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent = make_instance("GENT", group=group, iban="BE68539007547034")
    loch = make_instance("LOCH", group=group, iban="BE78735005432186")
    make_instance("BRUGGE")
    return gent, loch


def scope_of(username: str):
    return scope_for_user(user=User.objects.get(username=username))


@pytest.fixture
def gent_admin(world):
    make_staff("beheer-gent", world[0], role="administrator")
    return scope_of("beheer-gent")


def nothing_audited() -> bool:
    return not AuditEvent.objects.exists()


def test_an_account_serves_its_group_but_manages_only_its_own_libraries(world, gent_admin):
    gent, loch = world
    assert gent_admin.instance_ids == {gent.pk, loch.pk}
    assert gent_admin.manage.instance_ids == {gent.pk}
    assert gent_admin.manage.allows(gent.pk)
    assert not gent_admin.manage.allows(loch.pk)
    root = User.objects.create_superuser("root", password="x" * 12)
    assert scope_for_user(user=root).manage.everything


def test_the_settings_and_iban_of_a_library_of_the_group_are_refused(world, gent_admin):
    gent, loch = world
    with pytest.raises(Refused, match=f"{NOT_YOURS}.*ask an administrator of LOCH"):
        instance_update(
            instance=loch, changes={"iban": "BE71096123456769", "sender_name": "Gent"},
            within=gent_admin, today=TODAY, now=at_nine(TODAY), actor="beheer-gent",
        )  # fmt: skip
    loch.refresh_from_db()
    assert (loch.iban, loch.sender_name) == ("BE78735005432186", "")
    assert nothing_audited()
    # one's own library, and the operator at the command line, may
    instance_update(instance=gent, changes={"bic": "GKCCBEBB"}, within=gent_admin,
                    today=TODAY, now=at_nine(TODAY), actor="beheer-gent")  # fmt: skip
    instance_update(instance=loch, changes={"bic": "GKCCBEBB"}, within=operator_scope("cli"),
                    today=TODAY, now=at_nine(TODAY), actor="cli")  # fmt: skip
    assert Instance.objects.filter(bic="GKCCBEBB").count() == 2


def test_a_role_below_administrator_may_not_change_settings(world):
    make_staff("coord-gent", world[0], role="coordinator")
    with pytest.raises(Refused, match="changing the settings needs the administrator role"):
        instance_update(instance=world[0], changes={"bic": "GKCCBEBB"},
                        within=scope_of("coord-gent"), today=TODAY, now=at_nine(TODAY), actor="coord-gent")  # fmt: skip
    assert nothing_audited()


def test_notice_texts_and_kinds_of_a_library_of_the_group_are_refused(world, gent_admin):
    gent, loch = world
    make_staff("coord-gent", gent, role="coordinator")
    coordinator = scope_of("coord-gent")
    text = {"kind": "AE", "language": "nl", "subject": "Van Gent", "body_text": "Overgenomen."}
    with pytest.raises(Refused, match=NOT_YOURS):
        notice_template_save(
            instance=loch, within=coordinator, today=TODAY, now=at_nine(TODAY), actor="c", **text
        )
    with pytest.raises(Refused, match=NOT_YOURS):
        notice_kinds_set(instance=loch, enabled={"AE": False}, within=gent_admin,
                         today=TODAY, now=at_nine(TODAY), actor="beheer-gent")  # fmt: skip
    override = NoticeTemplate.objects.create(
        instance=loch, kind="AE", language="nl", subject="Gesloten", body_text="Dicht.",
        valid_from=date(2026, 12, 20), valid_until=date(2027, 1, 3),
        updated_at=timezone.now(), updated_by="loch",
    )  # fmt: skip
    with pytest.raises(Refused, match=NOT_YOURS):
        notice_override_delete(
            template=override, within=coordinator, today=TODAY, now=at_nine(TODAY), actor="c"
        )
    assert not NoticeTemplate.objects.filter(subject="Van Gent").exists()
    assert NoticeTemplate.objects.filter(pk=override.pk).exists()
    assert Instance.objects.get(code="LOCH").notice_end_of_contribution
    assert nothing_audited()
    # and their own library's texts they may change
    notice_template_save(
        instance=gent, within=coordinator, today=TODAY, now=at_nine(TODAY), actor="c", **text
    )
    assert NoticeTemplate.objects.filter(instance=gent, subject="Van Gent").exists()


def test_a_desk_account_may_not_change_notice_texts(world):
    make_staff("balie-gent", world[0])
    with pytest.raises(Refused, match="needs the coordinator role"):
        notice_kinds_set(instance=world[0], enabled={"AE": False},
                         within=scope_of("balie-gent"), today=TODAY, now=at_nine(TODAY), actor="balie-gent")  # fmt: skip


def test_kiosks_of_a_library_of_the_group_are_refused(world, gent_admin):
    gent, loch = world
    kiosk = Terminal.objects.create(
        login="kiosk-loch", password_hash="!", instance=loch, created_at=timezone.now()
    )
    with pytest.raises(Refused, match=NOT_YOURS):
        terminal_add(login="kiosk-2", password="kiosk-geheim-1", instance_code="LOCH",
                     within=gent_admin, today=TODAY, now=at_nine(TODAY), actor="beheer-gent")  # fmt: skip
    for change in (terminal_disable, terminal_enable):
        with pytest.raises(Refused, match=NOT_YOURS):
            change(
                terminal=kiosk,
                within=gent_admin,
                today=TODAY,
                now=at_nine(TODAY),
                actor="beheer-gent",
            )
    with pytest.raises(Refused, match=NOT_YOURS):
        terminal_password_set(terminal=kiosk, password="overgenomen-1", within=gent_admin,
                              today=TODAY, now=at_nine(TODAY), actor="beheer-gent")  # fmt: skip
    kiosk.refresh_from_db()
    assert (kiosk.enabled, kiosk.password_hash) == (True, "!")
    assert list(Terminal.objects.values_list("login", flat=True)) == ["kiosk-loch"]
    assert nothing_audited()
    terminal_add(login="kiosk-gent", password="kiosk-geheim-1", instance_code="GENT",
                 within=gent_admin, today=TODAY, now=at_nine(TODAY), actor="beheer-gent")  # fmt: skip
    assert Terminal.objects.filter(login="kiosk-gent", instance=gent).exists()


def test_staff_accounts_of_a_library_of_the_group_are_refused(world, gent_admin):
    gent, loch = world
    make_staff("balie-loch", loch)
    balie_loch = StaffAccount.objects.get(user__username="balie-loch")
    with pytest.raises(Refused, match="cannot give access to LOCH"):
        staff_add(username="beheer-loch-2", password="een-lang-wachtwoord", role="administrator",
                  instance_codes=["LOCH"], within=gent_admin, today=TODAY, now=at_nine(TODAY),
                  actor="beheer-gent")  # fmt: skip
    with pytest.raises(Refused, match="outside yours"):
        staff_update(account=balie_loch, role="administrator", within=gent_admin, today=TODAY, now=at_nine(TODAY),
                     actor="beheer-gent")  # fmt: skip
    with pytest.raises(Refused, match="outside yours"):
        staff_password_set(account=balie_loch, password="overgenomen-123", within=gent_admin,
                           today=TODAY, now=at_nine(TODAY), actor="beheer-gent")  # fmt: skip
    # nor may a GENT account be given LOCH
    make_staff("balie-gent", gent)
    with pytest.raises(Refused, match="cannot give access to LOCH"):
        staff_update(account=StaffAccount.objects.get(user__username="balie-gent"),
                     instance_codes=["GENT", "LOCH"], within=gent_admin, today=TODAY, now=at_nine(TODAY),
                     actor="beheer-gent")  # fmt: skip
    assert not User.objects.filter(username="beheer-loch-2").exists()
    balie_loch.refresh_from_db()
    assert balie_loch.role == "desk"
    assert balie_loch.user.check_password("balie-wachtwoord-1")
    assert nothing_audited()


def test_only_an_administrator_adds_staff_accounts(world):
    make_staff("coord-gent", world[0], role="coordinator")
    with pytest.raises(Refused, match="needs the administrator role"):
        staff_add(username="nieuw", password="een-lang-wachtwoord", role="desk",
                  instance_codes=["GENT"], within=scope_of("coord-gent"), today=TODAY, now=at_nine(TODAY),
                  actor="coord-gent")  # fmt: skip
    assert not User.objects.filter(username="nieuw").exists()


def test_staff_add_on_the_command_line_as_a_user_stays_within_their_libraries(
    world, gent_admin, capsys
):
    code = main([
        "staff", "add", "--user", "beheer-gent", "--username", "beheer-loch-2",
        "--password", "een-lang-wachtwoord", "--role", "administrator", "--instance", "LOCH",
    ])  # fmt: skip
    assert code != 0
    assert "cannot give access to LOCH" in capsys.readouterr().err
    assert not User.objects.filter(username="beheer-loch-2").exists()
    code = main([
        "staff", "add", "--user", "beheer-gent", "--username", "balie-gent-2",
        "--password", "een-lang-wachtwoord", "--role", "desk", "--instance", "GENT", "--json",
    ])  # fmt: skip
    assert code == 0
    assert AuditEvent.objects.get(action="staff.add").actor == "staff:beheer-gent"
