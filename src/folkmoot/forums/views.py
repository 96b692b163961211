from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import has_power
from folkmoot.governance.posting import check_edit
from folkmoot.http import Request
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions, selectors
from .forms import PostForm, ThreadForm
from .models import Post, RescueRequest
from .text import quote as quote_text


def _refused(request: Request, refused: Refused, assembly: Any) -> HttpResponse:
    return render(
        request,
        "forums/refused.html",
        {"assembly": assembly, "reasons": refused.messages},
        status=403,
    )


def _offices(ctx: actions.ForumContext) -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [
        (k, ctx.protocol.offices[k].name.get(language))
        for k in sorted(ctx.viewer.offices)
        if k in ctx.protocol.offices
    ]


def _context(request: Request, slug: str) -> actions.ForumContext:
    assembly = assembly_or_404(request, slug)
    try:
        return actions.forum_context(request.user, assembly)
    except NotFound as missing:
        raise Http404(_("This assembly has no forums.")) from missing


def forum_index(request: Request, slug: str) -> HttpResponse:
    ctx = _context(request, slug)
    language = get_language() or "en"
    forums = [
        {
            "key": key,
            "name": forum.name.get(language),
            "description": forum.description.get(language) if forum.description else "",
            "read": ctx.may(key, "read"),
            "open": ctx.may(key, "open_thread"),
        }
        for key, forum in ctx.protocol.forums.items()
    ]
    return render(request, "forums/index.html", {"assembly": ctx.assembly, "forums": forums})


def forum_search(request: Request, slug: str) -> HttpResponse:
    ctx = _context(request, slug)
    query = request.GET.get("q", "")[:200]
    readable = [k for k in ctx.protocol.forums if ctx.may(k, "read")]
    found = selectors.search(ctx.assembly, ctx.protocol, readable, query)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    now = timezone.now()
    language = get_language() or "en"
    rows = [
        {
            "thread": t,
            "forum": ctx.protocol.forums[place].name.get(language)
            if (place := selectors.place_of(ctx.protocol, t, now)) in ctx.protocol.forums
            else place,
        }
        for t in page
    ]
    return render(
        request,
        "forums/search.html",
        {"assembly": ctx.assembly, "q": query, "page_obj": page, "rows": rows},
    )


def forum_page(request: Request, slug: str, key: str) -> HttpResponse:
    ctx = _context(request, slug)
    try:
        actions.access_forum(ctx, key)
    except NotFound as missing:
        raise Http404(_("No such forum.")) from missing
    except Refused as refused:
        return _refused(request, refused, ctx.assembly)
    forum = ctx.protocol.forums[key]
    tag = request.GET.get("tag") or None
    page = Paginator(selectors.threads_in(ctx.assembly, ctx.protocol, key, tag), 25).get_page(
        request.GET.get("page")
    )
    may_open = ctx.may(key, "open_thread")
    return render(
        request,
        "forums/forum.html",
        {
            "assembly": ctx.assembly,
            "key": key,
            "forum": forum,
            "name": forum.name.get(get_language() or "en"),
            "page_obj": page,
            "threads": selectors.with_counts(page),
            "tag": tag,
            "may_open": may_open.allowed,
            "open_reasons": reasons_text(may_open),
        },
    )


@login_required
def thread_new(request: Request, slug: str, key: str) -> HttpResponse:
    ctx = _context(request, slug)
    if key not in ctx.protocol.forums:
        raise Http404(_("No such forum."))
    forum = ctx.protocol.forums[key]
    form = ThreadForm(
        request.POST or None,
        offices=_offices(ctx),
        tags=forum.tags,
        tag_required=forum.tag_required,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            thread = actions.check_open_thread(
                ctx,
                request.user,
                key,
                title=form.cleaned_data["title"],
                tag=form.cleaned_data.get("tag") or "",
                body=form.cleaned_data["body"],
                as_office=form.cleaned_data.get("as_office") or "",
            )
        except Refused as refused:
            problems = refused.messages
        else:
            return redirect("thread", ctx.assembly.slug, thread.pk)
    elif request.method == "GET":
        refusal = ctx.may(key, "open_thread")
        if not refusal:
            return _refused(request, Refused(refusal), ctx.assembly)
    return render(
        request,
        "forums/new.html",
        {
            "assembly": ctx.assembly,
            "key": key,
            "name": forum.name.get(get_language() or "en"),
            "form": form,
            "problems": problems,
        },
    )


def _thread(request: Request, thread_id: int) -> tuple[actions.ForumContext, Any, str]:
    """The thread and the forum it is in now; raises Refused when the reader may not read it."""
    try:
        return actions.access_thread(request.user, thread_id)
    except NotFound as missing:
        raise Http404(_("No such thread.")) from missing


def thread_page(request: Request, slug: str, pk: int) -> HttpResponse:
    try:
        ctx, thread, place = _thread(request, pk)
    except Refused as refused:
        return _refused(request, refused, assembly_or_404(request, slug))
    if thread.assembly.slug != slug:
        return redirect("thread", thread.assembly.slug, thread.pk)
    posts = Paginator(selectors.posts_of(thread, getattr(request.user, "pk", None)), 50).get_page(
        request.GET.get("page")
    )
    supports = selectors.reaction_totals([p.pk for p in posts])
    language = get_language() or "en"
    office_names = {k: (o.plural or o.name).get(language) for k, o in ctx.protocol.offices.items()}
    may_reply = ctx.may(place, "reply") if place in ctx.protocol.forums else None
    quote = None
    if request.GET.get("quote"):
        quote = thread.posts.filter(pk=request.GET["quote"]).select_related("author").first()
    initial = {"body": quote_text(str(quote.author), quote.body)} if quote else None
    now = timezone.now()
    viewer_id = getattr(request.user, "pk", None)
    rows = [
        {
            "post": post,
            "supports": {office_names.get(k, k): n for k, n in supports.get(post.pk, {}).items()},
            "editable": check_edit(
                ctx.protocol,
                place,
                is_author=post.author_id == viewer_id,
                written_at=post.created_at,
                now=now,
            ).allowed,
            "office": ctx.protocol.offices[post.as_office].name.get(language)
            if post.as_office in ctx.protocol.offices
            else post.as_office,
        }
        for post in posts
    ]
    return render(
        request,
        "forums/thread.html",
        {
            "assembly": ctx.assembly,
            "thread": thread,
            "place": place,
            "place_name": ctx.protocol.forums[place].name.get(language)
            if place in ctx.protocol.forums
            else place,
            "page_obj": posts,
            "rows": rows,
            "may_moderate": has_power(ctx.protocol, ctx.viewer, "moderate"),
            "archived_by_time": bool(
                ctx.protocol.archival
                and not thread.moved_to
                and place
                in (ctx.protocol.archival.history_forum, ctx.protocol.archival.trash_forum)
                and place != thread.forum_key
            ),
            "moderation_minutes": (
                (
                    ctx.protocol.sanctions.moderation.min_minutes,
                    ctx.protocol.sanctions.moderation.max_minutes,
                )
                if ctx.protocol.sanctions
                else (0, 0)
            ),
            "may_reply": bool(may_reply),
            "reply_reasons": reasons_text(may_reply) if may_reply is not None else [],
            "form": PostForm(initial=initial, offices=_offices(ctx)),
            "quote": quote,
            "offices": _offices(ctx),
        },
    )


@login_required
@require_POST
def thread_reply(request: Request, slug: str, pk: int) -> HttpResponse:
    try:
        ctx, thread, place = _thread(request, pk)
    except Refused as refused:
        return _refused(request, refused, assembly_or_404(request, slug))
    form = PostForm(request.POST, offices=_offices(ctx))
    if not form.is_valid():
        messages.error(request, _("Write something first."))
        return redirect("thread", thread.assembly.slug, thread.pk)
    quote = thread.posts.filter(pk=request.POST.get("quote") or 0).first()
    try:
        actions.check_reply(
            ctx,
            request.user,
            thread,
            place,
            body=form.cleaned_data["body"],
            as_office=form.cleaned_data.get("as_office") or "",
            quote=quote,
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    return redirect(thread_url(thread) + "?page=last#reply")


def _post(request: Request, pk: int) -> tuple[actions.ForumContext, Post, str]:
    post = Post.objects.select_related("thread", "thread__assembly", "author").filter(pk=pk).first()
    if post is None:
        raise Http404(_("No such post."))
    try:
        ctx, _thread_obj, place = _thread(request, post.thread_id)
    except Refused as refused:
        raise Http404(" ".join(refused.messages)) from refused
    return ctx, post, place


def thread_url(thread: Any) -> str:
    return reverse("thread", args=[thread.assembly.slug, thread.pk])


@login_required
@require_POST
def post_react(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx, post, place = _post(request, pk)
    try:
        value = int(request.POST.get("value", "0"))
        actions.check_react(
            ctx, request.user, post, place, value=value, as_office=request.POST.get("as_office", "")
        )
    except ValueError:
        messages.error(request, _("A reaction is +1 or −1."))
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    return redirect(thread_url(post.thread) + f"#post-{post.pk}")


@login_required
def post_edit(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx, post, place = _post(request, pk)
    form = PostForm(request.POST or None, initial={"body": post.body})
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_edit_post(ctx, request.user, post, place, body=form.cleaned_data["body"])
        except Refused as refused:
            problems = refused.messages
        else:
            return redirect(thread_url(post.thread) + f"#post-{post.pk}")
    return render(
        request,
        "forums/edit.html",
        {"assembly": ctx.assembly, "post": post, "form": form, "problems": problems},
    )


def post_history(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx, post, _place = _post(request, pk)
    return render(
        request,
        "forums/history.html",
        {"assembly": ctx.assembly, "post": post, "revisions": post.revisions.all()},
    )


@login_required
@require_POST
def thread_rescue(request: Request, slug: str, pk: int) -> HttpResponse:
    try:
        ctx, thread, place = _thread(request, pk)
        actions.check_request_rescue(
            ctx, request.user, thread, place, text=request.POST.get("text", "")
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Your request has been sent to coordination."))
    return redirect("thread", slug, pk)


@login_required
@require_POST
def rescue_decide(request: Request, slug: str, pk: int) -> HttpResponse:
    ctx = _context(request, slug)
    rescue = (
        RescueRequest.objects.select_related("thread", "thread__assembly")
        .filter(pk=pk, thread__assembly=ctx.assembly)
        .first()
    )
    if rescue is None:
        raise Http404(_("No such request."))
    try:
        actions.check_decide_rescue(
            ctx, request.user, rescue, accept=request.POST.get("decision") == "accept"
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    return redirect("moderation", slug)
