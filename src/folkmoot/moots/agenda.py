"""A moot's agenda before it meets (MEET-1, MEET-2, issue 14): the assembly's open proposals
in one click, points anyone taking part suggests (the facilitator's go on at once), the
facilitator's decisions on them, and their order."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.models import Assembly
from folkmoot.governance.moots import (
    check_still_to_come,
)
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.refusals import Refused, create_once, require

from .actions import MootContext, at_most, check_running, phase_of
from .models import AgendaPoint, Moot, Registration

# The stages in which a proposal is still being discussed, and a moot can move it on.
OPEN_STAGES = ("debate", "drafting", "ready", "consensus")

# --- the agenda ------------------------------------------------------------------------------


def _on_agenda(moot: Moot) -> Any:
    return (
        moot.points.filter(proposal__isnull=False)
        .exclude(state=AgendaPoint.State.DECLINED)
        .values("proposal_id")
    )


def _still_open(proposals: list[Any], assembly: Assembly) -> list[Any]:
    """Those still being discussed, read for all at once (`known_for`)."""
    from folkmoot.decisions.actions import decision_context, state_of
    from folkmoot.decisions.state import known_for

    decisions = decision_context(None, assembly)
    known = known_for(proposals)
    return [
        p
        for p in proposals
        if p.kind in decisions.protocol.decision_kinds
        and state_of(decisions, p, known=known[p.pk]).stage in OPEN_STAGES
    ]


def open_proposals(ctx: MootContext, moot: Moot) -> list[Any]:
    """The assembly's proposals still being discussed and not on this agenda yet: what one
    click adds (MEET-1). The newest 50 not decided nor withdrawn."""
    from folkmoot.decisions.models import Proposal

    if ctx.protocol is None:
        return []
    candidates = list(
        Proposal.objects.filter(
            assembly=moot.assembly, withdrawn_at__isnull=True, register_entry__isnull=True
        )
        .exclude(pk__in=_on_agenda(moot))
        .order_by("-created_at")[:50]
    )
    return _still_open(candidates, moot.assembly)


def _proposal_open(moot: Moot, proposal: Any) -> bool:
    """One proposal, however old: of the assembly, not on this agenda, being discussed."""
    if proposal.assembly_id != moot.assembly_id or proposal.withdrawn_at is not None:
        return False
    if _on_agenda(moot).filter(proposal_id=proposal.pk).exists():
        return False
    return bool(_still_open([proposal], moot.assembly))


def _minutes(value: int) -> Answer:
    if 1 <= value <= 240:
        return Answer.yes()
    return Answer.no(Reason("point_minutes", gettext_noop("A point takes from 1 to 240 minutes.")))


def check_add_point(
    user: Any,
    ctx: MootContext,
    moot: Moot,
    *,
    title: str,
    notes: str = "",
    minutes: int = 10,
    proposal: Any = None,
) -> AgendaPoint:
    """MEET-2: the facilitator's points go on the agenda at once; anyone else's wait for the
    facilitator. A proposal must be of the assembly and still being discussed."""
    running = bool(check_running(ctx, user, moot))
    answers = [
        check_still_to_come(phase_of(moot)),
        _minutes(minutes),
        at_most(notes, 2000, "notes"),
        at_most(title, 200, "title"),
    ]
    if not running:
        answers.append(ctx.may_add_point())
    if proposal is not None:
        if not _proposal_open(moot, proposal):
            answers.append(
                Answer.no(
                    Reason(
                        "proposal_not_open",
                        gettext_noop(
                            "This proposal is not one of the assembly's open proposals, or it "
                            "is on the agenda already."
                        ),
                    )
                )
            )
        title = title.strip() or proposal.title
    if not title.strip():
        answers.append(Answer.no(Reason("point_title", gettext_noop("Name the point."))))
    require(combine(*answers))
    return do_add_point(
        user=user,
        moot=moot,
        title=title.strip(),
        notes=notes.strip(),
        minutes=minutes,
        proposal=proposal,
        accepted=running,
    )


@transaction.atomic
def do_add_point(
    *,
    user: Any,
    moot: Moot,
    title: str,
    notes: str,
    minutes: int,
    proposal: Any,
    accepted: bool,
) -> AgendaPoint:
    Moot.objects.select_for_update().filter(pk=moot.pk).first()  # positions, one at a time
    last = moot.points.aggregate(last=Max("position"))["last"]
    now = timezone.now()
    point = create_once(
        AgendaPoint,
        Reason("point_twice", gettext_noop("This proposal is on the agenda already.")),
        moot=moot,
        position=(last or 0) + 1,
        title=title,
        notes=notes,
        minutes=minutes,
        proposal=proposal,
        added_by=user,
        state=AgendaPoint.State.ACCEPTED if accepted else AgendaPoint.State.PROPOSED,
        decided_by=user if accepted else None,
        decided_at=now if accepted else None,
    )
    record("moot.point", actor=user, assembly=moot.assembly, subject=point, moot=moot.pk)
    if accepted:
        _agenda_changed(user, moot)
    else:
        notify(
            "moot_point",
            [moot.facilitator_id or moot.called_by_id],
            actor=user,
            assembly=moot.assembly,
            subject=moot,
            occasion=f"point:{point.pk}",  # each point is asked of the facilitator
        )
    return point


def _agenda_changed(user: Any, moot: Moot) -> None:
    """Those coming hear that the agenda changed, at most once a day."""
    coming = moot.registrations.exclude(mode=Registration.Mode.REGRETS)
    notify(
        "moot_changed",
        coming.values_list("person_id", flat=True),
        actor=user,
        assembly=moot.assembly,
        subject=moot,
        occasion=f"agenda:{timezone.localdate().isoformat()}",
    )


def check_decide_point(
    user: Any,
    ctx: MootContext,
    moot: Moot,
    point: AgendaPoint,
    *,
    decision: str,
    reason: str = "",
    into: AgendaPoint | None = None,
) -> AgendaPoint:
    require(check_running(ctx, user, moot))
    answers = [check_still_to_come(phase_of(moot)), at_most(reason, 2000, "reason")]
    if point.moot_id != moot.pk or point.state != AgendaPoint.State.PROPOSED:
        answers.append(
            Answer.no(Reason("point_decided", gettext_noop("This point has been decided.")))
        )
    if decision not in ("accept", "decline", "merge"):
        answers.append(
            Answer.no(Reason("point_decision", gettext_noop("Accept, merge or decline the point.")))
        )
    if decision == "decline" and not reason.strip():
        answers.append(
            Answer.no(
                Reason("point_reason", gettext_noop("Say why: whoever added it reads the reason."))
            )
        )
    if decision == "merge" and (
        into is None
        or into.moot_id != moot.pk
        or into.pk == point.pk
        or into.state != AgendaPoint.State.ACCEPTED
    ):
        answers.append(
            Answer.no(
                Reason(
                    "merge_into",
                    gettext_noop("Choose a point on the agenda to merge this one into."),
                )
            )
        )
    require(combine(*answers))
    return do_decide_point(user=user, point=point, decision=decision, reason=reason, into=into)


@transaction.atomic
def do_decide_point(
    *, user: Any, point: AgendaPoint, decision: str, reason: str, into: AgendaPoint | None
) -> AgendaPoint:
    state = {
        "accept": AgendaPoint.State.ACCEPTED,
        "decline": AgendaPoint.State.DECLINED,
        "merge": AgendaPoint.State.MERGED,
    }[decision]
    if not AgendaPoint.objects.filter(pk=point.pk, state=AgendaPoint.State.PROPOSED).update(
        state=state,
        decided_by=user,
        decided_at=timezone.now(),
        reason=reason.strip(),
        merged_into=into if decision == "merge" else None,
    ):
        raise Refused.because(Reason("point_decided", gettext_noop("This point has been decided.")))
    point.refresh_from_db()
    moot = point.moot
    record("moot.point_decided", actor=user, assembly=moot.assembly, subject=point, state=state)
    notify(
        "moot_point_decided",
        [point.added_by_id],
        actor=user,
        assembly=moot.assembly,
        subject=point,
        occasion=state,
    )
    if decision == "accept":
        _agenda_changed(user, moot)
    return point


def check_move_point(
    user: Any, ctx: MootContext, moot: Moot, point: AgendaPoint, *, up: bool
) -> None:
    """The facilitator orders the agenda: a point swaps places with its neighbour."""
    require(check_running(ctx, user, moot))
    require(check_still_to_come(phase_of(moot)))
    do_move_point(user=user, moot=moot, point=point, up=up)


@transaction.atomic
def do_move_point(*, user: Any, moot: Moot, point: AgendaPoint, up: bool) -> None:
    Moot.objects.select_for_update().filter(pk=moot.pk).first()  # one reordering at a time
    accepted = list(moot.points.filter(state=AgendaPoint.State.ACCEPTED))
    at = next((i for i, p in enumerate(accepted) if p.pk == point.pk), None)
    other = None if at is None else (at - 1 if up else at + 1)
    if at is None or other is None or not 0 <= other < len(accepted):
        return  # already first or last: nothing to move
    accepted[at], accepted[other] = accepted[other], accepted[at]
    for position, p in enumerate(accepted, start=1):  # numbered afresh: no ties
        if p.position != position:
            AgendaPoint.objects.filter(pk=p.pk).update(position=position)
    record("moot.point_moved", actor=user, assembly=moot.assembly, subject=point, up=up)
