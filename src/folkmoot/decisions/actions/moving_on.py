"""Moving a proposal on before its vote: "+1 as <office>" supports (VOTE-3), the drafters'
approval of the text (OFF-2), a poll validated alone (art. 7.1), and withdrawal (VOTE-7).
Each page asks the same answer to show its button as the action requires."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.decisions import notify
from folkmoot.decisions.models import DraftingApproval, Proposal
from folkmoot.decisions.state import ProposalState
from folkmoot.governance.audience import closed, may_approve_text, may_launch, may_validate
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.governance.schedule import Stage
from folkmoot.refusals import NotFound, Refused, create_once, require

from .context import DecisionContext, at_most, no, state_of


def _before_launch(state: ProposalState) -> Answer:
    if state.stage in (Stage.DEBATE, Stage.DRAFTING, Stage.READY):
        return Answer.yes()
    return no(
        "proposal_moved_on",
        gettext_noop("This proposal is past that stage."),
    )


def validate_answer(ctx: DecisionContext, proposal: Proposal, state: ProposalState) -> Answer:
    """Art. 7.1: while it still gathers its supports, a holder of the validate_polls power
    validates a poll alone. The page asks this to show the button; the action requires it."""
    answer = may_validate(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())
    if not answer:
        return answer
    if proposal.validated_at is not None:
        return no("validated_already", gettext_noop("This poll is validated already."))
    if state.stage != Stage.DEBATE:
        return no(
            "validate_in_debate",
            gettext_noop("A poll is validated while it gathers its supports."),
        )
    return Answer.yes()


def check_validate(ctx: DecisionContext, user: Any, proposal: Proposal) -> Proposal:
    require(validate_answer(ctx, proposal, state_of(ctx, proposal)))
    return do_validate(proposal=proposal, user=user)


@transaction.atomic
def do_validate(*, proposal: Proposal, user: Any) -> Proposal:
    if not Proposal.objects.filter(pk=proposal.pk, validated_at__isnull=True).update(
        validated_at=timezone.now(), validated_by=user
    ):
        raise Refused.because(
            Reason("validated_already", gettext_noop("This poll is validated already."))
        )
    proposal.refresh_from_db()
    record("decision.validate", actor=user, assembly=proposal.assembly, subject=proposal)
    if proposal.proposer_id != user.pk:  # the proposer learns their poll moved on
        from folkmoot.notifications.send import notify as tell

        tell(
            "validated",
            [proposal.proposer_id],
            actor=user,
            assembly=proposal.assembly,
            proposal=proposal,
        )
    return proposal


def approve_text_answer(ctx: DecisionContext, proposal: Proposal, state: ProposalState) -> Answer:
    """VOTE-3, OFF-2: a drafter approves the text while the proposal waits for it. The page
    asks this to show the button; the action requires it."""
    stage_ok = (
        Answer.yes()
        if state.stage == Stage.DRAFTING
        else no(
            "not_drafting",
            gettext_noop("This proposal is not waiting for its text to be approved."),
        )
    )
    return combine(
        may_approve_text(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate()), stage_ok
    )


def check_approve_text(ctx: DecisionContext, user: Any, proposal: Proposal) -> DraftingApproval:
    kind = ctx.kind_of(proposal)
    require(approve_text_answer(ctx, proposal, state_of(ctx, proposal)))
    assert kind.drafting is not None
    return do_approve_text(proposal=proposal, person=user, office=kind.drafting.office)


@transaction.atomic
def do_approve_text(*, proposal: Proposal, person: Any, office: str) -> DraftingApproval:
    approval = create_once(
        DraftingApproval,
        Reason("already_approved", gettext_noop("You have already approved this text.")),
        proposal=proposal,
        person=person,
        office=office,
    )
    record("decision.approve_text", actor=person, assembly=proposal.assembly, subject=proposal)
    return approval


def check_support(ctx: DecisionContext, user: Any, proposal: Proposal, *, office: str) -> bool:
    """VOTE-3: "+1 as <office>" on the proposal's opening post; again takes it back. Returns
    whether the support now stands."""
    from folkmoot.decisions.state import opening_post
    from folkmoot.forums.actions import check_react, forum_context

    kind = ctx.kind_of(proposal)
    if office not in {s.office for s in kind.supports}:
        raise Refused.because(
            Reason(
                "support_not_counted",
                gettext_noop("Supports in that capacity do not count for this kind."),
            )
        )
    require(_before_launch(state_of(ctx, proposal)))
    post = opening_post(proposal)
    if post is None:
        raise NotFound(proposal.pk)
    forum_ctx = forum_context(user, proposal.assembly)
    from folkmoot.forums import selectors as forum_selectors

    place = forum_selectors.place_of(forum_ctx.protocol, post.thread)
    return check_react(forum_ctx, user, post, place, value=1, as_office=office) is not None


def withdraw_answer(
    ctx: DecisionContext, user: Any, proposal: Proposal, state: ProposalState
) -> Answer:
    """VOTE-7: before the vote, the proposer, or one of those who launch votes; nobody in
    a closed assembly (issue 13)."""
    if ctx.viewer.closed_on is not None:
        return closed(ctx.viewer.closed_on)
    if proposal.proposer_id is not None and proposal.proposer_id == getattr(user, "pk", None):
        return _before_launch(state)
    launcher = may_launch(ctx.protocol, proposal.kind, ctx.viewer, timezone.localdate())
    return combine(_before_launch(state), launcher)


def check_withdraw(
    ctx: DecisionContext, user: Any, proposal: Proposal, *, reason: str = ""
) -> Proposal:
    """VOTE-7: the proposer withdraws before the vote; those who launch votes withdraw a
    proposal that breaks the rules, and must say why."""
    is_proposer = proposal.proposer_id == user.pk
    answers = [withdraw_answer(ctx, user, proposal, state_of(ctx, proposal))]
    if not is_proposer and not reason.strip():
        answers.append(no("withdraw_reason", gettext_noop("Say why the proposal is withdrawn.")))
    answers.append(at_most(reason.strip(), 300, "reason"))
    require(combine(*answers))
    return do_withdraw(proposal=proposal, actor=user, reason=reason.strip())


@transaction.atomic
def do_withdraw(*, proposal: Proposal, actor: Any, reason: str) -> Proposal:
    Proposal.objects.filter(pk=proposal.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdraw_reason=reason[:300]
    )
    proposal.refresh_from_db()
    record(
        "decision.withdraw",
        actor=actor,
        assembly=proposal.assembly,
        subject=proposal,
        reason=reason,
    )
    if actor.pk != proposal.proposer_id:
        transaction.on_commit(lambda: notify.withdrawn(proposal))
    from folkmoot.decisions.amending import lapse_urgent_change

    lapse_urgent_change(proposal)  # art. 3: withdrawn, an urgent change is not ratified
    return proposal
