"""Set-based generation of a realistic lidgeld network for the benchmark.

Everything is INSERT … SELECT over ``generate_series``: no row travels through
Python. A deterministic hash of the borrower number decides each borrower's
attributes, so the same N always gives the same data.

The benchmark day ``day`` is the 1st of a month (default 2026-12-01). With
``M`` the month before it, every borrower has one current period of 12 months
ending on the last day of M + m for m = 0..11 (≈ 1/12 each), so ≈ N/12 periods
end the evening before the benchmark day. On the benchmark day the tick finds:

* dunning:      open contributions booked in M move to *reminder*, those booked
                in M−5 (still *reminder*) move to *unpaid*;
* write-off:    *unpaid* contributions booked in M−7 are written off and their
                period is invalidated (older ones were written off on their day);
* expiry:       periods ending on the last day of M end; free auto-renewing ones
                get a new period, the others expire unless renewed in advance;
* reservations: waiting reservations of borrowers who lost their period are
                held; held ones of lapsed borrowers who renewed resume;
* CAE:          periods ending on the last day of the benchmark month, of a
                paying or free type, not renewed yet, get an end-of-contribution
                notice.

Also present: membership history, renewals in advance, lapsed borrowers, paid
(on time, or late at the reminder or unpaid stage), partly paid and written-off
contributions with their payments and write-offs,
ready / fulfilled / cancelled reservations, last month's CAE messages and one
audit row per borrower.
"""

from __future__ import annotations

import time
from datetime import date, datetime

import psycopg

# id, code, name, fee of the paying type, sends reminder / unpaid notices
INSTANCES = (
    (1, "GENT", "Bibliotheek Gent", "12.00", False),
    (2, "BRUG", "Bibliotheek Brugge", "15.00", True),
    (3, "KORT", "Bibliotheek Kortrijk", "10.00", False),
)

FIRST_NAMES = [
    "Emma",
    "Lucas",
    "Noor",
    "Liam",
    "Louise",
    "Arthur",
    "Marie",
    "Jules",
    "Elena",
    "Noah",
    "Camille",
    "Victor",
    "Fatima",
    "Mohamed",
    "Lotte",
    "Wout",
    "Ines",
    "Milan",
    "Julie",
    "Thomas",
    "Sarah",
    "Youssef",
    "Hanne",
    "Lars",
]
LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "El Amrani",
    "Vermeulen",
    "Pauwels",
    "Hermans",
    "Aerts",
    "Michiels",
]


def _h(seed: int, modulo: int) -> str:
    """SQL for a deterministic pseudo-random 0 … modulo-1 from the borrower number k."""
    return f"((hashint8extended(k::bigint, {seed}) & 2147483647) %% {modulo})"


# Per-borrower attributes, computed once into a temporary table that every
# INSERT below reads. Dates follow the rules of lidgeld.domain (R1, R6).
PLAN_SQL = f"""
CREATE TEMP TABLE plan AS
WITH raw AS MATERIALIZED (
    SELECT k,
           1 + k %% 3 AS inst,
           {_h(1, 1000)} AS h_kind,
           {_h(2, 12)} AS m,
           {_h(3, 1000)} AS h_lapse,
           1 + {_h(4, 6)} AS lapse_back,
           {_h(5, 1000)} AS h_lapsed_renewed,
           {_h(6, 1000)} AS h_open,
           {_h(7, 1000)} AS h_partial,
           {_h(8, 1000)} AS h_ahead,
           {_h(9, 1000)} AS h_hist,
           {_h(10, 1000)} AS h_lang,
           {_h(11, 1000)} AS h_mail,
           {_h(12, 1000)} AS h_res,
           {_h(13, 100)} AS h_res_status,
           {_h(14, 1000003)} AS h_item,
           {_h(15, 28)} AS h_day,
           {_h(16, len(FIRST_NAMES))} AS h_first,
           {_h(17, len(LAST_NAMES))} AS h_last,
           {_h(18, 25000)} AS h_birth
      FROM generate_series(1, %(n)s::bigint) AS k
), a AS MATERIALIZED (
    SELECT raw.*,
           CASE WHEN h_kind < 700 THEN 'paying' WHEN h_kind < 900 THEN 'free'
                ELSE 'free_auto' END AS kind,
           (inst - 1) * 3 + CASE WHEN h_kind < 700 THEN 1 WHEN h_kind < 900 THEN 2
                                 ELSE 3 END AS type_id,
           h_lapse < 30 AS lapsed
      FROM raw
), b AS MATERIALIZED (
    SELECT a.*,
           CASE WHEN lapsed
                THEN (date_trunc('month', %(day)s::date)
                      - make_interval(months => lapse_back::int))::date - 1
                ELSE (date_trunc('month', %(day)s::date)
                      + make_interval(months => m::int))::date - 1
           END AS p_end,
           kind = 'paying' AND NOT lapsed AND h_open < 214 AS open_flag,
           NOT lapsed AND m IN (0, 1) AND kind <> 'free_auto' AND h_ahead < 250 AS ahead
      FROM a
), c AS MATERIALIZED (
    SELECT b.*,
           (date_trunc('month', p_end) - interval '11 months')::date AS p_start,
           open_flag AND NOT ahead AS p_open,
           open_flag AND ahead AS r_open
      FROM b
), d AS MATERIALIZED (
    SELECT c.*,
           p_start + h_day::int AS p_booked,
           -- whole months from the month of booking to the day before the benchmark
           (extract(year FROM %(day)s::date - 1) * 12 + extract(month FROM %(day)s::date - 1))
           - (extract(year FROM p_start) * 12 + extract(month FROM p_start)) AS p_age
      FROM c
), e AS MATERIALIZED (
    SELECT d.*,
           -- what became of the current period's contribution by the day before
           CASE WHEN NOT p_open THEN 'paid'
                WHEN p_age >= %(write_off)s AND h_open < 71 THEN 'written_off'
                WHEN p_age >= %(write_off)s THEN 'paid_unpaid'
                WHEN p_age >= %(unpaid)s THEN 'unpaid'
                WHEN p_age >= %(reminder)s THEN 'reminder'
                ELSE 'open' END AS p_stage
      FROM d
)
SELECT e.*,
       p_stage = 'written_off' AS invalid_before,
       CASE WHEN p_stage = 'written_off'
            THEN (date_trunc('month', p_booked) + make_interval(months => %(write_off)s))::date
       END AS invalidated_on,
       -- paid at booking, or late: at the reminder stage, or even at the unpaid stage
       CASE WHEN p_stage = 'paid' AND h_partial BETWEEN 200 AND 299 AND p_age >= %(reminder)s
            THEN (date_trunc('month', p_booked)
                  + make_interval(months => %(reminder)s))::date + h_day::int / 3
            WHEN p_stage = 'paid' THEN p_booked
            WHEN p_stage = 'paid_unpaid'
            THEN (date_trunc('month', p_booked)
                  + make_interval(months => %(write_off)s - 1))::date + h_day::int / 3
            WHEN p_stage = 'written_off'
            THEN (date_trunc('month', p_booked) + make_interval(months => %(write_off)s))::date
       END AS p_closed,
       CASE WHEN p_stage = 'paid' AND h_partial BETWEEN 200 AND 299 AND p_age >= %(reminder)s
            THEN 'reminder'
            WHEN p_stage = 'paid' THEN 'open'
            WHEN p_stage = 'paid_unpaid' THEN 'unpaid'
            ELSE p_stage END AS p_posting_stage,
       CASE WHEN p_stage IN ('paid', 'paid_unpaid') THEN 'paid'
            WHEN p_stage = 'written_off' THEN 'written_off'
            ELSE 'open' END AS p_posting_status,
       p_end + 1 AS r_start,
       (p_end + 1 + interval '12 months')::date - 1 AS r_end,
       %(day)s::date - 1 - (h_day %% 20)::int AS r_booked,
       h_hist < 400 AS hist,
       (p_start - interval '12 months')::date AS h_start,
       p_start - 1 AS h_end,
       lapsed AND h_lapsed_renewed < 200 AS lapsed_renewed,
       %(day)s::date - 1 AS lr_start,
       (date_trunc('month', (%(day)s::date - 1 + interval '12 months')::date - 1)
        + interval '1 month')::date - 1 AS lr_end,
       CASE WHEN h_lang < 800 THEN 'nl' WHEN h_lang < 950 THEN 'fr' ELSE 'en' END AS language,
       (ARRAY{list(FIRST_NAMES)!r})[h_first::int + 1] AS first_name,
       (ARRAY{list(LAST_NAMES)!r})[h_last::int + 1] AS last_name
  FROM e
"""

BORROWERS_SQL = """
INSERT INTO borrowers_borrower (id, card_number, first_name, last_name, search_first,
                                search_last, birth_date, email, postal_code, language, pin_hash,
                                registered_on, home_instance_id)
SELECT k, 'B' || lpad(k::text, 10, '0'), first_name, last_name,
       -- domain.names.search_key of these ASCII names
       lower(replace(first_name, ' ', '')), lower(replace(last_name, ' ', '')),
       DATE '1940-01-01' + h_birth::int,
       CASE WHEN h_mail < 850
            THEN lower(replace(first_name || '.' || last_name, ' ', '')) || k || '@example.be'
            WHEN h_mail < 950 THEN ''
            ELSE 'geen e-mail' END,
       (8000 + inst * 500 + h_day)::text, language, '',
       CASE WHEN hist THEN h_start ELSE p_start END, inst
  FROM plan
"""

CARDS_SQL = """
INSERT INTO borrowers_card (number, borrower_id, issued_on, reported)
SELECT card_number, id, registered_on, '' FROM borrowers_borrower
"""

# id = k: the current period; N + k: the one before; 2N + k: a renewal in advance;
# 3N + k: the renewal of a lapsed borrower.
MEMBERSHIP_SQL = (
    """
INSERT INTO memberships_membership (id, borrower_id, instance_id, type_id, start, "end",
                                    status, origin, created_on, invalidated_on)
SELECT k, k, inst, type_id, p_start, p_end,
       CASE WHEN lapsed THEN 'ended' WHEN invalid_before THEN 'invalidated' ELSE 'active' END,
       CASE WHEN NOT hist THEN 'registration' WHEN kind = 'free_auto' THEN 'automatic'
            ELSE 'desk' END,
       CASE WHEN hist AND kind = 'free_auto' THEN h_end + 1 ELSE p_start END,
       invalidated_on
  FROM plan
""",
    """
INSERT INTO memberships_membership (id, borrower_id, instance_id, type_id, start, "end",
                                    status, origin, created_on, invalidated_on)
SELECT %(n)s + k, k, inst, type_id, h_start, h_end, 'ended', 'registration', h_start, NULL
  FROM plan WHERE hist
""",
    """
INSERT INTO memberships_membership (id, borrower_id, instance_id, type_id, start, "end",
                                    status, origin, created_on, invalidated_on)
SELECT 2 * %(n)s + k, k, inst, type_id, r_start, r_end, 'active',
       CASE WHEN h_day %% 2 = 0 THEN 'desk' ELSE 'portal' END, r_booked, NULL
  FROM plan WHERE ahead
""",
    """
INSERT INTO memberships_membership (id, borrower_id, instance_id, type_id, start, "end",
                                    status, origin, created_on, invalidated_on)
SELECT 3 * %(n)s + k, k, inst, type_id, lr_start, lr_end, 'active', 'desk', lr_start, NULL
  FROM plan WHERE lapsed_renewed
""",
)

_POSTING_COLUMNS = """(id, borrower_id, instance_id, membership_id, booking_code, description,
                             amount, balance, booked_on, stage, status, closed_on)"""

POSTING_SQL = (
    # the current period's contribution: paid, open at some stage, or written off
    f"""
INSERT INTO finance_posting {_POSTING_COLUMNS}
SELECT k, k, inst, k, t.booking_code, 'Lidgeld ' || t.name, t.fee,
       CASE WHEN p_posting_status <> 'open' THEN 0
            WHEN h_partial < 200 THEN t.fee - 5 ELSE t.fee END,
       p_booked, p_posting_stage, p_posting_status, p_closed
  FROM plan JOIN memberships_membershiptype t ON t.id = plan.type_id
 WHERE plan.kind = 'paying'
""",
    f"""
INSERT INTO finance_posting {_POSTING_COLUMNS}
SELECT %(n)s + k, k, inst, %(n)s + k, t.booking_code, 'Lidgeld ' || t.name, t.fee, 0,
       h_start + h_day::int, 'open', 'paid', h_start + h_day::int
  FROM plan JOIN memberships_membershiptype t ON t.id = plan.type_id
 WHERE plan.kind = 'paying' AND hist
""",
    f"""
INSERT INTO finance_posting {_POSTING_COLUMNS}
SELECT 2 * %(n)s + k, k, inst, 2 * %(n)s + k, t.booking_code, 'Lidgeld ' || t.name, t.fee,
       CASE WHEN NOT r_open THEN 0 WHEN h_partial < 200 THEN t.fee - 5 ELSE t.fee END,
       r_booked, 'open', CASE WHEN r_open THEN 'open' ELSE 'paid' END,
       CASE WHEN NOT r_open THEN r_booked END
  FROM plan JOIN memberships_membershiptype t ON t.id = plan.type_id
 WHERE plan.kind = 'paying' AND ahead
""",
    f"""
INSERT INTO finance_posting {_POSTING_COLUMNS}
SELECT 3 * %(n)s + k, k, inst, 3 * %(n)s + k, t.booking_code, 'Lidgeld ' || t.name, t.fee, 0,
       lr_start, 'open', 'paid', lr_start
  FROM plan JOIN memberships_membershiptype t ON t.id = plan.type_id
 WHERE plan.kind = 'paying' AND lapsed_renewed
""",
)

PAYMENT_SQL = """
INSERT INTO finance_payment (posting_id, amount, paid_on, channel, recorded_by)
SELECT p.id,
       CASE WHEN p.status = 'paid' THEN p.amount ELSE 5 END,
       CASE WHEN p.status = 'paid' THEN p.closed_on ELSE p.booked_on END,
       CASE WHEN p.id %% 3 = 0 THEN 'kiosk' ELSE 'desk' END,
       'bench'
  FROM finance_posting p
 WHERE p.status = 'paid'
    OR (p.status = 'open' AND p.balance < p.amount)
    OR (p.status = 'written_off' AND EXISTS (
            SELECT 1 FROM plan WHERE plan.k = p.id AND plan.h_partial < 200))
"""

WRITE_OFF_SQL = """
INSERT INTO finance_writeoff (posting_id, amount, written_off_on, reason, recorded_by)
SELECT k, CASE WHEN h_partial < 200 THEN t.fee - 5 ELSE t.fee END, invalidated_on,
       %(reason)s, 'job:tick'
  FROM plan JOIN memberships_membershiptype t ON t.id = plan.type_id
 WHERE p_stage = 'written_off'
"""

ITEMS_SQL = """
INSERT INTO circulation_item (id, instance_id, barcode, title)
SELECT j, 1 + j %% 3, 'I' || lpad(j::text, 10, '0'), 'Titel ' || j
  FROM generate_series(1, %(items)s::bigint) AS j
"""

# Lapsed borrowers and borrowers whose period was invalidated hold their
# reservations (R3); the others have a few in every other state.
RESERVATIONS_SQL = """
INSERT INTO circulation_reservation (borrower_id, instance_id, item_id, placed_on, status,
                                     held_since, closed_on)
SELECT k, inst, 3 * (1 + h_item %% (%(items)s / 3 - 1)) + k %% 3,
       placed_on, status,
       CASE WHEN status = 'held' THEN held_since END,
       CASE WHEN status = 'fulfilled' THEN %(day)s::date - 10
            WHEN status = 'cancelled' THEN %(day)s::date - 20 END
  FROM (
    SELECT plan.*,
           CASE WHEN lapsed OR invalid_before THEN 'held'
                WHEN h_res_status < 80 THEN 'waiting'
                WHEN h_res_status < 88 THEN 'ready'
                WHEN h_res_status < 95 THEN 'fulfilled'
                ELSE 'cancelled' END AS status,
           CASE WHEN lapsed THEN p_end + 1 ELSE invalidated_on END AS held_since,
           CASE WHEN lapsed THEN p_end - 30 - h_day::int
                WHEN invalid_before THEN invalidated_on - 10 - h_day::int
                ELSE %(day)s::date - 40 - h_day::int END AS placed_on
      FROM plan
     WHERE (lapsed AND h_res < 400) OR (invalid_before AND h_res < 200) OR h_res < 50
  ) AS r
"""

# Last month's end-of-contribution notices, already sent.
MESSAGES_SQL = """
INSERT INTO notices_message (borrower_id, instance_id, membership_id, type, kind, date, channel,
                             status, language, to_address, subject, body, attempts, last_error,
                             created_at, sent_at)
SELECT plan.k, plan.inst, plan.k, 'C', 'AE',
       (date_trunc('month', %(day)s::date) - interval '1 month')::date,
       CASE WHEN b.email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' THEN 'email' ELSE 'letter' END,
       'sent', b.language,
       CASE WHEN b.email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' THEN b.email ELSE '' END,
       'Je lidmaatschap loopt binnenkort af', 'Beste ' || b.first_name || ', …', 1, '',
       %(last_month)s, %(last_month)s
  FROM plan JOIN borrowers_borrower b ON b.id = plan.k
 WHERE plan.m = 0 AND plan.kind <> 'free_auto' AND NOT plan.lapsed AND NOT plan.invalid_before
"""

AUDIT_SQL = """
INSERT INTO audit_auditevent (at, business_date, actor, action, object_type, object_id,
                              borrower_id, instance_id, before, after)
SELECT registered_on + time '10:00', registered_on, 'desk:bench', 'borrower.registered',
       'borrower', id, id, home_instance_id, NULL,
       jsonb_build_object('card', card_number)
  FROM borrowers_borrower
"""

JOB_LEDGER_SQL = """
INSERT INTO lifecycle_jobrun (instance_id, step, day, run_on, rows, started_at, finished_at)
SELECT i.id, s.step, %(day)s::date - 1, %(day)s::date - 1, 0, %(yesterday)s, %(yesterday)s
  FROM libraries_instance i CROSS JOIN unnest(%(steps)s::text[]) AS s(step)
"""

SEQUENCE_TABLES = (
    "libraries_cooperationgroup",
    "libraries_instance",
    "memberships_membershiptype",
    "borrowers_borrower",
    "memberships_membership",
    "finance_posting",
    "circulation_item",
)


def generate(
    conninfo: str,
    *,
    borrowers: int,
    day: date,
    step_names: tuple[str, ...],
    write_off_reason: str,
    yesterday_at: datetime,
    log=print,
) -> dict[str, float]:
    """Fill the (migrated, empty) database at ``conninfo``; returns seconds per part."""
    if day.day != 1:
        raise ValueError("the benchmark day must be the 1st of a month")
    params = {
        "n": borrowers,
        "day": day,
        "items": 3 * max(100, borrowers // 150),
        "reminder": 1,
        "unpaid": 6,
        "write_off": 8,
        "reason": write_off_reason,
        "steps": list(step_names),
        "yesterday": yesterday_at,
        "last_month": yesterday_at.replace(day=1),
    }
    timings: dict[str, float] = {}
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SET maintenance_work_mem = '512MB'")

        def run(label: str, sql: str) -> None:
            started = time.perf_counter()
            cur.execute(sql, params)
            conn.commit()
            timings[label] = timings.get(label, 0.0) + time.perf_counter() - started
            log(f"  {label:<14} {cur.rowcount:>10,} rows  {time.perf_counter() - started:6.1f} s")

        cur.execute(
            "INSERT INTO libraries_cooperationgroup (id, code, name) "
            "VALUES (1, 'WVL', 'Samenwerking West- en Oost-Vlaanderen')"
        )
        for instance_id, code, name, fee, stage_notices in INSTANCES:
            cur.execute(
                "INSERT INTO libraries_instance (id, code, name, group_id, renewal_base, "
                "renewal_grace_days, reminder_after_months, unpaid_after_months, "
                "write_off_after_months, notice_max_delay_days, sender_email, iban, "
                "notice_end_of_contribution, notice_reminder, notice_unpaid) "
                "VALUES (%s, %s, %s, 1, 'combination', 0, %s, %s, %s, 7, %s, '', true, %s, %s)",
                [
                    instance_id,
                    code,
                    name,
                    params["reminder"],
                    params["unpaid"],
                    params["write_off"],
                    f"bibliotheek@{code.lower()}.example.be",
                    stage_notices,
                    stage_notices,
                ],
            )
            base = (instance_id - 1) * 3
            for offset, type_code, type_name, kind, type_fee in (
                (1, "VOLW", "Volwassenen", "paying", fee),
                (2, "JEUGD", "Jeugd", "free", "0"),
                (3, "KIND", "Kinderen (automatisch)", "free_auto", "0"),
            ):
                cur.execute(
                    "INSERT INTO memberships_membershiptype (id, instance_id, code, name, kind, "
                    "fee, months, booking_code) VALUES (%s, %s, %s, %s, %s, %s, 12, %s)",
                    [
                        base + offset,
                        instance_id,
                        type_code,
                        type_name,
                        kind,
                        type_fee,
                        1000 + offset,
                    ],
                )
        conn.commit()
        run("plan", PLAN_SQL)
        cur.execute("CREATE INDEX ON plan (k)")
        cur.execute("ANALYZE plan")
        run("borrowers", BORROWERS_SQL)
        run("cards", CARDS_SQL)
        run("items", ITEMS_SQL)
        for sql in MEMBERSHIP_SQL:
            run("memberships", sql)
        for sql in POSTING_SQL:
            run("postings", sql)
        run("payments", PAYMENT_SQL)
        run("write-offs", WRITE_OFF_SQL)
        run("reservations", RESERVATIONS_SQL)
        run("messages", MESSAGES_SQL)
        run("audit", AUDIT_SQL)
        run("job ledger", JOB_LEDGER_SQL)
        for table in SEQUENCE_TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        cur.execute("DROP TABLE plan")
        conn.commit()
    return timings


def vacuum_analyze(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


# --- Message history and open items for the reports benchmark (issue 5) -----------------
#
# Added to a generated network (the ids above: the current period of borrower k has id
# k): notices of the ``months`` months before the benchmark day, all set-based. The
# parts are gathered in a temporary table and written to notices_message in date order,
# as the daily runs would have appended them: a day's batch lies together in the heap.

_EMAIL_OK = "b.email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'"
_MESSAGE_COLUMNS = """(borrower_id, instance_id, membership_id, posting_id, type, kind, date,
                              channel, status, language, to_address, subject, body, attempts,
                              last_error, created_at, sent_at)"""
# channel, status, language, to_address: as the sender leaves a delivered notice
_DELIVERED = f"""CASE WHEN {_EMAIL_OK} THEN 'email' ELSE 'letter' END, 'sent', b.language,
       CASE WHEN {_EMAIL_OK} THEN b.email ELSE '' END"""

# End-of-contribution notices (CAE) on the 1st of the month in which a 12-month cycle
# ends: the cycle of borrower k follows the end of period k, so each month ≈ 1/12 of the
# borrowers of a paying or free type get one. It is linked to the period that ends that
# month when the data holds one, else (an older period) the membership is NULL.
CAE_HISTORY_SQL = f"""
INSERT INTO message_history {_MESSAGE_COLUMNS}
SELECT b.id, c.instance_id, mm.id, NULL, 'C', 'AE', s.d,
       {_DELIVERED},
       'Je lidmaatschap loopt binnenkort af', 'Beste ' || b.first_name || ', …', 1, '',
       (s.d + time '06:00') AT TIME ZONE 'Europe/Brussels',
       (s.d + time '06:05') AT TIME ZONE 'Europe/Brussels'
  FROM borrowers_borrower b
  JOIN memberships_membership c ON c.id = b.id
  JOIN memberships_membershiptype t ON t.id = c.type_id
 CROSS JOIN LATERAL (
       SELECT (date_trunc('month', c."end") - make_interval(months => 12 * g))::date AS d
         FROM generate_series(0, %(cycles)s) AS g
       ) AS s
  LEFT JOIN memberships_membership mm
         ON mm.borrower_id = b.id AND mm."end" = (s.d + interval '1 month')::date - 1
 WHERE t.kind <> 'free_auto'
   AND s.d >= %(first)s AND s.d < %(day)s
   AND NOT EXISTS (SELECT 1 FROM notices_message x
                    WHERE x.borrower_id = b.id AND x.date = s.d
                      AND x.type = 'C' AND x.kind = 'AE')
"""

# A renewal confirmation (VL) for every renewed period, on the day it was made.
VL_HISTORY_SQL = f"""
INSERT INTO message_history {_MESSAGE_COLUMNS}
SELECT b.id, m.instance_id, m.id, NULL, 'C', 'VL', m.created_on,
       {_DELIVERED},
       'Je lidmaatschap is verlengd', 'Beste ' || b.first_name || ', …', 1, '',
       (m.created_on + time '10:00') AT TIME ZONE 'Europe/Brussels',
       (m.created_on + time '10:05') AT TIME ZONE 'Europe/Brussels'
  FROM memberships_membership m
  JOIN borrowers_borrower b ON b.id = m.borrower_id
 WHERE m.origin <> 'registration'
   AND m.created_on >= %(first)s AND m.created_on < %(day)s
   AND NOT EXISTS (SELECT 1 FROM notices_message x
                    WHERE x.membership_id = m.id AND x.type = 'C' AND x.kind = 'VL')
"""

# Reminder (HR) and unpaid (NB) notices for the contributions that reached those stages,
# on the day they did, in the instances that send them.
STAGE_HISTORY_SQL = f"""
INSERT INTO message_history {_MESSAGE_COLUMNS}
SELECT b.id, p.instance_id, NULL, p.id, 'C', n.kind, n.d,
       {_DELIVERED},
       n.subject, 'Beste ' || b.first_name || ', …', 1, '',
       (n.d + time '06:00') AT TIME ZONE 'Europe/Brussels',
       (n.d + time '06:05') AT TIME ZONE 'Europe/Brussels'
  FROM finance_posting p
  JOIN libraries_instance i ON i.id = p.instance_id
  JOIN borrowers_borrower b ON b.id = p.borrower_id
 CROSS JOIN LATERAL (VALUES
       ('HR', (date_trunc('month', p.booked_on)
               + make_interval(months => i.reminder_after_months))::date,
        i.notice_reminder, ARRAY['reminder', 'unpaid', 'written_off'],
        'Herinnering: je lidgeld is nog niet betaald'),
       ('NB', (date_trunc('month', p.booked_on)
               + make_interval(months => i.unpaid_after_months))::date,
        i.notice_unpaid, ARRAY['unpaid', 'written_off'], 'Je lidgeld is niet betaald')
       ) AS n(kind, d, sends, stages, subject)
 WHERE p.booking_code BETWEEN 1000 AND 1999
   AND n.sends AND p.stage = ANY (n.stages)
   AND n.d >= %(first)s AND n.d < %(day)s
   AND NOT EXISTS (SELECT 1 FROM notices_message x
                    WHERE x.posting_id = p.id AND x.type = 'C' AND x.kind = n.kind)
"""

# The rest up to the wanted total: confirmations (50 %%), reminders (35 %%) and unpaid
# notices (15 %%) whose period or contribution the generated data no longer holds
# (membership and posting NULL, which the one-per-record unique indexes ignore), spread
# evenly over the months; reminders and unpaid notices on the 1st, as the daily run
# sends them.
FILL_HISTORY_SQL = f"""
INSERT INTO message_history {_MESSAGE_COLUMNS}
SELECT b.id, b.home_instance_id, NULL, NULL, 'C', f.kind, f.d,
       {_DELIVERED},
       CASE f.kind WHEN 'VL' THEN 'Je lidmaatschap is verlengd'
                   WHEN 'HR' THEN 'Herinnering: je lidgeld is nog niet betaald'
                   ELSE 'Je lidgeld is niet betaald' END,
       'Beste ' || b.first_name || ', …', 1, '',
       (f.d + time '06:00') AT TIME ZONE 'Europe/Brussels',
       (f.d + time '06:05') AT TIME ZONE 'Europe/Brussels'
  FROM (
    SELECT g, k, kind,
           CASE WHEN kind = 'VL' THEN month + h_day ELSE month END AS d
      FROM (
        SELECT g,
               1 + (hashint8extended(g, 21) & 2147483647) %% %(n)s AS k,
               (%(first)s::date + make_interval(months => (g %% %(months)s)::int))::date
                   AS month,
               CASE WHEN (hashint8extended(g, 22) & 2147483647) %% 100 < 50 THEN 'VL'
                    WHEN (hashint8extended(g, 22) & 2147483647) %% 100 < 85 THEN 'HR'
                    ELSE 'NB' END AS kind,
               ((hashint8extended(g, 23) & 2147483647) %% 28)::int AS h_day
          FROM generate_series(1, %(rows)s::bigint) AS g
      ) AS raw
  ) AS f
  JOIN borrowers_borrower b ON b.id = f.k
"""

OPEN_ITEMS_SQL = """
SELECT count(*) FROM finance_posting
 WHERE status = 'open' AND balance > 0 AND booking_code BETWEEN 1000 AND 1999
"""

# More open contributions when the network has too few: booked last month (so still at
# the open stage), for borrowers 1, 2, … in turn, at their home library's paying type.
EXTRA_OPEN_ITEMS_SQL = """
INSERT INTO finance_posting (borrower_id, instance_id, membership_id, booking_code,
                             description, amount, balance, booked_on, stage, status, closed_on)
SELECT b.id, b.home_instance_id, NULL, t.booking_code, 'Lidgeld ' || t.name, t.fee, t.fee,
       %(day)s::date - 1 - (g %% 28)::int, 'open', 'open', NULL
  FROM generate_series(1, %(rows)s::bigint) AS g
  JOIN borrowers_borrower b ON b.id = 1 + (g - 1) %% %(n)s
  JOIN memberships_membershiptype t ON t.instance_id = b.home_instance_id AND t.kind = 'paying'
"""


def benchmark_day(conninfo: str) -> date:
    """The day a generated network is made for: the day after its job ledger."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT max(day) + 1 FROM lifecycle_jobrun").fetchone()
    if row is None or row[0] is None:
        raise ValueError("the database holds no generated network (its job ledger is empty)")
    return row[0]


def message_history(
    conninfo: str, *, day: date, total: int, months: int = 24, log=print
) -> dict[str, int]:
    """Add the notices of the ``months`` months before ``day`` until the database holds
    ``total`` messages (or the structural ones alone, when they are more); returns the
    rows added per part."""
    first = first_month_back(day, months)
    added: dict[str, int] = {}
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET work_mem = '256MB'")
        n = cur.execute("SELECT count(*) FROM borrowers_borrower").fetchone()[0]
        params: dict[str, object] = {
            "day": day,
            "first": first,
            "months": months,
            "cycles": months // 12 + 1,
            "n": n,
        }

        def run(label: str, sql: str) -> None:
            started = time.perf_counter()
            cur.execute(sql, params)
            added[label] = cur.rowcount
            conn.commit()
            log(f"  {label:<14} {cur.rowcount:>10,} rows  {time.perf_counter() - started:6.1f} s")

        cur.execute(
            f"CREATE TEMP TABLE message_history AS SELECT {_MESSAGE_COLUMNS[1:-1]} "
            "FROM notices_message WITH NO DATA"
        )
        run("CAE history", CAE_HISTORY_SQL)
        run("VL history", VL_HISTORY_SQL)
        run("HR/NB history", STAGE_HISTORY_SQL)
        have = cur.execute(
            "SELECT (SELECT count(*) FROM notices_message) + (SELECT count(*) FROM message_history)"
        ).fetchone()[0]
        params["rows"] = max(0, total - have)
        run("other history", FILL_HISTORY_SQL)
        run(
            "messages",
            f"INSERT INTO notices_message {_MESSAGE_COLUMNS} "
            f"SELECT {_MESSAGE_COLUMNS[1:-1]} FROM message_history "
            "ORDER BY date, created_at, instance_id, kind, borrower_id",
        )
        cur.execute("DROP TABLE message_history")
        conn.commit()
    return added


def ensure_open_items(conninfo: str, *, day: date, minimum: int, log=print) -> tuple[int, int]:
    """At least ``minimum`` open contribution items (1000–1999); (found, added)."""
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        found = cur.execute(OPEN_ITEMS_SQL).fetchone()[0]
        if found >= minimum:
            return found, 0
        n = cur.execute("SELECT count(*) FROM borrowers_borrower").fetchone()[0]
        started = time.perf_counter()
        cur.execute(EXTRA_OPEN_ITEMS_SQL, {"day": day, "rows": minimum - found, "n": n})
        added = cur.rowcount
        conn.commit()
        log(f"  {'open items':<14} {added:>10,} rows  {time.perf_counter() - started:6.1f} s")
        return found, added


def first_month_back(day: date, months: int) -> date:
    """The 1st of the month ``months`` months before the month of ``day``."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)
