"""Forums through the API: the same actions and the same refusals as the pages (UI-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Router, Schema
from ninja import Status as Reply

from folkmoot.api.auth import OPTIONAL, REQUIRED
from folkmoot.federation.actions import access_assembly
from folkmoot.refusals import NotFound, reasons_text

from . import actions, selectors
from .models import Post, RescueRequest, Thread

router = Router(tags=["forums"])


class Permission(Schema):
    allowed: bool
    reasons: list[str]


class ForumOut(Schema):
    key: str
    name: str
    tags: list[str]
    tag_required: bool
    read: Permission
    open_thread: Permission
    reply: Permission


class ThreadOut(Schema):
    id: int
    title: str
    tag: str
    forum: str
    author: str
    author_id: str = Field(description="the author's public id")
    as_office: str
    pinned: bool
    created_at: datetime
    last_activity_at: datetime
    replies: int | None = None
    plus: int | None = None
    minus: int | None = None


class ThreadPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ThreadOut]


class PostOut(Schema):
    id: int
    author: str
    author_id: str = Field(description="the author's public id")
    as_office: str
    body: str
    html: str
    created_at: datetime
    edited_at: datetime | None
    quote_of: int | None
    plus: int
    minus: int
    office_support: dict[str, int]


class ThreadDetail(ThreadOut):
    posts: list[PostOut]
    page: int
    pages: int


class ThreadIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    tag: str = Field("", max_length=44)
    body: str = Field(min_length=1, max_length=20_000)
    as_office: str = Field("", max_length=40)


class PostIn(Schema):
    body: str = Field(min_length=1, max_length=20_000)
    as_office: str = Field("", max_length=40)
    quote: int | None = None


class EditIn(Schema):
    body: str = Field(min_length=1, max_length=20_000)


class ReactionIn(Schema):
    value: Literal[1, -1]
    as_office: str = Field("", max_length=40)


class ReactionOut(Schema):
    value: int | None


def _permission(answer: Any) -> dict[str, Any]:
    return {"allowed": answer.allowed, "reasons": reasons_text(answer)}


def _thread(thread: Thread, place: str) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "title": thread.title,
        "tag": thread.tag,
        "forum": place,
        "author": str(thread.author),
        "author_id": thread.author.public_id,
        "as_office": thread.as_office,
        "pinned": thread.pinned,
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "replies": getattr(thread, "posts_count", 1) - 1,
        "plus": getattr(thread, "plus", None),
        "minus": getattr(thread, "minus", None),
    }


@router.get(
    "/assemblies/{key}/forums",
    response=list[ForumOut],
    auth=OPTIONAL,
    summary="The assembly's forums and what I may do in each",
)
def list_forums(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    ctx = actions.forum_context(request.user, access_assembly(request.user, key))
    language = get_language() or "en"
    return [
        {
            "key": k,
            "name": f.name.get(language),
            "tags": f.tags,
            "tag_required": f.tag_required,
            "read": _permission(ctx.may(k, "read")),
            "open_thread": _permission(ctx.may(k, "open_thread")),
            "reply": _permission(ctx.may(k, "reply")),
        }
        for k, f in ctx.protocol.forums.items()
    ]


@router.get(
    "/assemblies/{key}/forums/search",
    response=ThreadPage,
    auth=OPTIONAL,
    summary="Search the forums I may read",
)
def search_threads(request: HttpRequest, key: str, q: str, page: int = 1) -> dict[str, Any]:
    ctx = actions.forum_context(request.user, access_assembly(request.user, key))
    readable = [k for k in ctx.protocol.forums if ctx.may(k, "read")]
    paginator = Paginator(selectors.search(ctx.assembly, ctx.protocol, readable, q[:200]), 25)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [_thread(t, selectors.place_of(ctx.protocol, t)) for t in current],
    }


@router.get(
    "/assemblies/{key}/forums/{forum}/threads",
    response=ThreadPage,
    auth=OPTIONAL,
    summary="Threads in a forum",
)
def list_threads(
    request: HttpRequest, key: str, forum: str, tag: str | None = None, page: int = 1
) -> dict[str, Any]:
    ctx = actions.forum_context(request.user, access_assembly(request.user, key))
    actions.access_forum(ctx, forum)
    paginator = Paginator(selectors.threads_in(ctx.assembly, ctx.protocol, forum, tag), 25)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "items": [_thread(t, forum) for t in selectors.with_counts(current)],
    }


@router.post(
    "/assemblies/{key}/forums/{forum}/threads",
    response={201: ThreadOut},
    auth=REQUIRED,
    summary="Open a thread",
)
def open_thread(
    request: HttpRequest, key: str, forum: str, payload: ThreadIn
) -> Reply[dict[str, Any]]:
    ctx = actions.forum_context(request.user, access_assembly(request.user, key))
    thread = actions.check_open_thread(
        ctx,
        request.user,
        forum,
        title=payload.title,
        tag=payload.tag,
        body=payload.body,
        as_office=payload.as_office,
    )
    return Reply(201, _thread(thread, forum))


def _posts(
    thread: Thread, viewer_id: int | None, page: int
) -> tuple[list[dict[str, Any]], int, int]:
    paginator = Paginator(selectors.posts_of(thread), 50)
    current = paginator.get_page(page)
    reactions = selectors.reactions_of([p.pk for p in current])
    rows = [
        {
            "id": p.pk,
            "author": str(p.author),
            "author_id": p.author.public_id,
            "as_office": p.as_office,
            "body": p.body,
            "html": p.body_html,
            "created_at": p.created_at,
            "edited_at": p.edited_at,
            "quote_of": p.quote_of_id,
            "plus": (counted := reactions.get(p.pk, selectors.Reactions())).plus,
            "minus": counted.minus,
            "office_support": counted.offices,
        }
        for p in current
    ]
    return rows, current.number, paginator.num_pages


@router.get(
    "/threads/{thread_id}", response=ThreadDetail, auth=OPTIONAL, summary="A thread and its posts"
)
def read_thread(request: HttpRequest, thread_id: int, page: int = 1) -> dict[str, Any]:
    _ctx, thread, place = actions.access_thread(request.user, thread_id)
    posts, number, pages = _posts(thread, getattr(request.user, "pk", None), page)
    return {
        **_thread(thread, place),
        "posts": posts,
        "page": number,
        "pages": pages,
        "replies": None,
    }


@router.post("/threads/{thread_id}/posts", response={201: PostOut}, auth=REQUIRED, summary="Reply")
def reply(request: HttpRequest, thread_id: int, payload: PostIn) -> Reply[dict[str, Any]]:
    ctx, thread, place = actions.access_thread(request.user, thread_id)
    quote = thread.posts.filter(pk=payload.quote).first() if payload.quote else None
    post = actions.check_reply(
        ctx,
        request.user,
        thread,
        place,
        body=payload.body,
        as_office=payload.as_office,
        quote=quote,
    )
    return Reply(201, _post(post))


def _post(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "author": str(post.author),
        "author_id": post.author.public_id,
        "as_office": post.as_office,
        "body": post.body,
        "html": post.body_html,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "quote_of": post.quote_of_id,
        "plus": 0,
        "minus": 0,
        "office_support": selectors.office_support(post),
    }


def _access_post(request: HttpRequest, post_id: int) -> tuple[actions.ForumContext, Post, str]:
    post = Post.objects.select_related("thread", "author").filter(pk=post_id).first()
    if post is None:
        raise NotFound(post_id)
    ctx, _thread_obj, place = actions.access_thread(request.user, post.thread_id)
    return ctx, post, place


@router.patch(
    "/posts/{post_id}",
    response=PostOut,
    auth=REQUIRED,
    summary="Edit my post (the old text is kept)",
)
def edit_post(request: HttpRequest, post_id: int, payload: EditIn) -> dict[str, Any]:
    ctx, post, place = _access_post(request, post_id)
    return _post(actions.check_edit_post(ctx, request.user, post, place, body=payload.body))


@router.post(
    "/posts/{post_id}/reactions",
    response=ReactionOut,
    auth=REQUIRED,
    summary="+1 or −1, as myself or as an office I hold",
)
def react(request: HttpRequest, post_id: int, payload: ReactionIn) -> dict[str, Any]:
    ctx, post, place = _access_post(request, post_id)
    reaction = actions.check_react(
        ctx, request.user, post, place, value=payload.value, as_office=payload.as_office
    )
    return {"value": reaction.value if reaction else None}


class RescueIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class RescueDecisionIn(Schema):
    decision: Literal["accept", "reject"]


class RescueOut(Schema):
    id: int
    thread: int
    accepted: bool | None


@router.post(
    "/threads/{thread_id}/rescue",
    response={201: RescueOut},
    auth=REQUIRED,
    summary="Ask for an archived thread back",
)
def request_rescue(
    request: HttpRequest, thread_id: int, payload: RescueIn
) -> Reply[dict[str, Any]]:
    ctx, thread, place = actions.access_thread(request.user, thread_id)
    rescue = actions.check_request_rescue(ctx, request.user, thread, place, text=payload.text)
    return Reply(201, {"id": rescue.pk, "thread": thread.pk, "accepted": None})


@router.post(
    "/rescues/{rescue_id}/decision",
    response=RescueOut,
    auth=REQUIRED,
    summary="Coordination decides on a rescue",
)
def decide_rescue(
    request: HttpRequest, rescue_id: int, payload: RescueDecisionIn
) -> dict[str, Any]:
    rescue = (
        RescueRequest.objects.select_related("thread", "thread__assembly")
        .filter(pk=rescue_id)
        .first()
    )
    if rescue is None:
        raise NotFound(rescue_id)
    ctx = actions.forum_context(
        request.user, access_assembly(request.user, rescue.thread.assembly.slug)
    )
    decided = actions.check_decide_rescue(
        ctx, request.user, rescue, accept=payload.decision == "accept"
    )
    return {"id": decided.pk, "thread": decided.thread_id, "accepted": decided.accepted}
