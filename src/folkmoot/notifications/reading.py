"""Opening the thing a notification is about marks it read (issue 12), whichever way the
person came: from the notification, a link in an email, or just browsing. The unread count
is read once per request and shared with the header; when it is zero, nothing is written."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Func, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.statements import Statement

from .models import Notification

_CACHE = "_folkmoot_unread"


_MESSAGES = "_folkmoot_unread_messages"


def count_of(queryset: Any) -> Any:
    """COUNT(*) of a queryset as a subquery: no GROUP BY, one row."""
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0
    )


def header_row(person: int, **more: Any) -> Any:
    """The person's row with the header's two counts (and `more`), as a values_list."""
    from folkmoot.conversations.selectors import unread_messages

    someone = User(pk=person)
    counts = {
        "notes": count_of(Notification.objects.mine(someone).filter(read_at__isnull=True)),
        "messages": count_of(unread_messages(someone)),
        **more,
    }
    return User.objects.filter(pk=person).annotate(**counts).values_list(*counts)


def _counts(_variant: None, *, person: int) -> Any:
    return header_row(person)


_COUNTS = Statement(User, _counts, person=int)


def _read_counts(request: HttpRequest) -> None:
    """The header's two counts, unread notifications and unread private messages (FOR-6),
    in one query: every signed-in page shows both (issue 11's flat cost), so its SQL is
    compiled once (folkmoot.statements)."""
    user: Any = request.user
    keep_counts(request, *_COUNTS.run(person=user.pk)[0])


def keep_counts(request: HttpRequest, notes: int, messages: int) -> None:
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


def _counts_in_thread(_variant: None, *, person: int, thread: int) -> Any:
    mine = Notification.objects.mine(User(pk=person)).filter(read_at__isnull=True)
    return header_row(person, here=count_of(mine.filter(post__thread_id=thread)))


# Every thread page a signed-in person opens asks it: the header's two counts and how many
# of their unread notifications are about this thread, in one query (issue 11).
_COUNTS_IN_THREAD = Statement(User, _counts_in_thread, person=int, thread=int)


def seen_in_thread(request: HttpRequest, thread_id: int) -> int:
    """`seen(request, post__thread_id=thread_id)`, writing only when something in this
    thread is unread (most thread pages a person opens have nothing new for them); the
    header's counts are read in the same query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    notes, messages, here = _COUNTS_IN_THREAD.run(person=user.pk, thread=thread_id)[0]
    keep_counts(request, notes, messages)
    if not here:
        return 0
    return seen(request, post__thread_id=thread_id)
