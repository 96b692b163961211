"""Reads for forums, each a fixed number of queries however many threads and posts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.governance.archival import boundaries, thread_placement
from folkmoot.governance.protocol import Protocol
from folkmoot.statements import Ids, Statement

from .models import Post, Reaction, Thread


def in_forum(protocol: Protocol, forum_key: str, now: datetime) -> Q:
    """The threads that are in `forum_key` now: moved there by a person, or placed there by
    the protocol's archival rule (FOR-3) — the same instants as `thread_placement`."""
    moved_here = Q(moved_to=forum_key)
    archivable = [k for k, f in protocol.forums.items() if f.archivable]
    b = boundaries(protocol, now)
    by_time = Q(moved_to="")
    if b is None or protocol.archival is None:
        return moved_here | (by_time & Q(forum_key=forum_key))
    trash = Q(
        forum_key__in=archivable,
        created_at__lte=b.trash_created_before,
        last_activity_at__lte=b.trash_quiet_before,
    )
    history = Q(forum_key__in=archivable, last_activity_at__lte=b.history_quiet_before) & ~trash
    # FOR-3: threads opened in a forum that keeps them a while (History: polls' results).
    expired = Q(pk__in=[])
    for key, f in protocol.forums.items():
        if f.expires_after_days is not None:
            expired |= Q(forum_key=key, created_at__lte=now - timedelta(days=f.expires_after_days))
    if forum_key == protocol.archival.trash_forum:
        return moved_here | (by_time & (trash | expired | Q(forum_key=forum_key)))
    if forum_key == protocol.archival.history_forum:
        return moved_here | (by_time & ((history | Q(forum_key=forum_key)) & ~expired))
    return moved_here | (by_time & Q(forum_key=forum_key) & ~trash & ~history & ~expired)


def place_of(protocol: Protocol, thread: Thread, now: datetime | None = None) -> str:
    if thread.moved_to:
        return thread.moved_to
    if thread.forum_key not in protocol.forums:  # a forum the protocol no longer declares
        return thread.forum_key
    return thread_placement(
        protocol,
        thread.forum_key,
        created_at=thread.created_at,
        last_activity=thread.last_activity_at,
        now=now or timezone.now(),
    ).forum


def threads_in(
    assembly: Assembly, protocol: Protocol, forum_key: str, tag: str | None = None
) -> QuerySet[Thread]:
    """The threads in a forum now, pinned first, then by last activity: a bare, indexed list
    to paginate. `with_counts` then adds replies and +1/−1 to the page shown only, so a page
    costs the same whether the forum holds fifty threads or fifty thousand."""
    threads = (
        Thread.objects.filter(assembly=assembly)
        .filter(in_forum(protocol, forum_key, timezone.now()))
        .select_related("author")  # for the page's rows; the paginator's COUNT leaves it out
        .order_by("-pinned", "-last_activity_at", "-pk")
    )
    return threads.filter(tag=tag) if tag else threads


def with_counts(page: Iterable[Thread]) -> list[Thread]:
    """The page's threads, in page order, with `posts_count` (visible posts) and the opening
    post's `plus` and `minus`: two grouped queries over the page's ids (issue 11), where a
    correlated subquery per row and per count used to run."""
    threads = list(page)
    ids = [t.pk for t in threads]
    posts = _posts_per_thread(ids)
    reactions = _reactions_per_post([opening for _visible, opening in posts.values()])
    for thread in threads:
        visible, opening = posts.get(thread.pk, (0, None))
        counts = reactions.get(opening, {}) if opening is not None else {}
        thread.posts_count = visible  # type: ignore[attr-defined]
        thread.plus = counts.get(1, 0)  # type: ignore[attr-defined]
        thread.minus = counts.get(-1, 0)  # type: ignore[attr-defined]
    return threads


# A forum page's threads (forums/views.py).
THREADS_PER_PAGE = 25


def _posts_per_thread_query(_variant: None, *, ids: list[int]) -> QuerySet[Post, Any]:
    by_thread = [F("thread_id")]
    return (
        Post.objects.filter(thread_id__in=ids)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=by_thread,
                order_by=[F("created_at").asc(), F("id").asc()],
            ),
            visible=Window(Count("id", filter=Q(trashed_at__isnull=True)), partition_by=by_thread),
        )
        .filter(place=1)
        .values_list("thread_id", "visible", "id")
    )


def _reactions_per_post_query(_variant: None, *, ids: list[int]) -> QuerySet[Reaction, Any]:
    return (
        Reaction.objects.filter(post_id__in=ids)
        .values("post_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )


# A forum page's two counts, compiled once (issue 11): building the window functions took
# two milliseconds, twice what PostgreSQL takes to run them.
_POSTS_PER_THREAD = Statement(Post, _posts_per_thread_query, ids=Ids(THREADS_PER_PAGE))
_REACTIONS_PER_POST = Statement(Reaction, _reactions_per_post_query, ids=Ids(THREADS_PER_PAGE))


def _run_for_page(statement: Statement[Any], build: Any, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    if len(ids) <= THREADS_PER_PAGE:
        return statement.run(ids=ids)
    return list(build(None, ids=ids))


def _posts_per_thread(ids: list[int]) -> dict[int, tuple[int, int]]:
    """thread id → (visible posts, opening post id), in one query: the opening post is the
    first by (created_at, id), the row a window numbers 1 in its thread."""
    rows = _run_for_page(_POSTS_PER_THREAD, _posts_per_thread_query, ids)
    return {thread_id: (visible, opening) for thread_id, visible, opening in rows}


def _reactions_per_post(post_ids: list[int]) -> dict[int, dict[int, int]]:
    """post id → {+1: n, −1: n}, in one grouped query."""
    out: dict[int, dict[int, int]] = {}
    for row in _run_for_page(_REACTIONS_PER_POST, _reactions_per_post_query, post_ids):
        out.setdefault(row["post_id"], {})[row["value"]] = row["n"]
    return out


# A page of a thread (issue 11): what a phone shows in a few screens, and what a signed-in
# page renders with every post's controls. The API's pages are larger (forums/api.py).
POSTS_PER_PAGE = 20


def page_of(post: Post) -> int:
    """The page of its thread on which `post` shows (posts in `posts_of` order): the posts
    written before it, by (created_at, id), over the page size."""
    before = Post.objects.filter(thread_id=post.thread_id).filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, id__lt=post.pk)
    )
    return before.count() // POSTS_PER_PAGE + 1


def posts_of(thread: Thread) -> QuerySet[Post]:
    """A thread's posts in order: a bare list to paginate (its COUNT joins nothing);
    `reactions_of` then counts the reactions of the page shown only (issue 11)."""
    return thread.posts.select_related("author", "quote_of", "quote_of__author").order_by(
        "created_at", "id"
    )


def _posts_page(page: int, *, thread: int) -> QuerySet[Post]:
    start = page * POSTS_PER_PAGE
    return (
        Post.objects.filter(thread_id=thread)
        .select_related("author", "quote_of", "quote_of__author")
        .order_by("created_at", "id")[start : start + POSTS_PER_PAGE]
    )


def _post_count(_variant: None, *, thread: int) -> QuerySet[Post, Any]:
    return (
        Post.objects.filter(thread_id=thread)
        .values("thread_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
        .order_by()
    )


# A thread page's two reads, compiled once (issue 11): the count, and each of the first
# COMPILED_PAGES pages (a page's LIMIT and OFFSET are part of its SQL); later pages, read
# more rarely, are built each time, so the compiled pages stay few.
COMPILED_PAGES = 10
_POSTS_PAGE = Statement(Post, _posts_page, thread=int)
_POST_COUNT = Statement(Post, _post_count, thread=int)


class PagedPosts:
    """A thread's posts in `posts_of` order as a Paginator reads them: their count, then
    one page (a slice of POSTS_PER_PAGE from a page's start)."""

    def __init__(self, thread: Thread) -> None:
        self.thread = thread

    def count(self) -> int:
        found = _POST_COUNT.run(thread=self.thread.pk)
        return found[0] if found else 0

    def __getitem__(self, which: slice) -> list[Post]:
        start, stop = which.start or 0, which.stop
        page, offset = divmod(start, POSTS_PER_PAGE)
        if offset == 0 and stop == start + POSTS_PER_PAGE and page < COMPILED_PAGES:
            posts = _POSTS_PAGE.run(page, thread=self.thread.pk)
            for post in posts:
                post.thread = self.thread  # as the thread's related manager gives them
            return posts
        return list(posts_of(self.thread)[which])


def office_support(post: Post) -> dict[str, int]:
    """FOR-4: "+1 as <office>" counts per office; only these count as an office's support."""
    rows = (
        Reaction.objects.filter(post=post, value=1)
        .exclude(as_office="")
        .values("as_office")
        .annotate(n=Count("pk"))
    )
    return {r["as_office"]: r["n"] for r in rows}


@dataclass(frozen=True)
class Reactions:
    plus: int = 0
    minus: int = 0
    offices: dict[str, int] = field(default_factory=dict)  # FOR-4: "+1 as <office>" per office
    # The viewer's own reaction in each capacity ("" for themselves, else the office): +1/−1.
    mine: dict[str, int] = field(default_factory=dict)


def _reactions(_variant: None, *, viewer: int, posts: list[int]) -> QuerySet[Reaction, Any]:
    # A visitor is viewer 0, whom no reaction names.
    return (
        Reaction.objects.filter(post_id__in=posts)
        .values("post_id", "value", "as_office")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(user_id=viewer)))
        .order_by()
    )


_REACTIONS = Statement(Reaction, _reactions, viewer=int, posts=Ids(POSTS_PER_PAGE))


def _own(_variant: None, *, viewer: int, posts: list[int]) -> QuerySet[Reaction, Any]:
    return Reaction.objects.filter(user_id=viewer, post_id__in=posts).values_list(
        "post_id", "as_office", "value"
    )


_OWN = Statement(Reaction, _own, viewer=int, posts=Ids(POSTS_PER_PAGE))


def own_reactions(post_ids: list[int], viewer_id: int | None) -> dict[int, dict[str, int]]:
    """post id → the viewer's own reactions to it, in each capacity ("" for themselves, else
    the office): +1/−1. What a kept thread page (thread_posts.py) reads for each reader."""
    if viewer_id is None or not post_ids:
        return {}
    if len(post_ids) <= POSTS_PER_PAGE:
        rows = _OWN.run(viewer=viewer_id, posts=post_ids)
    else:
        rows = list(_own(None, viewer=viewer_id, posts=post_ids))
    mine: dict[int, dict[str, int]] = {}
    for post_id, office, value in rows:
        mine.setdefault(post_id, {})[office] = value
    return mine


def reactions_of(post_ids: list[int], viewer_id: int | None = None) -> dict[int, Reactions]:
    """post id → its +1s and −1s (every one, as in FOR-1), its "+1 as <office>" per office,
    and the viewer's own reactions (so a button can say it is pressed), in one grouped query
    over the page's posts."""
    counts: dict[int, dict[tuple[int, str], int]] = {}
    mine: dict[int, dict[str, int]] = {}
    if not post_ids:
        return {}
    if len(post_ids) <= POSTS_PER_PAGE:
        # A thread page's posts: compiled once (issue 11).
        rows = _REACTIONS.run(viewer=viewer_id or 0, posts=post_ids)
    else:
        rows = list(_reactions(None, viewer=viewer_id or 0, posts=post_ids))
    for row in rows:
        counts.setdefault(row["post_id"], {})[row["value"], row["as_office"]] = row["n"]
        if viewer_id is not None and row["mine"]:
            mine.setdefault(row["post_id"], {})[row["as_office"]] = row["value"]
    return {
        pk: Reactions(
            plus=sum(n for (value, _office), n in rows.items() if value == 1),
            minus=sum(n for (value, _office), n in rows.items() if value == -1),
            offices={office: n for (value, office), n in rows.items() if value == 1 and office},
            mine=mine.get(pk, {}),
        )
        for pk, rows in counts.items()
    }


def search(
    assembly: Assembly, protocol: Protocol, readable: list[str], query: str
) -> QuerySet[Thread]:
    """Threads in the forums this reader may read (`readable`, asked of the core) whose
    title or visible posts match. PostgreSQL ranks with full-text search; elsewhere a plain
    case-insensitive match. A forum the reader may not read never contributes a thread."""
    now = timezone.now()
    where = Q(pk__in=[])
    for key in readable:
        where |= in_forum(protocol, key, now)
    threads = Thread.objects.filter(assembly=assembly).filter(where).select_related("author")
    terms = query.strip()
    if not terms:
        return threads.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A") + SearchVector("posts__body", weight="B")
        wanted = SearchQuery(terms, search_type="websearch")
        matching = (
            Thread.objects.filter(assembly=assembly, posts__trashed_at__isnull=True)
            .annotate(document=vector)
            .filter(document=wanted)
            .values("pk")
        )
        return (
            threads.filter(pk__in=matching)
            .annotate(rank=SearchRank(SearchVector("title"), wanted))
            .order_by("-rank", "-last_activity_at")
        )
    in_posts = Post.objects.filter(
        thread__assembly=assembly, trashed_at__isnull=True, body__icontains=terms
    ).values("thread")
    return threads.filter(Q(title__icontains=terms) | Q(pk__in=in_posts)).order_by(
        "-last_activity_at"
    )
