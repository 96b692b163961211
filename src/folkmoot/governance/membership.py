"""How a person comes to belong to an assembly (MEM-1, MEM-2, MEM-4).

Join policies: `open` (join at once), `approval` (a request the secretary works through),
`automatic` (everyone in the federation already belongs; nothing to do). Eligibility rules
apply to open and approval alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .eligibility import EligibilityRules, PersonFacts, check_eligibility
from .reasons import Answer, Reason, gettext_noop


class JoinPolicy(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    AUTOMATIC = "automatic"


class Status(StrEnum):
    """MEM-1: participants read, discuss and propose; members (paying members of the
    federation) also vote."""

    PARTICIPANT = "participant"
    MEMBER = "member"


class JoinOutcome(StrEnum):
    JOIN = "join"
    REQUEST = "request"


@dataclass(frozen=True, slots=True)
class JoinSituation:
    policy: JoinPolicy
    rules: EligibilityRules
    is_root: bool
    already_belongs: bool
    has_pending_request: bool
    in_federation: bool


@dataclass(frozen=True, slots=True)
class JoinDecision:
    answer: Answer
    outcome: JoinOutcome | None = None


def decide_join(situation: JoinSituation, person: PersonFacts, today: date) -> JoinDecision:
    """May this person join, and does joining take effect at once or queue a request?"""
    if situation.policy is JoinPolicy.AUTOMATIC:
        reason = (
            gettext_noop(
                "You already belong to this assembly: every participant of the federation does."
            )
            if situation.in_federation
            else gettext_noop(
                "Everyone in this federation belongs to this assembly automatically: "
                "join the federation first."
            )
        )
        return JoinDecision(Answer.no(Reason("automatic_membership", reason)))
    if situation.already_belongs:
        return JoinDecision(
            Answer.no(
                Reason("already_member", gettext_noop("You already belong to this assembly."))
            )
        )
    if situation.has_pending_request:
        return JoinDecision(
            Answer.no(
                Reason(
                    "request_pending",
                    gettext_noop("Your request to join is waiting for the secretary's decision."),
                )
            )
        )
    if not situation.is_root and not situation.in_federation:
        return JoinDecision(
            Answer.no(
                Reason(
                    "federation_first",
                    gettext_noop("Join the federation this assembly belongs to first."),
                )
            )
        )
    eligible = check_eligibility(situation.rules, person, today)
    if not eligible:
        return JoinDecision(eligible)
    outcome = JoinOutcome.REQUEST if situation.policy is JoinPolicy.APPROVAL else JoinOutcome.JOIN
    return JoinDecision(Answer.yes(), outcome)


def status_on_joining(
    *, is_root: bool, root_grants: Status, federation_status: Status | None
) -> Status:
    """A root assembly grants the status its federation gives newcomers (Harmony: participant,
    until the secretary records a paying member; RED15M: every joiner is a citizen). Below the
    root, a person carries the status they hold in the federation."""
    if is_root:
        return root_grants
    return federation_status or Status.PARTICIPANT


def check_may_leave(*, policy: JoinPolicy, belongs: bool) -> Answer:
    if policy is JoinPolicy.AUTOMATIC:
        return Answer.no(
            Reason(
                "automatic_leave",
                gettext_noop(
                    "Everyone in the federation belongs to this assembly; "
                    "leave the federation to leave it."
                ),
            )
        )
    if not belongs:
        return Answer.no(Reason("not_member", gettext_noop("You do not belong to this assembly.")))
    return Answer.yes()


def seniority_days(started: date | None, today: date) -> int | None:
    """Days of continuous membership (MEM-3)."""
    if started is None:
        return None
    return max(0, (today - started).days)
