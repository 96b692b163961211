"""VOTE-1 in the core: rounds judged as time passes, and a round a moot closes early (MEET-3,
issue 14) judged at its close, the next one starting from there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from folkmoot.governance.protocol import Consensus
from folkmoot.governance.tally.consensus import RoundResponses, consensus_state

RULES = Consensus(rounds=2, round_days=7)
START = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _round(number: int, **responses: str) -> RoundResponses:
    reasons = {p: "why" for p, r in responses.items() if r == "block"}
    return RoundResponses(number, responses, reasons, 4)  # type: ignore[arg-type]


def test_rounds_follow_the_calendar_without_a_moot() -> None:
    rounds = {1: _round(1, ann="block")}
    assert consensus_state(RULES, START, rounds, START + timedelta(days=1)).stage == "seeking"
    later = consensus_state(RULES, START, rounds, START + timedelta(days=8))
    assert (later.stage, later.round, later.until) == ("seeking", 2, START + timedelta(days=14))


def test_a_round_a_moot_closes_is_judged_then_and_the_next_starts_there() -> None:
    closed = START + timedelta(days=2)
    rounds = {1: _round(1, ann="agree", ben="agree")}
    state = consensus_state(RULES, START, rounds, closed, {1: closed})
    assert (state.stage, state.decided_at) == ("reached", closed)
    blocked = {1: _round(1, ann="block"), 2: _round(2, ann="block")}
    second_close = closed + timedelta(minutes=20)
    state = consensus_state(RULES, START, blocked, second_close, {1: closed, 2: second_close})
    assert (state.stage, state.decided_at) == ("vote", second_close)
    after_one = consensus_state(RULES, START, blocked, closed, {1: closed})
    assert (after_one.stage, after_one.round, after_one.until) == (
        "seeking",
        2,
        closed + timedelta(days=7),
    )


def test_a_close_outside_its_round_changes_nothing() -> None:
    rounds = {1: _round(1, ann="agree")}
    too_late = START + timedelta(days=9)  # round 1 had ended by time
    state = consensus_state(RULES, START, rounds, START + timedelta(days=3), {1: too_late})
    assert state.stage == "seeking" and state.until == START + timedelta(days=7)
