"""Opening the thing a notification is about marks it read (issue 12), whichever way the
person came: from the notification, a link in an email, or just browsing. The unread count
is read once per request and shared with the header; when it is zero, nothing is written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from .models import Notification

_CACHE = "_folkmoot_unread"


def unread_count(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, _CACHE):
        setattr(
            request,
            _CACHE,
            Notification.objects.mine(user).filter(read_at__isnull=True).count(),
        )
    return int(getattr(request, _CACHE))


def seen(request: HttpRequest, **about: Any) -> int:
    """Mark read the person's unread notifications matching `about`; returns how many."""
    if not unread_count(request):
        return 0
    marked = (
        Notification.objects.mine(request.user)
        .filter(read_at__isnull=True, **about)
        .update(read_at=timezone.now())
    )
    setattr(request, _CACHE, max(0, unread_count(request) - marked))
    return int(marked)
