"""Constraints the ORM cannot declare portably.

* every period ends on the last day of a month (R1);
* the live (not invalidated) periods of one borrower never overlap.

SQLite cannot add a CHECK to an existing table, so both are triggers there.
A later migration that makes Django rebuild this table on SQLite drops the
triggers: recreate them in that migration (tests/memberships/test_constraints.py
catches it).
"""

from django.db import migrations

from lidgeld.db import VendorSQL

TABLE = "memberships_membership"

SQLITE_GUARD = """
CREATE TRIGGER {name} BEFORE {event} ON memberships_membership
BEGIN
    SELECT RAISE(ABORT, 'membership_end_is_month_end')
     WHERE strftime('%d', NEW."end", '+1 day') <> '01';
    SELECT RAISE(ABORT, 'membership_no_overlap')
     WHERE NEW.status <> 'invalidated' AND EXISTS (
        SELECT 1 FROM memberships_membership AS other
         WHERE other.borrower_id = NEW.borrower_id
           AND other.id <> {self_id}
           AND other.status <> 'invalidated'
           AND other.start <= NEW."end"
           AND other."end" >= NEW.start);
END
"""


class Migration(migrations.Migration):
    dependencies = [("memberships", "0001_initial")]

    operations = [
        VendorSQL(
            forwards={
                "sqlite": [
                    SQLITE_GUARD.format(
                        name="membership_guard_insert", event="INSERT", self_id="-1"
                    ),
                    SQLITE_GUARD.format(
                        name="membership_guard_update",
                        event='UPDATE OF start, "end", status, borrower_id',
                        self_id="NEW.id",
                    ),
                ],
                "postgresql": [
                    "CREATE EXTENSION IF NOT EXISTS btree_gist",
                    f"ALTER TABLE {TABLE} ADD CONSTRAINT membership_end_is_month_end "
                    f'CHECK (EXTRACT(DAY FROM ("end" + 1)) = 1)',
                    f"ALTER TABLE {TABLE} ADD CONSTRAINT membership_no_overlap EXCLUDE USING gist "
                    f"(borrower_id WITH =, daterange(start, \"end\", '[]') WITH &&) "
                    f"WHERE (status <> 'invalidated')",
                ],
            },
            backwards={
                "sqlite": [
                    "DROP TRIGGER IF EXISTS membership_guard_insert",
                    "DROP TRIGGER IF EXISTS membership_guard_update",
                ],
                "postgresql": [
                    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS membership_no_overlap",
                    f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS membership_end_is_month_end",
                ],
            },
        )
    ]
