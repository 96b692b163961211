from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from folkmoot.api.auth import REQUIRED

from .models import EmailPreference
from .views import (
    PREFERENCES,
    calendar_url,
    do_new_feed_key,
    do_set_preferences,
    do_stop_feed,
    preferences_of,
)

router = Router(tags=["me"])


class NotificationOut(Schema):
    id: int
    kind: str
    actor: str | None
    thread: int | None
    post: int | None
    vote: int | None
    proposal: int | None
    created_at: datetime
    read: bool


class Count(Schema):
    marked: int


class PreferencesIn(Schema):
    """Leave out what should stay as it is."""

    vote_opened: bool | None = None
    vote_closing: bool | None = None
    result: bool | None = None
    election: bool | None = None
    withdrawn: bool | None = None
    mention: bool | None = None


class PreferencesOut(Schema):
    vote_opened: bool
    vote_closing: bool
    result: bool
    election: bool
    withdrawn: bool
    mention: bool
    calendar_url: str | None


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
            "vote": n.vote_id,
            "proposal": n.proposal_id,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in rows
    ]


@router.post("/me/notifications/read", response=Count, auth=REQUIRED, summary="Mark all read")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    marked = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())  # type: ignore[union-attr]
    return {"marked": marked}


def _preferences_out(preference: EmailPreference) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(preference, name) for name in PREFERENCES}
    out["calendar_url"] = calendar_url(preference)
    return out


@router.get(
    "/me/notification-preferences",
    response=PreferencesOut,
    auth=REQUIRED,
    summary="My notification preferences",
)
def read_preferences(request: HttpRequest) -> dict[str, Any]:
    return _preferences_out(preferences_of(request.user))


@router.put(
    "/me/notification-preferences",
    response=PreferencesOut,
    auth=REQUIRED,
    summary="Choose which notifications also come by email",
)
def update_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return _preferences_out(do_set_preferences(user=request.user, changes=changes))


@router.post(
    "/me/notification-preferences/calendar",
    response=PreferencesOut,
    auth=REQUIRED,
    summary="A new address for my calendar feed",
)
def new_calendar_address(request: HttpRequest) -> dict[str, Any]:
    return _preferences_out(do_new_feed_key(user=request.user))


@router.delete(
    "/me/notification-preferences/calendar",
    response=PreferencesOut,
    auth=REQUIRED,
    summary="Stop my calendar feed: its address no longer works",
)
def stop_calendar_address(request: HttpRequest) -> dict[str, Any]:
    do_stop_feed(user=request.user)
    return _preferences_out(preferences_of(request.user))
