"""Audited changes: one locked update that records what fields were and became."""

from __future__ import annotations

from datetime import date

from lidgeld.audit.models import AuditEvent
from lidgeld.clock import at_nine

# -- one locked, audited update ---------------------------------------------------------


def test_an_audited_update_writes_the_changes_and_what_they_were(db):
    from lidgeld.audit.services import audited_update
    from lidgeld.libraries.models import Instance
    from tests.factories import make_instance

    # given a library
    gent = make_instance("GENT", name="Gent")
    # when two fields are changed
    changed = audited_update(
        Instance, pk=gent.pk, changes={"name": "Gent Zuid", "notice_renewal": True},
        action="instance.changed", actor="staff:an", today=date(2026, 4, 1), now=at_nine(date(2026, 4, 1)),
        instance_id=lambda row: row.pk,
    )  # fmt: skip
    # then they are stored and one audit row says what they were and became
    gent.refresh_from_db()
    assert (gent.name, gent.notice_renewal) == ("Gent Zuid", True)
    assert changed.name == "Gent Zuid"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.instance_id) == (
        "instance.changed",
        "staff:an",
        gent.pk,
    )
    assert event.before == {"name": "Gent", "notice_renewal": False}
    assert event.after == {"name": "Gent Zuid", "notice_renewal": True}


def test_an_audited_update_to_what_is_there_may_write_nothing(db):
    from lidgeld.audit.services import audited_update
    from lidgeld.libraries.models import Instance
    from tests.factories import make_instance

    gent = make_instance("GENT", name="Gent")
    for skip in (True, False):
        audited_update(
            Instance, pk=gent.pk, changes={"name": "Gent"}, action=lambda c: "instance.renamed",
            actor="staff:an", today=date(2026, 4, 1), now=at_nine(date(2026, 4, 1)), instance_id=lambda row: row.pk,
            identity=lambda row: {"code": row.code}, skip_unchanged=skip,
        )  # fmt: skip
    # only the update that was not told to skip is audited, with the row's identity
    event = AuditEvent.objects.get()
    assert event.action == "instance.renamed"
    assert event.before == event.after == {"code": "GENT", "name": "Gent"}
