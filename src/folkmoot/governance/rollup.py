"""Fractal roll-up (BEY-4): a decision of a child assembly goes before its parent, either to be
ratified (the parent confirms it or not) or escalated (the parent decides the question itself,
for the wider federation). The parent's own protocol says who may bring it and how it decides:
a referral is an ordinary proposal of the parent that names the child's decision.

What a referral came to is read from the parent's decision, never stored twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from .reasons import Answer, Reason, combine, gettext_noop

Referral = Literal["ratify", "escalate"]
REFERRALS: tuple[Referral, ...] = ("ratify", "escalate")

# A decision "said yes" to its first option: a carried yes/no, a consensus on the text, or a
# count whose winner is the first option (a STAR vote of a failed consensus round).
AFFIRMATIVE = ("carried", "consensus")
# Only a decision that adopted something can be ratified; any decision can be escalated,
# a tie or a missed quorum most of all.
RATIFIABLE = ("carried", "consensus", "decided")

Status = Literal["pending", "withdrawn", "ratified", "not_ratified", "decided_above"]


def check_referable(
    referral: str,
    *,
    has_parent: bool,
    outcome: str,
    is_election: bool,
    referred: bool,
) -> Answer:
    """May this decision go before the parent assembly? Once: a referral that was not
    withdrawn stands, decided or not. Every reason at once."""
    answers = []
    if referral not in REFERRALS:
        answers.append(
            Answer.no(
                Reason(
                    "unknown_referral",
                    gettext_noop("Choose whether the parent assembly ratifies or decides."),
                )
            )
        )
    if not has_parent:
        answers.append(
            Answer.no(
                Reason(
                    "no_parent",
                    gettext_noop("This assembly has no parent assembly to refer a decision to."),
                )
            )
        )
    if is_election:
        answers.append(
            Answer.no(
                Reason(
                    "election_not_referred",
                    gettext_noop("An election is not referred to the parent assembly."),
                )
            )
        )
    elif referral == "ratify" and outcome not in RATIFIABLE:
        answers.append(
            Answer.no(
                Reason(
                    "nothing_to_ratify",
                    gettext_noop(
                        "Only a decision that was carried can be ratified; escalate it instead."
                    ),
                )
            )
        )
    if referred:
        answers.append(
            Answer.no(
                Reason(
                    "already_referred",
                    gettext_noop("This decision has already been referred to the parent assembly."),
                )
            )
        )
    return combine(*answers)


def said_yes(outcome: str, winners: Sequence[str], options: Sequence[str]) -> bool:
    if outcome in AFFIRMATIVE:
        return True
    return outcome == "decided" and bool(options) and list(winners[:1]) == [options[0]]


def referral_status(
    referral: Referral,
    *,
    withdrawn: bool,
    outcome: str | None,
    winners: Sequence[str] = (),
    options: Sequence[str] = (),
) -> Status:
    """Where a referral stands, from the parent's proposal (`outcome` None: not decided)."""
    if outcome is None:
        return "withdrawn" if withdrawn else "pending"
    if referral == "escalate":
        return "decided_above"
    return "ratified" if said_yes(outcome, winners, options) else "not_ratified"
