"""Consensus rounds (VOTE-1): agree, stand aside or block while a round is open, and
further options put forward, which the STAR vote offers should consensus fail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.decisions.models import ConsensusResponse, Proposal, ProposalOption
from folkmoot.decisions.state import ProposalState
from folkmoot.governance.audience import check_acting
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.refusals import create_once, require

from .context import DecisionContext, at_most, no, state_of


def _in_round(
    ctx: DecisionContext, state: ProposalState, audience: Any, code: str, template: str
) -> list[Answer]:
    """Acting in a consensus round: someone of the audience, not sanctioned, while a round
    is open."""
    answers = [
        check_acting(
            ctx.protocol,
            audience,
            ctx.viewer,
            timezone.localdate(),
            code=code,
            template=template,
            params={},
        )
    ]
    if state.stage != "consensus":
        answers.append(no("no_round", gettext_noop("No consensus round is open on this proposal.")))
    return answers


def check_respond(
    ctx: DecisionContext, user: Any, proposal: Proposal, *, response: str, reason: str = ""
) -> ConsensusResponse:
    state = state_of(ctx, proposal)
    answers = _in_round(
        ctx,
        state,
        ctx.kind_of(proposal).voters,
        "may_not_respond",
        gettext_noop("Only %(who)s may respond to this proposal."),
    )
    if response not in {"agree", "stand_aside", "block"}:
        answers.append(
            no("bad_response", gettext_noop("Respond with agree, stand aside or block."))
        )
    if response == "block" and not reason.strip():
        answers.append(no("block_reason", gettext_noop("A block needs its reason.")))
    answers.append(at_most(reason.strip(), 2_000, "reason"))
    require(combine(*answers))
    assert state.consensus is not None
    return do_respond(
        proposal=proposal,
        person=user,
        round=state.consensus.round,
        response=response,
        reason=reason.strip(),
    )


@transaction.atomic
def do_respond(
    *, proposal: Proposal, person: Any, round: int, response: str, reason: str
) -> ConsensusResponse:
    row, _created = ConsensusResponse.objects.update_or_create(
        proposal=proposal,
        round=round,
        person=person,
        defaults={"response": response, "reason": reason, "created_at": timezone.now()},
    )
    record(
        "decision.respond",
        actor=person,
        assembly=proposal.assembly,
        subject=proposal,
        round=round,
        response=response,
    )
    return row


def check_gather_option(
    ctx: DecisionContext, user: Any, proposal: Proposal, *, label: str
) -> ProposalOption:
    """VOTE-1: while consensus is sought, members may put forward another option; should
    consensus fail, the STAR vote offers them all."""
    state = state_of(ctx, proposal)
    label = label.strip()
    answers = _in_round(
        ctx,
        state,
        ctx.kind_of(proposal).proposers,
        "may_not_add_option",
        gettext_noop("Only %(who)s may add options."),
    )
    if not label or len(label) > 200:
        answers.append(no("bad_option", gettext_noop("An option has 1 to 200 characters.")))
    if label in proposal.options:
        answers.append(no("same_option", gettext_noop("Each option must be different.")))
    require(combine(*answers))
    option = create_once(
        ProposalOption,
        Reason("same_option", gettext_noop("Each option must be different.")),
        proposal=proposal,
        label=label,
        author=user,
    )
    record("decision.add_option", actor=user, assembly=proposal.assembly, subject=proposal)
    return option
