"""Allocated Score (proportional STAR): each round elects the highest weighted total; then
the ballots that support the winner most spend one Hare quota (ballots ÷ seats), highest
weighted score first, and the score group where the quota runs out spends partially — its
ballots keep the fraction (1 − remaining quota ÷ ballots in the group) of their weight.
Exact fractions throughout. A tie for the highest weighted total goes straight to the lot.

As in the `starvote` reference (2.1), ballots are counted (not weighed) against the quota
and grouped by weighted score.

Weights only ever take a few values — every ballot starts at 1, and each partial spend
gives one score group a new weight — so each distinct ballot carries a *weight class*: the
exact arithmetic is done once per class, and the per-ballot work is integer numpy."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from folkmoot.governance.reasons import Reason, gettext_noop

from . import lot
from .ballots import ScoreBallots
from .result import Result, Round, Step, Tie
from .star import Tiebreak


class Allocation:
    def __init__(self, ballots: ScoreBallots) -> None:
        self.scores = ballots.scores.astype(np.int64)
        self.counts = ballots.counts.copy()
        self.weight_class = np.zeros(len(self.counts), dtype=np.int64)
        self.weights: list[Fraction] = [Fraction(1)]
        self.active = self.counts > 0

    def totals(self, candidates: list[int]) -> dict[int, Fraction]:
        out = dict.fromkeys(candidates, Fraction(0))
        for k, weight in enumerate(self.weights):
            rows = self.active & (self.weight_class == k)
            if not rows.any():
                continue
            sums = self.counts[rows] @ self.scores[rows][:, candidates]
            for c, value in zip(candidates, sums, strict=True):
                out[c] += weight * int(value)
        return out

    def spend(self, winner: int, quota_size: Fraction) -> dict[str, object]:
        """The winner's strongest supporters spend one quota; returns what each weighted
        score level spent, for the explanation."""
        levels: dict[Fraction, list[tuple[int, int]]] = {}
        for k, weight in enumerate(self.weights):
            for score in range(1, int(self.scores[:, winner].max(initial=0)) + 1):
                rows = self.active & (self.weight_class == k) & (self.scores[:, winner] == score)
                if rows.any():
                    levels.setdefault(weight * score, []).append((k, score))
        quota = quota_size
        spent: dict[str, object] = {}
        for level in sorted(levels, reverse=True):
            if not quota:
                break
            members = [
                self.active & (self.weight_class == k) & (self.scores[:, winner] == score)
                for k, score in levels[level]
            ]
            count = sum(int(self.counts[rows].sum()) for rows in members)
            if count <= quota:
                quota -= count
                for rows in members:
                    self.active &= ~rows
                spent[str(level)] = {"ballots": count, "kept": 0}
                continue
            keep = 1 - Fraction(quota, count)
            for (k, _score), rows in zip(levels[level], members, strict=True):
                self.weights.append(self.weights[k] * keep)
                self.weight_class[rows] = len(self.weights) - 1
            spent[str(level)] = {"ballots": count, "kept": keep}
            quota = Fraction(0)
        return spent


def allocated_score(
    ballots: ScoreBallots, *, seats: int, tiebreak: Tiebreak = "official", seed: str | None = None
) -> Result:
    names = list(ballots.candidates)
    if seats < 1:
        raise ValueError("seats must be at least 1")
    if seats > len(names):
        raise ValueError("more seats than candidates")
    seed = seed or lot.default_seed(names)
    quota_size = Fraction(ballots.total, seats)
    details = {"quota": quota_size}
    if seats == len(names):
        rnd = Round(
            Reason("all_elected", gettext_noop("As many candidates as seats: all are elected."))
        )
        return Result(
            "allocated-score", names, list(names), [rnd], ballots=ballots.total, details=details
        )
    state = Allocation(ballots)
    remaining = list(range(len(names)))
    winners: list[str] = []
    rounds: list[Round] = []
    lot_used = False
    while len(winners) < seats:
        rnd = Round(
            Reason(
                "bloc_round",
                gettext_noop("Seat %(seat)s of %(seats)s"),
                {"seat": len(winners) + 1, "seats": seats},
            )
        )
        rounds.append(rnd)
        totals = state.totals(remaining)
        best = max(totals.values())
        top = [c for c in remaining if totals[c] == best]
        rnd.steps.append(
            Step(
                "weighted_scoring",
                Reason(
                    "weighted_scoring",
                    gettext_noop("Weighted scores: the highest total wins this seat."),
                ),
                {names[c]: v for c, v in totals.items()},
                [names[top[0]]] if len(top) == 1 else [],
                sorted(names[c] for c in top) if len(top) > 1 else [],
            )
        )
        if len(top) > 1:
            tied = [names[c] for c in top]
            if tiebreak == "none":
                tie = Tie(sorted(tied), 1, "scoring")
                return Result(
                    "allocated-score", names, winners, rounds, tie, ballots.total, details=details
                )
            lot_used = True
            chosen = lot.draw(seed, tied, 1)[0]
            rnd.steps.append(
                Step(
                    "lot",
                    Reason(
                        "lot",
                        gettext_noop("Still tied: the published lot (seed %(seed)s) decides."),
                        {"seed": seed},
                    ),
                    {n: i + 1 for i, n in enumerate(lot.lot_order(seed, tied))},
                    [chosen],
                    sorted(tied),
                )
            )
            winner = names.index(chosen)
        else:
            winner = top[0]
        rnd.winner = names[winner]
        winners.append(names[winner])
        remaining.remove(winner)
        if len(winners) == seats:
            break
        spent = state.spend(winner, quota_size)
        rnd.steps.append(
            Step(
                "allocation",
                Reason(
                    "allocation",
                    gettext_noop(
                        "The ballots that support %(winner)s most spend one quota (%(quota)s ballots); the rest keep their weight."
                    ),
                    {"winner": names[winner], "quota": _show(quota_size)},
                ),
                spent,
            )
        )
    result = Result("allocated-score", names, winners, rounds, None, ballots.total, details=details)
    if lot_used:
        result.lot_seed, result.lot_order = seed, lot.lot_order(seed, names)
    return result


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.4g}"
