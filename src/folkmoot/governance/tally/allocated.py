"""Allocated Score (proportional STAR): each round elects the highest weighted total; then
the ballots that support the winner most spend one Hare quota (ballots ÷ seats), highest
weighted score first, and the score group where the quota runs out spends partially — its
ballots keep the fraction (1 − remaining quota ÷ ballots in the group) of their weight.
Exact fractions throughout. A tie for the highest weighted total goes straight to the lot.

As in the `starvote` reference (2.1), ballots are counted (not weighed) against the quota
and grouped by weighted score; identical ballots are treated identically, so they are
counted as one group with a multiplicity."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from folkmoot.governance.reasons import Reason, gettext_noop

from . import lot
from .ballots import ScoreBallots
from .result import Result, Round, Step, Tie
from .star import Tiebreak


@dataclass
class Group:
    """Identical ballots: their scores, how many were cast, the weight each still carries."""

    scores: list[int]
    count: int
    weight: Fraction = Fraction(1)

    def support(self, candidate: int) -> Fraction:
        return self.scores[candidate] * self.weight


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
    # One entry per distinct ballot: scores, how many cast it, the weight each still has.
    groups = [
        Group(list(map(int, row)), int(n))
        for row, n in zip(ballots.scores, ballots.counts, strict=True)
    ]
    remaining = list(range(len(names)))
    winners: list[str] = []
    rounds: list[Round] = []
    lot_used = False
    details = {"quota": quota_size}
    if seats == len(names):
        rounds.append(
            Round(
                Reason("all_elected", gettext_noop("As many candidates as seats: all are elected."))
            )
        )
        return Result(
            "allocated-score", names, list(names), rounds, ballots=ballots.total, details=details
        )
    while len(winners) < seats:
        rnd = Round(
            Reason(
                "bloc_round",
                gettext_noop("Seat %(seat)s of %(seats)s"),
                {"seat": len(winners) + 1, "seats": seats},
            )
        )
        rounds.append(rnd)
        totals = {c: sum((g.count * g.support(c) for g in groups), Fraction(0)) for c in remaining}
        best = max(totals.values())
        top = [c for c in remaining if totals[c] == best]
        step = Step(
            "weighted_scoring",
            Reason(
                "weighted_scoring",
                gettext_noop("Weighted scores: the highest total wins this seat."),
            ),
            {names[c]: v for c, v in totals.items()},
            [names[top[0]]] if len(top) == 1 else [],
            sorted(names[c] for c in top) if len(top) > 1 else [],
        )
        rnd.steps.append(step)
        if len(top) > 1:
            tied = [names[c] for c in top]
            if tiebreak == "none":
                return Result(
                    "allocated-score",
                    names,
                    winners,
                    rounds,
                    Tie(sorted(tied), 1, "scoring"),
                    ballots.total,
                    details=details,
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
        # Allocation: supporters spend the quota, highest weighted score first.
        quota = quota_size
        supporters = [g for g in groups if g.support(winner) != 0]
        spent: dict[str, object] = {}
        exhausted: set[int] = set()
        while supporters and quota:
            level = max(g.support(winner) for g in supporters)
            group = [g for g in supporters if g.support(winner) == level]
            count = sum(g.count for g in group)
            if count <= quota:
                quota -= count
                exhausted.update(id(g) for g in group)
                supporters = [g for g in supporters if g.support(winner) != level]
                spent[str(level)] = {"ballots": count, "kept": 0}
                continue
            keep = 1 - Fraction(quota, count)
            for g in group:
                g.weight *= keep
            spent[str(level)] = {"ballots": count, "kept": keep}
            quota = Fraction(0)
        groups = [g for g in groups if id(g) not in exhausted]
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
