"""Amending a proposal's text while it is debated (VOTE-14; Decidim's amendments,
LiquidFeedback's suggestions): a member quotes a passage of the text and suggests what should
replace it; the proposer accepts it (the text changes, a new version) or rejects it with a
reason; a rejected amendment that enough members support goes to the vote as a competing
option, beside the text as the proposer keeps it.

Pure rules: the Django side gathers the facts (the text now, the stage, who acts) and asks."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .protocol import TextAmendments
from .reasons import Answer, Reason, combine, gettext_noop

# While a text is debated: before it gathered the supports that make it ready for its vote
# (those who supported it supported this text), in its drafting, and while consensus is
# sought (the stages of `schedule.decision_stage`, and "consensus" of a consensus kind).
AMENDABLE_STAGES = frozenset({"debate", "drafting", "consensus"})
PASSAGE_LIMIT = 5_000
TEXT_LIMIT = 20_000  # a proposal's text (`decisions.models.Proposal.body`)
WHY_LIMIT = 2_000
# A ballot stays readable: the proposal's own options and at most this many amended texts.
MOST_COMPETING = 5


def _no(code: str, template: str, **params: object) -> Answer:
    return Answer.no(Reason(code, template, dict(params)))


def occurrences(text: str, passage: str) -> int:
    return text.count(passage) if passage else 0


def replace_passage(text: str, passage: str, replacement: str) -> str:
    """The text with its one occurrence of `passage` replaced (`check_passage` said yes)."""
    return text.replace(passage, replacement, 1)


def check_passage(text: str, passage: str, replacement: str) -> Answer:
    """The passage is quoted from the text as it is now, once, so that what it replaces is
    never in doubt; the replacement changes something. An empty replacement deletes it."""
    if not passage.strip():
        return _no(
            "no_passage", gettext_noop("Quote the passage of the text your amendment replaces.")
        )
    answers = []
    too_long = {
        "passage": gettext_noop(
            "The quoted passage is too long: at most %(limit)s characters (it has %(length)s)."
        ),
        "replacement": gettext_noop(
            "The replacement is too long: at most %(limit)s characters (it has %(length)s)."
        ),
    }
    for what, value in (("passage", passage), ("replacement", replacement)):
        # Counted as the form counts it: a line break is one character, whatever its ends.
        if len(value.replace("\r\n", "\n")) > PASSAGE_LIMIT:
            answers.append(
                _no(f"long_{what}", too_long[what], limit=PASSAGE_LIMIT, length=len(value))
            )
    found = occurrences(text, passage)
    if found == 0:
        answers.append(
            _no(
                "passage_not_found",
                gettext_noop(
                    "The text does not contain the passage you quote (it may have changed "
                    "since): copy it from the text as it is now."
                ),
            )
        )
    elif found > 1:
        answers.append(
            _no(
                "passage_ambiguous",
                gettext_noop(
                    "The passage you quote appears %(count)s times in the text: quote a "
                    "longer passage, so it is found once."
                ),
                count=found,
            )
        )
    if passage == replacement:
        answers.append(
            _no("same_text", gettext_noop("The replacement is the same as the passage."))
        )
    elif found == 1 and len(replace_passage(text, passage, replacement)) > TEXT_LIMIT:
        answers.append(
            _no(
                "text_too_long",
                gettext_noop("With this change the text would pass %(limit)s characters."),
                limit=TEXT_LIMIT,
            )
        )
    return combine(*answers)


def check_amendable(
    stage: str,
    rules: TextAmendments | None,
    *,
    protocol_amendment: bool,
    voted_on: bool,
    supported: bool = False,
) -> Answer:
    """Whether this proposal's text may be amended now: the kind allows it, it is not a
    protocol amendment (whose text is the protocol it would adopt, changed by another
    amendment), and its text is still under debate. A kind that asks for no supports is
    ready for its vote at once and debated until it is launched; one that gathered supports
    (or was validated alone, `supported`) is ready with the text they backed."""
    if rules is None:
        return _no(
            "no_text_amendments",
            gettext_noop("The protocol lets nobody amend the text of proposals of this kind."),
        )
    if protocol_amendment:
        return _no(
            "amend_protocol_text",
            gettext_noop(
                "A protocol amendment is voted on the protocol text it carries; propose "
                "another amendment of the protocol instead."
            ),
        )
    if voted_on or (stage not in AMENDABLE_STAGES and (stage != "ready" or supported)):
        return _no(
            "not_amendable_now",
            gettext_noop(
                "The text can be amended only while it is debated: not once it is ready for "
                "its vote."
            ),
        )
    return Answer.yes()


def check_not_approved(approved: bool) -> Answer:
    """Once drafters approved the text, it is the one put to the vote: nothing changes it,
    the proposer's own change included."""
    if not approved:
        return Answer.yes()
    return _no(
        "text_approved",
        gettext_noop(
            "Drafters have approved the text: it no longer changes. Reject the amendment "
            "instead; with enough support it competes on the ballot."
        ),
    )


def check_answer(
    *,
    proposer: bool,
    pending: bool,
    accept: bool,
    reason: str,
    text: str,
    passage: str,
    replacement: str,
    approved: bool,
) -> Answer:
    """The proposer answers each amendment once: accepting applies it to the text as it is
    now; rejecting says why. Once drafters approved the text, the approved text is the one
    put to the vote: a rejected amendment can still compete with it there."""
    answers = []
    if not proposer:
        answers.append(
            _no("not_proposer", gettext_noop("Only the proposer accepts or rejects amendments."))
        )
    if not pending:
        answers.append(
            _no("answered", gettext_noop("This amendment was already answered or withdrawn."))
        )
    if len(reason) > WHY_LIMIT:
        answers.append(
            _no(
                "long_reason",
                gettext_noop("The reason is too long: at most %(limit)s characters."),
                limit=WHY_LIMIT,
            )
        )
    if accept:
        answers.append(check_not_approved(approved))
        answers.append(check_passage(text, passage, replacement))
    elif not reason.strip():
        answers.append(_no("reject_reason", gettext_noop("Say why you reject the amendment.")))
    return combine(*answers)


@dataclass(frozen=True)
class Candidate:
    """A rejected amendment and how many members support it."""

    number: int
    supports: int


def competing(candidates: Sequence[Candidate], rules: TextAmendments | None) -> list[int]:
    """Which rejected amendments go to the vote: those with the supports the protocol asks,
    the most supported first (the earlier amendment on a tie), at most `MOST_COMPETING`."""
    if rules is None or rules.competing_supports is None:
        return []
    need = rules.competing_supports
    chosen = sorted(
        (c for c in candidates if c.supports >= need), key=lambda c: (-c.supports, c.number)
    )
    return [c.number for c in chosen[:MOST_COMPETING]]


def ballot_options(options: Sequence[str], amended: Sequence[str]) -> list[str]:
    """The options of a vote with competing texts: the proposal's first option (adopt the
    text as proposed), then each amended text, then the rest (reject, no change)."""
    if not amended:
        return list(options)
    return [options[0], *amended, *options[1:]]


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The change from `old` to `new`, word by word: ("same" | "removed" | "added", text)
    pieces in reading order, for showing an amendment or a new version as a diff."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("added", "".join(b[j1:j2])))
    return out
