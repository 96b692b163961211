"""VirtualPol's votes (VOTE-8, VOTE-9), approval voting, and elections by most votes (OFF-4).

Choice votes: one option per ballot, or blank. Each voter may also say whether the vote is
valid or null; when null answers exceed half (half plus one), the vote is void — referendums
included. An option is carried with more than 60 % of the votes that are not blank; with more
than two options it needs more than 85 %.

Approval and top-N: every option marked counts one; the `seats` options with most marks are
elected. A tie at the last seat is broken by the published lot (`--tiebreak official`), or
reported (`--tiebreak none`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from folkmoot.governance.protocol import Validity
from folkmoot.governance.reasons import Reason, gettext_noop

from . import lot
from .ballots import BallotError, not_a_mapping, unknown_candidate
from .result import Result, Round, Step, Tie
from .star import Tiebreak


@dataclass(frozen=True)
class ChoiceCounts:
    """The sufficient statistics of a choice vote."""

    options: tuple[str, ...]
    counts: np.ndarray  # per option
    blank: int
    null: int  # voters who answered that the vote is null (VOTE-8)
    voters: int

    @classmethod
    def from_dicts(
        cls, options: Sequence[str], ballots: Iterable[Mapping[str, Any]]
    ) -> ChoiceCounts:
        """Ballots as `{"choice": "Yes"}`, `{"choice": null}` (blank), with an optional
        `"valid": false` for a voter who holds the vote null."""
        index = {o: i for i, o in enumerate(options)}
        counts = np.zeros(len(options), dtype=np.int64)
        blank = null = voters = 0
        for number, ballot in enumerate(ballots, start=1):
            if not isinstance(ballot, Mapping):
                raise not_a_mapping(number)
            unknown = set(ballot) - {"choice", "valid"}
            if unknown:
                raise BallotError(
                    Reason(
                        "unknown_field",
                        gettext_noop("Ballot %(ballot)s has an unknown field “%(field)s”."),
                        {"ballot": number, "field": sorted(unknown)[0]},
                    )
                )
            choice = ballot.get("choice")
            if choice is None:
                blank += 1
            elif choice in index:
                counts[index[choice]] += 1
            else:
                raise unknown_candidate(number, choice)
            valid = ballot.get("valid", True)
            if not isinstance(valid, bool):
                raise BallotError(
                    Reason(
                        "bad_validity",
                        gettext_noop("Ballot %(ballot)s: “valid” must be true or false."),
                        {"ballot": number},
                    )
                )
            null += not valid
            voters += 1
        return cls(tuple(options), counts, blank, null, voters)


def choice_vote(tally: ChoiceCounts, validity: Validity | None = None) -> Result:
    rules = validity or Validity()
    names = list(tally.options)
    rnd = Round(Reason("choice_round", gettext_noop("Count")))
    counted = int(tally.counts.sum()) + (tally.blank if rules.blank_counts else 0)
    shares = {
        o: (Fraction(int(c), counted) if counted else Fraction(0))
        for o, c in zip(names, tally.counts, strict=True)
    }
    details: dict[str, Any] = {
        "votes": {o: int(c) for o, c in zip(names, tally.counts, strict=True)},
        "blank": tally.blank,
        "null": tally.null,
        "voters": tally.voters,
        "shares": {o: float(s) for o, s in shares.items()},
    }
    rnd.steps.append(
        Step(
            "votes",
            Reason(
                "votes_counted",
                gettext_noop(
                    "%(voters)s ballots: %(blank)s blank (not counted in percentages), %(null)s holding the vote null."
                ),
                {"voters": tally.voters, "blank": tally.blank, "null": tally.null},
            ),
            details["votes"],
        )
    )
    result = Result("choice", names, [], [rnd], ballots=tally.voters, details=details)
    if (
        rules.ask_validity
        and tally.voters
        and tally.null > rules.void_when_null_share_over * tally.voters
    ):
        rnd.steps.append(
            Step(
                "void",
                Reason(
                    "void_by_null",
                    gettext_noop(
                        "Void: %(null)s of %(voters)s voters hold the vote null, more than half (VOTE-8)."
                    ),
                    {"null": tally.null, "voters": tally.voters},
                ),
            )
        )
        details["outcome"] = "void"
        return result
    if rules.quorum is not None and tally.voters < rules.quorum:
        rnd.steps.append(
            Step(
                "no_quorum",
                Reason(
                    "no_quorum",
                    gettext_noop("Not valid: %(voters)s voted, the quorum is %(quorum)s."),
                    {"voters": tally.voters, "quorum": rules.quorum},
                ),
            )
        )
        details["outcome"] = "no_quorum"
        return result
    threshold = rules.threshold_two_options if len(names) <= 2 else rules.threshold_more_options
    best = max(shares.values(), default=Fraction(0))
    leaders = [o for o in names if shares[o] == best]
    carried = (
        counted > 0 and len(leaders) == 1 and best > Fraction(threshold).limit_denominator(10_000)
    )
    rnd.steps.append(
        Step(
            "threshold",
            Reason(
                "threshold",
                gettext_noop(
                    "An option is carried with more than %(threshold)s%% of the counted votes."
                ),
                {"threshold": f"{threshold * 100:g}"},
            ),
            {o: float(s) for o, s in shares.items()},
            leaders if carried else [],
        )
    )
    details["threshold"] = threshold
    details["outcome"] = "carried" if carried else "not_carried"
    if carried:
        result.winners = leaders
        rnd.winner = leaders[0]
    return result


def approval(
    options: Sequence[str],
    marks: np.ndarray,
    *,
    seats: int = 1,
    voters: int,
    tiebreak: Tiebreak = "official",
    seed: str | None = None,
    method: str = "approval",
) -> Result:
    """`marks[i]` is how many ballots marked option i."""
    names = list(options)
    if not 1 <= seats <= len(names):
        raise ValueError("seats must be between 1 and the number of options")
    seed = seed or lot.default_seed(names)
    values = {o: int(m) for o, m in zip(names, marks, strict=True)}
    ranked = sorted(names, key=lambda o: -values[o])
    cutoff = values[ranked[seats - 1]]
    sure = [o for o in ranked if values[o] > cutoff]
    at_cutoff = [o for o in ranked if values[o] == cutoff]
    needed = seats - len(sure)
    rnd = Round(Reason("approval_round", gettext_noop("Count")))
    rnd.steps.append(
        Step(
            "marks",
            Reason(
                "most_votes",
                gettext_noop("The %(seats)s options with most votes are elected."),
                {"seats": seats},
            ),
            values,
            sure + (at_cutoff if len(at_cutoff) == needed else []),
            sorted(at_cutoff) if len(at_cutoff) > needed else [],
        )
    )
    result = Result(method, names, list(sure), [rnd], ballots=voters)
    if len(at_cutoff) == needed:
        result.winners = sure + at_cutoff
    elif tiebreak == "none":
        result.tie = Tie(sorted(at_cutoff), needed, "cutoff")
    else:
        chosen = lot.draw(seed, at_cutoff, needed)
        rnd.steps.append(
            Step(
                "lot",
                Reason(
                    "lot",
                    gettext_noop("Still tied: the published lot (seed %(seed)s) decides."),
                    {"seed": seed},
                ),
                {n: i + 1 for i, n in enumerate(lot.lot_order(seed, at_cutoff))},
                chosen,
                sorted(at_cutoff),
            )
        )
        result.winners = sure + chosen
        result.lot_seed, result.lot_order = seed, lot.lot_order(seed, names)
    rnd.winner = result.winners[0] if len(result.winners) == 1 else None
    return result


def marks_from_dicts(
    options: Sequence[str], ballots: Iterable[Mapping[str, Any]], *, limit: int | None = None
) -> tuple[np.ndarray, int]:
    """Approval ballots as `{"Alice": 1, "Bob": 0}` (1 marks an option). With `limit` (top-N
    elections), a ballot may mark at most that many."""
    index = {o: i for i, o in enumerate(options)}
    marks = np.zeros(len(options), dtype=np.int64)
    voters = 0
    for number, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, Mapping):
            raise not_a_mapping(number)
        marked = 0
        for name, value in ballot.items():
            if name not in index:
                raise unknown_candidate(number, name)
            if isinstance(value, bool) or value not in (0, 1):
                raise BallotError(
                    Reason(
                        "bad_mark",
                        gettext_noop(
                            "Ballot %(ballot)s gives “%(candidate)s” %(score)s; approval ballots mark 0 or 1."
                        ),
                        {"ballot": number, "candidate": name, "score": value},
                    )
                )
            marks[index[name]] += value
            marked += value
        if limit is not None and marked > limit:
            raise BallotError(
                Reason(
                    "too_many_marks",
                    gettext_noop(
                        "Ballot %(ballot)s marks %(marked)s candidates; at most %(limit)s may be chosen."
                    ),
                    {"ballot": number, "marked": marked, "limit": limit},
                )
            )
        voters += 1
    return marks, voters
