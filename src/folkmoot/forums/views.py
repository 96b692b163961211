from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.federation.views import assembly_or_404
from folkmoot.governance.audience import has_power
from folkmoot.http import Request
from folkmoot.listdates import short_datetime
from folkmoot.notifications.reading import seen_in_thread
from folkmoot.pages.shared import anonymous_content
from folkmoot.paths import id_path
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions, post_list, selectors, thread_posts
from .forms import PostForm, ThreadForm
from .kept import Lookup, kept_rows, look_up
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
    # A signed-in reader's kept list is looked up before anything it is made from is read.
    lookup = look_up(request) if request.user.is_authenticated else None
    ctx = _context(request, slug)
    try:
        actions.access_forum(ctx, key)
    except NotFound as missing:
        raise Http404(_("No such forum.")) from missing
    except Refused as refused:
        return _refused(request, refused, ctx.assembly)
    forum = ctx.protocol.forums[key]
    name = forum.name.get(get_language() or "en")
    tag = request.GET.get("tag") or None

    def above() -> dict[str, Any]:
        """What is above the list: the reader's own (whether they may open a thread)."""
        may_open = ctx.may(key, "open_thread")
        return {
            "assembly": ctx.assembly,
            "key": key,
            "forum": forum,
            "name": name,
            "tag": tag,
            "may_open": may_open.allowed,
            "open_reasons": reasons_text(may_open),
        }

    def rows() -> dict[str, Any]:
        """The list: the same for every reader of the forum."""
        page = Paginator(
            selectors.threads_in(ctx.assembly, ctx.protocol, key, tag), selectors.THREADS_PER_PAGE
        ).get_page(request.GET.get("page"))
        threads = _listed(ctx.assembly.slug, selectors.with_counts(page))
        return {"page_obj": page, "threads": threads}

    shared = anonymous_content(request, "forums/_forum_content.html", lambda: {**above(), **rows()})
    if shared is not None:
        page_context = {"assembly": ctx.assembly, "name": name, "content": shared}
        return render(request, "forums/forum.html", page_context)
    if lookup is None:
        return render(request, "forums/forum.html", {**above(), **rows(), "content": None})
    # Signed in: only what is above the list is the reader's own (issue 11).
    kept = kept_rows(
        lookup,
        lambda: render_to_string("forums/_thread_rows.html", rows(), request),
        keep=tag in (None, *forum.tags),
    )
    return render(request, "forums/forum.html", {**above(), "content": None, "rows": kept})


def _listed(slug: str, threads: list[Any]) -> list[Any]:
    """Each row's address, replies and last activity as the page shows them, worked out
    here: in the template, a reversal and a date filter per row were most of a signed-in
    forum page's rendering (issue 11)."""
    path = id_path("thread", slug)
    for thread in threads:
        thread.path = path(thread.pk)
        thread.replies = thread.posts_count - 1
        thread.when = short_datetime(thread.last_activity_at)
    return threads


@login_required
def thread_new(request: Request, slug: str, key: str) -> HttpResponse:
    ctx = _context(request, slug)
    if key not in ctx.protocol.forums:
        raise Http404(_("No such forum."))
    forum = ctx.protocol.forums[key]
    form = ThreadForm(
        request.POST or None,
        request.FILES or None,
        offices=_offices(ctx),
        tags=forum.tags,
        tag_required=forum.tag_required,
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        from folkmoot.attachments.actions import check_write_with_file  # above forums

        try:
            # FOR-7: with the image or file the form carries, judged before anything is saved.
            thread = check_write_with_file(
                request.user,
                form.cleaned_data.get("file"),
                lambda: actions.check_open_thread(
                    ctx,
                    request.user,
                    key,
                    title=form.cleaned_data["title"],
                    tag=form.cleaned_data.get("tag") or "",
                    body=form.cleaned_data["body"],
                    as_office=form.cleaned_data.get("as_office") or "",
                ),
                lambda opened: opened.posts.order_by("created_at", "id").first(),
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


@functools.lru_cache(maxsize=256)
def _blank_reply_fields(language: str, offices: tuple[tuple[str, str], ...]) -> SafeString:
    """The fields of an empty reply form, written once per language and set of offices the
    writer may write as (issue 11: rendering the widgets took half a millisecond a page).
    `language` is part of the key: the labels are in the active language."""
    return render_to_string("forums/_reply_fields.html", {"form": PostForm(offices=list(offices))})


def thread_page(request: Request, slug: str, pk: int) -> HttpResponse:
    # A signed-in reader's kept posts are looked up before anything they are made from is
    # read (thread_posts.py).
    lookup = (
        look_up(
            request,
            "thread-posts",
            allowed=frozenset({"page", "quote"}),
            keyed=("page",),
            path=reverse("thread", args=[slug, pk]),
        )
        if request.user.is_authenticated
        else None
    )
    try:
        ctx, thread, place = _thread(request, pk)
    except Refused as refused:
        return _refused(request, refused, assembly_or_404(request, slug))
    if thread.assembly.slug != slug:
        return redirect("thread", thread.assembly.slug, thread.pk)
    seen_in_thread(request, thread.pk)
    return _thread_response(request, ctx, thread, place, lookup=lookup)


def _thread_response(
    request: Request,
    ctx: actions.ForumContext,
    thread: Any,
    place: str,
    *,
    reply: PostForm | None = None,
    status: int = 200,
    lookup: Lookup | None = None,
) -> HttpResponse:
    """The thread page; `reply` is a refused reply's form, shown again with what its author
    wrote, so nothing they typed is lost."""

    def content() -> dict[str, Any]:
        language = get_language() or "en"
        may_reply = ctx.may(place, "reply") if place in ctx.protocol.forums else None
        quote = None
        if request.GET.get("quote"):
            quote = thread.posts.filter(pk=request.GET["quote"]).select_related("author").first()
        initial = {"body": quote_text(str(quote.author), quote.body)} if quote else None
        may_moderate = has_power(ctx.protocol, ctx.viewer, "moderate")
        offices = _offices(ctx)
        minutes = (
            (
                ctx.protocol.sanctions.moderation.min_minutes,
                ctx.protocol.sanctions.moderation.max_minutes,
            )
            if ctx.protocol.sanctions
            else (0, 0)
        )
        controls = post_list.Controls(
            may_reply=bool(may_reply),
            may_moderate=may_moderate,
            office_buttons=[
                (key, _("+1 as %(office)s") % {"office": label}) for key, label in offices
            ],
            report_kinds=thread_posts.report_kinds(),
            moderation_minutes=minutes,
            sanctions_url=reverse("sanctions", args=[ctx.assembly.slug]) if may_moderate else "",
        )
        posts = thread_posts.posts_of_page(request, ctx, thread, place, controls, lookup)
        return {
            "assembly": ctx.assembly,
            "thread": thread,
            "place": place,
            "place_name": ctx.protocol.forums[place].name.get(language)
            if place in ctx.protocol.forums
            else place,
            "page_obj": posts.page,
            "posts_html": posts.html,
            "may_moderate": may_moderate,
            "archived_by_time": bool(
                ctx.protocol.archival
                and not thread.moved_to
                and place
                in (ctx.protocol.archival.history_forum, ctx.protocol.archival.trash_forum)
                and place != thread.forum_key
            ),
            "may_reply": bool(may_reply),
            "reply_reasons": reasons_text(may_reply) if may_reply is not None else [],
            "form": reply or PostForm(initial=initial, offices=offices),
            # An empty reply form is the same for everyone with the same offices.
            "blank_fields": _blank_reply_fields(language, tuple(offices))
            if reply is None and initial is None
            else None,
            "quote": quote,
            "offices": offices,
            "debated": _debated(thread),
        }

    shared = anonymous_content(request, "forums/_thread_content.html", content)
    page_context = {"assembly": ctx.assembly, "thread": thread, "content": shared}
    return render(
        request,
        "forums/thread.html",
        page_context if shared is not None else {**content(), "content": None},
        status=status,
    )


def _debated(thread: Any) -> dict[str, Any] | None:
    """The proposal this thread debates, if any, and where it stands (issue 12: threads and
    decisions link to each other both ways). Its stage is computed as the proposal page
    computes it, from the same facts."""
    from folkmoot.decisions import actions as decisions
    from folkmoot.decisions.models import Proposal
    from folkmoot.decisions.selectors import stage_name

    if getattr(thread, "debates", None) is None:
        return None  # read with the thread (actions.access_thread): most threads debate none
    proposal = Proposal.objects.filter(pk=thread.debates).select_related("assembly").first()
    if proposal is None:
        return None
    try:
        ctx = decisions.decision_context(None, proposal.assembly)
    except NotFound:
        return {"proposal": proposal, "stage": ""}
    stage = ""
    if proposal.kind in ctx.protocol.decision_kinds:
        stage = stage_name(decisions.state_of(ctx, proposal).stage)
    return {"proposal": proposal, "stage": stage}


@login_required
@require_POST
def thread_reply(request: Request, slug: str, pk: int) -> HttpResponse:
    try:
        ctx, thread, place = _thread(request, pk)
    except Refused as refused:
        return _refused(request, refused, assembly_or_404(request, slug))
    form = PostForm(request.POST, request.FILES, offices=_offices(ctx))
    if not form.is_valid():
        # An empty reply is told what to do; any other problem shows at its field.
        if not request.POST.get("body", "").strip():
            messages.error(request, _("Write something first."))
        return _thread_response(request, ctx, thread, place, reply=form, status=400)
    quote = thread.posts.filter(pk=request.POST.get("quote") or 0).first()
    from folkmoot.attachments.actions import check_write_with_file  # above forums

    try:
        # FOR-7: with the image or file the form carries, judged before anything is saved.
        check_write_with_file(
            request.user,
            form.cleaned_data.get("file"),
            lambda: actions.check_reply(
                ctx,
                request.user,
                thread,
                place,
                body=form.cleaned_data["body"],
                as_office=form.cleaned_data.get("as_office") or "",
                quote=quote,
            ),
            lambda post: post,
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
        # The page again, with the reply as written: the author fixes it and sends it again.
        return _thread_response(request, ctx, thread, place, reply=form, status=403)
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


def post_url(post: Post) -> str:
    """The thread's page that shows `post`, at the post: a link to a post on page 3 must not
    open page 1, where its anchor is missing."""
    page = selectors.page_of(post)
    return thread_url(post.thread) + (f"?page={page}" if page > 1 else "") + f"#post-{post.pk}"


def post_link(request: Request, slug: str, pk: int) -> HttpResponse:
    """`/assemblies/<slug>/posts/<pk>/`: a post's permanent address, for links in
    notifications, emails and the moderation queue; it opens the page the post is on now,
    for whoever may read the thread (a restricted assembly's post is missing for others)."""
    post = Post.objects.select_related("thread__assembly").filter(pk=pk).first()
    if post is None or post.thread.assembly.slug != slug:
        raise Http404(_("No such post."))
    # Who may not see the thread learns nothing, not even where the post would be.
    try:
        _thread(request, post.thread_id)
    except Refused as refused:
        return _refused(request, refused, post.thread.assembly)
    return redirect(post_url(post))


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
    return redirect(post_url(post))


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
            return redirect(post_url(post))
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
