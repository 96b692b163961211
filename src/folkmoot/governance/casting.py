"""What a ballot may say (VOTE-8, VOTE-12), and how it is stored: one digit per option.

A score ballot gives every option a whole score from 0 to the maximum (an option left out
scores 0, as on a paper STAR ballot); approval and most-votes ballots mark options 1 or 0
(at most `seats` of them for most-votes); a choice ballot names one option or none (a blank
vote). The validity answer is separate (VOTE-8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .reasons import Answer, Reason, gettext_noop

SCORED = ("star", "bloc-star", "allocated-score")
MARKED = ("approval", "top-n")

# The protocol's names for methods, and the count each one runs.
COUNTED_AS = {
    "choice": "choice",
    "yes_no": "choice",
    "star": "star",
    "bloc_star": "bloc-star",
    "allocated_score": "allocated-score",
    "approval": "approval",
    "top_n": "top-n",
}


@dataclass(frozen=True)
class BallotInput:
    scores: Mapping[str, object] | None = None
    choice: str | None = None
    approve: Sequence[str] = ()
    valid: bool | None = None


def _unknown(name: str) -> Reason:
    return Reason(
        "ballot_unknown_option",
        gettext_noop("“%(option)s” is not an option of this vote."),
        {"option": name},
    )


def ballot_marks(
    method: str,
    options: Sequence[str],
    ballot: BallotInput,
    *,
    max_score: int = 5,
    seats: int = 1,
    ask_validity: bool = False,
) -> tuple[Answer, str]:
    """The stored marks for a ballot, or the reasons it cannot be cast (nothing is stored)."""
    reasons: list[Reason] = []
    index = {name: i for i, name in enumerate(options)}
    marks = ""
    if method in SCORED:
        given = ballot.scores or {}
        digits = [0] * len(options)
        for name, score in given.items():
            if name not in index:
                reasons.append(_unknown(name))
            elif (
                isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= max_score
            ):
                reasons.append(
                    Reason(
                        "ballot_bad_score",
                        gettext_noop(
                            "The score for “%(option)s” must be a whole number from 0 to %(max)s."
                        ),
                        {"option": name, "max": max_score},
                    )
                )
            else:
                digits[index[name]] = score
        marks = "".join(str(d) for d in digits)
    elif method in MARKED:
        chosen = list(dict.fromkeys(ballot.approve))
        for name in chosen:
            if name not in index:
                reasons.append(_unknown(name))
        if method == "top-n" and len(chosen) > seats:
            reasons.append(
                Reason(
                    "ballot_too_many",
                    gettext_noop("Mark at most %(seats)s options."),
                    {"seats": seats},
                )
            )
        marks = "".join("1" if name in chosen else "0" for name in options)
    elif method == "choice":
        if ballot.choice is not None and ballot.choice not in index:
            reasons.append(_unknown(ballot.choice))
        marks = "" if ballot.choice is None else str(index.get(ballot.choice, 0))
    else:
        reasons.append(
            Reason("ballot_method", gettext_noop("This vote takes no ballots."), {"method": method})
        )
    if ask_validity and ballot.valid is None:
        reasons.append(
            Reason(
                "ballot_validity_missing",
                gettext_noop("Say whether you hold this vote valid or null."),
            )
        )
    return (Answer.no(*reasons) if reasons else Answer.yes()), marks


def marks_as_ballot(method: str, options: Sequence[str], marks: str) -> dict[str, object]:
    """A stored ballot in the `folkmoot tally` JSON form, so anyone can recount (BEY-2)."""
    if method in SCORED or method in MARKED:
        return {name: int(d) for name, d in zip(options, marks, strict=True)}
    return {"choice": options[int(marks)] if marks else None}


def count_shown_while_open(*, secret: bool, live: bool) -> bool:
    """VOTE-5, VOTE-11: a public vote shows its count while open when that was chosen; a
    secret one never does, whatever was chosen: a count that moves after each ballot would
    tell whoever watches it how each ballot went."""
    return live and not secret


def live_results(*, secret: bool, results_visible: str, asked: bool | None) -> tuple[Answer, bool]:
    """What launching a vote may choose about its count (`asked`: what the launcher asked
    for, None for the protocol's default), and whether the count will show while it is
    open."""
    if asked and secret:
        reason = Reason(
            "results_secret",
            gettext_noop(
                "Results of a secret vote stay hidden until the close: a count that "
                "moves after each ballot would show how each one went."
            ),
        )
        return Answer.no(reason), False
    if asked and results_visible == "after_close":
        reason = Reason(
            "results_after_close",
            gettext_noop("Results of this kind stay hidden until the close."),
        )
        return Answer.no(reason), False
    live = results_visible == "live" or bool(asked)
    return Answer.yes(), count_shown_while_open(secret=secret, live=live)
