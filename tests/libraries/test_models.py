"""The notices a new library sends by default (issue 11, item 13): nobody is blocked
without being told (R6), and an existing library keeps the choice it made."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lidgeld.clock import at_nine, clock
from lidgeld.libraries.models import Instance
from lidgeld.libraries.services import instance_add
from lidgeld.lifecycle.tick import tick_run
from lidgeld.notices.models import KIND_REMINDER, Message
from tests.factories import make_borrower, make_membership, make_open_fee, make_type


@pytest.mark.django_db
def test_a_new_library_tells_borrowers_of_the_reminder_and_unpaid_stages():
    # given a library added as usual, and a fee booked in April left open
    gent = instance_add(
        code="GENT",
        name="Bibliotheek Gent",
        today=date(2026, 4, 1),
        now=at_nine(date(2026, 4, 1)),
        actor="t",
    )
    assert (gent.notice_reminder, gent.notice_unpaid) == (True, True)
    borrower = make_borrower(gent)
    make_open_fee(make_membership(borrower, make_type(gent), date(2026, 4, 1)), date(2026, 4, 10))

    # when the fee reaches the reminder stage on 1 May
    tick_run(today=date(2026, 4, 30), now=clock.now())
    tick_run(today=date(2026, 5, 1), now=clock.now())

    # then the borrower is sent the reminder
    assert Message.objects.filter(borrower=borrower, kind=KIND_REMINDER).count() == 1


MIGRATION = ("libraries", "0004_stage_notices_on_for_new_instances")
BEFORE = ("libraries", "0003_portal_renewal")


@pytest.mark.django_db(transaction=True)
def test_the_migration_leaves_an_existing_librarys_choice_alone():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        # given a library made under the old defaults (stage notices off), and one that
        # switched the reminder on itself
        old = executor.loader.project_state([BEFORE]).apps.get_model("libraries", "Instance")
        quiet = old.objects.create(code="STIL", name="Stil")
        old.objects.create(code="KOOS", name="Koos", notice_reminder=True)
        assert (quiet.notice_reminder, quiet.notice_unpaid) == (False, False)
    finally:
        # when the migration runs
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    # then both keep what they had, and only a library made afterwards has them on
    kept = Instance.objects.order_by("code").values_list("code", "notice_reminder", "notice_unpaid")
    assert list(kept) == [("KOOS", True, False), ("STIL", False, False)]
    assert MIGRATION in MigrationExecutor(connection).loader.applied_migrations
    new = Instance.objects.create(code="NIEUW", name="Nieuw")
    new.refresh_from_db()
    assert (new.notice_reminder, new.notice_unpaid) == (True, True)
