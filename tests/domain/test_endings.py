"""R12 (domain/endings.py): the effects of each reason to end a membership, as data,
and what the block decision makes of an ending."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lidgeld.domain.blocks import Channel, MembershipState, Reason, Situation, decide
from lidgeld.domain.endings import (
    EFFECT_ORDER,
    EFFECTS,
    Effective,
    EndReason,
    MembershipEnded,
    check_reversible,
    effect_sentences,
    effective_day,
    effects_of,
    reasons_with,
)
from lidgeld.domain.sentences import RuleRefusal

TODAY = date(2026, 4, 10)
PERIOD_END = date(2026, 12, 31)


def test_every_reason_has_its_effects_declared():
    assert set(EFFECTS) == set(EndReason)
    for effects in EFFECTS.values():
        assert effects.label
        assert effects.stop_notices
        assert effects.stop_dunning


def test_deceased_blocks_everything_writes_off_cancels_and_never_mails():
    deceased = effects_of("deceased")
    assert deceased.block_all_channels
    assert deceased.write_off_open
    assert deceased.cancel_reservations
    assert deceased.no_mail_ever
    assert deceased.write_off_reason
    assert deceased.effective == (Effective.TODAY,)


def test_at_request_wants_the_loans_back_and_keeps_the_fee():
    at_request = effects_of("at_request")
    assert at_request.loans_must_be_returned
    assert at_request.fee_stays_unless_coordinator
    assert not at_request.write_off_open
    assert not at_request.cancel_reservations
    assert not at_request.block_all_channels


def test_the_confirmation_lists_the_effects_that_apply_in_a_fixed_order():
    sentences = effect_sentences("deceased")
    assert "Every reservation is cancelled." in sentences
    assert not any("returned first" in sentence for sentence in sentences)
    assert len(effect_sentences("at_request")) == sum(
        bool(getattr(EFFECTS[EndReason.AT_REQUEST], name)) for name in EFFECT_ORDER
    )


def test_reasons_with_an_effect_are_what_the_daily_run_filters_on():
    assert reasons_with("no_mail_ever") == ["deceased"]
    assert set(reasons_with("stop_dunning")) == {reason.value for reason in EndReason}


def test_an_unknown_reason_is_refused_with_the_known_ones():
    with pytest.raises(RuleRefusal) as refused:
        effects_of("bored")
    assert refused.value.code == "unknown_end_reason"
    assert "deceased" in str(refused.value)


@pytest.mark.parametrize(
    ("reason", "effective", "expected"),
    [
        ("at_request", "today", TODAY),
        ("at_request", "period_end", PERIOD_END),
        ("moved", "period_end", PERIOD_END),
        ("deceased", "today", TODAY),
    ],
)
def test_the_effective_day(reason, effective, expected):
    assert effective_day(reason, effective, today=TODAY, period_end=PERIOD_END) == expected


def test_a_deceased_borrower_is_not_a_member_until_the_period_ends():
    with pytest.raises(RuleRefusal) as refused:
        effective_day("deceased", "period_end", today=TODAY, period_end=PERIOD_END)
    assert refused.value.code == "effective_not_allowed"


def test_the_period_end_needs_a_running_period():
    with pytest.raises(RuleRefusal) as refused:
        effective_day("moved", "period_end", today=TODAY, period_end=None)
    assert refused.value.code == "no_current_period"


def test_an_ending_can_be_undone_for_30_days():
    check_reversible(date(2026, 3, 11), TODAY)  # the 30th day
    with pytest.raises(RuleRefusal) as refused:
        check_reversible(date(2026, 3, 10), TODAY)
    assert refused.value.code == "reversal_too_late"


def situation(
    state: MembershipState, ended: MembershipEnded | None, amount: str = "0"
) -> Situation:
    return Situation(
        membership=state,
        membership_end=PERIOD_END,
        open_amount=Decimal(amount),
        stage=None,
        ended=ended,
    )


def test_deceased_blocks_every_channel_even_with_a_valid_period():
    ended = MembershipEnded(EndReason.DECEASED, TODAY)
    blocks = decide(situation(MembershipState.ACTIVE, ended))
    assert {channel: block.allowed for channel, block in blocks.items()} == dict.fromkeys(
        Channel, False
    )
    assert {block.reason for block in blocks.values()} == {Reason.DECEASED}
    assert blocks[Channel.DESK].message("nl") == (
        "Lidmaatschap beëindigd op 10/04/2026: de lener is overleden. Niet uitlenen, niet verlengen."
    )


def test_another_ending_names_itself_once_no_period_is_valid():
    ended = MembershipEnded(EndReason.MOVED, TODAY)
    blocks = decide(situation(MembershipState.INVALIDATED, ended))
    assert blocks[Channel.PORTAL].reason is Reason.ENDED
    assert not blocks[Channel.DESK].allowed
    assert "beëindigd op 10/04/2026" in blocks[Channel.PORTAL].message("nl")
    assert "a pris fin le 10/04/2026" in blocks[Channel.PORTAL].message("fr")


def test_a_new_membership_after_an_ending_counts():
    ended = MembershipEnded(EndReason.AT_REQUEST, date(2025, 1, 10))
    blocks = decide(situation(MembershipState.ACTIVE, ended))
    assert all(block.allowed for block in blocks.values())


def test_without_an_ending_nothing_changes():
    assert decide(situation(MembershipState.INVALIDATED, None))[Channel.KIOSK].reason is (
        Reason.INVALIDATED
    )
