"""Opening the thing a notification is about marks it read (issue 12), whichever way the
person came: from the notification, a link in an email, or just browsing. The unread count
is read once per request and shared with the header; when it is zero, nothing is written."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from .models import Notification

_CACHE = "_folkmoot_unread"


_MESSAGES = "_folkmoot_unread_messages"


def _count(queryset: Any) -> Any:
    """COUNT(*) of a queryset as a subquery: no GROUP BY, one row."""
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0
    )


def _read_counts(request: HttpRequest) -> None:
    """The header's two counts, unread notifications and unread private messages (FOR-6),
    in one query: every signed-in page shows both (issue 11's flat cost)."""
    from folkmoot.accounts.models import User
    from folkmoot.conversations.selectors import unread_messages

    user: Any = request.user
    notes, messages = (
        User.objects.filter(pk=user.pk)
        .annotate(
            notes=_count(Notification.objects.mine(user).filter(read_at__isnull=True)),
            messages=_count(unread_messages(user)),
        )
        .values_list("notes", "messages")
        .get()
    )
    setattr(request, _CACHE, notes)
    setattr(request, _MESSAGES, messages)


def unread_count(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, _CACHE):
        _read_counts(request)
    return int(getattr(request, _CACHE))


def unread_messages_count(request: HttpRequest) -> int:
    """Read with the notifications' count (`_read_counts`), once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, _MESSAGES):
        _read_counts(request)
    return int(getattr(request, _MESSAGES))


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
