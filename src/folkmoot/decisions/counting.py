"""Counting a vote from the ballots the platform stores: one GROUP BY query returns each
distinct ballot with how many times it was cast, and the numpy core does the rest."""

from __future__ import annotations

import numpy as np
from django.db.models import Count

from folkmoot.governance.tally.ballots import ScoreBallots
from folkmoot.governance.tally.choice import ChoiceCounts

from .models import Vote


def grouped_marks(vote: Vote) -> list[tuple[str, bool | None, int]]:
    return list(vote.ballots.values_list("marks", "valid").annotate(n=Count("pk")).order_by())


def score_ballots(vote: Vote) -> ScoreBallots:
    rows = [(marks, n) for marks, _valid, n in grouped_marks(vote)]
    width = len(vote.options)
    if not rows:
        return ScoreBallots.from_array(vote.options, np.zeros((0, width)), max_score=vote.max_score)
    digits = np.frombuffer("".join(m for m, _ in rows).encode("ascii"), dtype=np.uint8) - ord("0")
    counts = np.fromiter((n for _, n in rows), dtype=np.int64, count=len(rows))
    return ScoreBallots.from_array(
        vote.options, digits.reshape(len(rows), width), counts, max_score=vote.max_score
    )


def choice_counts(vote: Vote) -> ChoiceCounts:
    counts = np.zeros(len(vote.options), dtype=np.int64)
    blank = null = voters = 0
    for marks, valid, n in grouped_marks(vote):
        if marks == "":
            blank += n
        else:
            counts[int(marks)] += n
        null += n if valid is False else 0
        voters += n
    return ChoiceCounts(tuple(vote.options), counts, blank, null, voters)
