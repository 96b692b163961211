"""Chat through the API; clients without WebSockets poll with `after`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.refusals import require

from . import actions
from .models import ChatMessage

router = Router(tags=["chat"])


class MessageOut(Schema):
    id: int
    author: str | None
    author_id: str | None = Field(None, description="the author's public id")
    body: str
    created_at: datetime


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


def _out(m: ChatMessage) -> dict[str, Any]:
    return {
        "id": m.pk,
        "author": str(m.author) if m.author else None,
        "author_id": m.author.public_id if m.author else None,
        "body": m.body,
        "created_at": m.created_at,
    }


@router.get(
    "/assemblies/{key}/chat/{room}/messages",
    response=list[MessageOut],
    auth=OPTIONAL,
    summary="Messages after a given one (polling)",
)
def list_messages(
    request: HttpRequest, key: str, room: str, after: int = 0
) -> list[dict[str, Any]]:
    ctx = actions.room_context(request.user, access_assembly(request.user, key), room)
    require(ctx.may("read"))
    rows = (
        ChatMessage.objects.filter(assembly=ctx.assembly, room=room, id__gt=after)
        .select_related("author")
        .order_by("id")[:200]
    )
    return [_out(m) for m in rows]


@router.post(
    "/assemblies/{key}/chat/{room}/messages",
    response={201: MessageOut},
    auth=REQUIRED,
    summary="Write in a chat room",
)
def post_message(
    request: HttpRequest, key: str, room: str, payload: MessageIn
) -> Reply[dict[str, Any]]:
    ctx = actions.room_context(request.user, access_assembly(request.user, key), room)
    return Reply(201, _out(actions.check_post_message(ctx, request.user, payload.body)))
