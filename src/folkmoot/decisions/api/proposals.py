"""Proposals through the API (VOTE-1..3, PRO-2): listed, opened and read, with their stage,
supports and consensus rounds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.decisions import actions, selectors
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.decisions.settle import settle_proposal
from folkmoot.decisions.state import Known, ProposalState, known_for
from folkmoot.federation.actions import access_assembly
from folkmoot.governance.amendment import ratify_by
from folkmoot.refusals import reasons_text, require

router = Router(tags=["decisions"])


class QuestionIn(Schema):
    question: str = Field(max_length=300)
    options: list[str] = Field(max_length=20)


class ProposalIn(Schema):
    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)
    body: str = Field(max_length=20_000)
    options: list[str] = Field(default_factory=list, max_length=20)
    simple_question: bool = False
    urgent: bool = False
    event_at: datetime | None = None
    amendment: Literal["", "total", "partial"] = ""
    protocol_text: str = Field("", max_length=200_000)
    amends: int | None = Field(None, description="the register entry an Amendment rectifies")
    recalls: int | None = Field(None, description="art. 8.3: the tenure a recall would end")
    more_questions: list[QuestionIn] = Field(
        default_factory=list, max_length=11, description="VOTE-2: a MegaPoll's further questions"
    )
    within: str = Field(
        "", max_length=60, description="art. 9.4: an internal vote's office or group, office:KEY"
    )


class SupportRow(Schema):
    office: str
    have: int
    need: int


class ProposalOut(Schema):
    id: int
    assembly: str
    kind: str
    title: str
    body: str
    options: list[str]
    proposer: str
    proposer_id: str = Field(description="the proposer's public id")
    created_at: datetime
    stage: str
    stage_name: str
    until: datetime | None
    waiting_for: list[str]
    supports: list[SupportRow]
    thread: int | None
    vote: int | None
    consensus_round: int | None = None
    withdrawn_reason: str = ""
    validated_at: datetime | None = Field(None, description="art. 7.1: validated alone")
    validated_by_id: str | None = Field(None, description="public id of who validated it")
    refers_to: int | None = Field(None, description="the child's register entry (BEY-4)")
    referral: Literal["", "ratify", "escalate"] = ""
    urgent_version: int | None = Field(
        None, description="art. 3: the protocol version its urgent change put in force"
    )
    urgent_lapsed_at: datetime | None = Field(
        None, description="art. 3: when its urgent change lapsed, unratified"
    )
    urgent_ratify_by: datetime | None = Field(
        None,
        description="art. 3: its urgent change in force lapses unless its referendum opens by then",
    )
    amends: int | None = Field(None, description="the register entry it rectifies (VOTE-2)")
    recalls: int | None = Field(None, description="the tenure it would end (art. 8.3)")
    within: str = Field("", description="art. 9.4: the office or group it is internal to")
    more_questions: list[QuestionIn] = Field(
        default_factory=list, description="VOTE-2: a MegaPoll's further questions"
    )


class BlockOut(Schema):
    person: str
    person_id: str
    reason: str


class ResponseOut(Schema):
    person: str
    person_id: str
    response: Literal["agree", "stand_aside", "block"]
    reason: str


class RoundOut(Schema):
    number: int
    outcome: str
    agree: int
    stand_aside: int
    block: int
    blocks: list[BlockOut]
    responses: list[ResponseOut] = Field(
        description="each person's response and reason, where the protocol makes them public"
    )


class ProposalDetailOut(ProposalOut):
    approvals: list[str] = Field(description="drafters who approved the text")
    gathered_options: list[str] = Field(description="options added during consensus rounds")
    consensus_rounds: list[RoundOut]


def _proposal_fields(proposal: Proposal) -> dict[str, Any]:
    """What a proposal is, whatever its stage."""
    return {
        "id": proposal.pk,
        "assembly": proposal.assembly.slug,
        "kind": proposal.kind,
        "title": proposal.title,
        "body": proposal.body,
        "options": proposal.options,
        "proposer": str(proposal.proposer),
        "proposer_id": proposal.proposer.public_id,
        "created_at": proposal.created_at,
        "thread": proposal.thread_id,
        "withdrawn_reason": proposal.withdraw_reason,
        "validated_at": proposal.validated_at,
        "validated_by_id": getattr(proposal.validated_by, "public_id", None),
        "refers_to": proposal.refers_to_id,
        "referral": proposal.referral,
        "urgent_version": proposal.urgent_version.number if proposal.urgent_version else None,
        "urgent_lapsed_at": proposal.urgent_lapsed_at,
        "amends": proposal.amends_id,
        "recalls": proposal.recalls_id,
        "more_questions": proposal.more_questions or [],
        "within": proposal.within or "",
    }


def proposal_out(
    ctx: actions.DecisionContext,
    proposal: Proposal,
    known: Known | None = None,
    state: ProposalState | None = None,
) -> dict[str, Any]:
    if proposal.kind not in ctx.protocol.decision_kinds:
        return _retired(proposal)
    state = state or actions.state_of(ctx, proposal, known=known)
    return {
        **_proposal_fields(proposal),
        "stage": str(state.stage),
        "stage_name": selectors.stage_name(state.stage),
        "until": state.until,
        "waiting_for": selectors.waiting_text(ctx, state),
        "supports": [
            {"office": office, "have": have, "need": need}
            for office, (have, need) in state.supports.items()
        ],
        "vote": state.vote.pk if state.vote else None,
        "consensus_round": state.consensus.round if state.consensus else None,
        "urgent_ratify_by": ratify_by(ctx.protocol, proposal.urgent_version.adopted_at)
        if proposal.urgent_version is not None
        and proposal.urgent_lapsed_at is None
        and state.vote is None
        else None,
    }


def _retired(proposal: Proposal) -> dict[str, Any]:
    """A proposal whose kind an amendment took out of the protocol: kept, and said why."""
    from folkmoot.governance.reasons import Answer

    return {
        **_proposal_fields(proposal),
        "stage": "retired",
        "stage_name": reasons_text(Answer.no(actions.KIND_RETIRED))[0],
        "until": None,
        "waiting_for": [],
        "supports": [],
        "vote": Vote.objects.filter(proposal=proposal).values_list("pk", flat=True).first(),
    }


def access_settled(request: HttpRequest, proposal_id: int) -> tuple[Any, Proposal]:
    ctx, proposal = actions.access_proposal(request.user, proposal_id)
    settle_proposal(proposal)
    if proposal.urgent_version_id is not None:  # art. 3: its referendum did not open in time
        from folkmoot.decisions.amending import lapse_if_overdue

        lapse_if_overdue(ctx.protocol, proposal)
    return ctx, proposal


@router.get(
    "/assemblies/{key}/proposals",
    operation_id="folkmoot_decisions_api_list_proposals",
    response=list[ProposalOut],
    auth=OPTIONAL,
    summary="Proposals of an assembly, newest first",
)
def list_proposals(request: HttpRequest, key: str, page: int = 1) -> list[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    ctx = actions.decision_context(request.user, assembly)
    current = list(Paginator(selectors.proposals_of(assembly), 50).get_page(page))
    known = known_for(current)  # a few queries for the page, not a few per proposal
    return [proposal_out(ctx, p, known[p.pk]) for p in current]


@router.post(
    "/assemblies/{key}/proposals",
    operation_id="folkmoot_decisions_api_create_proposal",
    response={201: ProposalOut},
    auth=REQUIRED,
    summary="Open a proposal for debate (VOTE-3)",
)
def create_proposal(request: HttpRequest, key: str, payload: ProposalIn) -> Reply[dict[str, Any]]:
    ctx = actions.decision_context(request.user, access_assembly(request.user, key))
    require(actions.known_kind(ctx, payload.kind))
    proposal = actions.check_propose(
        ctx,
        request.user,
        payload.kind,
        title=payload.title,
        body=payload.body,
        options=payload.options,
        simple_question=payload.simple_question,
        urgent=payload.urgent,
        event_at=payload.event_at,
        amendment=payload.amendment,
        amends=payload.amends,
        recalls=payload.recalls,
        more_questions=[(q.question, q.options) for q in payload.more_questions],
        within=payload.within,
        protocol_text=payload.protocol_text,
    )
    return Reply(201, proposal_out(ctx, proposal))


@router.get(
    "/proposals/{proposal_id}",
    operation_id="folkmoot_decisions_api_read_proposal",
    response=ProposalDetailOut,
    auth=OPTIONAL,
    summary="A proposal, with its approvals, gathered options and consensus rounds",
)
def read_proposal(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    ctx, proposal = access_settled(request, proposal_id)
    approvals = [str(a.person) for a in proposal.approvals.select_related("person")]
    gathered = [g.label for g in proposal.gathered.order_by("created_at", "pk")]
    if proposal.kind not in ctx.protocol.decision_kinds:
        return {
            **_retired(proposal),
            "approvals": approvals,
            "gathered_options": gathered,
            "consensus_rounds": [],
        }
    state = actions.state_of(ctx, proposal)
    return {
        **proposal_out(ctx, proposal, state=state),
        "approvals": approvals,
        "gathered_options": gathered,
        "consensus_rounds": _rounds(selectors.consensus_view(ctx, proposal, state, request.user)),
    }


def _rounds(view: dict[str, Any] | None) -> list[dict[str, Any]]:
    if view is None:
        return []
    return [
        {
            "number": r["number"],
            "outcome": r["outcome"],
            **r["counts"],
            # VOTE-1: who blocks and why, where the protocol makes blocks public.
            "blocks": [
                {"person": str(b.person), "person_id": b.person.public_id, "reason": b.reason}
                for b in r["blocks"]
            ]
            if view["blocks_public"]
            else [],
            # Everyone's response and reason, where the protocol makes them public.
            "responses": [
                {
                    "person": str(x.person),
                    "person_id": x.person.public_id,
                    "response": x.response,
                    "reason": x.reason,
                }
                for x in r["responses"]
            ]
            if view["responses_public"]
            else [],
        }
        for r in view["rounds"]
    ]
