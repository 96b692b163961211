from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .reading import unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    """The unread count for the header, counted only if a page shows it (and once per
    request, shared with `reading.seen`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request))}
