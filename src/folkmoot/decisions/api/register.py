"""The consensus register through the API (ASM-5), with where each decision was referred,
and referring one to the parent assembly (BEY-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.decisions import referrals
from folkmoot.decisions.models import RegisterEntry
from folkmoot.federation.models import Assembly

from .proposals import ProposalOut, proposal_out

router = Router(tags=["decisions"])


class ReferralOut(Schema):
    proposal: int
    assembly: str
    referral: str
    status: Literal["pending", "withdrawn", "ratified", "not_ratified", "decided_above"]
    text: str


class RegisterOut(Schema):
    id: int
    assembly: str
    reference: str
    title: str
    kind: str
    binding: bool
    outcome: str
    winners: list[str]
    decided_at: datetime
    vote: int | None
    proposal: int | None
    refers_to: int | None = Field(description="the child's decision this one ratified or took up")
    referrals: list[ReferralOut]


class ReferIn(Schema):
    referral: str = Field(max_length=10, description="ratify or escalate")
    kind: str = Field(max_length=40, description="a decision kind of the parent's protocol")
    text: str = Field("", max_length=20_000)


class RegisterPage(Schema):
    count: int
    page: int
    pages: int
    items: list[RegisterOut]


@router.get(
    "/register",
    operation_id="folkmoot_decisions_api_register",
    response=RegisterPage,
    auth=OPTIONAL,
    summary="The consensus register: decisions of every assembly (ASM-5)",
)
def register(request: HttpRequest, assembly: str = "", page: int = 1) -> dict[str, Any]:
    entries = RegisterEntry.objects.filter(
        assembly__in=Assembly.objects.visible_to(request.user)
    ).select_related("assembly", "assembly__root", "proposal")
    if assembly:
        entries = entries.filter(assembly__slug=assembly)
    paginator = Paginator(entries, 50)
    current = paginator.get_page(page)
    lines = referrals.referral_lines([e.pk for e in current], request.user)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [
            {
                "id": e.pk,
                "assembly": e.assembly.slug,
                "reference": e.assembly.reference,
                "title": e.title,
                "kind": e.kind,
                "binding": e.binding,
                "outcome": e.outcome,
                "winners": e.winners,
                "decided_at": e.decided_at,
                "vote": e.vote_id,
                "proposal": e.proposal_id,
                "refers_to": e.proposal.refers_to_id if e.proposal else None,
                "referrals": [
                    {
                        "proposal": line.proposal.pk,
                        "assembly": line.proposal.assembly.slug,
                        "referral": line.referral,
                        "status": line.status,
                        "text": line.text,
                    }
                    for line in lines.get(e.pk, [])
                ],
            }
            for e in current
        ],
    }


@router.post(
    "/register/{entry_id}/refer",
    operation_id="folkmoot_decisions_api_refer",
    response={201: ProposalOut},
    auth=REQUIRED,
    summary="Bring a decision before the parent assembly: ratify or escalate (BEY-4)",
)
def refer(request: HttpRequest, entry_id: int, payload: ReferIn) -> Reply[dict[str, Any]]:
    entry = referrals.access_entry(request.user, entry_id)
    proposal = referrals.check_refer(
        request.user, entry, referral=payload.referral, kind_key=payload.kind, text=payload.text
    )
    ctx = referrals.parent_context(request.user, entry)
    return Reply(201, proposal_out(ctx, proposal))
