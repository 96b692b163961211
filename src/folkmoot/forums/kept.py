"""A forum page's list of threads for signed-in readers, kept (issue 11).

Visitors share a forum page's whole content for a few seconds (pages/shared.py). A signed-in
reader's page differs from theirs only above the list (whether they may open a thread, and
why not); the list itself (each thread's title, author, replies, +1/−1 and last activity, and
the pages) is the same for everyone who may read the forum. It is kept, rendered, per
address, language and time zone, and used again only while nothing it shows was written
since: a token renewed by the database connection on every write to threads, posts,
reactions, assemblies or protocols (agenda.changes), so a reply, a +1 or a moved thread shows
at once. What the clock alone changes, a thread quiet long enough to move to History (FOR-3),
shows at most MAX_AGE_SECONDS late."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from folkmoot.agenda import changes

MAX_AGE_SECONDS = 30

THREADS = changes.FORUM_LISTS


def kept_rows(request: HttpRequest, render: Callable[[], str]) -> str:
    """The list `render` makes for this address, kept or made afresh."""
    changes.flush()  # this thread's own writes first
    address = f"{get_language()}|{timezone.get_current_timezone_name()}|{request.get_full_path()}"
    key = "folkmoot:forum-rows:" + hashlib.sha256(address.encode()).hexdigest()
    found = cache.get_many([THREADS.key, key])
    token = found.get(THREADS.key) or THREADS.token()
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == token:
        return str(kept[1])
    # The token was read before the list: a write landing meanwhile renews it, and what is
    # kept here is not used again. A SafeString stays one through the cache's pickling.
    rows = render()
    cache.set(key, (token, rows), MAX_AGE_SECONDS)
    return rows
