"""Staff accounts and what they may see."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth.models import User

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.clock import at_nine
from lidgeld.errors import InvalidInput, Refused
from lidgeld.libraries.models import CooperationGroup
from lidgeld.staff.selectors import scope_for_user, visible_instance_ids
from lidgeld.staff.services import staff_add
from tests.factories import make_instance

pytestmark = pytest.mark.django_db


def test_an_account_sees_its_instances_and_their_cooperation_groups():
    group = CooperationGroup.objects.create(code="OOST", name="Oost")
    gent = make_instance("GENT", group=group)
    leuven = make_instance("LEUVEN", group=group)
    brugge = make_instance("BRUGGE")
    account = staff_add(
        username="balie-gent",
        password="een-lang-wachtwoord",
        role="desk",
        instance_codes=["gent"],
        today=date(2026, 4, 10),
        now=at_nine(date(2026, 4, 10)),
        actor="test",
    )

    assert visible_instance_ids(user=account.user) == {gent.pk, leuven.pk}
    assert not scope_for_user(user=account.user).allows(brugge.pk)


def test_a_superuser_sees_everything_and_a_login_without_account_nothing():
    make_instance("GENT")
    admin = User.objects.create_superuser("root", password="x" * 12)
    plain = User.objects.create_user("plain", password="x" * 12)
    assert visible_instance_ids(user=admin) is None
    assert visible_instance_ids(user=plain) == frozenset()
    plain.is_active = False
    with pytest.raises(Refused, match="disabled"):
        scope_for_user(user=plain)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "boss"}, "role 'boss' is unknown"),
        ({"instance_codes": ["NOPE"]}, "no library with code NOPE"),
        ({"instance_codes": []}, "at least one library"),
        ({"password": "kort"}, "too weak"),
        ({"username": "  "}, "user name"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_made(changes, message):
    make_instance("GENT")
    values = {
        "username": "balie",
        "password": "een-lang-wachtwoord",
        "role": "desk",
        "instance_codes": ["GENT"],
    } | changes
    with pytest.raises(InvalidInput, match=message):
        staff_add(**values, today=date(2026, 4, 10), now=at_nine(date(2026, 4, 10)), actor="test")
    assert not User.objects.exists()


def test_staff_add_on_the_command_line_hashes_and_audits(capsys):
    make_instance("GENT")
    make_instance("LEUVEN")
    code = main(
        [
            "staff",
            "add",
            "--username",
            "coord",
            "--password",
            "een-lang-wachtwoord",
            "--role",
            "coordinator",
            "--instance",
            "GENT,LEUVEN",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out) == {
        "username": "coord",
        "role": "coordinator",
        "instances": ["GENT", "LEUVEN"],
    }
    user = User.objects.get(username="coord")
    assert user.check_password("een-lang-wachtwoord")
    assert "een-lang-wachtwoord" not in user.password
    event = AuditEvent.objects.get(action="staff.add")
    assert "wachtwoord" not in json.dumps(event.after)
    assert (
        main(
            [
                "staff",
                "add",
                "--username",
                "coord",
                "--password",
                "een-lang-wachtwoord",
                "--role",
                "desk",
                "--instance",
                "GENT",
            ]
        )
        == 2
    )
    assert "already an account 'coord'" in capsys.readouterr().err
