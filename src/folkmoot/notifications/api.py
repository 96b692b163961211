from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from folkmoot.api.auth import REQUIRED
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.refusals import Invalid, NotFound

from .kinds import KINDS, describe, place, with_context
from .models import EmailPreference, Notification
from .views import (
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
    text: str = Field(description="What it says, in the reader's language")
    url: str = Field(description="Where it leads, a path on the site")
    assembly: str | None = Field(description="The slug of the assembly where it happened")
    actor: str | None
    thread: int | None
    post: int | None
    vote: int | None
    proposal: int | None
    created_at: datetime
    read: bool


class Count(Schema):
    marked: int


Channel = Literal["site", "email", "digest", "off"]


class PreferencesIn(Schema):
    """Leave out what should stay as it is."""

    channels: dict[str, Channel] = Field(
        default_factory=dict,
        description="Kind → how you hear of it; kinds left out stay as they are",
    )
    digest: Literal["daily", "weekly"] | None = None


class PreferencesOut(Schema):
    channels: dict[str, Channel]
    digest: Literal["daily", "weekly"]
    calendar_url: str | None


def _out(n: Notification) -> dict[str, Any]:
    told = describe(n)
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": told.text,
        "url": told.url,
        "assembly": where.slug if (where := place(n)) is not None else None,
        "actor": str(n.actor) if n.actor else None,
        "thread": n.post.thread_id if n.post else None,
        "post": n.post_id,
        "vote": n.vote_id,
        "proposal": n.proposal_id,
        "created_at": n.created_at,
        "read": n.read_at is not None,
    }


@router.get(
    "/me/notifications", response=list[NotificationOut], auth=REQUIRED, summary="My notifications"
)
def list_notifications(request: HttpRequest, unread: bool = False) -> list[dict[str, Any]]:
    rows = Notification.objects.mine(request.user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return [_out(n) for n in with_context(rows)[:100]]


@router.post("/me/notifications/read", response=Count, auth=REQUIRED, summary="Mark all read")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    marked = (
        Notification.objects.mine(request.user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    return {"marked": marked}


@router.post(
    "/me/notifications/{notification_id}/read",
    response=NotificationOut,
    auth=REQUIRED,
    summary="Mark one notification read",
)
def mark_one_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    rows = with_context(Notification.objects.mine(request.user))
    n = rows.filter(pk=notification_id).first()
    if n is None:
        raise NotFound(notification_id)
    if n.read_at is None:
        n.read_at = timezone.now()
        Notification.objects.filter(pk=n.pk).update(read_at=n.read_at)
    return _out(n)


def _preferences_out(preference: EmailPreference) -> dict[str, Any]:
    return {
        "channels": {kind: preference.channel(kind) for kind in KINDS},
        "digest": preference.digest,
        "calendar_url": calendar_url(preference),
    }


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
    summary="Choose how each kind of notification reaches me",
)
def update_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    unknown = sorted(set(payload.channels) - set(KINDS))
    if unknown:
        raise Invalid(
            Answer.no(
                Reason(
                    "unknown_kind",
                    gettext_noop("No such kind of notification: %(kinds)s."),
                    {"kinds": ", ".join(unknown)},
                )
            ),
            fields=["channels"],
        )
    preference = do_set_preferences(
        user=request.user, channels=dict(payload.channels), digest=payload.digest
    )
    return _preferences_out(preference)


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
