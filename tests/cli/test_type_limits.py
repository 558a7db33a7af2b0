"""R12 from the command line: a type's age limits and the type that follows."""

import json

import pytest

from lidgeld.audit.models import AuditEvent
from lidgeld.cli.main import main
from lidgeld.memberships.models import MembershipType

pytestmark = pytest.mark.django_db


def lidgeld(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def gent(capsys):
    assert lidgeld(capsys, "instance", "add", "--code", "GENT", "--name", "Gent")[0] == 0
    code, _, err = lidgeld(
        capsys, "type", "add", "--instance", "GENT", "--code", "VOLW", "--name", "Volwassene",
        "--kind", "paying", "--fee", "12.00", "--min-age", "18",
    )  # fmt: skip
    assert code == 0, err


def test_a_youth_type_added_with_its_limits_and_the_type_that_follows(capsys, gent):
    code, out, err = lidgeld(
        capsys, "type", "add", "--instance", "GENT", "--code", "JEUGD", "--name", "Jeugd",
        "--kind", "free-auto", "--min-age", "0", "--max-age", "17", "--next", "VOLW", "--json",
    )  # fmt: skip
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["min_age"], shown["max_age"], shown["next_type"]) == (0, 17, "VOLW")
    youth = MembershipType.objects.get(code="JEUGD")
    assert (youth.min_age, youth.max_age, youth.next_type.code) == (0, 17, "VOLW")


def test_limits_set_later_are_audited_and_a_wrong_one_is_said(capsys, gent):
    lidgeld(capsys, "type", "add", "--instance", "GENT", "--code", "JEUGD", "--name", "Jeugd",
            "--kind", "free-auto")  # fmt: skip
    code, out, err = lidgeld(
        capsys, "type", "limits", "--instance", "GENT", "--code", "JEUGD", "--max-age", "17",
        "--next", "VOLW", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["next_type"] == "VOLW"
    event = AuditEvent.objects.get(action="membership_type.limits_set")
    assert (event.before["max_age"], event.after["max_age"]) == (None, 17)

    code, _, err = lidgeld(
        capsys, "type", "limits", "--instance", "GENT", "--code", "JEUGD", "--min-age", "18",
        "--max-age", "17",
    )  # fmt: skip
    assert code != 0
    assert "the minimum age (18) is above the maximum age (17)" in err
