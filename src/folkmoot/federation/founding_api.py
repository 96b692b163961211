"""Founding assemblies through the API (ASM-2, issue 13): the same form checks a proposal as
on the page, the same actions decide it (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import REQUIRED
from folkmoot.governance.reasons import Answer, Reason
from folkmoot.refusals import Invalid, require

from . import founding
from .actions import access_assembly
from .forms import FoundingForm
from .models import Assembly, FoundingRequest

router = Router(tags=["assemblies"])


class FoundingIn(Schema):
    """The new assembly's fields (ASM-1), its eligibility rules (MEM-2) and an umbrella."""

    title: str
    assembly_type: str = Field(description="operational, region, city, constituency, …")
    slug: str = ""
    subtitle: str = ""
    short_description: str = ""
    description: str = ""
    purpose_of_action: str = ""
    composition: str = ""
    internal_organisation: str = ""
    remits: str = ""
    access_mode: str = "open"
    join_policy: str = "open"
    secretary_elected: bool = False
    min_age: int | None = None
    max_age: int | None = None
    required_attribute: str = ""
    required_assembly: str | None = Field(None, description="slug of an assembly")
    min_seniority_days: int | None = None
    umbrella: str | None = Field(None, description="slug of the umbrella assembly")


class DecisionIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


class FoundingOut(Schema):
    id: int
    title: str
    parent: str
    proposed_by: str
    proposed_at: datetime
    status: str  # waiting, founded, declined
    decided_by: str | None
    decided_at: datetime | None
    reason: str
    assembly: str | None  # the new assembly's slug, once founded
    reference: str | None
    proposal: dict[str, Any]


def _out(made: FoundingRequest) -> dict[str, Any]:
    status = "waiting" if made.decided_at is None else "founded" if made.approved else "declined"
    return {
        "id": made.pk,
        "title": made.title,
        "parent": made.parent.slug,
        "proposed_by": str(made.proposed_by),
        "proposed_at": made.created_at,
        "status": status,
        "decided_by": str(made.decided_by) if made.decided_by else None,
        "decided_at": made.decided_at,
        "reason": made.reason,
        "assembly": made.assembly.slug if made.assembly else None,
        "reference": made.assembly.reference if made.assembly else None,
        "proposal": made.proposal,
    }


def _form_data(payload: FoundingIn) -> dict[str, Any]:
    """The payload as the page's form receives it: slugs become ids, None becomes empty."""
    data = payload.dict()
    for key in ("required_assembly", "umbrella"):
        slug = data.pop(key)
        found = Assembly.objects.filter(slug=slug).values_list("pk", flat=True).first()
        data[key] = found if slug and found else ("missing:" + slug if slug else "")
    return {k: ("" if v is None else v) for k, v in data.items() if v is not False}


@router.post(
    "/assemblies/{key}/foundings",
    response={201: FoundingOut},
    auth=REQUIRED,
    summary="Propose a new assembly inside this one (approved at once by the approving office)",
)
def propose(request: HttpRequest, key: str, payload: FoundingIn) -> Reply[dict[str, Any]]:
    parent = access_assembly(request.user, key)
    ctx = founding.founding_context(parent)
    require(ctx.may_propose(request.user))
    types = list(ctx.founding.types) if ctx.founding is not None else []
    form = FoundingForm(_form_data(payload), parent=parent, types=types, user=request.user)
    if not form.is_valid():
        fields, reasons = [], []
        for field, errors in form.errors.items():
            for message in errors:
                fields.append(field if field != "__all__" else "body")
                reasons.append(Reason("invalid_field", str(message)))
        raise Invalid(Answer(False, tuple(reasons)), fields)
    made = founding.check_propose_assembly(request.user, ctx, form.proposal())
    made.refresh_from_db()
    return Reply(201, _out(made))


@router.get(
    "/foundings",
    response=dict[str, list[FoundingOut]],
    auth=REQUIRED,
    summary="New assemblies waiting for my decision, and those I proposed",
)
def my_foundings(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    queue = founding.queue_of(request.user)
    return {
        "to_decide": [_out(m) for m in queue["to_decide"]],
        "mine": [_out(m) for m in queue["mine"]],
    }


@router.get("/foundings/{pk}", response=FoundingOut, auth=REQUIRED, summary="A proposed assembly")
def get_founding(request: HttpRequest, pk: int) -> dict[str, Any]:
    _ctx, made = founding.access_founding(request.user, pk)
    return _out(made)


@router.post(
    "/foundings/{pk}/decision",
    response=FoundingOut,
    auth=REQUIRED,
    summary="Found the proposed assembly, or decline it with a reason",
)
def decide(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    ctx, made = founding.access_founding(request.user, pk)
    made = founding.check_decide_founding(
        request.user, ctx, made, approve=payload.approve, reason=payload.reason
    )
    return _out(made)
