"""Writes in forums: every permission comes from the governance core, asked with the facts
the platform holds about the person (`protocols.facts.viewer_for`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from folkmoot import regions
from folkmoot.audit.log import record
from folkmoot.federation.actions import reader_like, reader_variant
from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import Viewer, check_acting, check_forum, closed, has_power
from folkmoot.governance.posting import check_capacity, check_edit, check_tag
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.notifications.mentions import notify_mentions
from folkmoot.notifications.recipients import holders_with_power
from folkmoot.notifications.send import notify
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, create_once, require
from folkmoot.statements import Statement

from . import selectors
from .models import Post, PostRevision, Reaction, RescueRequest, Thread
from .text import render


@dataclass
class ForumContext:
    assembly: Assembly
    protocol: Protocol
    viewer: Viewer

    def may_in_place(self, place: str, action: str) -> Answer:
        """Permission in the forum a thread is in now, which an amended protocol may have
        removed."""
        if place not in self.protocol.forums:
            return Answer.no(
                Reason("forum_gone", gettext_noop("This forum no longer exists in the protocol."))
            )
        return self.may(place, action)

    def may(self, forum_key: str, action: str) -> Answer:
        return check_forum(self.protocol, forum_key, action, self.viewer, timezone.localdate())  # type: ignore[arg-type]


def forum_context(user: Any, assembly: Assembly) -> ForumContext:
    in_force = protocol_in_force(assembly)
    if in_force is None or not in_force.protocol.forums:
        raise NotFound(assembly.slug)
    return ForumContext(assembly, in_force.protocol, viewer_for(user, assembly, in_force.protocol))


def access_forum(ctx: ForumContext, forum_key: str) -> None:
    """A forum the protocol does not declare is missing; one the person may not read is
    refused with the core's reason (they may know it exists: the protocol is public)."""
    if forum_key not in ctx.protocol.forums:
        raise NotFound(forum_key)
    require(ctx.may(forum_key, "read"))


def _thread_for(variant: str, *, person: int, thread: int) -> Any:
    from folkmoot.decisions.models import Proposal
    from folkmoot.federation.models import Assembly as AssemblyModel

    # Whether the reader may see its assembly, read with the thread (one query, issue 11), and
    # the proposal it debates, if any (the page links to it, issue 12).
    visible = AssemblyModel.objects.visible_to(reader_like(variant, person))
    debates = Proposal.objects.filter(thread_id=OuterRef("pk")).values("pk")[:1]
    return (
        Thread.objects.select_related("author", "assembly", "assembly__root")
        .annotate(
            visible=Exists(visible.filter(pk=OuterRef("assembly_id"))), debates=Subquery(debates)
        )
        .filter(pk=thread)
    )


# Every thread page and every write in a thread asks it: compiled once (folkmoot.statements).
_THREAD_FOR = Statement(Thread, _thread_for, person=int, thread=int)


def access_thread(user: Any, thread_id: int) -> tuple[ForumContext, Thread, str]:
    """The thread, its assembly's context and the forum it is in now."""
    person = getattr(user, "pk", None) or 0
    found = _THREAD_FOR.run(reader_variant(user), person=person, thread=thread_id)
    thread = found[0] if found else None
    if thread is None or not thread.visible:
        raise NotFound(thread_id)
    regions.follow(thread.assembly)
    ctx = forum_context(user, thread.assembly)
    place = selectors.place_of(ctx.protocol, thread)
    if place in ctx.protocol.forums:
        require(ctx.may(place, "read"))
    return ctx, thread, place


def _check_text(body: str) -> Answer:
    if not body.strip():
        return Answer.no(Reason("empty_post", gettext_noop("Write something first.")))
    return Answer.yes()


def check_open_thread(
    ctx: ForumContext,
    user: Any,
    forum_key: str,
    *,
    title: str,
    tag: str,
    body: str,
    as_office: str = "",
) -> Thread:
    access_forum(ctx, forum_key)
    title_answer = (
        Answer.yes()
        if title.strip()
        else Answer.no(Reason("empty_title", gettext_noop("Give the thread a title.")))
    )
    require(
        combine(
            ctx.may(forum_key, "open_thread"),
            check_tag(ctx.protocol, forum_key, tag),
            check_capacity(ctx.protocol, ctx.viewer, as_office),
            title_answer,
            _check_text(body),
        )
    )
    return do_open_thread(
        assembly=ctx.assembly,
        forum_key=forum_key,
        author=user,
        title=title.strip(),
        tag=tag,
        body=body,
        as_office=as_office,
    )


@transaction.atomic
def do_open_thread(
    *,
    assembly: Assembly,
    forum_key: str,
    author: Any,
    title: str,
    tag: str,
    body: str,
    as_office: str = "",
) -> Thread:
    now = timezone.now()
    thread = Thread.objects.create(
        assembly=assembly,
        forum_key=forum_key,
        title=title,
        tag=tag,
        author=author,
        as_office=as_office,
        created_at=now,
        last_activity_at=now,
    )
    opening = Post.objects.create(
        thread=thread,
        author=author,
        as_office=as_office,
        body=body,
        body_html=render(body),
        created_at=now,
    )
    record(
        "forum.open_thread",
        actor=author,
        assembly=assembly,
        subject=thread,
        forum=forum_key,
        tag=tag,
    )
    notify_mentions(opening)
    return thread


def check_reply(
    ctx: ForumContext,
    user: Any,
    thread: Thread,
    place: str,
    *,
    body: str,
    as_office: str = "",
    quote: Post | None = None,
) -> Post:
    may_reply = ctx.may_in_place(place, "reply")
    require(
        combine(may_reply, check_capacity(ctx.protocol, ctx.viewer, as_office), _check_text(body))
    )
    if quote is not None and quote.thread_id != thread.pk:
        quote = None
    return do_reply(thread=thread, author=user, body=body, as_office=as_office, quote=quote)


@transaction.atomic
def do_reply(
    *, thread: Thread, author: Any, body: str, as_office: str = "", quote: Post | None = None
) -> Post:
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        author=author,
        as_office=as_office,
        body=body,
        body_html=render(body),
        quote_of=quote,
        created_at=now,
    )
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=now)
    record("forum.reply", actor=author, assembly=thread.assembly, subject=post, thread=thread.pk)
    notify_mentions(post)
    # The quoted author hears of the quote; the thread's author of the reply, unless that
    # is the same news (their own post quoted). Neither hears of their own writing.
    quoted = quote.author if quote is not None else None
    notify("quote", readers(thread, [quoted]), actor=author, post=post, assembly=thread.assembly_id)
    if quoted is None or thread.author_id != quoted.pk:
        notify(
            "reply",
            readers(thread, [thread.author]),
            actor=author,
            post=post,
            assembly=thread.assembly_id,
        )
    return post


def readers(thread: Thread, people: list[Any]) -> list[Any]:
    """Those of `people` who may read `thread` now: a notice must not tell anyone of a thread
    they may not read (its title included), whoever wrote to them."""
    out = []
    for person in people:
        if person is None or not getattr(person, "is_active", False):
            continue
        try:
            access_thread(person, thread.pk)
        except (NotFound, Refused):
            continue
        out.append(person)
    return out


def check_edit_post(ctx: ForumContext, user: Any, post: Post, place: str, *, body: str) -> Post:
    if ctx.viewer.closed_on is not None:  # the archive keeps what was written (issue 13)
        require(closed(ctx.viewer.closed_on))
    require(
        combine(
            check_edit(
                ctx.protocol,
                place,
                is_author=post.author_id == getattr(user, "pk", None),
                written_at=post.created_at,
                now=timezone.now(),
            ),
            _check_text(body),
        )
    )
    return do_edit_post(post=post, body=body, actor=user)


@transaction.atomic
def do_edit_post(*, post: Post, body: str, actor: Any) -> Post:
    from folkmoot.attachments.selectors import references  # attachments sit above forums

    PostRevision.objects.create(post=post, body=post.body)
    # FOR-7: the text may show the post's own attachments (`![poster](attachment:12)`).
    html = render(body, references("post", post.pk))
    post.body, post.body_html, post.edited_at = body, html, timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    record("forum.edit", actor=actor, assembly=post.thread.assembly, subject=post)
    return post


def check_react(
    ctx: ForumContext, user: Any, post: Post, place: str, *, value: int, as_office: str = ""
) -> Reaction | None:
    """FOR-4: those who may reply in the forum may +1 or −1; the same reaction again takes
    it back."""
    if value not in (1, -1):
        raise Refused.because(Reason("bad_reaction", gettext_noop("A reaction is +1 or −1.")))
    may = ctx.may_in_place(place, "reply")
    require(combine(may, check_capacity(ctx.protocol, ctx.viewer, as_office)))
    return do_react(post=post, user=user, value=value, as_office=as_office)


@transaction.atomic
def do_react(*, post: Post, user: Any, value: int, as_office: str = "") -> Reaction | None:
    if as_office:
        # An office's +1 is a proposal's support, which the agendas of the offices asked
        # for it read; other reactions are in none (agenda.changes).
        from folkmoot.agenda.changes import changed

        changed()
    existing = (
        Reaction.objects.select_for_update()
        .filter(post=post, user=user, as_office=as_office)
        .first()
    )
    if existing is not None and existing.value == value:
        existing.delete()
        record(
            "forum.unreact",
            actor=user,
            assembly=post.thread.assembly,
            subject=post,
            office=as_office,
        )
        return None
    reaction, _ = Reaction.objects.update_or_create(
        post=post, user=user, as_office=as_office, defaults={"value": value}
    )
    record(
        "forum.react",
        actor=user,
        assembly=post.thread.assembly,
        subject=post,
        value=value,
        office=as_office,
    )
    return reaction


@transaction.atomic
def check_request_rescue(
    ctx: ForumContext, user: Any, thread: Thread, place: str, *, text: str
) -> RescueRequest:
    """FOR-3: whoever the protocol names may ask, in writing, for an archived thread back."""
    archival = ctx.protocol.archival
    if (
        archival is None
        or place not in (archival.history_forum, archival.trash_forum)
        or thread.moved_to
    ):
        raise Refused.because(
            Reason("not_archived", gettext_noop("Only a thread archived by time can be rescued."))
        )
    require(
        check_acting(
            ctx.protocol,
            archival.rescue_by,
            ctx.viewer,
            timezone.localdate(),
            code="may_not_rescue",
            template=gettext_noop("Only %(who)s may ask for a rescue."),
            params={},
        )
    )
    if not text.strip():
        raise Refused.because(
            Reason("rescue_why", gettext_noop("Say why the thread should come back."))
        )
    rescue = create_once(
        RescueRequest,
        Reason("rescue_pending", gettext_noop("Your request is waiting for coordination.")),
        thread=thread,
        requester=user,
        text=text.strip(),
    )
    record("forum.rescue_request", actor=user, assembly=ctx.assembly, subject=thread)
    notify(
        "rescue",
        holders_with_power(ctx.assembly, "moderate"),
        actor=user,
        assembly=ctx.assembly,
        subject=rescue,
    )
    return rescue


def check_decide_rescue(
    ctx: ForumContext, user: Any, rescue: RescueRequest, *, accept: bool
) -> RescueRequest:
    if ctx.viewer.closed_on is not None:
        require(closed(ctx.viewer.closed_on))
    if not has_power(ctx.protocol, ctx.viewer, "moderate"):
        raise Refused.because(
            Reason("no_power", gettext_noop("Only coordination decides on rescues."))
        )
    return do_decide_rescue(rescue=rescue, actor=user, accept=accept)


@transaction.atomic
def do_decide_rescue(*, rescue: RescueRequest, actor: Any, accept: bool) -> RescueRequest:
    now = timezone.now()
    if (
        RescueRequest.objects.filter(pk=rescue.pk, decided_at__isnull=True).update(
            decided_at=now, decided_by=actor, accepted=accept
        )
        != 1
    ):
        raise Refused.because(
            Reason("already_decided", gettext_noop("This request has already been decided."))
        )
    if accept:
        # A rescue is activity: the thread is back where it was opened, its clock restarted.
        Thread.objects.filter(pk=rescue.thread_id).update(last_activity_at=now, archived_to="")
    record(
        "forum.rescue_decided",
        actor=actor,
        assembly=rescue.thread.assembly,
        subject=rescue.thread,
        accepted=accept,
    )
    rescue.refresh_from_db()
    notify(
        "rescue_decided",
        [rescue.requester_id],
        actor=actor,
        assembly=rescue.thread.assembly_id,
        subject=rescue,
        occasion="accepted" if accept else "declined",
    )
    return rescue
