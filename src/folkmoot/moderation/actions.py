"""Moderation and sanctions (SAN-1..6, FOR-3): reports queue for those with the moderation
power; moderators move threads and replies to the Trash (never delete; restorable), each
moderation carrying the protocol's moderation sanction; sanctions from the protocol's scale,
with repeats, non grata, endorsements and the off-protocol bounce — all from the core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.chat.actions import post_system_message
from folkmoot.forums.actions import ForumContext
from folkmoot.forums.models import Post, Thread
from folkmoot.governance.audience import closed, has_power
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop, written_reason
from folkmoot.governance.sanctions import (
    EndorsementState,
    check_level,
    check_moderation_minutes,
    moderation_sanction,
    office_suspension,
    sanction_for,
)
from folkmoot.notifications.recipients import holders_with_power
from folkmoot.notifications.send import notify
from folkmoot.offices.models import Tenure
from folkmoot.refusals import Refused, create_once, require

from .models import Endorsement, Lifting, OfficeSuspension, Report, Sanction
from .selectors import prior_count
from .state import state_of


def check_power(ctx: ForumContext, power: str) -> Answer:
    if ctx.viewer.closed_on is not None:  # an archive: nobody acts in it (issue 13)
        return closed(ctx.viewer.closed_on)
    if has_power(ctx.protocol, ctx.viewer, power):
        return Answer.yes()
    return Answer.no(
        Reason(
            "no_power",
            gettext_noop("Only office holders with the power to %(power)s may do this."),
            {
                "power": {
                    "moderate": gettext_noop("moderate"),
                    "sanction": gettext_noop("impose sanctions"),
                }[power]
            },
        )
    )


def _rules(ctx: ForumContext) -> Any:
    if ctx.protocol.sanctions is None:
        raise Refused.because(
            Reason("no_sanctions", gettext_noop("This assembly's protocol has no sanctions."))
        )
    return ctx.protocol.sanctions


@transaction.atomic
def check_report(ctx: ForumContext, user: Any, post: Post, kind: str) -> Report:
    if ctx.viewer.closed_on is not None:
        require(closed(ctx.viewer.closed_on))
    if kind not in dict(Report.KINDS):
        raise Refused.because(
            Reason("bad_report", gettext_noop("Choose why you report this post."))
        )
    report = create_once(
        Report,
        Reason("reported_already", gettext_noop("You have already reported this post.")),
        post=post,
        reporter=user,
        kind=kind,
    )
    record("moderation.report", actor=user, assembly=ctx.assembly, subject=post, kind=kind)
    # Coordination hears that something waits, not who reported it (the reporter is kept
    # from the author; the notice names nobody).
    notify(
        "report",
        [
            p
            for p in holders_with_power(ctx.assembly, "moderate")
            if p.pk not in (post.author_id, user.pk)
        ],
        assembly=ctx.assembly,
        subject=report,
    )
    return report


def check_trash(
    ctx: ForumContext,
    moderator: Any,
    *,
    post: Post | None = None,
    thread: Thread | None = None,
    reason: str,
    minutes: int,
) -> Sanction:
    """SAN-1: move a reply or a whole thread to the Trash, with a reason; the author earns the
    moderation sanction (the moderator's pick in the protocol's range, doubling on repeat)."""
    rules = _rules(ctx)
    require(check_power(ctx, "moderate"))
    require(check_moderation_minutes(rules, minutes))
    if not reason.strip():
        raise Refused.because(
            Reason("reason_needed", gettext_noop("Say why: the reason is shown to everyone."))
        )
    return do_trash(
        ctx=ctx,
        moderator=moderator,
        post=post,
        thread=thread,
        reason=reason.strip(),
        minutes=minutes,
    )


@transaction.atomic
def do_trash(
    *,
    ctx: ForumContext,
    moderator: Any,
    post: Post | None,
    thread: Thread | None,
    reason: str,
    minutes: int,
) -> Sanction:
    rules = ctx.protocol.sanctions
    assert rules is not None
    now = timezone.now()
    if thread is not None:
        trash = ctx.protocol.archival.trash_forum if ctx.protocol.archival else "trash"
        Thread.objects.filter(pk=thread.pk).update(moved_to=trash, moved_at=now, move_reason=reason)
        author, target = thread.author, thread.posts.order_by("created_at", "id").first()
    else:
        assert post is not None
        Post.objects.filter(pk=post.pk).update(trashed_at=now, trash_reason=reason)
        author, target = post.author, post
    reporters = _resolve_reports(target, moderator, now)
    repeats = prior_count(ctx.assembly, author, rules, now, moderation=True)
    sanction = Sanction.objects.create(
        assembly=ctx.assembly,
        person=author,
        level="moderation",
        duration=moderation_sanction(rules, minutes, repeats),
        repeat=repeats,
        reason=reason,
        post=target,
        imposed_by=moderator,
        imposed_at=now,
    )
    record(
        "moderation.trash",
        actor=moderator,
        assembly=ctx.assembly,
        subject=target,
        thread=thread.pk if thread else None,
        reason=reason,
    )
    notify(
        "trashed", [author], actor=moderator, assembly=ctx.assembly, post=target, subject=sanction
    )
    notify(
        "report_handled",
        reporters,
        actor=moderator,
        assembly=ctx.assembly,
        post=target,
        occasion="trashed",
    )
    return sanction


def _resolve_reports(post: Post | None, moderator: Any, now: Any) -> list[int]:
    """Close the open reports on `post`; returns who made them, to tell them."""
    if post is None:
        return []
    open_reports = Report.objects.filter(post=post, resolved_at__isnull=True)
    reporters = list(open_reports.values_list("reporter_id", flat=True))
    open_reports.update(resolved_at=now, resolved_by=moderator)
    return reporters


def check_keep(ctx: ForumContext, moderator: Any, post: Post) -> int:
    """A moderator read the reports on `post` and keeps it where it is: the reports leave the
    queue, the reporters are told, the author is not (nothing happened to their post).
    Returns how many reports were closed."""
    require(check_power(ctx, "moderate"))
    return do_keep(ctx=ctx, moderator=moderator, post=post)


@transaction.atomic
def do_keep(*, ctx: ForumContext, moderator: Any, post: Post) -> int:
    reporters = _resolve_reports(post, moderator, timezone.now())
    if not reporters:
        raise Refused.because(
            Reason("no_reports", gettext_noop("No report on this post is waiting."))
        )
    record("moderation.keep", actor=moderator, assembly=ctx.assembly, subject=post)
    notify(
        "report_handled",
        reporters,
        actor=moderator,
        assembly=ctx.assembly,
        post=post,
        occasion="kept",
    )
    return len(reporters)


def check_restore(
    ctx: ForumContext, moderator: Any, *, post: Post | None = None, thread: Thread | None = None
) -> None:
    require(check_power(ctx, "moderate"))
    with transaction.atomic():
        if thread is not None:
            Thread.objects.filter(pk=thread.pk).update(moved_to="", moved_at=None, move_reason="")
        if post is not None:
            Post.objects.filter(pk=post.pk).update(trashed_at=None, trash_reason="")
        record("moderation.restore", actor=moderator, assembly=ctx.assembly, subject=thread or post)


def check_sanction(
    ctx: ForumContext,
    imposer: Any,
    person: Any,
    *,
    level: str,
    reason: str,
    decision_reference: str = "",
    off_protocol_hours: float | None = None,
    post: Post | None = None,
) -> Sanction:
    """SAN-2..5. A level of the scale earns what the core computes from the person's history;
    the first repeat needs coordination's public decision (SAN-3); `off_protocol` is for
    behaviour the protocol does not describe (SAN-5) and needs backing like serious ones."""
    rules = _rules(ctx)
    require(check_power(ctx, "sanction"))
    if not reason.strip():
        raise Refused.because(
            Reason("reason_needed", gettext_noop("Say why: the reason is shown to everyone."))
        )
    now = timezone.now()
    if level == "off_protocol":
        if not off_protocol_hours or off_protocol_hours <= 0:
            raise Refused.because(
                Reason("hours_needed", gettext_noop("Give the sanction's length in hours."))
            )
        return do_sanction(
            ctx=ctx,
            imposer=imposer,
            person=person,
            level=level,
            duration=timedelta(hours=off_protocol_hours),
            repeat=0,
            non_grata=False,
            needs_endorsement=True,
            reason=reason,
            decision_reference=decision_reference,
            post=post,
        )
    require(check_level(rules, level))
    repeats = prior_count(ctx.assembly, person, rules, now, moderation=False)
    decision = sanction_for(rules, level, repeats)
    if decision.public_decision_required and not decision_reference.strip():
        raise Refused.because(
            Reason(
                "public_decision_needed",
                gettext_noop(
                    "This is a first repeat: coordination decides in a public thread to double or increase it; link that thread."
                ),
            )
        )
    return do_sanction(
        ctx=ctx,
        imposer=imposer,
        person=person,
        level=level,
        duration=decision.duration,
        repeat=decision.repeat,
        non_grata=decision.non_grata,
        needs_endorsement=decision.needs_endorsement,
        reason=reason,
        decision_reference=decision_reference,
        post=post,
    )


@transaction.atomic
def do_sanction(
    *,
    ctx: ForumContext,
    imposer: Any,
    person: Any,
    level: str,
    duration: timedelta,
    repeat: int,
    non_grata: bool,
    needs_endorsement: bool,
    reason: str,
    decision_reference: str = "",
    post: Post | None = None,
) -> Sanction:
    sanction = Sanction.objects.create(
        assembly=ctx.assembly,
        person=person,
        level=level,
        duration=duration,
        repeat=repeat,
        non_grata=non_grata,
        needs_endorsement=needs_endorsement,
        reason=reason.strip(),
        decision_reference=decision_reference.strip(),
        post=post,
        imposed_by=imposer,
    )
    record(
        "moderation.sanction",
        actor=imposer,
        assembly=ctx.assembly,
        subject=sanction,
        level=level,
        person=person.pk,
    )
    # Announced in the assembly's chat rooms: sanctions are public.
    post_system_message(ctx.assembly, f"{person}: {level} — {sanction.reason}")
    notify("sanctioned", [person], actor=imposer, assembly=ctx.assembly, subject=sanction)
    if needs_endorsement:  # SAN-4: the others who may sanction are asked to back it
        notify(
            "sanction_to_back",
            [p for p in holders_with_power(ctx.assembly, "sanction") if p.pk != person.pk],
            actor=imposer,
            assembly=ctx.assembly,
            subject=sanction,
        )
    return sanction


@transaction.atomic
def lift_answer(ctx: ForumContext, user: Any, sanction: Sanction) -> Answer:
    """SAN-3: who may back lifting a persona non grata: a holder of the office the protocol
    names, acting (not under a sanction, not in a closed assembly), while it stands."""
    from folkmoot.governance.audience import check_acting
    from folkmoot.governance.protocol import Audience

    rules = _rules(ctx)
    rule = rules.non_grata_lifted_by
    if rule is None:
        return Answer.no(
            Reason("no_lifting", gettext_noop("This protocol names nobody to lift a non grata."))
        )
    answers = [
        check_acting(
            ctx.protocol,
            Audience(any_of=[f"office:{rule.office}"]),
            ctx.viewer,
            timezone.localdate(),
            code="may_not_lift",
            template=gettext_noop("Only %(who)s may lift a non grata."),
            params={},
        )
    ]
    if not sanction.non_grata or not state_of(rules, sanction, timezone.now()).in_force:
        answers.append(
            Answer.no(
                Reason("not_non_grata", gettext_noop("This sanction is not a standing non grata."))
            )
        )
    return combine(*answers)


def check_back_lifting(ctx: ForumContext, user: Any, sanction: Sanction, *, reason: str) -> Lifting:
    reason = reason.strip()
    answers = [
        lift_answer(ctx, user, sanction),
        written_reason(
            reason, missing=Reason("lift_reason", gettext_noop("Say why it should be lifted."))
        ),
    ]
    require(combine(*answers))
    return do_back_lifting(ctx=ctx, user=user, sanction=sanction, reason=reason)


@transaction.atomic
def do_back_lifting(*, ctx: ForumContext, user: Any, sanction: Sanction, reason: str) -> Lifting:
    lifting = create_once(
        Lifting,
        Reason("lifted_already", gettext_noop("You have already backed lifting it.")),
        sanction=sanction,
        backer=user,
        reason=reason,
    )
    record("moderation.lift", actor=user, assembly=ctx.assembly, subject=sanction, reason=reason)
    fresh = Sanction.objects.prefetch_related("endorsements", "liftings").get(pk=sanction.pk)
    if not state_of(_rules(ctx), fresh, timezone.now()).in_force:
        notify(
            "sanction_lifted",
            [sanction.person_id, sanction.imposed_by_id],
            actor=user,
            assembly=ctx.assembly,
            subject=sanction,
        )
    return lifting


def check_endorse(ctx: ForumContext, endorser: Any, sanction: Sanction) -> Endorsement:
    """SAN-4: another holder of the sanctioning power backs a sanction within the window."""
    rules = _rules(ctx)
    require(check_power(ctx, "sanction"))
    if sanction.imposed_by_id == endorser.pk:
        raise Refused.because(
            Reason("own_sanction", gettext_noop("Others must back your sanction; you cannot."))
        )
    state = state_of(rules, sanction, timezone.now())
    if state.deadline is None:
        raise Refused.because(
            Reason("no_endorsement_needed", gettext_noop("This sanction needs no further backing."))
        )
    if timezone.now() >= state.deadline:
        raise Refused.because(Reason("lapsed", gettext_noop("Too late: this sanction has lapsed.")))
    endorsement = create_once(
        Endorsement,
        Reason("endorsed_already", gettext_noop("You have already backed this sanction.")),
        sanction=sanction,
        endorser=endorser,
    )
    record("moderation.endorse", actor=endorser, assembly=ctx.assembly, subject=sanction)
    fresh = Sanction.objects.prefetch_related("endorsements").get(pk=sanction.pk)
    if state_of(rules, fresh, timezone.now()).state is EndorsementState.ENDORSED:
        notify(
            "sanction_upheld",
            [sanction.person_id, sanction.imposed_by_id],
            actor=endorser,
            assembly=ctx.assembly,
            subject=sanction,
        )
    return endorsement


def check_suspend(
    ctx: ForumContext, imposer: Any, holder: Any, *, office: str, reason: str
) -> OfficeSuspension:
    """OFF-6: the suspension the protocol gives this holder's repeat count for this office."""
    require(check_power(ctx, "sanction"))
    rules = ctx.protocol.offices.get(office)
    if rules is None or rules.suspension is None:
        raise Refused.because(
            Reason(
                "no_suspension", gettext_noop("This office has no suspension rule in the protocol.")
            )
        )
    from folkmoot.offices.tenures import seat_the_elected

    seat_the_elected(ctx.assembly)  # a holder just elected may be suspended from the close
    if (
        not Tenure.objects.in_office(timezone.now())
        .filter(holder=holder, office__assembly=ctx.assembly, office__slug=office)
        .exists()
    ):
        raise Refused.because(
            Reason("not_holder", gettext_noop("This person does not hold that office."))
        )
    if not reason.strip():
        raise Refused.because(
            Reason("reason_needed", gettext_noop("Say why: the reason is shown to everyone."))
        )
    repeats = OfficeSuspension.objects.filter(
        assembly=ctx.assembly, holder=holder, office=office
    ).count()
    suspension = OfficeSuspension.objects.create(
        assembly=ctx.assembly,
        holder=holder,
        office=office,
        duration=office_suspension(rules.suspension, repeats),
        repeat=repeats,
        reason=reason.strip(),
        imposed_by=imposer,
    )
    record(
        "moderation.suspend",
        actor=imposer,
        assembly=ctx.assembly,
        subject=suspension,
        office=office,
        holder=holder.pk,
    )
    return suspension
