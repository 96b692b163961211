"""Moots before they meet (MEET-1, MEET-2, issue 14): calling one, its agenda (points added by
those who may, decided by the facilitator), registering with a waiting list, cancelling.
`access_* / check_* / do_*` as everywhere (DESIGN.md); the rules are the core's
(`governance.moots`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import Assembly, Membership
from folkmoot.governance.audience import Viewer
from folkmoot.governance.moots import (
    Phase,
    Plan,
    Seats,
    check_plan,
    check_still_to_come,
    may_add_point,
    may_attend,
    may_call,
    may_see,
    phase,
    seating,
)
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.notifications.send import notify
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, Refused, create_once, require

from .models import AgendaPoint, Moot, Registration

# The stages in which a proposal is still being discussed, and a moot can move it on.
OPEN_STAGES = ("debate", "drafting", "ready", "consensus")


@dataclass
class MootContext:
    assembly: Assembly
    protocol: Protocol | None
    viewer: Viewer

    def may_call(self) -> Answer:
        return may_call(self.protocol, self.viewer, timezone.localdate())

    def may_add_point(self) -> Answer:
        return may_add_point(self.protocol, self.viewer, timezone.localdate())

    def may_attend(self, moot: Moot) -> Answer:
        return may_attend(self.protocol, self.viewer, timezone.localdate(), private=moot.private)


def moot_context(user: Any, assembly: Assembly) -> MootContext:
    in_force = protocol_in_force(assembly)
    protocol = in_force.protocol if in_force is not None else None
    return MootContext(assembly, protocol, viewer_for(user, assembly, protocol))


def access_moot(user: Any, pk: int) -> tuple[MootContext, Moot]:
    """A moot is as visible as its assembly; a private one only to those who may attend it.
    To anyone else it is missing."""
    moot = (
        Moot.objects.select_related("assembly__root", "facilitator", "minute_taker", "called_by")
        .filter(pk=pk)
        .first()
    )
    if moot is None:
        raise NotFound(pk)
    assembly = access_assembly(user, moot.assembly.slug)
    ctx = moot_context(user, assembly)
    if not may_see(ctx.protocol, ctx.viewer, timezone.localdate(), private=moot.private):
        raise NotFound(pk)
    return ctx, moot


def phase_of(moot: Moot, now: datetime | None = None) -> Phase:
    return phase(moot.starts_at, moot.ends_at, now or timezone.now(), moot.cancelled_at is not None)


def runs(user: Any, moot: Moot) -> bool:
    """The facilitator runs the moot; whoever called it stands in (and staff)."""
    pk = getattr(user, "pk", None)
    return pk is not None and (
        pk in (moot.facilitator_id, moot.called_by_id) or bool(getattr(user, "is_staff", False))
    )


def _not_running() -> Refused:
    return Refused.because(
        Reason("not_facilitator", gettext_noop("Only the moot's facilitator may do this."))
    )


# --- calling and cancelling -----------------------------------------------------------------


def check_call_moot(user: Any, ctx: MootContext, *, fields: dict[str, Any]) -> Moot:
    """`fields`: a valid `MootForm`'s cleaned data (people already chosen among those taking
    part in the federation)."""
    require(ctx.may_call())
    require(
        check_plan(
            Plan(
                title=fields["title"],
                starts_at=fields["starts_at"],
                ends_at=fields["ends_at"],
                place=fields.get("place", ""),
                online_link=fields.get("online_link", ""),
                capacity=fields.get("capacity"),
            ),
            timezone.now(),
        )
    )
    return do_call_moot(user=user, assembly=ctx.assembly, fields=fields)


@transaction.atomic
def do_call_moot(*, user: Any, assembly: Assembly, fields: dict[str, Any]) -> Moot:
    moot = Moot.objects.create(
        assembly=assembly,
        called_by=user,
        facilitator=fields.get("facilitator") or user,
        **{
            k: fields.get(k)
            for k in ("title", "purpose", "starts_at", "ends_at", "place", "online_link")
        },
        capacity=fields.get("capacity"),
        private=bool(fields.get("private")),
        minute_taker=fields.get("minute_taker"),
    )
    record("moot.call", actor=user, assembly=assembly, subject=moot, starts_at=str(moot.starts_at))
    for person, role in ((moot.facilitator, "facilitator"), (moot.minute_taker, "minute_taker")):
        if person is not None:
            notify(
                "moot_role", [person], actor=user, assembly=assembly, subject=moot, occasion=role
            )
    people = Membership.objects.active().filter(assembly_id=assembly.membership_assembly_id)
    notify(
        "moot_called",
        people.values_list("user_id", flat=True),
        actor=user,
        assembly=assembly,
        subject=moot,
    )
    return moot


def check_cancel(user: Any, ctx: MootContext, moot: Moot, *, reason: str) -> Moot:
    if not (runs(user, moot) or ctx.may_call()):
        raise _not_running()
    require(check_still_to_come(phase_of(moot)))
    if not reason.strip():
        raise Refused.because(
            Reason("cancel_reason", gettext_noop("Say why: those coming read the reason."))
        )
    return do_cancel(user=user, moot=moot, reason=reason.strip())


@transaction.atomic
def do_cancel(*, user: Any, moot: Moot, reason: str) -> Moot:
    if not Moot.objects.filter(pk=moot.pk, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now(), cancel_reason=reason
    ):
        raise Refused.because(Reason("moot_cancelled", gettext_noop("The moot was cancelled.")))
    moot.refresh_from_db()
    record("moot.cancel", actor=user, assembly=moot.assembly, subject=moot, reason=reason)
    coming = moot.registrations.exclude(mode=Registration.Mode.REGRETS)
    notify(
        "moot_changed",
        coming.values_list("person_id", flat=True),
        actor=user,
        assembly=moot.assembly,
        subject=moot,
        occasion="cancelled",
    )
    return moot


# --- the agenda ------------------------------------------------------------------------------


def open_proposals(ctx: MootContext, moot: Moot) -> list[Any]:
    """The assembly's proposals still being discussed and not on this agenda yet: what one
    click adds (MEET-1)."""
    from folkmoot.decisions.actions import decision_context, state_of
    from folkmoot.decisions.models import Proposal

    if ctx.protocol is None:
        return []
    on_agenda = moot.points.exclude(state=AgendaPoint.State.DECLINED).values("proposal_id")
    candidates = list(
        Proposal.objects.filter(assembly=moot.assembly, withdrawn_at__isnull=True)
        .exclude(pk__in=on_agenda)
        .filter(register_entry__isnull=True)
        .order_by("-created_at")[:50]
    )
    decisions = decision_context(None, moot.assembly)
    return [
        p
        for p in candidates
        if p.kind in decisions.protocol.decision_kinds
        and state_of(decisions, p).stage in OPEN_STAGES
    ]


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
    running = runs(user, moot)
    answers = [check_still_to_come(phase_of(moot)), _minutes(minutes)]
    if not running:
        answers.append(ctx.may_add_point())
    if proposal is not None:
        if proposal.pk not in {p.pk for p in open_proposals(ctx, moot)}:
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
        title=title.strip()[:200],
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
    moot: Moot,
    point: AgendaPoint,
    *,
    decision: str,
    reason: str = "",
    into: AgendaPoint | None = None,
) -> AgendaPoint:
    if not runs(user, moot):
        raise _not_running()
    answers = [check_still_to_come(phase_of(moot))]
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


def check_move_point(user: Any, moot: Moot, point: AgendaPoint, *, up: bool) -> None:
    """The facilitator orders the agenda: a point swaps places with its neighbour."""
    if not runs(user, moot):
        raise _not_running()
    require(check_still_to_come(phase_of(moot)))
    accepted = list(moot.points.filter(state=AgendaPoint.State.ACCEPTED))
    at = next((i for i, p in enumerate(accepted) if p.pk == point.pk), None)
    other = None if at is None else (at - 1 if up else at + 1)
    if at is None or other is None or not 0 <= other < len(accepted):
        return  # already first or last: nothing to move
    with transaction.atomic():
        a, b = accepted[at], accepted[other]
        positions = [p.position for p in accepted]
        positions[at], positions[other] = positions[other], positions[at]
        if positions[at] == positions[other]:  # equal positions: number them afresh
            positions = list(range(1, len(accepted) + 1))
            positions[at], positions[other] = positions[other], positions[at]
        for p, position in zip(accepted, positions, strict=True):
            AgendaPoint.objects.filter(pk=p.pk).update(position=position)
        record("moot.point_moved", actor=user, assembly=moot.assembly, subject=a, swapped=b.pk)


# --- coming ---------------------------------------------------------------------------------


def seats_of(moot: Moot) -> Seats:
    attending = list(
        moot.registrations.exclude(mode=Registration.Mode.REGRETS)
        .order_by("since", "pk")
        .values_list("person_id", flat=True)
    )
    return seating(moot.capacity, attending)


def check_register(user: Any, ctx: MootContext, moot: Moot, *, mode: str) -> Registration:
    answers = [check_still_to_come(phase_of(moot))]
    if mode not in Registration.Mode.values:
        answers.append(
            Answer.no(
                Reason(
                    "registration_mode",
                    gettext_noop("Say whether you come in person, online, or send regrets."),
                )
            )
        )
    if mode != Registration.Mode.REGRETS:
        answers.append(ctx.may_attend(moot))
    require(combine(*answers))
    return do_register(user=user, moot=moot, mode=mode)


@transaction.atomic
def do_register(*, user: Any, moot: Moot, mode: str) -> Registration:
    """Seats are recounted under the moot's lock: whoever a freed seat goes to is told."""
    Moot.objects.select_for_update().filter(pk=moot.pk).first()
    before = seats_of(moot)
    now = timezone.now()
    existing = Registration.objects.filter(moot=moot, person=user).first()
    if existing is None:
        registration = Registration.objects.create(moot=moot, person=user, mode=mode, since=now)
    else:
        coming_back = existing.mode == Registration.Mode.REGRETS and mode != existing.mode
        existing.mode = mode
        if coming_back:
            existing.since = now  # back to the end of the line
        existing.save(update_fields=["mode", "since"])
        registration = existing
    after = seats_of(moot)
    record("moot.register", actor=user, assembly=moot.assembly, subject=moot, mode=mode)
    moved_up = set(after.seated) - set(before.seated) - {user.pk}
    if moved_up:
        notify("moot_seat", moved_up, assembly=moot.assembly, subject=moot)
    return registration
