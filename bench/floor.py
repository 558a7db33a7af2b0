"""The floor: the tick's writes as hand-written SQL, one statement per step.

Each statement does the step's UPDATE(s) and INSERT … SELECT(s) of audit,
write-off, membership and message rows for all instances at once, with
data-modifying CTEs, and returns its counts. It is what a careful person
would type into psql; the tick should stay within a small factor of it.

The dunning, write-off and notice delays come from each instance's policy
columns, as in the tick. Like the tick, the floor moves a contribution one
stage per transition; a contribution that is several stages late would get
one transition here and all of them from the tick (the benchmark data has
none, the correctness check would show it).
"""

from __future__ import annotations

import time
from datetime import date, datetime

import psycopg

MESSAGE_COLUMNS = (
    "borrower_id, instance_id, membership_id, posting_id, type, kind, date, channel, status, "
    "language, to_address, attempts, last_error, created_at"
)
# Notices are queued without text: the sender renders them before delivery.
# By e-mail where the address looks usable, else a letter; skipped when late (R4).
CHANNEL_AND_STATUS = """
           CASE WHEN b.email ~ %(email_regex)s THEN 'email' ELSE 'letter' END,
           CASE WHEN %(run_on)s::date - %(day)s::date > i.notice_max_delay_days
                THEN 'skipped' ELSE 'queued' END,
           b.language,
           CASE WHEN b.email ~ %(email_regex)s THEN b.email ELSE '' END,
           0,
           CASE WHEN %(run_on)s::date - %(day)s::date > i.notice_max_delay_days
                THEN %(late_reason)s ELSE '' END,
           %(now)s"""

AUDIT_COLUMNS = (
    "at, business_date, actor, action, object_type, object_id, borrower_id, instance_id, "
    "before, after"
)

DUNNING = f"""
WITH moved AS (
    UPDATE finance_posting p
       SET stage = CASE p.stage WHEN 'open' THEN 'reminder' ELSE 'unpaid' END
      FROM libraries_instance i
     WHERE i.id = p.instance_id
       AND p.status = 'open'
       AND p.booking_code BETWEEN 1000 AND 1999
       AND ((p.stage = 'open' AND p.booked_on <
                 date_trunc('month', %(day)s::date)
                 + make_interval(months => 1 - i.reminder_after_months))
         OR (p.stage = 'reminder' AND p.booked_on <
                 date_trunc('month', %(day)s::date)
                 + make_interval(months => 1 - i.unpaid_after_months)))
    RETURNING p.id, p.borrower_id, p.instance_id, p.membership_id, p.stage
), audit AS (
    INSERT INTO audit_auditevent ({AUDIT_COLUMNS})
    SELECT %(now)s, %(day)s, %(actor)s, 'posting.stage_changed', 'posting', id, borrower_id,
           instance_id,
           jsonb_build_object('stage', CASE stage WHEN 'reminder' THEN 'open' ELSE 'reminder' END),
           jsonb_build_object('stage', stage)
      FROM moved
    RETURNING 1
), notices AS (
    -- the reminder / unpaid notices of the instances that send them
    INSERT INTO notices_message ({MESSAGE_COLUMNS})
    SELECT m.borrower_id, m.instance_id, m.membership_id, m.id, 'C',
           CASE m.stage WHEN 'reminder' THEN 'HR' ELSE 'NB' END, %(day)s,
           {CHANNEL_AND_STATUS}
      FROM moved m
      JOIN libraries_instance i ON i.id = m.instance_id
      JOIN borrowers_borrower b ON b.id = m.borrower_id
     WHERE (m.stage = 'reminder' AND i.notice_reminder) OR (m.stage = 'unpaid' AND i.notice_unpaid)
    RETURNING status
)
SELECT 'reminder', count(*) FROM moved WHERE stage = 'reminder'
UNION ALL SELECT 'unpaid', count(*) FROM moved WHERE stage = 'unpaid'
UNION ALL SELECT 'notices_' || status, count(*) FROM notices GROUP BY status
UNION ALL SELECT 'audit', count(*) FROM audit
"""

WRITE_OFF = f"""
WITH due AS (
    SELECT p.id, p.borrower_id, p.instance_id, p.membership_id, p.balance
      FROM finance_posting p JOIN libraries_instance i ON i.id = p.instance_id
     WHERE p.status = 'open' AND p.stage = 'unpaid'
       AND p.booking_code BETWEEN 1000 AND 1999
       AND p.booked_on < date_trunc('month', %(day)s::date)
                         + make_interval(months => 1 - i.write_off_after_months)
), invalidated AS (
    UPDATE memberships_membership m
       SET status = 'invalidated', invalidated_on = %(day)s
      FROM (SELECT id, status FROM memberships_membership
             WHERE id IN (SELECT membership_id FROM due) AND status IN ('active', 'ended')
           ) AS was
     WHERE m.id = was.id
    RETURNING m.id, m.borrower_id, m.instance_id, was.status AS status_before
), written AS (
    INSERT INTO finance_writeoff (posting_id, amount, written_off_on, reason, recorded_by)
    SELECT id, balance, %(day)s, %(reason)s, %(actor)s FROM due
    RETURNING posting_id
), closed AS (
    UPDATE finance_posting p
       SET status = 'written_off', stage = 'written_off', balance = 0, closed_on = %(day)s
      FROM due
     WHERE p.id = due.id
    RETURNING p.id, p.borrower_id, p.instance_id
), audit AS (
    INSERT INTO audit_auditevent ({AUDIT_COLUMNS})
    SELECT %(now)s, %(day)s, %(actor)s, 'membership.invalidated', 'membership', id,
           borrower_id, instance_id, jsonb_build_object('status', status_before),
           jsonb_build_object('status', 'invalidated', 'reason', 'contribution unpaid')
      FROM invalidated
    UNION ALL
    SELECT %(now)s, %(day)s, %(actor)s, 'posting.written_off', 'posting', id, borrower_id,
           instance_id, '{{"status": "open", "stage": "unpaid"}}'::jsonb,
           jsonb_build_object('status', 'written_off', 'reason', %(reason)s::text)
      FROM closed
    RETURNING 1
)
SELECT 'invalidated', count(*) FROM invalidated
UNION ALL SELECT 'written_off', count(*) FROM closed
UNION ALL SELECT 'write_off_rows', count(*) FROM written
UNION ALL SELECT 'audit', count(*) FROM audit
"""

EXPIRY = f"""
WITH passed AS (
    SELECT m.id, m.borrower_id, m.instance_id, m.type_id, m."end", t.kind,
           (m."end" + 1) AS new_start,
           (m."end" + 1 + make_interval(months => t.months))::date - 1 AS new_end,
           NOT EXISTS (SELECT 1 FROM memberships_membership o
                        WHERE o.borrower_id = m.borrower_id
                          AND o.status <> 'invalidated'
                          AND o.start > m."end") AS not_followed
      FROM memberships_membership m
      JOIN memberships_membershiptype t ON t.id = m.type_id
     WHERE m.status = 'active' AND m."end" < %(day)s
), renewed AS (
    INSERT INTO memberships_membership (borrower_id, instance_id, type_id, start, "end",
                                        status, origin, created_on)
    SELECT borrower_id, instance_id, type_id, new_start, new_end, 'active', 'automatic', %(day)s
      FROM passed WHERE kind = 'free_auto' AND not_followed
    RETURNING 1
), closed AS (
    UPDATE memberships_membership m SET status = 'ended'
      FROM passed WHERE m.id = passed.id
    RETURNING m.id
), audit AS (
    INSERT INTO audit_auditevent ({AUDIT_COLUMNS})
    SELECT %(now)s, %(day)s, %(actor)s, 'membership.auto_renewed', 'membership', id,
           borrower_id, instance_id, jsonb_build_object('end', "end"),
           jsonb_build_object('start', new_start, 'end', new_end, 'origin', 'automatic')
      FROM passed WHERE kind = 'free_auto' AND not_followed
    UNION ALL
    SELECT %(now)s, %(day)s, %(actor)s, 'membership.ended', 'membership', id, borrower_id,
           instance_id, '{{"status": "active"}}'::jsonb, '{{"status": "ended"}}'::jsonb
      FROM passed
    RETURNING 1
)
SELECT 'expired', count(*) FROM passed WHERE kind <> 'free_auto' AND not_followed
UNION ALL SELECT 'auto_renewed', count(*) FROM renewed
UNION ALL SELECT 'periods_closed', count(*) FROM closed
UNION ALL SELECT 'audit', count(*) FROM audit
"""

RESERVATIONS = f"""
WITH changed AS (
    UPDATE circulation_reservation r
       SET status = CASE r.status WHEN 'waiting' THEN 'held' ELSE 'waiting' END,
           held_since = CASE r.status WHEN 'waiting' THEN %(day)s::date END
     WHERE r.status IN ('waiting', 'held')
       AND (r.status = 'waiting') = NOT EXISTS (
               SELECT 1 FROM memberships_membership m
                WHERE m.borrower_id = r.borrower_id
                  AND m.status <> 'invalidated'
                  AND m.start <= %(day)s AND m."end" >= %(day)s)
    RETURNING r.id, r.borrower_id, r.instance_id, r.status
), audit AS (
    INSERT INTO audit_auditevent ({AUDIT_COLUMNS})
    SELECT %(now)s, %(day)s, %(actor)s,
           CASE status WHEN 'held' THEN 'reservation.held' ELSE 'reservation.resumed' END,
           'reservation', id, borrower_id, instance_id,
           jsonb_build_object('status', CASE status WHEN 'held' THEN 'waiting' ELSE 'held' END),
           jsonb_build_object('status', status)
      FROM changed
    RETURNING 1
)
SELECT 'held', count(*) FROM changed WHERE status = 'held'
UNION ALL SELECT 'resumed', count(*) FROM changed WHERE status = 'waiting'
UNION ALL SELECT 'audit', count(*) FROM audit
"""

CAE = f"""
WITH queued AS (
    INSERT INTO notices_message ({MESSAGE_COLUMNS})
    SELECT m.borrower_id, m.instance_id, m.id, NULL, 'C', 'AE', %(day)s,
           {CHANNEL_AND_STATUS}
      FROM memberships_membership m
      JOIN memberships_membershiptype t ON t.id = m.type_id
      JOIN borrowers_borrower b ON b.id = m.borrower_id
      JOIN libraries_instance i ON i.id = m.instance_id
     WHERE i.notice_end_of_contribution
       AND m.status = 'active'
       AND m."end" = %(month_end)s
       AND m.start <= %(day)s
       AND t.kind IN ('paying', 'free')
       AND NOT EXISTS (SELECT 1 FROM memberships_membership o
                        WHERE o.borrower_id = m.borrower_id
                          AND o.status <> 'invalidated'
                          AND o.start > m."end")
       AND NOT EXISTS (SELECT 1 FROM notices_message n
                        WHERE n.membership_id = m.id AND n.type = 'C' AND n.kind = 'AE')
    RETURNING status
)
SELECT status, count(*) FROM queued GROUP BY status
"""

STATEMENTS = (
    ("dunning", DUNNING),
    ("write_off", WRITE_OFF),
    ("expiry", EXPIRY),
    ("reservations", RESERVATIONS),
    ("cae", CAE),
)


def floor_run(
    conninfo: str,
    *,
    day: date,
    now: datetime,
    actor: str,
    write_off_reason: str,
    email_regex: str,
    late_reason: str,
    month_end: date,
) -> dict[str, dict]:
    """Run the five statements, each in its own transaction; seconds and counts per step."""
    params = {
        "day": day,
        "run_on": day,
        "now": now,
        "actor": actor,
        "reason": write_off_reason,
        "email_regex": email_regex,
        "late_reason": late_reason,
        "month_end": month_end,
    }
    results: dict[str, dict] = {}
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        for name, sql in STATEMENTS:
            if name == "cae" and day.day != 1:
                results[name] = {"seconds": 0.0, "counts": {}}
                continue
            started = time.perf_counter()
            cur.execute(sql, params)
            counts = {key: int(count) for key, count in cur.fetchall() if count}
            conn.commit()
            results[name] = {"seconds": time.perf_counter() - started, "counts": counts}
    return results
