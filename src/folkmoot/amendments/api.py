"""Amendments to a proposal's text through the API (UI-5, VOTE-14): the same actions as the
page. A rule that refuses is a 403 with its reasons; a malformed body a 422."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.decisions.actions import DecisionContext, access_proposal
from folkmoot.decisions.models import Proposal

from . import actions, competing, selectors, supporting
from .models import TextAmendment

router = Router(tags=["amendments"])


class Piece(Schema):
    op: str = Field(description="same | removed | added")
    text: str


class AmendmentOut(Schema):
    id: int
    number: int = Field(description="in order of arrival within the proposal")
    author: str = Field(description="the author's public id")
    passage: str = Field(description="the text it replaces, quoted from the proposal")
    replacement: str = Field(description="what it says instead; empty: the passage is removed")
    why: str
    status: str = Field(description="pending | accepted | rejected | withdrawn")
    answer: str = Field(description="the proposer's reason")
    answered_at: datetime | None
    created_at: datetime
    supports: int
    supported_by_me: bool
    outdated: bool = Field(description="pending, but its passage is no longer once in the text")
    competing: bool = Field(description="rejected and on the ballot, or going there")
    ballot_option: str = Field(description="the option offering its text, once the vote opened")
    ballot_text: str = Field(description="the whole text that option offers")
    diff: list[Piece]


class AmendmentIn(Schema):
    passage: str = Field(max_length=20_000)
    replacement: str = Field("", max_length=20_000)
    why: str = Field("", max_length=20_000)


class AnswerIn(Schema):
    accept: bool
    reason: str = Field("", max_length=20_000)


class SupportIn(Schema):
    support: bool = True


class ProposalVersionOut(Schema):
    number: int
    made_at: datetime
    made_by_amendment: int | None = Field(description="the amendment's number; None: as proposed")
    body: str
    diff: list[Piece] = Field(description="from the version before")


def _competing(
    ctx: DecisionContext, proposal: Proposal
) -> Callable[[Sequence[TextAmendment]], set[int]]:
    """Which amendments compete: those on the ballot once the vote opened, else those that
    would if it opened now (with the reader's context: a restricted assembly's proposal is
    read by its members only)."""
    if getattr(proposal, "vote", None) is not None:
        return lambda rows: {a.number for a in rows if a.ballot_option}
    if proposal.kind not in ctx.protocol.decision_kinds or not actions.amendable(ctx, proposal):
        return lambda rows: set()
    kind = ctx.protocol.decision_kinds[proposal.kind]
    return lambda rows: {a.number for a in competing.chosen_among(kind, proposal, rows)}


def _rows(request: HttpRequest, ctx: DecisionContext, proposal: Proposal) -> list[dict[str, Any]]:
    return [
        {
            "id": r.amendment.pk,
            "number": r.amendment.number,
            "author": r.amendment.author.public_id,
            "passage": r.amendment.passage,
            "replacement": r.amendment.replacement,
            "why": r.amendment.why,
            "status": r.status,
            "answer": r.amendment.answer,
            "answered_at": r.amendment.answered_at,
            "created_at": r.amendment.created_at,
            "supports": r.supports,
            "supported_by_me": r.supported_by_me,
            "outdated": r.outdated,
            "competing": r.competing,
            "ballot_option": r.amendment.ballot_option,
            "ballot_text": r.amendment.ballot_text,
            "diff": [{"op": op, "text": text} for op, text in r.diff],
        }
        for r in selectors.shown_amendments(proposal, request.user, _competing(ctx, proposal))
    ]


def _one(
    request: HttpRequest, ctx: DecisionContext, proposal: Proposal, number: int
) -> dict[str, Any]:
    return next(r for r in _rows(request, ctx, proposal) if r["number"] == number)


@router.get(
    "/proposals/{proposal_id}/amendments",
    response=list[AmendmentOut],
    auth=OPTIONAL,
    summary="The amendments to a proposal's text, each with its change word by word",
)
def list_amendments(request: HttpRequest, proposal_id: int) -> list[dict[str, Any]]:
    ctx, proposal = access_proposal(request.user, proposal_id)
    return _rows(request, ctx, proposal)


@router.post(
    "/proposals/{proposal_id}/amendments",
    response={201: AmendmentOut},
    auth=REQUIRED,
    summary="Propose an amendment: a passage of the text and what replaces it (VOTE-14)",
)
def propose_amendment(request: HttpRequest, proposal_id: int, payload: AmendmentIn) -> Reply[Any]:
    """The proposer's own amendment is their change of the text, accepted at once."""
    ctx, proposal = access_proposal(request.user, proposal_id)
    amendment = actions.check_propose_amendment(
        ctx,
        request.user,
        proposal,
        passage=payload.passage,
        replacement=payload.replacement,
        why=payload.why,
    )
    return Reply(201, _one(request, ctx, proposal, amendment.number))


@router.post(
    "/amendments/{amendment_id}/answer",
    response=AmendmentOut,
    auth=REQUIRED,
    summary="Accept (the text changes) or reject (with a reason) an amendment, as the proposer",
)
def answer_amendment(request: HttpRequest, amendment_id: int, payload: AnswerIn) -> dict[str, Any]:
    ctx, proposal, amendment = actions.access_amendment(request.user, amendment_id)
    actions.check_answer_amendment(
        ctx, request.user, amendment, accept=payload.accept, reason=payload.reason
    )
    proposal.refresh_from_db()
    return _one(request, ctx, proposal, amendment.number)


@router.post(
    "/amendments/{amendment_id}/withdraw",
    response=AmendmentOut,
    auth=REQUIRED,
    summary="Withdraw my amendment while it waits for an answer (it stays readable)",
)
def withdraw_amendment(request: HttpRequest, amendment_id: int) -> dict[str, Any]:
    ctx, proposal, amendment = actions.access_amendment(request.user, amendment_id)
    actions.check_withdraw_amendment(ctx, request.user, amendment)
    return _one(request, ctx, proposal, amendment.number)


@router.post(
    "/amendments/{amendment_id}/support",
    response=AmendmentOut,
    auth=REQUIRED,
    summary='Support an amendment, or take the support back ({"support": false})',
)
def support_amendment(
    request: HttpRequest, amendment_id: int, payload: SupportIn
) -> dict[str, Any]:
    ctx, proposal, amendment = actions.access_amendment(request.user, amendment_id)
    supporting.check_support_amendment(ctx, request.user, amendment, support=payload.support)
    return _one(request, ctx, proposal, amendment.number)


@router.get(
    "/proposals/{proposal_id}/versions",
    response=list[ProposalVersionOut],
    auth=OPTIONAL,
    summary="Every version of a proposal's text, oldest first, each with what changed",
)
def list_versions(request: HttpRequest, proposal_id: int) -> list[dict[str, Any]]:
    _ctx, proposal = access_proposal(request.user, proposal_id)
    return [
        {
            "number": v.number,
            "made_at": v.made_at,
            "made_by_amendment": v.made_by.number if v.made_by else None,
            "body": v.body,
            "diff": [{"op": op, "text": text} for op, text in v.diff],
        }
        for v in selectors.versions_of(proposal)
    ]
