"""What one does to an open proposal through the API: supports (VOTE-3), validation
(art. 7.1), an urgent change's agreements (art. 3), the drafters' approval (OFF-2),
withdrawal (VOTE-7), the weekly queue and launching the vote (VOTE-5, VOTE-7), and the
consensus rounds' responses and options (VOTE-1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.decisions import actions, amending
from folkmoot.federation.actions import access_assembly

from .proposals import ProposalOut, access_settled, proposal_out
from .votes import VoteOut, vote_out

router = Router(tags=["decisions"])


class SupportIn(Schema):
    office: str = Field(max_length=40)


class SupportOut(Schema):
    supporting: bool
    proposal: ProposalOut


class WithdrawIn(Schema):
    reason: str = Field("", max_length=300)


class LaunchIn(Schema):
    days: float | None = None
    secret: bool | None = None
    results_live: bool | None = None


class RespondIn(Schema):
    response: Literal["agree", "stand_aside", "block"]
    reason: str = Field("", max_length=2000)


class OptionIn(Schema):
    label: str = Field(max_length=200)


@router.post(
    "/proposals/{proposal_id}/support",
    operation_id="folkmoot_decisions_api_support",
    response=SupportOut,
    auth=REQUIRED,
    summary='"+1 as <office>"; again takes it back',
)
def support(request: HttpRequest, proposal_id: int, payload: SupportIn) -> dict[str, Any]:
    ctx, proposal = access_settled(request, proposal_id)
    stands = actions.check_support(ctx, request.user, proposal, office=payload.office)
    return {"supporting": stands, "proposal": proposal_out(ctx, proposal)}


class WeeklyWaitingOut(Schema):
    proposal: int
    title: str
    stage: str
    ready: bool = Field(description="ready to launch when its turn comes")


class WeeklyQueueOut(Schema):
    kind: str
    next_opens_at: datetime | None = Field(description="a week after the last one opened")
    waiting: list[WeeklyWaitingOut] = Field(description="in order of arrival")


@router.get(
    "/assemblies/{key}/weekly-queue",
    operation_id="folkmoot_decisions_api_weekly_queue",
    response=list[WeeklyQueueOut],
    auth=OPTIONAL,
    summary="Weekly polls waiting, in order of arrival, one a week (VOTE-7)",
)
def weekly_queue(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    from folkmoot.decisions.weekly import queues

    ctx = actions.decision_context(request.user, access_assembly(request.user, key))
    return [
        {
            "kind": q.kind,
            "next_opens_at": q.next_opens_at,
            "waiting": [
                {
                    "proposal": p.pk,
                    "title": p.title,
                    "stage": str(state.stage),
                    "ready": state.launchable,
                }
                for p, state in q.waiting
            ],
        }
        for q in queues(ctx, timezone.now())
    ]


@router.post(
    "/proposals/{proposal_id}/validation",
    operation_id="folkmoot_decisions_api_validate",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Validate a poll alone, as a holder of the validate_polls power (art. 7.1)",
)
def validate(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    ctx, proposal = access_settled(request, proposal_id)
    proposal = actions.check_validate(ctx, request.user, proposal)
    return proposal_out(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/urgent-agreements",
    operation_id="folkmoot_decisions_api_agree_urgent",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Agree to apply a change of forums at once, before its referendum (art. 3)",
)
def agree_urgent(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    """When every holder of the office the protocol names has agreed, the change is in
    force; its referendum then ratifies it, or it lapses."""
    ctx, proposal = access_settled(request, proposal_id)
    amending.check_agree_urgent(ctx, request.user, proposal)
    proposal.refresh_from_db()
    return proposal_out(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/approve",
    operation_id="folkmoot_decisions_api_approve",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Approve the text, as a drafter (OFF-2)",
)
def approve(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    ctx, proposal = access_settled(request, proposal_id)
    actions.check_approve_text(ctx, request.user, proposal)
    return proposal_out(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/withdraw",
    operation_id="folkmoot_decisions_api_withdraw",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Withdraw a proposal before its vote (VOTE-7)",
)
def withdraw(request: HttpRequest, proposal_id: int, payload: WithdrawIn) -> dict[str, Any]:
    ctx, proposal = access_settled(request, proposal_id)
    proposal = actions.check_withdraw(ctx, request.user, proposal, reason=payload.reason)
    return proposal_out(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/launch",
    operation_id="folkmoot_decisions_api_launch",
    response={201: VoteOut},
    auth=REQUIRED,
    summary="Launch the vote (VOTE-5)",
)
def launch(request: HttpRequest, proposal_id: int, payload: LaunchIn) -> Reply[dict[str, Any]]:
    ctx, proposal = access_settled(request, proposal_id)
    vote = actions.check_launch(
        ctx,
        request.user,
        proposal,
        days=payload.days,
        secret=payload.secret,
        results_live=payload.results_live,
    )
    return Reply(201, vote_out(request, vote))


@router.post(
    "/proposals/{proposal_id}/respond",
    operation_id="folkmoot_decisions_api_respond",
    response=ProposalOut,
    auth=REQUIRED,
    summary="Agree, stand aside or block in the open consensus round (VOTE-1)",
)
def respond(request: HttpRequest, proposal_id: int, payload: RespondIn) -> dict[str, Any]:
    ctx, proposal = access_settled(request, proposal_id)
    actions.check_respond(
        ctx, request.user, proposal, response=payload.response, reason=payload.reason
    )
    return proposal_out(ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/options",
    operation_id="folkmoot_decisions_api_add_option",
    response={201: ProposalOut},
    auth=REQUIRED,
    summary="Put forward an option while consensus is sought",
)
def add_option(request: HttpRequest, proposal_id: int, payload: OptionIn) -> Reply[dict[str, Any]]:
    ctx, proposal = access_settled(request, proposal_id)
    actions.check_gather_option(ctx, request.user, proposal, label=payload.label)
    return Reply(201, proposal_out(ctx, proposal))
