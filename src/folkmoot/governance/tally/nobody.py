"""A closed vote with no ballot to count: nobody voted, or (a sealed vote) every ballot was
spoiled. Counted as usual, every option would score nothing, tie, and the published lot would
pick a winner nobody chose: a referendum "carried", an office filled, by lot alone. Nothing
is decided instead, and the result says why."""

from __future__ import annotations

from collections.abc import Sequence

from folkmoot.governance.reasons import Reason, gettext_noop

from .result import Result, Round, Step


def no_ballots_result(method: str, options: Sequence[str]) -> Result:
    step = Step(
        "no_ballots",
        Reason("no_ballots", gettext_noop("No ballot was counted: nothing was decided.")),
    )
    rnd = Round(Reason("choice_round", gettext_noop("Count")), [step])
    return Result(method, list(options), [], [rnd], details={"outcome": "no_ballots"})


def nothing_to_count(ballots: int, *, election: bool, candidates: int, seats: int) -> bool:
    """Whether the count is `no_ballots_result`: nobody voted, unless it is an election with
    no more candidates than seats, which elects them all without a ballot."""
    return ballots == 0 and not (election and candidates <= seats)
