"""Moving, merging and closing assemblies through the API (ASM-2, issue 13): the same form
checks a proposal as on the page, the same actions decide it (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import REQUIRED
from folkmoot.governance.reasons import Answer, Reason
from folkmoot.refusals import Invalid, NotFound, require

from . import reshaping
from .actions import access_assembly
from .forms import ReshapeForm
from .models import ReshapeRequest

router = Router(tags=["assemblies"])


class ReshapeIn(Schema):
    kind: Literal["move", "merge", "close"]
    target: str | None = Field(
        None, description="slug or reference of the assembly to move under or merge into"
    )
    why: str = Field(max_length=2000, description="read by the approving office")


class ReshapeDecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


class ReshapeOut(Schema):
    id: int
    kind: str
    assembly: str
    target: str | None
    why: str
    proposed_by: str
    proposed_by_id: str | None = Field(description="their public id; null once erased")
    proposed_at: datetime
    status: str  # waiting, done, declined
    decided_by: str | None
    decided_by_id: str | None
    decided_at: datetime | None
    reason: str
    previous_parent: str | None


def _out(made: ReshapeRequest) -> dict[str, Any]:
    status = "waiting" if made.decided_at is None else "done" if made.approved else "declined"
    return {
        "id": made.pk,
        "kind": made.kind,
        "assembly": made.assembly.slug,
        "target": made.target.slug if made.target else None,
        "why": made.why,
        "proposed_by": str(made.proposed_by),
        "proposed_by_id": _public_id(made.proposed_by),
        "proposed_at": made.created_at,
        "status": status,
        "decided_by": str(made.decided_by) if made.decided_by else None,
        "decided_by_id": _public_id(made.decided_by),
        "decided_at": made.decided_at,
        "reason": made.reason,
        "previous_parent": made.previous_parent.slug if made.previous_parent else None,
    }


def _target_id(user: Any, key: str | None) -> str:
    """The form takes an id; an assembly the person may not see is named as missing."""
    if not key:
        return ""
    try:
        return str(access_assembly(user, key).pk)
    except NotFound:  # the form says the choice is not among those offered
        return "missing:" + key


@router.post(
    "/assemblies/{key}/reshaping",
    response={201: ReshapeOut},
    auth=REQUIRED,
    summary="Propose to move, merge or close this assembly (done at once by the approving office)",
)
def propose(request: HttpRequest, key: str, payload: ReshapeIn) -> Reply[dict[str, Any]]:
    assembly = access_assembly(request.user, key)
    ctx = reshaping.reshape_context(assembly)
    require(ctx.may_propose(request.user))
    assert ctx.reshaping is not None
    form = ReshapeForm(
        {
            "kind": payload.kind,
            "target": _target_id(request.user, payload.target),
            "why": payload.why,
        },
        assembly=assembly,
        allows=ctx.reshaping.allows,
        user=request.user,
    )
    if not form.is_valid():
        fields, reasons = [], []
        for field, errors in form.errors.items():
            for message in errors:
                fields.append(field if field != "__all__" else "body")
                reasons.append(Reason("invalid_field", str(message)))
        raise Invalid(Answer(False, tuple(reasons)), fields)
    made = reshaping.check_propose_change(
        request.user,
        ctx,
        kind=form.cleaned_data["kind"],
        target=form.cleaned_data["target"],
        why=form.cleaned_data["why"],
    )
    return Reply(201, _out(_fresh(made.pk)))


def _fresh(pk: int) -> ReshapeRequest:
    return ReshapeRequest.objects.select_related(
        "assembly", "target", "proposed_by", "decided_by", "previous_parent"
    ).get(pk=pk)


def _public_id(person: Any) -> str | None:
    """Nobody is identified once erased (issue 13)."""
    return person.public_id if person is not None and person.erased_at is None else None


@router.get(
    "/reshaping",
    response=dict[str, list[ReshapeOut]],
    auth=REQUIRED,
    summary="Changes to assemblies waiting for my decision, and those I proposed",
)
def my_changes(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    queue = reshaping.queue_of(request.user)
    return {
        "to_decide": [_out(m) for m in queue["to_decide"]],
        "mine": [_out(m) for m in queue["mine"]],
    }


@router.get(
    "/reshaping/{pk}",
    response=ReshapeOut,
    auth=REQUIRED,
    summary="A proposal to move, merge or close an assembly",
)
def get_change(request: HttpRequest, pk: int) -> dict[str, Any]:
    _ctx, made = reshaping.access_change(request.user, pk)
    return _out(made)


@router.post(
    "/reshaping/{pk}/decision",
    response=ReshapeOut,
    auth=REQUIRED,
    summary="Approve the change (it is done at once), or decline it with a reason",
)
def decide(request: HttpRequest, pk: int, payload: ReshapeDecisionIn) -> dict[str, Any]:
    ctx, made = reshaping.access_change(request.user, pk)
    made = reshaping.check_decide_change(
        request.user, ctx, made, approve=payload.approve, reason=payload.reason
    )
    return _out(_fresh(made.pk))
