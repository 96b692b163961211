"""Counting a vote from the ballots the platform stores: one GROUP BY query returns each
distinct ballot with how many times it was cast, and the numpy core does the rest."""

from __future__ import annotations

import numpy as np
from django.db.models import Count

from folkmoot.governance.tally.allocated import allocated_score
from folkmoot.governance.tally.ballots import ScoreBallots
from folkmoot.governance.tally.choice import ChoiceCounts, approval, choice_vote
from folkmoot.governance.tally.result import Result
from folkmoot.governance.tally.star import Tiebreak, bloc_star, star

from .models import Vote

Rows = list[tuple[str, bool | None, int]]


def grouped_marks(vote: Vote) -> Rows:
    """Each distinct (marks, valid) with how many ballots hold it. A count that needs it more
    than once (the validity rule, then the method) is handed the rows, not a second query."""
    return list(vote.ballots.values_list("marks", "valid").annotate(n=Count("*")).order_by())


def score_ballots(vote: Vote, grouped: Rows | None = None) -> ScoreBallots:
    rows = [
        (marks, n) for marks, _valid, n in (grouped_marks(vote) if grouped is None else grouped)
    ]
    width = len(vote.options)
    if not rows:
        return ScoreBallots.from_array(vote.options, np.zeros((0, width)), max_score=vote.max_score)
    digits = np.frombuffer("".join(m for m, _ in rows).encode("ascii"), dtype=np.uint8) - ord("0")
    if len(digits) != len(rows) * width or digits.max(initial=0) > vote.max_score:
        # Ballots are written by the platform; a row that does not fit is corruption, and a
        # count must never silently skip or misread it.
        raise ValueError(
            f"vote {vote.pk}: a stored ballot does not fit {width} scores of 0–{vote.max_score}"
        )
    counts = np.fromiter((n for _, n in rows), dtype=np.int64, count=len(rows))
    return ScoreBallots.from_array(
        vote.options, digits.reshape(len(rows), width), counts, max_score=vote.max_score
    )


def choice_counts(vote: Vote, grouped: Rows | None = None) -> ChoiceCounts:
    counts = np.zeros(len(vote.options), dtype=np.int64)
    blank = null = voters = 0
    for marks, valid, n in grouped_marks(vote) if grouped is None else grouped:
        if marks == "":
            blank += n
        else:
            counts[int(marks)] += n
        null += n if valid is False else 0
        voters += n
    return ChoiceCounts(tuple(vote.options), counts, blank, null, voters)


def count_vote(
    vote: Vote, *, tiebreak: Tiebreak = "official", grouped: Rows | None = None
) -> Result:
    """Count a stored vote by its method, with the lot seed it published when it opened."""
    seed = vote.lot_seed
    # An election with fewer candidates than seats elects them all (votes opened before the
    # election clamped its seats may still ask for more).
    seats = max(1, min(vote.seats, len(vote.options)))
    if vote.method in ("star", "bloc-star", "allocated-score"):
        ballots = score_ballots(vote, grouped)
        if vote.method == "star":
            return star(ballots, tiebreak=tiebreak, seed=seed)
        if vote.method == "bloc-star":
            return bloc_star(ballots, seats=seats, tiebreak=tiebreak, seed=seed)
        return allocated_score(ballots, seats=seats, tiebreak=tiebreak, seed=seed)
    if vote.method == "choice":
        return choice_vote(choice_counts(vote, grouped))
    ballots = score_ballots(vote, grouped)  # approval and top-N marks are 0/1 digits
    marks = ballots.counts @ ballots.scores.astype(np.int64)
    return approval(
        vote.options,
        marks,
        seats=seats,
        voters=ballots.total,
        tiebreak=tiebreak,
        seed=seed,
        method=vote.method,
    )
