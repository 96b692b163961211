"""Official projects through the API: the same actions as the project's page (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.accounts.models import User
from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.refusals import NotFound

from . import actions
from .models import ProjectUpdate

router = Router(tags=["projects"])


class UpdateOut(Schema):
    at: datetime
    author: str
    status: str
    progress: int
    text: str


class ProjectOut(Schema):
    entry: int = Field(description="the register entry of the decision carried out")
    title: str
    assembly: str
    owner: str | None
    owner_id: str | None = Field(description="the owner's public id")
    status: Literal["planned", "in_progress", "done", "abandoned"]
    progress: int
    updates: list[UpdateOut]


class OwnerIn(Schema):
    person: str = Field(min_length=1, max_length=40, description="the owner's public id")


class ProgressIn(Schema):
    status: Literal["planned", "in_progress", "done", "abandoned"]
    progress: int = Field(ge=0, le=100)
    text: str = Field(min_length=1, max_length=5000)


def _out(entry: Any) -> dict[str, Any]:
    project = actions.project_of(entry)
    updates = (
        ProjectUpdate.objects.filter(project=project).select_related("author") if project else []
    )
    return {
        "entry": entry.pk,
        "title": entry.title,
        "assembly": entry.assembly.slug,
        "owner": str(project.owner) if project and project.owner else None,
        "owner_id": project.owner.public_id if project and project.owner else None,
        "status": project.status if project else "planned",
        "progress": project.progress if project else 0,
        "updates": [
            {
                "at": u.at,
                "author": str(u.author),
                "status": u.status,
                "progress": u.progress,
                "text": u.text,
            }
            for u in updates
        ],
    }


@router.get(
    "/register/{entry_id}/project",
    response=ProjectOut,
    auth=OPTIONAL,
    summary="An official project: a decision carried out, its owner and progress (VOTE-2)",
)
def project(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    _ctx, entry = actions.access_project(request.user, entry_id)
    return _out(entry)


@router.post(
    "/register/{entry_id}/project/owner",
    response=ProjectOut,
    auth=REQUIRED,
    summary="Name who carries a project out (those who launch votes)",
)
def set_owner(request: HttpRequest, entry_id: int, payload: OwnerIn) -> dict[str, Any]:
    ctx, entry = actions.access_project(request.user, entry_id)
    owner = User.objects.filter(public_id=payload.person, is_active=True).first()
    if owner is None:
        raise NotFound(payload.person)
    actions.check_set_owner(ctx, request.user, entry, owner)
    return _out(entry)


@router.post(
    "/register/{entry_id}/project/updates",
    response={201: ProjectOut},
    auth=REQUIRED,
    summary="Post a project's progress (its owner, or those who launch votes)",
)
def post_progress(
    request: HttpRequest, entry_id: int, payload: ProgressIn
) -> Reply[dict[str, Any]]:
    ctx, entry = actions.access_project(request.user, entry_id)
    actions.check_post_progress(
        ctx,
        request.user,
        entry,
        status=payload.status,
        progress=payload.progress,
        text=payload.text,
    )
    return Reply(201, _out(entry))
