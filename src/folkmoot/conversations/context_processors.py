from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from folkmoot.notifications.reading import unread_messages_count


def unread(request: HttpRequest) -> dict[str, object]:
    """The unread private messages for the header, counted only if a page shows it, in the
    same query as the notifications' count (notifications.reading)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_messages": 0}
    return {"unread_messages": SimpleLazyObject(lambda: unread_messages_count(request))}
