"""Score ballots as the counting functions see them: the distinct ballots and how many times
each was cast. Identical ballots are always treated identically by every method here, so
1,000,000 STAR ballots over 5 candidates (at most 6**5 = 7,776 distinct ones) are counted
from a few thousand rows: this is what makes counting from the database fast."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from folkmoot.governance.reasons import Reason, gettext_noop


class BallotError(ValueError):
    """Bad input, naming the ballot (1-based) and the field."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.render())
        self.reason = reason


def not_a_mapping(ballot: int) -> BallotError:
    return BallotError(
        Reason(
            "ballot_not_mapping",
            gettext_noop("Ballot %(ballot)s is not a mapping of candidates to scores."),
            {"ballot": ballot},
        )
    )


def unknown_candidate(ballot: int, name: object) -> BallotError:
    return BallotError(
        Reason(
            "unknown_candidate",
            gettext_noop("Ballot %(ballot)s names “%(candidate)s”, who is not a candidate."),
            {"ballot": ballot, "candidate": name},
        )
    )


@dataclass(frozen=True)
class ScoreBallots:
    candidates: tuple[str, ...]
    scores: np.ndarray  # (distinct ballots, candidates), small ints
    counts: np.ndarray  # (distinct ballots,), int64
    max_score: int = 5

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def index(self, name: str) -> int:
        return self.candidates.index(name)

    @classmethod
    def from_array(
        cls,
        candidates: Sequence[str],
        scores: np.ndarray,
        counts: np.ndarray | None = None,
        *,
        max_score: int = 5,
    ) -> ScoreBallots:
        """Collapse identical rows; `counts` weights rows that are already grouped.

        Each row is read as one number in base (max_score + 1), so finding the distinct
        ballots is a one-dimensional count rather than a sort of rows."""
        width = len(candidates)
        scores = np.asarray(scores, dtype=np.int64).reshape(-1, width)
        weights = (
            np.ones(len(scores), dtype=np.int64)
            if counts is None
            else np.asarray(counts, dtype=np.int64)
        )
        if len(scores) == 0:
            return cls(tuple(candidates), scores.astype(np.int8), weights, max_score)
        base = max_score + 1
        if base**width >= 2**62:  # too many candidates to number every ballot
            unique, inverse = np.unique(scores, axis=0, return_inverse=True)
            merged = np.bincount(inverse.ravel(), weights=weights, minlength=len(unique))
            return cls(
                tuple(candidates), unique.astype(np.int8), merged.astype(np.int64), max_score
            )
        place = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
        keys = scores @ place
        if base**width <= 1 << 22:
            tally = np.bincount(keys, weights=weights, minlength=base**width)
            present = np.flatnonzero(tally)
            merged = tally[present].astype(np.int64)
        else:
            present, inverse = np.unique(keys, return_inverse=True)
            merged = np.bincount(inverse, weights=weights).astype(np.int64)
        rows = (present[:, None] // place) % base
        return cls(tuple(candidates), rows.astype(np.int8), merged, max_score)

    @classmethod
    def from_dicts(
        cls, candidates: Sequence[str], ballots: Iterable[Mapping[str, Any]], *, max_score: int = 5
    ) -> ScoreBallots:
        """Ballots as `{"Alice": 5, "Bob": 3}`; a candidate left out scores 0. Every problem
        names the ballot and the field."""
        names = {name: i for i, name in enumerate(candidates)}
        if len(names) != len(candidates):
            raise BallotError(
                Reason(
                    "duplicate_candidate", gettext_noop("The candidates list names someone twice.")
                )
            )
        rows: list[list[int]] = []
        for number, ballot in enumerate(ballots, start=1):
            if not isinstance(ballot, Mapping):
                raise not_a_mapping(number)
            row = [0] * len(candidates)
            for name, score in ballot.items():
                if name not in names:
                    raise unknown_candidate(number, name)
                if (
                    isinstance(score, bool)
                    or not isinstance(score, int)
                    or not 0 <= score <= max_score
                ):
                    raise BallotError(
                        Reason(
                            "bad_score",
                            gettext_noop(
                                "Ballot %(ballot)s gives “%(candidate)s” %(score)s; scores are whole numbers from 0 to %(max)s."
                            ),
                            {"ballot": number, "candidate": name, "score": score, "max": max_score},
                        )
                    )
                row[names[name]] = score
            rows.append(row)
        return cls.from_array(
            candidates,
            np.array(rows, dtype=np.int16).reshape(-1, len(candidates)),
            max_score=max_score,
        )


@dataclass(frozen=True)
class Statistics:
    """The sufficient statistics of score ballots: totals, pairwise preferences (how many
    ballots score row candidate above column candidate) and counts of top scores."""

    totals: np.ndarray
    preferences: np.ndarray
    top_scores: np.ndarray

    @classmethod
    def of(cls, ballots: ScoreBallots) -> Statistics:
        s = ballots.scores.astype(np.int64)
        w = ballots.counts
        totals = w @ s
        n = s.shape[1]
        preferences = np.zeros((n, n), dtype=np.int64)
        for i in range(n):
            preferences[i] = w @ (s[:, [i]] > s)
        top = w @ (s == ballots.max_score)
        return cls(totals, preferences, top)
