"""A forum page's list of threads for signed-in readers, kept (issue 11).

Visitors share a forum page's whole content for a few seconds (pages/shared.py). A signed-in
reader's page differs from theirs only above the list (whether they may open a thread, and
why not); the list itself (each thread's title, author, replies, +1/−1 and last activity, and
the pages) is the same for everyone who may read the forum. It is kept, rendered, per
address, language and time zone, and used again only while nothing it shows was written
since: a token renewed by the database connection on every write to threads, posts,
reactions, attachments, people, assemblies or protocols (agenda.changes), so a reply, a +1 or
a moved thread shows at once. What the clock alone changes, a thread quiet long enough to move to History (FOR-3),
shows at most MAX_AGE_SECONDS late.

A thread page's posts are kept the same way, under the same token (forums/thread_posts.py):
`look_up` and `store` serve both."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from folkmoot.agenda import changes

MAX_AGE_SECONDS = 30

THREADS = changes.FORUM_LISTS


@dataclass(frozen=True)
class Lookup:
    key: str | None  # None: this address is not kept (see look_up)
    token: str
    kept: Any  # what was kept under the current token, or None


def look_up(
    request: HttpRequest,
    kind: str = "forum-rows",
    *,
    allowed: frozenset[str] = frozenset({"page", "tag"}),
    keyed: tuple[str, ...] = ("page", "tag"),
    path: str | None = None,
) -> Lookup:
    """First thing in the view, before the assembly and its protocol are read: a write that
    lands after this renews the token, so a list made from its state is not used again.
    Only addresses whose query names nothing but `allowed`, each once and short, with a page
    number of at most four digits, are kept, so that made-up addresses cannot fill the
    cache; what is kept differs by the `keyed` ones (a thread's `?quote=` changes the reply
    form, not the posts). `path`: the page's own address, where the request's may be spelt
    otherwise (a thread's number with leading zeros)."""
    query = request.GET
    page = query.get("page", "1")
    canonical = (
        set(query) <= allowed
        and all(len(query.getlist(name)) == 1 for name in query)
        # One spelling of each page: ASCII digits, no leading zero.
        and page.isascii()
        and page.isdigit()
        and not page.startswith("0")
        and len(page) <= 4
        and all(len(query[name]) <= 100 for name in query)
    )
    key = None
    if canonical:
        address = "|".join(
            [
                get_language() or "",
                timezone.get_current_timezone_name(),
                path or request.path,
                page,
                *(query.get(name, "") for name in keyed if name != "page"),
            ]
        )
        key = f"folkmoot:{kind}:" + hashlib.sha256(address.encode()).hexdigest()
    token, kept = THREADS.read(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == token:
        return Lookup(key, token, kept[1])
    return Lookup(key, token, None)


def store(lookup: Lookup, value: Any) -> None:
    """Keep `value` under the token read before what it was made from."""
    if lookup.key is not None:
        cache.set(lookup.key, (lookup.token, value), MAX_AGE_SECONDS)


def kept_rows(lookup: Lookup, render: Callable[[], str], *, keep: bool = True) -> str:
    """The list, kept or made by `render` (and kept, unless `keep` is false: a tag the forum
    does not have)."""
    if isinstance(lookup.kept, str):
        return lookup.kept
    rows = render()  # a SafeString stays one through the cache's pickling
    if keep:
        store(lookup, rows)
    return rows
