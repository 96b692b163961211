"""Sealed votes (issue 16, VOTE-11): the rules, without Django. A sealed vote passes through
stages computed from what has happened and the time: the guardians make the key while
voters register their voting keys; voting opens at its time once the key exists; after the
close every guardian shuffles the ballots in turn, then at least `threshold` of them
decrypt; then the vectors are counted like any other ballots.

What a decrypted vector means: one grade per option in the vote's option order, then (when
the vote asks it, VOTE-8) the validity answer: 0 none, 1 valid, 2 null. There is no range
proof in the Belenios format, so a vector outside the method's scale is spoiled: counted
nowhere, and said."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .reasons import Answer, Reason, gettext_noop
from .tally.result import Result, Round, Step

SEALABLE_METHODS = ("star", "bloc-star", "allocated-score", "approval", "top-n", "choice")


class Stage(StrEnum):
    KEYS = "keys"  # the guardians make the key; voters register theirs
    REGISTERING = "registering"  # the key is made; voters register until voting opens
    LATE = "late"  # voting should be open, but the guardians have not made the key
    OPEN = "open"
    SHUFFLING = "shuffling"  # closed: every guardian shuffles, in order
    DECRYPTING = "decrypting"  # shuffled: `threshold` guardians decrypt
    COUNTED = "counted"
    FAILED = "failed"  # closed before the guardians made the key: nobody could vote


@dataclass(frozen=True)
class Progress:
    """What has happened to a sealed vote, as stored."""

    key_made: bool
    opens_at: datetime | None
    closes_at: datetime | None
    guardians: int
    shuffled: int
    decrypted: int
    threshold: int
    counted: bool
    shuffle_by: datetime | None = None  # then `threshold` shuffles are enough


def stage(p: Progress, now: datetime) -> Stage:
    if p.closes_at is not None and now >= p.closes_at and not p.key_made:
        return Stage.FAILED
    if p.counted:
        return Stage.COUNTED
    if p.closes_at is not None and now >= p.closes_at:
        if p.shuffled >= p.guardians:
            return Stage.DECRYPTING
        late = p.shuffle_by is not None and now >= p.shuffle_by
        return Stage.DECRYPTING if late and p.shuffled >= p.threshold else Stage.SHUFFLING
    if p.opens_at is None or now < p.opens_at:
        return Stage.REGISTERING if p.key_made else Stage.KEYS
    return Stage.OPEN if p.key_made else Stage.LATE


def default_threshold(guardians: int) -> int:
    """A majority of the guardians: fewer could open the ballots without the others, more
    would let one absent guardian block the count."""
    return guardians // 2 + 1


def check_guardians(count: int, threshold: int) -> Answer:
    if count < 2:
        return Answer.no(
            Reason(
                "too_few_guardians",
                gettext_noop(
                    "A sealed vote needs at least two guardians; the office that guards it"
                    " has %(count)s holders."
                ),
                {"count": count},
            )
        )
    if not 1 <= threshold <= count:
        return Answer.no(
            Reason(
                "threshold_out_of_range",
                gettext_noop(
                    "%(threshold)s guardians cannot decrypt when there are only %(count)s."
                ),
                {"threshold": threshold, "count": count},
            )
        )
    return Answer.yes()


def check_stage(current: Stage, wanted: Stage) -> Answer:
    if current == wanted:
        return Answer.yes()
    return Answer.no(STAGE_REFUSALS.get(wanted, STAGE_REFUSALS[Stage.OPEN]))


STAGE_REFUSALS = {
    Stage.KEYS: Reason(
        "key_already_made", gettext_noop("The guardians' key for this vote is already made.")
    ),
    Stage.REGISTERING: Reason(
        "registration_closed",
        gettext_noop("Voting keys are registered only before the vote opens."),
    ),
    Stage.OPEN: Reason("sealed_not_open", gettext_noop("This sealed vote is not open.")),
    Stage.SHUFFLING: Reason(
        "not_shuffling", gettext_noop("The ballots are not waiting to be shuffled now.")
    ),
    Stage.DECRYPTING: Reason(
        "not_decrypting", gettext_noop("The ballots are not waiting to be decrypted now.")
    ),
}


def vector_width(options: int, ask_validity: bool) -> int:
    return options + (1 if ask_validity else 0)


def marks_of(
    vector: Sequence[int],
    *,
    method: str,
    options: int,
    max_score: int,
    ask_validity: bool,
    seats: int = 1,
) -> tuple[str, bool | None] | None:
    """The stored ballot (`decisions.Ballot.marks`, `valid`) a decrypted vector stands for,
    or None when it is spoiled (outside the method's scale, or the wrong length)."""
    if len(vector) != vector_width(options, ask_validity):
        return None
    grades = list(vector[:options])
    valid: bool | None = None
    if ask_validity:
        answer = vector[options]
        if answer not in (0, 1, 2):
            return None
        valid = {0: None, 1: True, 2: False}[answer]
    if method == "choice":
        if any(g not in (0, 1) for g in grades) or sum(grades) > 1:
            return None
        return ("".join(str(i) for i, g in enumerate(grades) if g) or ""), valid
    top = max_score if method in ("star", "bloc-star", "allocated-score") else 1
    if any(not 0 <= g <= top for g in grades):
        return None
    if method == "top-n" and sum(grades) > seats:
        return None  # more marks than the vote allows
    return "".join(str(g) for g in grades), valid


def vector_of(
    marks: str, valid: bool | None, *, method: str, options: int, ask_validity: bool
) -> list[int]:
    """The vector a voter seals for the ballot `marks` would store (the inverse of
    `marks_of`): what a client sealing a ballot for the count builds (bench/sealed.py)."""
    if method == "choice":
        grades = [1 if marks == str(i) else 0 for i in range(options)]
    else:
        grades = [int(c) for c in marks]
    if ask_validity:
        grades.append({None: 0, True: 1, False: 2}[valid])
    return grades


def unkeyed_result(method: str, options: list[str]) -> Result:
    """The result of a sealed vote that closed before its guardians made the key: nobody
    could vote, and no lot may pick a winner nobody chose."""
    step = Step(
        "not_sealed",
        Reason(
            "not_sealed",
            gettext_noop("Nobody could vote: the guardians did not make the key before the close."),
        ),
    )
    rnd = Round(Reason("choice_round", gettext_noop("Count")), [step])
    return Result(method, options, [], [rnd], details={"outcome": "not_sealed"})
