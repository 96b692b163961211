"""Reads for forums, each a fixed number of queries however many threads and posts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.governance.archival import boundaries, thread_placement
from folkmoot.governance.protocol import Protocol

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
    if forum_key == protocol.archival.trash_forum:
        return moved_here | (by_time & (trash | Q(forum_key=forum_key)))
    if forum_key == protocol.archival.history_forum:
        return moved_here | (by_time & (history | Q(forum_key=forum_key)))
    return moved_here | (by_time & Q(forum_key=forum_key) & ~trash & ~history)


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
        .order_by("-pinned", "-last_activity_at", "-pk")
    )
    return threads.filter(tag=tag) if tag else threads


def with_counts(page: Iterable[Thread]) -> list[Thread]:
    """The page's threads with reply counts and the opening post's +1/−1, in page order."""
    ids = [t.pk for t in page]
    opening = (
        Post.objects.filter(thread=OuterRef("pk")).order_by("created_at", "id").values("pk")[:1]
    )

    def reactions(value: int) -> Subquery:
        # OuterRef is the opening post annotated on the thread row.
        return Subquery(
            Reaction.objects.filter(post=OuterRef("opening_post"), value=value)
            .values("post")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        )

    rows = (
        Thread.objects.filter(pk__in=ids)
        .select_related("author")
        .annotate(opening_post=Subquery(opening))
        .annotate(
            posts_count=Count("posts", filter=Q(posts__trashed_at__isnull=True)),
            plus=Coalesce(reactions(1), Value(0)),
            minus=Coalesce(reactions(-1), Value(0)),
        )
    )
    by_id = {t.pk: t for t in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def posts_of(thread: Thread, viewer_id: int | None) -> QuerySet[Post]:
    mine = Reaction.objects.filter(post=OuterRef("pk"), user_id=viewer_id or 0)
    return (
        thread.posts.select_related("author", "quote_of", "quote_of__author")
        .annotate(
            plus=Count("reactions", filter=Q(reactions__value=1), distinct=True),
            minus=Count("reactions", filter=Q(reactions__value=-1), distinct=True),
            revisions_count=Count("revisions", distinct=True),
            reacted=Exists(mine),
        )
        .order_by("created_at", "id")
    )


def office_support(post: Post) -> dict[str, int]:
    """FOR-4: "+1 as <office>" counts per office; only these count as an office's support."""
    rows = (
        Reaction.objects.filter(post=post, value=1)
        .exclude(as_office="")
        .values("as_office")
        .annotate(n=Count("pk"))
    )
    return {r["as_office"]: r["n"] for r in rows}


def reaction_totals(post_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for row in (
        Reaction.objects.filter(post_id__in=post_ids, value=1)
        .exclude(as_office="")
        .values("post_id", "as_office")
        .annotate(n=Sum("value"))
    ):
        out.setdefault(row["post_id"], {})[row["as_office"]] = row["n"]
    return out


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
