"""Changing the rules (PRO-2, PRO-3): whether an amendment is carried, and which version of
the protocol is in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .audience import Named
from .protocol import AmendmentRule, Protocol
from .reasons import Answer, Reason, combine, gettext_noop


@dataclass(frozen=True, slots=True)
class AmendmentTally:
    """What the amendment gathered: office approvals given in that capacity, and the vote.
    Blank votes are outside the percentages (VOTE-9); `consensus` is for protocols that
    amend by consensus."""

    office_approvals: int = 0
    yes: int = 0
    no: int = 0
    blank: int = 0
    consensus: bool | None = None


def approvals_needed(rule: AmendmentRule, seats: int) -> int:
    approval = rule.office_approval
    if approval is None:
        return 0
    if approval.rule == "absolute_majority":
        return seats // 2 + 1
    if approval.rule == "all":
        return seats
    return approval.count or 0


def check_office_approval(protocol: Protocol, rule: AmendmentRule, approvals: int) -> Answer:
    if rule.office_approval is None:
        return Answer.yes()
    office = protocol.offices[rule.office_approval.office]
    needed = approvals_needed(rule, office.seats)
    if approvals >= needed:
        return Answer.yes()
    return Answer.no(
        Reason(
            "amendment_office_approval",
            gettext_noop("It needs the approval of %(needed)s %(office)s; it has %(have)s."),
            {"needed": needed, "office": Named(office.plural or office.name), "have": approvals},
        )
    )


def check_vote(rule: AmendmentRule, tally: AmendmentTally) -> Answer:
    voters = tally.yes + tally.no
    if rule.vote == "consensus":
        if tally.consensus:
            return Answer.yes()
        return Answer.no(
            Reason("amendment_no_consensus", gettext_noop("It has not reached consensus."))
        )
    if rule.vote == "half_plus_one_of_voters":
        needed = voters // 2 + 1
        if voters and tally.yes >= needed:
            return Answer.yes()
        return Answer.no(
            Reason(
                "amendment_half_plus_one",
                gettext_noop(
                    "It needs at least half plus one of those voting (%(needed)s of %(voters)s); "
                    "it has %(yes)s."
                ),
                {"needed": needed, "voters": voters, "yes": tally.yes},
            )
        )
    if tally.yes > tally.no:
        return Answer.yes()
    return Answer.no(
        Reason(
            "amendment_simple_majority",
            gettext_noop(
                "It needs more votes for than against; it has %(yes)s for and %(no)s against."
            ),
            {"yes": tally.yes, "no": tally.no},
        )
    )


def amendment_carried(
    protocol: Protocol, which: Literal["total", "partial"], tally: AmendmentTally
) -> Answer:
    """PRO-2. RED15M: a total amendment needs an absolute majority of coordinators and a
    referendum won by at least half plus one of those voting; a partial one a simple
    majority and 3 coordinators. Every unmet condition is reported."""
    rule: AmendmentRule = getattr(protocol.amendments, which)
    return combine(
        check_office_approval(protocol, rule, tally.office_approvals), check_vote(rule, tally)
    )


@dataclass(frozen=True, slots=True)
class AdoptedVersion:
    number: int
    adopted_at: datetime


def version_in_force(versions: Sequence[AdoptedVersion], now: datetime) -> AdoptedVersion | None:
    """PRO-3: the most recently adopted version prevails; one adopted for a future moment is
    not yet in force. Equal times go to the higher number (the later decision)."""
    adopted = [v for v in versions if v.adopted_at <= now]
    return max(adopted, key=lambda v: (v.adopted_at, v.number), default=None)
