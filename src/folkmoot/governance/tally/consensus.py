"""Consensus rounds (VOTE-1, Harmony): members agree, stand aside, or block with a reason.
Consensus is reached when nobody blocks and enough of those who may respond have responded.
A failed round opens another ("try harder"); after the last one, the proposal goes to a vote."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from folkmoot.governance.protocol import Consensus
from folkmoot.governance.reasons import Reason, gettext_noop

Response = Literal["agree", "stand_aside", "block"]


@dataclass(frozen=True)
class RoundResponses:
    round: int
    responses: Mapping[str, Response]
    reasons: Mapping[str, str]
    eligible: int


@dataclass(frozen=True)
class ConsensusOutcome:
    round: int
    reached: bool
    counts: dict[str, int]
    participation: float
    blockers: list[str] | None  # names when blocks are public, else None
    block_reasons: list[str]
    next_step: Literal["done", "another_round", "vote"]
    explanation: Reason


def consensus_round(rules: Consensus, responses: RoundResponses) -> ConsensusOutcome:
    counts = {
        kind: sum(1 for r in responses.responses.values() if r == kind)
        for kind in ("agree", "stand_aside", "block")
    }
    answered = sum(counts.values())
    participation = answered / responses.eligible if responses.eligible else 0.0
    blockers = sorted(p for p, r in responses.responses.items() if r == "block")
    reasons = [responses.reasons.get(p, "") for p in blockers]
    enough = participation >= rules.participation_floor and answered > 0
    reached = not blockers and enough
    if reached:
        step: Literal["done", "another_round", "vote"] = "done"
        text = Reason(
            "consensus_reached",
            gettext_noop("Consensus reached in round %(round)s: nobody blocks."),
            {"round": responses.round},
        )
    else:
        step = "another_round" if responses.round < rules.rounds else "vote"
        if blockers:
            text = Reason(
                "consensus_blocked",
                gettext_noop("No consensus in round %(round)s: %(blocks)s block."),
                {"round": responses.round, "blocks": len(blockers)},
            )
        else:
            text = Reason(
                "consensus_too_few",
                gettext_noop(
                    "No consensus in round %(round)s: %(share)s%% responded, %(floor)s%% are needed."
                ),
                {
                    "round": responses.round,
                    "share": f"{participation * 100:.0f}",
                    "floor": f"{rules.participation_floor * 100:g}",
                },
            )
    return ConsensusOutcome(
        round=responses.round,
        reached=reached,
        counts=counts,
        participation=participation,
        blockers=blockers if rules.blocks_public else None,
        block_reasons=reasons,
        next_step=step,
        explanation=text,
    )


@dataclass(frozen=True)
class ConsensusState:
    """Where a consensus proposal stands at a moment: seeking consensus in `round` until
    `until`; `reached` or gone to a `vote` at `decided_at` (the end of the deciding round).
    `outcomes` are the rounds that have ended, in order."""

    stage: Literal["seeking", "reached", "vote"]
    round: int
    until: datetime | None
    decided_at: datetime | None
    outcomes: list[ConsensusOutcome] = field(default_factory=list)


def consensus_state(
    rules: Consensus,
    started_at: datetime,
    rounds: Mapping[int, RoundResponses],
    now: datetime,
    closed_early: Mapping[int, datetime] | None = None,
) -> ConsensusState:
    """VOTE-1 as time passes: each round lasts `round_days`; at its end it is judged by
    `consensus_round`; consensus ends the proposal, a failure opens the next round ("try
    harder"), and a failure of the last round sends it to a vote. Computed when read, so no
    job has to move it on.

    A moot may close the round it checked before its time (MEET-3, issue 14):
    `closed_early` gives the moment, and the next round starts from there."""
    length = timedelta(days=rules.round_days)
    early = closed_early or {}
    outcomes: list[ConsensusOutcome] = []
    start = started_at
    for number in range(1, rules.rounds + 1):
        ends_at = start + length
        closed = early.get(number)
        if closed is not None and start <= closed < ends_at:
            ends_at = closed
        if now < ends_at:
            return ConsensusState("seeking", number, ends_at, None, outcomes)
        responses = rounds.get(number) or RoundResponses(number, {}, {}, 0)
        outcome = consensus_round(rules, responses)
        outcomes.append(outcome)
        if outcome.reached:
            return ConsensusState("reached", number, None, ends_at, outcomes)
        start = ends_at
    return ConsensusState("vote", rules.rounds, None, start, outcomes)
