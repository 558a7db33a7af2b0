"""What a run left behind, as comparable numbers.

Counts per state, and per table an order-independent fingerprint (a sum of
row hashes over the columns a run writes, leaving out generated ids of new
rows and timestamps). Two databases that started from the same template and
ran the same day must give equal snapshots.
"""

from __future__ import annotations

from datetime import date

import psycopg

QUERIES: dict[str, str] = {
    "memberships by status/origin": """
        SELECT status || '/' || origin, count(*) FROM memberships_membership GROUP BY 1""",
    "postings by status/stage": """
        SELECT status || '/' || stage, count(*) FROM finance_posting GROUP BY 1""",
    "open balance (cents)": """
        SELECT 'open', coalesce(sum(balance) * 100, 0)::bigint FROM finance_posting
         WHERE status = 'open'""",
    "write-offs": """
        SELECT written_off_on::text, count(*) FROM finance_writeoff GROUP BY 1""",
    "reservations by status": """
        SELECT status, count(*) FROM circulation_reservation GROUP BY 1""",
    "messages by date/kind/status/channel/language": """
        SELECT date || '/' || type || kind || '/' || status || '/' || channel || '/' || language,
               count(*)
          FROM notices_message GROUP BY 1""",
    "audit rows of the day by action": """
        SELECT action, count(*) FROM audit_auditevent WHERE business_date = %(day)s GROUP BY 1""",
    "fingerprints": """
        SELECT 'memberships', sum(hashtext(concat_ws('|', borrower_id, instance_id, type_id,
                   start, "end", status, origin, created_on, invalidated_on))::bigint)
          FROM memberships_membership
        UNION ALL
        SELECT 'postings', sum(hashtext(concat_ws('|', id, balance, stage, status,
                   closed_on))::bigint) FROM finance_posting
        UNION ALL
        SELECT 'write-offs', sum(hashtext(concat_ws('|', posting_id, amount, written_off_on,
                   reason, recorded_by))::bigint) FROM finance_writeoff
        UNION ALL
        SELECT 'reservations', sum(hashtext(concat_ws('|', id, status, held_since,
                   closed_on))::bigint) FROM circulation_reservation
        UNION ALL
        SELECT 'messages', sum(hashtext(concat_ws('|', borrower_id, instance_id, membership_id,
                   posting_id, type, kind, date, channel, status, language, to_address, subject,
                   body, attempts, last_error))::bigint) FROM notices_message
        UNION ALL
        SELECT 'audit', sum(hashtext(concat_ws('|', business_date, actor, action, object_type,
                   object_id, borrower_id, instance_id, before::text, after::text))::bigint)
          FROM audit_auditevent WHERE business_date = %(day)s""",
    "affected borrowers": """
        SELECT 'borrowers', count(DISTINCT borrower_id) FROM (
            SELECT borrower_id FROM audit_auditevent WHERE business_date = %(day)s
            UNION ALL
            SELECT borrower_id FROM notices_message WHERE date = %(day)s
        ) AS touched""",
}


def snapshot(conninfo: str, *, day: date) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
        for name, sql in QUERIES.items():
            cur.execute(sql, {"day": day})
            result[name] = {str(key): int(value or 0) for key, value in cur.fetchall()}
    return result


def differences(left: dict, right: dict) -> list[str]:
    """Human-readable lines for every number that differs."""
    lines = []
    for section in left.keys() | right.keys():
        a, b = left.get(section, {}), right.get(section, {})
        for key in sorted(a.keys() | b.keys()):
            if a.get(key, 0) != b.get(key, 0):
                lines.append(f"{section}: {key}: {a.get(key, 0)} != {b.get(key, 0)}")
    return lines
