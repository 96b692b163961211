from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from folkmoot.api.auth import REQUIRED

router = Router(tags=["me"])


class NotificationOut(Schema):
    id: int
    kind: str
    actor: str | None
    thread: int | None
    post: int | None
    created_at: datetime
    read: bool


class Count(Schema):
    marked: int


@router.get(
    "/me/notifications", response=list[NotificationOut], auth=REQUIRED, summary="My notifications"
)
def list_notifications(request: HttpRequest) -> list[dict[str, Any]]:
    rows = request.user.notifications.select_related("actor", "post")[:100]  # type: ignore[union-attr]
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "actor": str(n.actor) if n.actor else None,
            "thread": n.post.thread_id if n.post else None,
            "post": n.post_id,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in rows
    ]


@router.post("/me/notifications/read", response=Count, auth=REQUIRED, summary="Mark all read")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    marked = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())  # type: ignore[union-attr]
    return {"marked": marked}
