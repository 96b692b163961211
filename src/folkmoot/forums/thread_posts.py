"""A thread page's posts: each with what its controls need, and kept for signed-in readers
(issue 11).

Visitors share a thread page's whole content for a few seconds (pages/shared.py). A
signed-in reader's posts differ from everyone else's only in their footers: which of the
+1/−1 buttons they already pressed, whether they may reply, edit or report, and a moderator's
forms. Everything above a post's footer (its author, date, quote, text and files; `head` in
post_list) is the same for every reader who is not a moderator, the post's author or a file's
uploader. Those heads, with each post's counts, are kept per address, language and time zone
under the forum pages' token (forums/kept.py, agenda.changes), which every write to threads,
posts, reactions, attachments, people, assemblies and protocols renews: a reply, a +1, an
edit, an upload or moderation shows at once. A kept page is then one query for the reader's
own reactions instead of four (the count, the posts, every reaction, the attachments), and
no post text is cleaned again.

Not used, so written afresh, for a moderator (their forms and the files moderation hid), for
an author or uploader of a post on the page that carries files (they may see their own
hidden ones), and when the thread moved since (by the clock alone, to History)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from folkmoot.governance.audience import has_power
from folkmoot.governance.posting import check_edit
from folkmoot.paths import IdPath, id_path

from . import post_list, selectors
from .actions import ForumContext
from .kept import Lookup, store
from .models import Post


def post_paths(
    slug: str, *, signed_in: bool, may_react: bool, may_moderate: bool
) -> dict[str, IdPath]:
    """The path of each per-post action this viewer's page links to, reversed once per page
    (folkmoot.paths). Which controls show is still decided per post by the core's
    answers (`may_reply`, `check_edit`, the moderate power); the actions check again."""
    names = ["history"]
    names += ["react"] if may_react else []
    names += ["edit", "report"] if signed_in else []
    names += ["trash", "restore"] if may_moderate else []
    return {name: id_path(f"post-{name}", slug) for name in names}


def paths_of(paths: dict[str, IdPath], pk: int) -> dict[str, str]:
    """The same paths for post `pk`: the same as reversing them, without the resolver."""
    return {name: path(pk) for name, path in paths.items()}


@dataclass(frozen=True)
class KeptPost:
    """What every reader who is not a moderator, its author or an uploader sees of a post."""

    pk: int
    author_id: int | None
    created_at: datetime  # for the reader's edit window
    head: SafeString
    plus: int
    minus: int
    supports: dict[str, int]  # FOR-4: office name → "+1 as <office>"


@dataclass(frozen=True)
class KeptPage:
    place: str  # the forum the thread was in: moved since, the page is made again
    origin_readable: bool  # whether files show (attachments.things.reads_where_written)
    count: int  # the thread's posts, for the pages
    number: int  # the page shown
    posts: tuple[KeptPost, ...]
    # Authors of posts with files, and the files' uploaders: they may see them otherwise.
    seen_otherwise_by: frozenset[int]


@dataclass(frozen=True)
class Posts:
    page: Page[Any]
    html: SafeString


def posts_of_page(
    request: Any,
    ctx: ForumContext,
    thread: Any,
    place: str,
    controls: post_list.Controls,
    lookup: Lookup | None,
) -> Posts:
    """The page of posts the address asks for, with their controls, kept or written."""
    viewer_id = getattr(request.user, "pk", None)
    paths = post_paths(
        ctx.assembly.slug,
        signed_in=viewer_id is not None,
        may_react=controls.may_reply,
        may_moderate=controls.may_moderate,
    )
    # Imported here: attachments sit above forums.
    from folkmoot.attachments.things import reads_where_written

    origin_readable = reads_where_written(ctx, thread, place)
    kept = lookup.kept if lookup is not None else None
    if (
        isinstance(kept, KeptPage)
        and not controls.may_moderate
        and kept.place == place
        and kept.origin_readable == origin_readable
        and viewer_id not in kept.seen_otherwise_by
    ):
        rows = _rows_from_kept(ctx, place, kept, viewer_id, paths)
        html, _heads = post_list.posts_html(
            rows, controls, request, heads=[post.head for post in kept.posts]
        )
        return Posts(Paginator(range(kept.count), selectors.POSTS_PER_PAGE).page(kept.number), html)
    # Django's Paginator asks an object list for its count() and one slice, no more.
    paged: Any = selectors.PagedPosts(thread)
    page = Paginator(paged, selectors.POSTS_PER_PAGE).get_page(request.GET.get("page"))
    rows, seen_otherwise_by = _rows(ctx, place, list(page), viewer_id, paths, origin_readable)
    html, heads = post_list.posts_html(rows, controls, request)
    if lookup is not None and not controls.may_moderate and viewer_id not in seen_otherwise_by:
        store(
            lookup,
            KeptPage(
                place=place,
                origin_readable=origin_readable,
                count=page.paginator.count,
                number=page.number,
                posts=tuple(
                    KeptPost(
                        pk=row["post"].pk,
                        author_id=row["post"].author_id,
                        created_at=row["post"].created_at,
                        head=head,
                        plus=row["reactions"].plus,
                        minus=row["reactions"].minus,
                        supports=row["supports"],
                    )
                    for row, head in zip(rows, heads, strict=True)
                ),
                seen_otherwise_by=frozenset(seen_otherwise_by),
            ),
        )
    return Posts(page, html)


def _rows(
    ctx: ForumContext,
    place: str,
    posts: list[Post],
    viewer_id: int | None,
    paths: dict[str, IdPath],
    origin_readable: bool,
) -> tuple[list[dict[str, Any]], set[int]]:
    """Each post with what its controls need: its action paths, office support, and whether
    the viewer may edit or report it; and who may see the page's files otherwise."""
    reactions = selectors.reactions_of([p.pk for p in posts], viewer_id)
    language = get_language() or "en"
    office_names = _office_names(ctx)
    now = timezone.now()
    # FOR-7: each post's images and files, in one query; a post moderation moved to the trash
    # keeps them from readers, as its author and moderators still see them, and a thread
    # moved out of its forum (by time or by moderation) shows them only to those who may read
    # that forum.
    from folkmoot.attachments.selectors import shown_on_page
    from folkmoot.attachments.things import hidden_by_moderation

    sees_trash = origin_readable and has_power(ctx.protocol, ctx.viewer, "moderate")
    # A file moderation hid alone: to its uploader and to moderators, who may show it again.
    attached = shown_on_page(
        "post", [p.pk for p in posts], viewer_id=viewer_id, moderator=sees_trash
    )
    seen_otherwise_by = attached.uploaders | {
        post.author_id for post in posts if post.pk in attached.things
    }
    rows = []
    for post in posts:
        counted = reactions.get(post.pk, selectors.Reactions())
        rows.append(
            {
                "post": post,
                "reactions": counted,
                "supports": {office_names.get(k, k): n for k, n in counted.offices.items()},
                "attachments": attached.shown.get(post.pk, [])
                if sees_trash
                or post.author_id == viewer_id
                or (origin_readable and not hidden_by_moderation(ctx.protocol, post))
                else [],
                "office": ctx.protocol.offices[post.as_office].name.get(language)
                if post.as_office in ctx.protocol.offices
                else post.as_office,
                **_readers_part(
                    ctx,
                    place,
                    post.pk,
                    post.author_id,
                    post.created_at,
                    counted.mine,
                    viewer_id=viewer_id,
                    paths=paths,
                    now=now,
                ),
            }
        )
    return rows, seen_otherwise_by


def _rows_from_kept(
    ctx: ForumContext,
    place: str,
    kept: KeptPage,
    viewer_id: int | None,
    paths: dict[str, IdPath],
) -> list[dict[str, Any]]:
    """The rows a post's footer needs, from a kept page and the reader's own reactions."""
    mine = selectors.own_reactions([post.pk for post in kept.posts], viewer_id)
    now = timezone.now()
    return [
        {
            "post": post,
            "reactions": selectors.Reactions(plus=post.plus, minus=post.minus),
            "supports": post.supports,
            **_readers_part(
                ctx,
                place,
                post.pk,
                post.author_id,
                post.created_at,
                mine.get(post.pk, {}),
                viewer_id=viewer_id,
                paths=paths,
                now=now,
            ),
        }
        for post in kept.posts
    ]


def _readers_part(
    ctx: ForumContext,
    place: str,
    pk: int,
    author_id: int | None,
    created_at: datetime,
    mine: dict[str, int],
    *,
    viewer_id: int | None,
    paths: dict[str, IdPath],
    now: datetime,
) -> dict[str, Any]:
    """What of a post's row is the reader's own."""
    return {
        "paths": paths_of(paths, pk),
        # What the viewer already gave, so each button says whether it is pressed.
        "pressed": {
            "plus": mine.get("") == 1,
            "minus": mine.get("") == -1,
            "offices": {k for k, v in mine.items() if k and v == 1},
        },
        "editable": check_edit(
            ctx.protocol, place, is_author=author_id == viewer_id, written_at=created_at, now=now
        ).allowed,
        "reportable": viewer_id is not None and author_id != viewer_id,
    }


def _office_names(ctx: ForumContext) -> dict[str, str]:
    language = get_language() or "en"
    return {k: (o.plural or o.name).get(language) for k, o in ctx.protocol.offices.items()}


def report_kinds() -> list[tuple[str, str]]:
    return [
        ("spam", _("Report as spam")),
        ("offensive", _("Report as offensive")),
        ("off_topic", _("Report as off topic")),
    ]
