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


def test_amounts_and_days_are_kept_as_text_whoever_records_them(db):
    from decimal import Decimal

    from lidgeld.audit.services import audit_record

    # when a service records the values it has, as they are
    audit_record(
        actor="staff:an", action="x.changed", obj=None, today=date(2026, 4, 1),
        now=at_nine(date(2026, 4, 1)),
        before={"fee": Decimal("2.50"), "born": date(1990, 5, 1), "name": "An"},
        after={"fee": Decimal("3.00"), "born": None},
    )  # fmt: skip
    # then the audit holds them as text, read back the same on both databases
    event = AuditEvent.objects.get()
    assert event.before == {"fee": "2.50", "born": "1990-05-01", "name": "An"}
    assert event.after == {"fee": "3.00", "born": None}
