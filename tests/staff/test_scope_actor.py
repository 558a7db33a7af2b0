"""A staff scope names its person ``staff:<username>`` in the audit trail, while saved
selections and sets stay filed under the login, as they were stored before."""

from __future__ import annotations

import pytest

from lidgeld.scope import operator_scope
from lidgeld.staff.selectors import scope_for_user
from tests.factories import make_instance, make_staff

pytestmark = pytest.mark.django_db


def test_a_staff_scope_audits_as_staff_and_files_under_the_login():
    # given a desk account of GENT
    gent = make_instance("GENT")
    scope = scope_for_user(user=make_staff("balie-gent", gent))
    # then / also when it looks at fewer libraries or only those it manages
    for same_person in (scope, scope.within([gent.pk]), scope.manage):
        assert (same_person.actor, same_person.owner) == ("staff:balie-gent", "balie-gent")


def test_the_operator_files_under_their_actor():
    operator = operator_scope("cli:root")
    assert (operator.actor, operator.owner) == ("cli:root", "cli:root")
