"""STAR (VOTE-12) and Bloc STAR, with the Equal Vote Coalition's official tie-breaking
protocol as implemented by the `starvote` reference package (2.1):

Scoring round — the two highest totals advance. A tie for a place is broken, among the
tied candidates only, by (1) head-to-head preference: each tied candidate's count of
ballots preferring them over each other tied candidate, summed; (2) the number of top
(5-star) scores; (3) the lot.
Automatic runoff — the finalist preferred on more ballots wins; a tie is broken by (1) the
total score, (2) the number of 5-star scores, (3) the lot.
Bloc STAR fills seats by repeating STAR without earlier winners.

A tie is "broken" at a step when that step separates the tied candidates enough to fill
the places left; otherwise the next step sees only the candidates still tied."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from folkmoot.governance.reasons import Reason, gettext_noop

from . import lot
from .ballots import ScoreBallots, Statistics
from .result import Result, Round, Step, Tie, Unbreakable

Tiebreak = Literal["official", "none"]


def _groups(values: dict[int, int]) -> list[list[int]]:
    """Candidates grouped by equal value, highest first."""
    out: list[list[int]] = []
    last = None
    for c, v in sorted(values.items(), key=lambda kv: -kv[1]):
        if v != last:
            out.append([])
            last = v
        out[-1].append(c)
    return out


def _first_and_second(
    values: dict[int, int], first: int | None
) -> tuple[int | None, int | None, list[int]]:
    """starvote's `_compute_first_and_second_from_score`: with `first` known, only the place
    of second is open; otherwise two places are."""
    groups = _groups(values)
    if first is None:
        top = groups[0]
        if len(top) == 2:
            return top[0], top[1], []
        if len(top) > 2:
            return None, None, top
        first = top[0]
        group = groups[1]
    else:
        group = groups[0]
    if len(group) == 1:
        return first, group[0], []
    return first, None, group


class StarCount:
    def __init__(self, ballots: ScoreBallots, tiebreak: Tiebreak, seed: str) -> None:
        self.b = ballots
        self.names = list(ballots.candidates)
        self.stats = Statistics.of(ballots)
        self.tiebreak = tiebreak
        self.seed = seed
        self.lot_used = False

    def name(self, c: int) -> str:
        return self.names[c]

    def named(self, values: dict[int, int]) -> dict[str, int]:
        return {self.names[c]: int(v) for c, v in values.items()}

    def preference_scores(self, among: Sequence[int]) -> dict[int, int]:
        sub = self.stats.preferences[np.ix_(among, among)]
        return {c: int(sub[i].sum()) for i, c in enumerate(among)}

    def lot(self, tied: list[int], needed: int, stage: str, steps: list[Step]) -> list[int]:
        names = [self.names[c] for c in tied]
        if self.tiebreak == "none":
            raise Unbreakable(Tie(sorted(names), needed, stage))
        self.lot_used = True
        chosen = lot.draw(self.seed, names, needed)
        steps.append(
            Step(
                "lot",
                Reason(
                    "lot",
                    gettext_noop("Still tied: the published lot (seed %(seed)s) decides."),
                    {"seed": self.seed},
                ),
                {n: i + 1 for i, n in enumerate(lot.lot_order(self.seed, names))},
                advance=chosen,
                tied=sorted(names),
            )
        )
        return [self.names.index(n) for n in chosen]

    def round(self, candidates: list[int], rnd: Round) -> Round:
        """Count one STAR round into `rnd`, which the caller has already kept, so that a
        tie only a lot could break still shows every step that led to it (BEY-3)."""
        steps = rnd.steps
        totals = {c: int(self.stats.totals[c]) for c in candidates}
        if len(candidates) == 1:
            steps.append(
                Step(
                    "scoring",
                    Reason("only_candidate", gettext_noop("Only one candidate remains.")),
                    self.named(totals),
                    [self.name(candidates[0])],
                )
            )
            rnd.winner = self.name(candidates[0])
            return rnd
        first, second, tie = _first_and_second(totals, None)
        steps.append(
            Step(
                "scoring",
                Reason(
                    "scoring",
                    gettext_noop("Scoring round: the two highest totals advance to the runoff."),
                ),
                self.named(totals),
                [self.name(c) for c in (first, second) if c is not None],
                [self.name(c) for c in tie],
            )
        )
        if tie:
            prefs = self.preference_scores(tie)
            first, second, tie = _first_and_second(prefs, first)
            steps.append(
                Step(
                    "scoring_tiebreak_preference",
                    Reason(
                        "tiebreak_preference",
                        gettext_noop(
                            "Tie in the scoring round: among the tied, who is preferred head to head on more ballots?"
                        ),
                    ),
                    self.named(prefs),
                    [self.name(c) for c in (first, second) if c is not None],
                    [self.name(c) for c in tie],
                )
            )
        if tie:
            fives = {c: int(self.stats.top_scores[c]) for c in tie}
            first, second, tie = _first_and_second(fives, first)
            steps.append(
                Step(
                    "scoring_tiebreak_top_scores",
                    Reason(
                        "tiebreak_top_scores",
                        gettext_noop("Still tied: who has more top scores (%(max)s stars)?"),
                        {"max": self.b.max_score},
                    ),
                    self.named(fives),
                    [self.name(c) for c in (first, second) if c is not None],
                    [self.name(c) for c in tie],
                )
            )
        if tie:
            needed = 1 if first is not None else 2
            chosen = self.lot(tie, needed, "scoring", steps)
            if needed == 1:
                second = chosen[0]
            else:
                first, second = chosen
        assert first is not None and second is not None
        a, b = first, second
        pa, pb = int(self.stats.preferences[a, b]), int(self.stats.preferences[b, a])
        no_preference = self.b.total - pa - pb
        winner: int | None = a if pa > pb else b if pb > pa else None
        steps.append(
            Step(
                "runoff",
                Reason(
                    "runoff",
                    gettext_noop(
                        "Automatic runoff: the finalist preferred on more ballots wins. Ballots preferring neither: %(none)s."
                    ),
                    {"none": no_preference},
                ),
                {self.name(a): pa, self.name(b): pb},
                [self.name(winner)] if winner is not None else [],
                [] if winner is not None else sorted([self.name(a), self.name(b)]),
            )
        )
        if winner is None:
            ta, tb = int(self.stats.totals[a]), int(self.stats.totals[b])
            winner = a if ta > tb else b if tb > ta else None
            steps.append(
                Step(
                    "runoff_tiebreak_score",
                    Reason(
                        "runoff_tiebreak_score",
                        gettext_noop(
                            "Tie in the runoff: the finalist with the higher total score wins."
                        ),
                    ),
                    {self.name(a): ta, self.name(b): tb},
                    [self.name(winner)] if winner is not None else [],
                    [] if winner is not None else sorted([self.name(a), self.name(b)]),
                )
            )
        if winner is None:
            fa, fb = int(self.stats.top_scores[a]), int(self.stats.top_scores[b])
            winner = a if fa > fb else b if fb > fa else None
            steps.append(
                Step(
                    "runoff_tiebreak_top_scores",
                    Reason(
                        "runoff_tiebreak_top_scores",
                        gettext_noop(
                            "Still tied: the finalist with more top scores (%(max)s stars) wins."
                        ),
                        {"max": self.b.max_score},
                    ),
                    {self.name(a): fa, self.name(b): fb},
                    [self.name(winner)] if winner is not None else [],
                    [] if winner is not None else sorted([self.name(a), self.name(b)]),
                )
            )
        if winner is None:
            winner = self.lot([a, b], 1, "runoff", steps)[0]
        rnd.winner = self.name(winner)
        return rnd


def _result(
    method: str, count: StarCount, winners: list[str], rounds: list[Round], tie: Tie | None
) -> Result:
    return Result(
        method=method,
        candidates=count.names,
        winners=winners,
        rounds=rounds,
        tie=tie,
        ballots=count.b.total,
        lot_seed=count.seed if count.lot_used else None,
        lot_order=lot.lot_order(count.seed, count.names) if count.lot_used else None,
        details={
            "totals": count.named(dict(enumerate(count.stats.totals))),
            "top_scores": count.named(dict(enumerate(count.stats.top_scores))),
        },
    )


def star(
    ballots: ScoreBallots, *, tiebreak: Tiebreak = "official", seed: str | None = None
) -> Result:
    return bloc_star(ballots, seats=1, tiebreak=tiebreak, seed=seed, method="star")


def bloc_star(
    ballots: ScoreBallots,
    *,
    seats: int,
    tiebreak: Tiebreak = "official",
    seed: str | None = None,
    method: str = "bloc-star",
) -> Result:
    """Fill `seats` by repeating STAR without the earlier winners. With as many candidates
    as seats, all are elected at once."""
    if seats < 1:
        raise ValueError("seats must be at least 1")
    if seats > len(ballots.candidates):
        raise ValueError("more seats than candidates")
    count = StarCount(ballots, tiebreak, seed or lot.default_seed(ballots.candidates))
    remaining = list(range(len(ballots.candidates)))
    if seats == len(remaining) and seats > 1:
        rnd = Round(
            Reason("all_elected", gettext_noop("As many candidates as seats: all are elected."))
        )
        return _result(method, count, list(count.names), [rnd], None)
    winners: list[str] = []
    rounds: list[Round] = []
    try:
        for number in range(1, seats + 1):
            title = (
                Reason("star_round", gettext_noop("STAR"))
                if seats == 1
                else Reason(
                    "bloc_round",
                    gettext_noop("Seat %(seat)s of %(seats)s"),
                    {"seat": number, "seats": seats},
                )
            )
            rnd = Round(title)
            rounds.append(rnd)
            count.round(remaining, rnd)
            assert rnd.winner is not None
            winners.append(rnd.winner)
            remaining.remove(count.names.index(rnd.winner))
    except Unbreakable as unbreakable:
        return _result(method, count, winners, rounds, unbreakable.tie)
    return _result(method, count, winners, rounds, None)
