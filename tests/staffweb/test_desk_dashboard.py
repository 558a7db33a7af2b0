"""The dashboard: what the next daily run will do, and the three charts."""

from __future__ import annotations

import os
import socket
import zlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection

from lidgeld.clock import clock
from lidgeld.lifecycle.models import JobLock, JobRun
from lidgeld.lifecycle.tick import tick_run
from lidgeld.memberships.models import Membership
from lidgeld.scope import Scope
from lidgeld.staffweb import selectors
from lidgeld.staffweb.charts import Series, axis_scale, column_chart
from tests.factories import (
    make_borrower,
    make_instance,
    make_membership,
    make_open_fee,
    make_payment,
    make_staff,
    make_type,
    make_write_off,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_kept_rehearsal():
    cache.clear()  # a rehearsal is kept a few minutes; every test starts without one
    yield
    cache.clear()


@pytest.fixture
def gent():
    return make_instance("GENT")


@pytest.fixture
def desk(client, gent):
    client.force_login(make_staff("balie-gent", gent))
    client.cookies["django_language"] = "en"
    return client


def scope_of(*instances) -> Scope:
    return Scope("t", frozenset(i.pk for i in instances))


def test_memberships_ending_per_month_count_what_is_not_renewed(gent):
    volw = make_type(gent)
    for start in (date(2025, 5, 1), date(2025, 5, 1), date(2025, 7, 1)):
        make_membership(make_borrower(gent), volw, start)
    renewed = make_borrower(gent)
    make_membership(renewed, volw, date(2025, 5, 1))
    make_membership(renewed, volw, date(2026, 5, 1))  # renewed in advance: not ending
    brugge = make_instance("BRUGGE")
    make_membership(make_borrower(brugge), make_type(brugge), date(2025, 5, 1))
    months = selectors.memberships_ending_per_month(scope=scope_of(gent), today=date(2026, 4, 10))
    assert len(months) == 12
    assert months[0] == (date(2026, 4, 30), 2)
    assert months[2] == (date(2026, 6, 30), 1)
    assert months[11] == (date(2027, 3, 31), 0)


def test_open_contributions_per_stage(gent):
    volw = make_type(gent)
    for stage, amount in (("open", "12.00"), ("open", "6.00"), ("unpaid", "12.00")):
        make_open_fee(
            make_membership(make_borrower(gent), volw, date(2026, 1, 1)),
            date(2026, 1, 5),
            amount,
            stage,
        )
    assert selectors.open_contributions_per_stage(scope=scope_of(gent)) == [
        ("open", 2, Decimal("18.00")),
        ("reminder", 0, Decimal("0.00")),
        ("unpaid", 1, Decimal("12.00")),
    ]


def test_paid_and_written_off_per_month(gent):
    volw = make_type(gent)
    fees = [
        make_open_fee(
            make_membership(make_borrower(gent), volw, date(2026, 1, 1)), date(2026, 1, 5)
        )
        for _ in range(3)
    ]
    make_payment(fees[0], date(2026, 2, 3))
    make_payment(fees[1], date(2026, 4, 2), amount="5.00")
    make_write_off(fees[2], date(2026, 4, 1))
    months = selectors.paid_and_written_off_per_month(scope=scope_of(gent), today=date(2026, 4, 10))
    assert len(months) == 12
    assert months[0][0] == date(2025, 5, 1)
    assert months[-3] == (date(2026, 2, 1), Decimal("12.00"), Decimal("0.00"))
    assert months[-1] == (date(2026, 4, 1), Decimal("5.00"), Decimal("12.00"))
    assert selectors.paid_and_written_off_per_month(
        scope=scope_of(make_instance("BRUGGE")), today=date(2026, 4, 10)
    )[-1] == (date(2026, 4, 1), Decimal("0.00"), Decimal("0.00"))


def test_the_page_shows_three_charts_with_tables(desk, gent):
    make_membership(make_borrower(gent), make_type(gent), date(2025, 5, 1))
    page = desk.get("/staff/").content.decode()
    assert page.count('<svg class="chart"') == 3
    assert page.count('role="img"') == 3
    assert '<a href="/staff/expiring/?month=2026-04">April 2026</a>' in page
    assert 'hx-get="/staff/next-run/"' in page
    assert 'hx-trigger="load"' in page


def test_the_dashboard_speaks_dutch_by_default(client, gent, at):
    client.force_login(make_staff("balie-nl", gent))  # no language chosen
    volw = make_type(gent)
    for start in (date(2025, 5, 1), date(2025, 5, 1)):
        make_membership(make_borrower(gent), volw, start)  # both end on 30 April
    page = client.get("/staff/").content.decode()
    assert "Aflopende abonnementen per maand" in page
    assert "Betaald en afgeboekt per maand" in page
    assert "Openstaand lidgeld per stadium" in page
    assert '<a href="/staff/expiring/?month=2026-04">april 2026</a>' in page  # Dutch month
    assert "Volgende 12 maanden; hoogstens 2 in één maand." in page
    assert "0 openstaande lidgelden, € 0,00 in totaal." in page
    at(date(2026, 5, 1))
    run = client.get("/staff/next-run/", HTTP_HX_REQUEST="true").content.decode()
    assert "De volgende verwerking behandelt 01/05/2026" in run
    assert '<th scope="row">Abonnementen die vervallen</th><td class="num">2</td>' in run


def test_a_chart_is_labelled_and_scaled(gent):
    svg = column_chart(
        title="Ending", description="At most 7.", labels=["Apr", "May"],
        series=[Series("Memberships", [7, 0])],
    )  # fmt: skip
    assert "<title" in svg
    assert "Ending" in svg
    assert "At most 7." in svg
    assert "<title>Apr: 7</title>" in svg
    assert svg.count('class="grid"') == 5  # 0, 2, 4, 6, 8


@pytest.mark.parametrize(
    ("top", "whole", "scale"),
    [
        (7, True, (8, 2)),
        (5, True, (6, 2)),
        (3, True, (3, 1)),
        (1, True, (1, 1)),
        (0, True, (1, 1)),
        (180, True, (200, 50)),
        (1234, True, (1500, 500)),
        (98000, True, (100000, 25000)),
        (1, False, (1, 0.25)),
        (0.4, False, (0.4, 0.1)),
    ],
)
def test_axis_steps_are_round(top, whole, scale):
    assert axis_scale(top, whole=whole) == pytest.approx(scale)


def test_next_run_is_today_until_today_is_done(desk, gent, at):
    """On 30 April, after that day's run, the dashboard rehearses 1 May: expiry and CAE."""
    volw = make_type(gent)
    for _ in range(2):
        make_membership(make_borrower(gent), volw, date(2025, 5, 1))  # ends 30 April
    make_membership(make_borrower(gent), volw, date(2025, 6, 1))  # ends 31 May: CAE on 1 May
    at(date(2026, 4, 30))
    first = desk.get("/staff/next-run/", HTTP_HX_REQUEST="true").content.decode()
    assert "The next run processes 30/04/2026" in first
    tick_run(today=date(2026, 4, 30), now=clock.now())
    runs = JobRun.objects.count()
    page = desk.get("/staff/next-run/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page
    assert "The next run processes 01/05/2026" in page
    assert '<th scope="row">Memberships that expire</th><td class="num">2</td>' in page
    assert (
        '<th scope="row">End-of-contribution notices (CAE) to send</th><td class="num">1</td>'
        in page
    )
    # a rehearsal: nothing changed
    assert JobRun.objects.count() == runs
    assert not Membership.objects.filter(status="ended").exists()


def test_the_rehearsal_is_kept_a_few_minutes_unless_asked_again(desk, gent):
    volw = make_type(gent)
    desk.get("/staff/next-run/")
    make_membership(make_borrower(gent), volw, date(2025, 4, 1))  # ends 31 March: overdue
    kept = desk.get("/staff/next-run/").content.decode()
    assert "Memberships that expire" not in kept
    fresh = desk.get("/staff/next-run/", {"fresh": "1"}).content.decode()
    assert "Memberships that expire" in fresh


def test_the_next_run_without_script_is_a_page(desk, gent):
    page = desk.get("/staff/next-run/").content.decode()
    assert "<html" in page
    assert "What the next daily run will do" in page
    assert "Nothing to do" in page


def test_while_the_daily_run_works_the_dashboard_says_so(desk, gent):
    if connection.vendor == "postgresql":
        import psycopg

        other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        other.execute("SELECT pg_advisory_lock(%s)", [zlib.crc32(b"lidgeld:tick")])
    else:
        # The test's fixed clock, which the dashboard reads too: never the wall clock.
        now = clock.now()
        JobLock.objects.create(
            name="tick", holder=f"{socket.gethostname()}:{os.getpid()}",
            acquired_at=now, expires_at=now + timedelta(hours=2),
        )  # fmt: skip
    try:
        page = desk.get("/staff/next-run/").content.decode()
    finally:
        if connection.vendor == "postgresql":
            other.close()
    assert "The daily run is working right now." in page
