"""What an attachment hangs on: a post, a proposal or a moot. Each is read through its own
app's `access_*`, so an attachment is exactly as readable as its thing (a post in a forum the
reader may not read is missing, and so is its file) — and a post's no more than the forum its
thread was written in, wherever it is now —, and each says who may add to it and take away:
whoever may edit the thing, as its own page decides (FOR-7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.urls import reverse
from django.utils import timezone

from folkmoot.governance.audience import closed, has_power
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.refusals import NotFound, Refused

Kind = Literal["post", "proposal", "moot"]
_SEEKING = "consensus"  # a consensus proposal's stage while its rounds seek agreement
KINDS: tuple[Kind, ...] = ("post", "proposal", "moot")


@dataclass
class Thing:
    kind: Kind
    obj: Any
    assembly: Any
    # Whether the reader may add an attachment to it now (and take theirs away).
    may_attach: Answer
    # Moderation moved it out of sight (a trashed reply), or its thread left a forum the
    # reader may not read: its attachments go with it, except for those who may still see
    # what was hidden (its author; moderators, if they may read where it was written).
    hidden: bool = False
    sees_hidden: bool = False
    # The reader holds the power to moderate in the thing's assembly (and, for a post, may
    # read the forum it was written in): they see the files moderation hid, and may hide
    # one file or show it again (`actions.check_hide`), as moderation decides it.
    moderates: bool = False
    # The thing's own context (forums', decisions' or moots'): assembly, protocol, viewer.
    ctx: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def label(self) -> Reason:
        return {
            "post": Reason("post", gettext_noop("A post")),
            "proposal": Reason("proposal", gettext_noop("A proposal")),
            "moot": Reason("moot", gettext_noop("A moot")),
        }[self.kind]

    def page_url(self) -> str:
        if self.kind == "post":
            return reverse("post", args=[self.assembly.slug, self.pk])
        if self.kind == "proposal":
            return reverse("proposal", args=[self.pk])
        return reverse("moot", args=[self.pk])


def access_thing(user: Any, kind: str, pk: int) -> Thing:
    """The thing, if `user` may read it; missing and unreadable look the same (NotFound)."""
    try:
        if kind == "post":
            return _post(user, pk)
        if kind == "proposal":
            return _proposal(user, pk)
        if kind == "moot":
            return _moot(user, pk)
    except Refused as refused:
        raise NotFound(pk) from refused
    raise NotFound(pk)


def _post(user: Any, pk: int) -> Thing:
    from folkmoot.forums.actions import access_thread
    from folkmoot.forums.models import Post
    from folkmoot.governance.posting import check_edit

    post = Post.objects.select_related("thread").filter(pk=pk).first()
    if post is None:
        raise NotFound(pk)
    ctx, thread, place = access_thread(user, post.thread_id)
    post.thread = thread
    is_author = post.author_id == getattr(user, "pk", None)
    origin_readable = reads_where_written(ctx, thread, place)
    # As editing the post (forums.actions.check_edit_post): its author, within the forum's
    # edit window, not in an archive, and not once moderation moved it to the trash.
    may = combine(
        closed(ctx.viewer.closed_on) if ctx.viewer.closed_on is not None else Answer.yes(),
        check_edit(
            ctx.protocol, place, is_author=is_author, written_at=post.created_at, now=timezone.now()
        ),
        _no_trash() if post.trashed_at is not None else Answer.yes(),
    )
    # Moderators see what moderation hid, but not what the forum it was written in keeps
    # from them.
    moderates = origin_readable and has_power(ctx.protocol, ctx.viewer, "moderate")
    return Thing(
        "post",
        post,
        thread.assembly,
        may,
        hidden=hidden_by_moderation(ctx.protocol, post) or not origin_readable,
        sees_hidden=is_author or moderates,  # its author put the files there
        moderates=moderates,
        ctx=ctx,
    )


def reads_where_written(ctx: Any, thread: Any, place: str) -> bool:
    """Whether the reader may read the forum the thread was written in, when it is now
    elsewhere (History or the Trash, by time or by moderation). Those often have a wider
    audience than where the thread began: its text goes along, as the record of what was said
    (FOR-3), but an image posted for citizens must not reach anyone who reads the archive."""
    origin = thread.forum_key
    if place == origin or origin not in ctx.protocol.forums:
        return True
    return bool(ctx.may(origin, "read"))


def hidden_by_moderation(protocol: Any, post: Any) -> bool:
    """Whether moderation took `post` out of sight: a reply it moved to the trash, or a thread
    it moved there whole (`moderation.actions.do_trash`). The text stays readable there, as
    the record of what was said (FOR-3); an image is what moderation most often removes, and
    the trash may be read by more people than the forum it came from, so the attachments go
    only to the author and to moderators. A thread archived by time keeps them, for those
    who may read the forum it was written in (`reads_where_written`)."""
    thread = post.thread
    trash = protocol.archival.trash_forum if protocol.archival else "trash"
    return post.trashed_at is not None or (thread.moved_to == trash and thread.moved_at is not None)


def _no_trash() -> Answer:
    return Answer.no(
        Reason(
            "in_trash",
            gettext_noop("Moderation moved this post to the trash: it takes no new files."),
        )
    )


def _proposal(user: Any, pk: int) -> Thing:
    from folkmoot.decisions import actions as decisions

    ctx, proposal = decisions.access_proposal(user, pk)
    if getattr(user, "pk", None) is None or proposal.proposer_id != user.pk:
        may = Answer.no(
            Reason("not_proposer", gettext_noop("Only the proposer adds files to a proposal."))
        )
    elif proposal.kind not in ctx.protocol.decision_kinds:
        may = Answer.no(decisions.KIND_RETIRED)
    else:
        may = combine(
            closed(ctx.viewer.closed_on) if ctx.viewer.closed_on is not None else Answer.yes(),
            _proposal_takes_files(ctx, proposal),
        )
    return Thing(
        "proposal",
        proposal,
        proposal.assembly,
        may,
        moderates=has_power(ctx.protocol, ctx.viewer, "moderate"),
        ctx=ctx,
    )


def _proposal_takes_files(ctx: Any, proposal: Any) -> Answer:
    """Files are part of what is put to the assembly: they change while the text may, before
    its vote (debate, drafting, ready), never while people are deciding on it. A consensus
    proposal is put to its first round at once, so its files may still go with it until the
    first response is recorded, while its author may still edit its debate thread's opening
    post (which carries the same text)."""
    from folkmoot.decisions import actions as decisions
    from folkmoot.governance.posting import check_edit
    from folkmoot.governance.schedule import Stage

    state = decisions.state_of(ctx, proposal)
    if state.stage in (Stage.DEBATE, Stage.DRAFTING, Stage.READY):
        return Answer.yes()
    moved_on = Answer.no(
        Reason(
            "proposal_files_fixed",
            gettext_noop(
                "Files are added to a proposal before it is put to the assembly: once people "
                "are deciding on it, they stay as they were."
            ),
        )
    )
    consensus_kind = ctx.kind_of(proposal).consensus is not None
    if not consensus_kind or state.stage != _SEEKING or proposal.responses.exists():
        return moved_on
    if proposal.thread is None:
        return Answer.yes()
    return check_edit(
        ctx.protocol,
        proposal.thread.forum_key,
        is_author=True,
        written_at=proposal.created_at,
        now=timezone.now(),
    )


def _moot(user: Any, pk: int) -> Thing:
    from folkmoot.governance.moots import check_still_to_come
    from folkmoot.moots import actions as moots

    ctx, moot = moots.access_moot(user, pk)
    if getattr(user, "pk", None) is None:
        may = Answer.no(Reason("sign_in", gettext_noop("Sign in first.")))
    else:
        # Who may change the moot's plan (moots.actions.check_edit_moot), while it is to come.
        may = combine(moots.may_cancel(ctx, user, moot), check_still_to_come(moots.phase_of(moot)))
    moderates = ctx.protocol is not None and has_power(ctx.protocol, ctx.viewer, "moderate")
    return Thing("moot", moot, moot.assembly, may, moderates=moderates, ctx=ctx)
