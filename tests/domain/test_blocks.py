"""R6 / R7 Blocks (blocks.py): one decision per channel, with a reason and a sentence.

| membership / stage | desk            | kiosk   | portal  |
|--------------------|-----------------|---------|---------|
| active, open       | allowed         | blocked | allowed |
| active, reminder   | allowed         | blocked | allowed |
| active, unpaid     | allowed, warned | blocked | blocked |
| expired            | blocked         | blocked | blocked |
| invalidated        | blocked         | blocked | blocked |
| none               | blocked         | blocked | blocked |
| active, nothing    | allowed         | allowed | allowed |

A card reported lost or stolen, or an old (replaced) card, blocks the kiosk and the
portal whatever else holds (CARD_LOST / CARD_REPLACED); the desk decides as without
it and, where that allows, warns with the card's reason (it replaces the card).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lidgeld.domain.blocks import (
    LANGUAGES,
    SENTENCES,
    CardState,
    Channel,
    MembershipState,
    Reason,
    Situation,
    card_sentence,
    card_state,
    decide,
    format_amount,
    format_day,
    furthest_stage,
)
from lidgeld.domain.dunning import STAGE_ORDER, Stage

PROPERTY = settings(max_examples=200, deadline=None)

AMOUNT = Decimal("12.50")
END = date(2026, 3, 31)
DESK, KIOSK, PORTAL = Channel.DESK, Channel.KIOSK, Channel.PORTAL

LIVE_STAGES = [Stage.OPEN, Stage.REMINDER, Stage.UNPAID]
FEE_REASON = {
    Stage.OPEN: Reason.FEE_OPEN,
    Stage.REMINDER: Reason.FEE_REMINDER,
    Stage.UNPAID: Reason.FEE_UNPAID,
}
MEMBERSHIP_REASON = {
    MembershipState.EXPIRED: Reason.EXPIRED,
    MembershipState.INVALIDATED: Reason.INVALIDATED,
    MembershipState.NONE: Reason.NO_MEMBERSHIP,
}

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2, allow_nan=False
)
ends = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))


def situation(
    membership: MembershipState = MembershipState.ACTIVE,
    stage: Stage | None = None,
    amount: Decimal | None = None,
    end: date | None = END,
    card: CardState = CardState.OK,
) -> Situation:
    if amount is None:
        amount = AMOUNT if stage is not None else Decimal("0")
    return Situation(
        membership=membership, membership_end=end, open_amount=amount, stage=stage, card=card
    )


def outcome(membership: MembershipState, stage: Stage | None) -> dict[Channel, tuple]:
    """(allowed, reason, warning) per channel, from decide()."""
    blocks = decide(situation(membership, stage))
    return {ch: (b.allowed, b.reason, b.warning) for ch, b in blocks.items()}


# --- the R6 table, every membership state x stage --------------------------------------


@pytest.mark.parametrize(
    ("stage", "desk", "kiosk", "portal"),
    [
        (None, (True, Reason.OK, False), (True, Reason.OK, False), (True, Reason.OK, False)),
        (
            Stage.OPEN,
            (True, Reason.FEE_OPEN, False),
            (False, Reason.FEE_OPEN, False),
            (True, Reason.FEE_OPEN, False),
        ),
        (
            Stage.REMINDER,
            (True, Reason.FEE_REMINDER, False),
            (False, Reason.FEE_REMINDER, False),
            (True, Reason.FEE_REMINDER, False),
        ),
        (
            Stage.UNPAID,
            (True, Reason.FEE_UNPAID, True),
            (False, Reason.FEE_UNPAID, False),
            (False, Reason.FEE_UNPAID, False),
        ),
    ],
)
def test_active_membership_follows_the_r6_table(
    stage: Stage | None, desk: tuple, kiosk: tuple, portal: tuple
) -> None:
    # given an active membership and a contribution at `stage`, when deciding
    # then each channel is allowed or blocked as the R6 table says, with the fee as reason
    assert outcome(MembershipState.ACTIVE, stage) == {DESK: desk, KIOSK: kiosk, PORTAL: portal}


@pytest.mark.parametrize("stage", [None, *LIVE_STAGES, Stage.WRITTEN_OFF])
@pytest.mark.parametrize(
    "membership",
    [MembershipState.EXPIRED, MembershipState.INVALIDATED, MembershipState.NONE],
)
def test_without_a_valid_membership_every_channel_is_blocked_for_that_reason(
    membership: MembershipState, stage: Stage | None
) -> None:
    # given no valid membership, whatever the fee stage, when deciding
    reason = MEMBERSHIP_REASON[membership]
    # then desk, kiosk and portal are all blocked, and the membership is the reason shown
    # (it outranks the fee: it is what the borrower must fix first)
    assert outcome(membership, stage) == {
        DESK: (False, reason, False),
        KIOSK: (False, reason, False),
        PORTAL: (False, reason, False),
    }


def test_a_written_off_item_does_not_block_a_new_active_membership() -> None:
    # given a borrower whose old fee was written off (nothing owed) and who took a new membership
    written_off = decide(situation(MembershipState.ACTIVE, Stage.WRITTEN_OFF, amount=Decimal("0")))
    # then nothing blocks
    assert {ch: (b.allowed, b.reason) for ch, b in written_off.items()} == {
        DESK: (True, Reason.OK),
        KIOSK: (True, Reason.OK),
        PORTAL: (True, Reason.OK),
    }


def test_money_owed_without_a_known_stage_still_blocks_the_kiosk() -> None:
    # given an open amount but no stage (a caller that lost it): fail closed
    blocks = decide(situation(MembershipState.ACTIVE, None, amount=Decimal("3.00")))
    assert (blocks[KIOSK].allowed, blocks[KIOSK].reason) == (False, Reason.FEE_OPEN)
    assert blocks[PORTAL].allowed


def test_every_channel_is_answered_with_its_own_block() -> None:
    for membership in MembershipState:
        for stage in [None, *LIVE_STAGES]:
            blocks = decide(situation(membership, stage))
            assert set(blocks) == set(Channel)
            assert all(block.channel is channel for channel, block in blocks.items())


# --- sentences -------------------------------------------------------------------------


def test_every_reason_has_a_sentence_in_every_language() -> None:
    assert set(SENTENCES) == set(Reason)
    for reason, by_language in SENTENCES.items():
        assert set(by_language) == set(LANGUAGES) == {"nl", "fr", "en"}, reason
        assert all(text.strip() for text in by_language.values()), reason


@pytest.mark.parametrize("stage", LIVE_STAGES)
def test_fee_sentences_mention_the_amount_in_each_languages_notation(stage: Stage) -> None:
    # given an open fee of 12.50, when deciding
    block = decide(situation(MembershipState.ACTIVE, stage, Decimal("12.5")))[KIOSK]
    # then the sentence names the amount in Belgian notation (English keeps its own)
    assert "€ 12,50" in block.message("nl")
    assert "12,50 €" in block.message("fr")
    assert "€ 12.50" in block.message("en")
    assert "{amount}" not in "".join(block.sentences.values())


def test_large_amounts_get_thousands_separators() -> None:
    block = decide(situation(MembershipState.ACTIVE, Stage.UNPAID, Decimal("1234.5")))[DESK]
    assert "€ 1.234,50" in block.message("nl")
    assert "1.234,50 €" in block.message("fr")
    assert "€ 1,234.50" in block.message("en")


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        (Decimal("12.5"), "nl", "12,50"),
        (Decimal("12.5"), "fr", "12,50"),
        (Decimal("12.5"), "en", "12.50"),
        (Decimal("0.5"), "nl", "0,50"),
        (Decimal("5"), "nl", "5,00"),
        (Decimal("1234567.891"), "nl", "1.234.567,89"),
        (Decimal("1234567.891"), "en", "1,234,567.89"),
    ],
)
def test_format_amount(amount: Decimal, language: str, expected: str) -> None:
    assert format_amount(amount, language) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 3, 31), "31/03/2026"), (date(2026, 1, 5), "05/01/2026"), (None, "")],
)
def test_format_day(day: date | None, expected: str) -> None:
    assert format_day(day) == expected


def test_the_expired_sentence_gives_the_end_date_as_dd_mm_yyyy() -> None:
    # given a membership that ended on 31 March 2026
    blocks = decide(situation(MembershipState.EXPIRED, end=date(2026, 3, 31)))
    # then every channel, in every language, says when it ended
    for block in blocks.values():
        for language in LANGUAGES:
            assert "31/03/2026" in block.message(language), language
        assert "{end}" not in "".join(block.sentences.values())
    # and it tells the borrower the reservations are kept (R3)
    assert "reserveringen blijven bewaard" in blocks[PORTAL].message("nl")


def test_the_same_reason_and_sentence_reach_every_blocked_channel() -> None:
    # R7: desk, portal and kiosk show the same reason
    blocks = decide(situation(MembershipState.INVALIDATED))
    assert len({(b.reason, tuple(b.sentences.items())) for b in blocks.values()}) == 1


def test_an_unknown_language_falls_back_to_dutch() -> None:
    block = decide(situation(MembershipState.ACTIVE, Stage.OPEN))[KIOSK]
    assert block.message("de") == block.message("nl")
    assert block.message() == block.sentences["nl"]


# --- properties ------------------------------------------------------------------------


@given(
    stage_before=st.sampled_from([None, *LIVE_STAGES]),
    amount_before=amounts,
    end=ends,
    stale_stage=st.booleans(),
)
@PROPERTY
def test_full_payment_clears_every_block_at_once(
    stage_before: Stage | None, amount_before: Decimal, end: date | None, stale_stage: bool
) -> None:
    # given an active membership with a fee at any stage
    decide(situation(MembershipState.ACTIVE, stage_before, amount_before, end))
    # when the full amount is paid (whether or not the stage has been recomputed yet)
    paid = situation(
        MembershipState.ACTIVE, stage_before if stale_stage else None, Decimal("0"), end
    )
    # then every channel is allowed, reason ok, without warning
    for block in decide(paid).values():
        assert block.allowed
        assert block.reason is Reason.OK
        assert not block.warning


@given(
    membership=st.sampled_from(list(MembershipState)),
    stage=st.sampled_from(LIVE_STAGES),
    amount=amounts,
    end=ends,
)
@PROPERTY
def test_the_kiosk_is_blocked_whenever_anything_is_open(
    membership: MembershipState, stage: Stage, amount: Decimal, end: date | None
) -> None:
    assert not decide(situation(membership, stage, amount, end))[KIOSK].allowed


@given(
    membership=st.sampled_from(list(MembershipState)),
    stage=st.sampled_from([None, *LIVE_STAGES]),
    amount=amounts,
    end=ends,
)
@PROPERTY
def test_the_desk_only_blocks_for_the_membership_and_warns_only_when_unpaid(
    membership: MembershipState, stage: Stage | None, amount: Decimal, end: date | None
) -> None:
    blocks = decide(situation(membership, stage, amount if stage else Decimal("0"), end))
    assert blocks[DESK].allowed == (membership is MembershipState.ACTIVE)
    assert blocks[DESK].warning == (membership is MembershipState.ACTIVE and stage is Stage.UNPAID)
    # the portal is never more permissive than the desk, the kiosk never more than the portal
    assert blocks[PORTAL].allowed <= blocks[DESK].allowed
    assert blocks[KIOSK].allowed <= blocks[PORTAL].allowed


@given(
    membership=st.sampled_from(list(MembershipState)),
    stage=st.sampled_from([None, *LIVE_STAGES]),
    amount=amounts,
    end=ends,
)
@PROPERTY
def test_a_block_always_carries_a_reason_and_filled_in_sentences(
    membership: MembershipState, stage: Stage | None, amount: Decimal, end: date | None
) -> None:
    for block in decide(situation(membership, stage, amount, end)).values():
        assert (block.reason is Reason.OK) == block.allowed or block.reason in FEE_REASON.values()
        assert set(block.sentences) == set(LANGUAGES)
        for text in block.sentences.values():
            assert "{" not in text
            assert "}" not in text


# --- the card ------------------------------------------------------------------------

CARD_PROBLEMS = [CardState.LOST, CardState.STOLEN, CardState.REPLACED]
CARD_REASON = {
    CardState.LOST: Reason.CARD_LOST,
    CardState.STOLEN: Reason.CARD_LOST,
    CardState.REPLACED: Reason.CARD_REPLACED,
}


@pytest.mark.parametrize(
    ("reported", "replaced", "expected"),
    [
        ("", False, CardState.OK),
        ("lost", False, CardState.LOST),
        ("stolen", False, CardState.STOLEN),
        ("", True, CardState.REPLACED),
        ("lost", True, CardState.LOST),  # an old card that was reported: still reported
        ("stolen", True, CardState.STOLEN),
        ("vanished", False, CardState.LOST),  # a report not known: fail closed
    ],
)
def test_card_state_from_the_report_and_whether_it_is_an_old_card(
    reported: str, replaced: bool, expected: CardState
) -> None:
    assert card_state(reported, replaced=replaced) is expected


@pytest.mark.parametrize("card", CARD_PROBLEMS)
def test_a_card_problem_blocks_kiosk_and_portal_and_only_warns_at_the_desk(card: CardState) -> None:
    # given an active membership with nothing open, when the card is reported or old
    blocks = decide(situation(card=card))
    # then kiosk and portal refuse it with the card's reason; the desk goes on, warned
    reason = CARD_REASON[card]
    assert (blocks[KIOSK].allowed, blocks[KIOSK].reason, blocks[KIOSK].warning) == (
        False,
        reason,
        False,
    )
    assert (blocks[PORTAL].allowed, blocks[PORTAL].reason) == (False, reason)
    assert (blocks[DESK].allowed, blocks[DESK].reason, blocks[DESK].warning) == (True, reason, True)


@given(
    membership=st.sampled_from(list(MembershipState)),
    stage=st.sampled_from([None, *LIVE_STAGES]),
    amount=amounts,
    end=ends,
    card=st.sampled_from(CARD_PROBLEMS),
)
@PROPERTY
def test_a_card_problem_outranks_membership_and_fee_on_kiosk_and_portal(
    membership: MembershipState,
    stage: Stage | None,
    amount: Decimal,
    end: date | None,
    card: CardState,
) -> None:
    without = decide(situation(membership, stage, amount if stage else Decimal("0"), end))
    blocks = decide(situation(membership, stage, amount if stage else Decimal("0"), end, card))
    for channel in (KIOSK, PORTAL):
        assert not blocks[channel].allowed
        assert blocks[channel].reason is CARD_REASON[card]
    # the desk is as allowed as without the card problem; when allowed it is warned
    assert blocks[DESK].allowed is without[DESK].allowed
    if without[DESK].allowed:
        assert blocks[DESK].reason is CARD_REASON[card]
        assert blocks[DESK].warning
    else:
        assert blocks[DESK].reason is without[DESK].reason  # the membership comes first there
    for block in blocks.values():
        assert set(block.sentences) == set(LANGUAGES)
        assert all(text.strip() and "{" not in text for text in block.sentences.values())


def test_the_card_sentences_say_lost_stolen_or_replaced_and_send_to_the_desk() -> None:
    lost = decide(situation(card=CardState.LOST))[KIOSK]
    stolen = decide(situation(card=CardState.STOLEN))[KIOSK]
    replaced = decide(situation(card=CardState.REPLACED))[PORTAL]
    assert lost.message("nl") == (
        "Deze kaart werd als verloren gemeld. Kom met je identiteitskaart langs de balie "
        "voor een nieuwe kaart."
    )
    assert "gestolen" in stolen.message("nl")
    assert "volée" in stolen.message("fr")
    assert "stolen" in stolen.message("en")
    assert "perdue" in lost.message("fr")
    assert "remplacée" in replaced.message("fr")
    assert "replaced" in replaced.message("en")
    for block in (lost, stolen, replaced):
        assert "balie" in block.message("nl")
        assert "comptoir" in block.message("fr")
        assert "desk" in block.message("en")
        # the one sentence, whichever way it is asked for
        for language in LANGUAGES:
            assert card_sentence(block.situation.card, language) == block.message(language)
    assert card_sentence(CardState.OK, "nl") == ""
    assert card_sentence(CardState.LOST, "de") == lost.message("nl")


# --- furthest_stage --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ([], None),
        ([Stage.OPEN], Stage.OPEN),
        ([Stage.OPEN, Stage.REMINDER], Stage.REMINDER),
        ([Stage.UNPAID, Stage.OPEN, Stage.REMINDER], Stage.UNPAID),
        ([Stage.REMINDER, Stage.REMINDER], Stage.REMINDER),
        # written-off items are no longer open: they never count
        ([Stage.WRITTEN_OFF], None),
        ([Stage.OPEN, Stage.WRITTEN_OFF], Stage.OPEN),
        ([Stage.WRITTEN_OFF, Stage.UNPAID], Stage.UNPAID),
    ],
)
def test_furthest_stage(stages: list[Stage], expected: Stage | None) -> None:
    assert furthest_stage(stages) is expected


@given(stages=st.lists(st.sampled_from(list(Stage)), max_size=8))
@PROPERTY
def test_furthest_stage_is_the_latest_live_stage_in_any_order(stages: list[Stage]) -> None:
    result = furthest_stage(stages)
    live = [stage for stage in stages if stage is not Stage.WRITTEN_OFF]
    if not live:
        assert result is None
        return
    assert result in live
    assert all(STAGE_ORDER.index(stage) <= STAGE_ORDER.index(result) for stage in live)
    assert furthest_stage(list(reversed(stages))) is result
