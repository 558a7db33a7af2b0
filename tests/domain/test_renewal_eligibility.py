"""Who may renew, where and when: one rule for the desk and the portal
(renewal.renewal_eligibility)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.domain.blocks import Channel
from lidgeld.domain.renewal import (
    LatestPeriod,
    RenewalReason,
    renewal_eligibility,
    renewal_window_opens,
)

TODAY = date(2026, 4, 10)
ENDS_THIS_MONTH = LatestPeriod(
    start=date(2025, 5, 1), end=date(2026, 4, 30), made_on=date(2025, 4, 20), automatic=False
)


def decide(
    latest: LatestPeriod | None = ENDS_THIS_MONTH,
    *,
    channel: Channel = Channel.PORTAL,
    today: date = TODAY,
    invalidated: bool = False,
    auto_renewing: bool = False,
    open_amount: str = "0.00",
    online_allowed: bool = True,
    window_months: int = 1,
):
    return renewal_eligibility(
        latest=latest,
        invalidated=invalidated,
        auto_renewing=auto_renewing,
        open_amount=Decimal(open_amount),
        today=today,
        channel=channel,
        online_allowed=online_allowed,
        window_months=window_months,
    )


@pytest.mark.parametrize(
    ("end", "months", "opens"),
    [
        (date(2026, 4, 30), 1, date(2026, 4, 1)),  # the default: from the 1st of the month
        (date(2026, 4, 30), 2, date(2026, 3, 1)),
        (date(2026, 1, 31), 3, date(2025, 11, 1)),  # across a year
        (date(2026, 4, 30), 0, date(2026, 5, 1)),  # only once it has ended
    ],
)
def test_the_online_window_opens_on_the_first_of_a_month(end, months, opens):
    assert renewal_window_opens(end, months) == opens


def test_a_membership_ending_this_month_may_be_renewed_online():
    eligibility = decide()
    assert eligibility.allowed
    assert eligibility.reason is RenewalReason.ALLOWED


def test_before_the_window_the_portal_says_from_when():
    eligibility = decide(today=date(2026, 3, 31))
    assert (eligibility.allowed, eligibility.reason) == (False, RenewalReason.TOO_EARLY)
    assert eligibility.opens_on == date(2026, 4, 1)
    assert eligibility.message("nl") == (
        "Je lidmaatschap loopt tot 30/04/2026. Online vernieuwen kan vanaf 01/04/2026."
    )
    assert "à partir du 01/04/2026" in eligibility.message("fr")


def test_an_expired_membership_may_be_renewed_online():
    assert decide(today=date(2026, 6, 3)).allowed


def test_a_renewal_made_today_is_the_renewal_itself_at_the_desk_and_online():
    made_today = LatestPeriod(
        start=date(2026, 4, 10), end=date(2027, 4, 30), made_on=TODAY, automatic=False
    )
    for channel in (Channel.DESK, Channel.PORTAL):
        eligibility = decide(made_today, channel=channel)
        assert eligibility.reason is RenewalReason.ALREADY_RENEWED
        # the desk, the CLI and the portal (in English) read the same sentence
        assert eligibility.message("en") == (
            "already renewed on 10/04/2026: the membership runs until 30/04/2027"
        )


def test_a_period_that_has_not_started_yet_is_already_the_renewal():
    ahead = LatestPeriod(
        start=date(2026, 5, 1), end=date(2027, 4, 30), made_on=date(2026, 4, 2), automatic=False
    )
    assert decide(ahead, channel=Channel.DESK).reason is RenewalReason.ALREADY_RENEWED


def test_a_period_the_daily_run_made_today_does_not_stop_a_renewal():
    automatic = LatestPeriod(
        start=date(2026, 4, 1), end=date(2026, 4, 30), made_on=TODAY, automatic=True
    )
    assert decide(automatic, channel=Channel.DESK).allowed


def test_the_desk_may_renew_whenever_staff_decide():
    assert decide(today=date(2025, 12, 1), channel=Channel.DESK).allowed
    assert decide(channel=Channel.DESK, open_amount="12.00", invalidated=True).allowed
    assert decide(channel=Channel.DESK, online_allowed=False).allowed


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        ({"online_allowed": False}, RenewalReason.ONLINE_OFF),
        ({"invalidated": True}, RenewalReason.INVALIDATED),
        ({"latest": None}, RenewalReason.NO_MEMBERSHIP),
        ({"auto_renewing": True}, RenewalReason.AUTOMATIC),
        ({"open_amount": "12.00"}, RenewalReason.FEE_OPEN),
    ],
)
def test_online_refusals_say_why_in_three_languages(situation, reason):
    eligibility = decide(**situation)
    assert (eligibility.allowed, eligibility.reason) == (False, reason)
    assert set(eligibility.sentences) == {"nl", "fr", "en"}
    assert all(eligibility.sentences.values())


def test_an_open_fee_is_named_with_its_amount():
    eligibility = decide(open_amount="1234.5")
    assert "€ 1.234,50" in eligibility.message("nl")
    assert "1.234,50 €" in eligibility.message("fr")
    assert "€ 1,234.50" in eligibility.message("en")


@pytest.mark.parametrize("channel", [Channel.DESK, Channel.PORTAL])
def test_a_period_made_today_that_has_already_ended_is_not_the_renewal(channel):
    """Registered today with a start in the past: that period ended long ago, so today's
    renewal is still to be made (issue 11, item 12)."""
    ended = LatestPeriod(
        start=date(2025, 3, 1), end=date(2026, 2, 28), made_on=TODAY, automatic=False
    )
    eligibility = decide(ended, channel=channel)
    assert (eligibility.allowed, eligibility.reason) == (True, RenewalReason.ALLOWED)


def test_a_period_made_today_that_runs_until_today_is_the_renewal():
    last_day = LatestPeriod(start=date(2026, 3, 1), end=TODAY, made_on=TODAY, automatic=False)
    assert decide(last_day, channel=Channel.DESK).reason is RenewalReason.ALREADY_RENEWED
