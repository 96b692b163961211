"""The live room of a moot (MEET-3, issue 14): the facilitator moves through the agenda, people
raise hands and get the floor, attendance is taken and the quorum shown. Everything here
acts only while the moot meets (`governance.moots.check_live`); a sanctioned person attends
but neither speaks nor responds (SAN-6), through `may_attend`, which is an act."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.moots import Quorum, RaisedHand, check_live, quorum, speaking_order
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.refusals import Refused, create_once, require

from .actions import MootContext, check_running, phase_of, runs
from .consumers import room_changed
from .models import AgendaPoint, Attendance, Hand, Moot


def takes_attendance(user: Any, moot: Moot) -> bool:
    """The facilitator, or the minute-taker, marks who is present."""
    return runs(user, moot) or (
        moot.minute_taker_id is not None and getattr(user, "pk", None) == moot.minute_taker_id
    )


# --- the agenda, live ------------------------------------------------------------------------


def check_take_up(user: Any, ctx: MootContext, moot: Moot, point: AgendaPoint | None) -> Moot:
    """The facilitator takes up a point of the agenda (None: between points). The speakers'
    queue of the point left is closed; its hands stay on the record."""
    require(check_running(ctx, user, moot))
    answers = [check_live(phase_of(moot))]
    if point is not None and (point.moot_id != moot.pk or point.state != "accepted"):
        answers.append(
            Answer.no(Reason("not_on_agenda", gettext_noop("This point is not on the agenda.")))
        )
    require(combine(*answers))
    return do_take_up(user=user, moot=moot, point=point)


@transaction.atomic
def do_take_up(*, user: Any, moot: Moot, point: AgendaPoint | None) -> Moot:
    now = timezone.now()
    Hand.objects.filter(moot=moot, ended_at__isnull=True).update(ended_at=now)
    # A check left open on the point left lapses: its round is not cut short by it.
    moot.checks.filter(closed_at__isnull=True).update(closed_at=now, outcome="lapsed")
    Moot.objects.filter(pk=moot.pk).update(
        current_point=point, point_started_at=now if point is not None else None
    )
    moot.refresh_from_db()
    room_changed(moot.pk)
    record(
        "moot.take_up",
        actor=user,
        assembly=moot.assembly,
        subject=moot,
        point=point.pk if point else None,
    )
    return moot


def next_point(moot: Moot) -> AgendaPoint | None:
    accepted = list(moot.points.filter(state=AgendaPoint.State.ACCEPTED))
    if moot.current_point_id is None:
        return accepted[0] if accepted else None
    at = next((i for i, p in enumerate(accepted) if p.pk == moot.current_point_id), None)
    return accepted[at + 1] if at is not None and at + 1 < len(accepted) else None


def check_progressive(user: Any, ctx: MootContext, moot: Moot, *, on: bool) -> Moot:
    require(combine(check_running(ctx, user, moot), check_live(phase_of(moot))))
    Moot.objects.filter(pk=moot.pk).update(progressive=on)
    moot.refresh_from_db()
    room_changed(moot.pk)
    record("moot.progressive", actor=user, assembly=moot.assembly, subject=moot, on=on)
    return moot


# --- the speakers' queue ---------------------------------------------------------------------


def check_raise_hand(user: Any, ctx: MootContext, moot: Moot, *, kind: str) -> Hand:
    answers = [check_live(phase_of(moot)), ctx.may_attend(moot)]
    if kind not in Hand.Kind.values:
        answers.append(
            Answer.no(
                Reason(
                    "hand_kind",
                    gettext_noop("Say whether it is a new point, a direct response or process."),
                )
            )
        )
    require(combine(*answers))
    hand = create_once(
        Hand,
        Reason("hand_up", gettext_noop("Your hand is up already.")),
        moot=moot,
        point=moot.current_point,
        person=user,
        kind=kind,
    )
    record("moot.hand", actor=user, assembly=moot.assembly, subject=moot, kind=kind)
    room_changed(moot.pk)
    return hand


def check_lower_hand(user: Any, moot: Moot) -> int:
    """Lowering one's hand, or ending one's own turn."""
    require(check_live(phase_of(moot)))
    room_changed(moot.pk)
    return Hand.objects.filter(moot=moot, person=user, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


def check_give_floor(user: Any, ctx: MootContext, moot: Moot, hand: Hand) -> Hand:
    require(check_running(ctx, user, moot))
    require(check_live(phase_of(moot)))
    if hand.moot_id != moot.pk or hand.ended_at is not None or hand.floor_at is not None:
        raise Refused.because(Reason("hand_gone", gettext_noop("This hand is no longer up.")))
    from folkmoot.protocols.facts import sanction_viewer

    speaker = sanction_viewer(hand.person, moot.assembly, ctx.protocol)
    if speaker.sanctioned_until is not None:  # sanctioned since the hand went up (SAN-6)
        Hand.objects.filter(pk=hand.pk).update(ended_at=timezone.now())
        raise Refused.because(
            Reason(
                "speaker_sanctioned",
                gettext_noop("This person is under a sanction: they may not speak now."),
            )
        )
    return do_give_floor(user=user, moot=moot, hand=hand)


@transaction.atomic
def do_give_floor(*, user: Any, moot: Moot, hand: Hand) -> Hand:
    now = timezone.now()
    # Whoever spoke before has finished.
    Hand.objects.filter(moot=moot, floor_at__isnull=False, ended_at__isnull=True).update(
        ended_at=now
    )
    if not Hand.objects.filter(pk=hand.pk, floor_at__isnull=True, ended_at__isnull=True).update(
        floor_at=now
    ):
        raise Refused.because(Reason("hand_gone", gettext_noop("This hand is no longer up.")))
    hand.refresh_from_db()
    room_changed(moot.pk)
    record("moot.floor", actor=user, assembly=moot.assembly, subject=moot, person=hand.person_id)
    return hand


def check_end_floor(user: Any, ctx: MootContext, moot: Moot) -> int:
    require(combine(check_running(ctx, user, moot), check_live(phase_of(moot))))
    room_changed(moot.pk)
    return Hand.objects.filter(moot=moot, floor_at__isnull=False, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


# --- attendance ------------------------------------------------------------------------------


def check_check_in(user: Any, ctx: MootContext, moot: Moot, *, mode: str) -> Attendance:
    """A person says they are here, in person or online. A sanctioned person attends
    (SAN-6): they check in; they neither speak nor respond."""
    answers = [check_live(phase_of(moot)), ctx.may_be_present(moot)]
    if mode not in Attendance.Mode.values:
        answers.append(
            Answer.no(Reason("presence_mode", gettext_noop("Say whether you are here or online.")))
        )
    require(combine(*answers))
    return _present(moot, user, mode, marked_by=user)


def check_mark_present(
    user: Any, ctx: MootContext, moot: Moot, person: Any, *, mode: str
) -> Attendance:
    if ctx.viewer.closed_on is not None or ctx.viewer.sanctioned_until is not None:
        require(ctx.may_attend(moot))  # says why: closed, or sanctioned
    if not takes_attendance(user, moot):
        raise Refused.because(
            Reason(
                "not_taking_attendance",
                gettext_noop("Only the facilitator or the minute-taker takes attendance."),
            )
        )
    answers = [check_live(phase_of(moot))]
    if mode not in Attendance.Mode.values:
        answers.append(
            Answer.no(Reason("presence_mode", gettext_noop("Say whether you are here or online.")))
        )
    require(combine(*answers))
    return _present(moot, person, mode, marked_by=user)


def _present(moot: Moot, person: Any, mode: str, *, marked_by: Any) -> Attendance:
    attendance, _created = Attendance.objects.update_or_create(
        moot=moot, person=person, defaults={"mode": mode, "marked_by": marked_by}
    )
    room_changed(moot.pk)
    record(
        "moot.present",
        actor=marked_by,
        assembly=moot.assembly,
        subject=moot,
        person=person.pk,
        mode=mode,
    )
    return attendance


# --- what the room shows ---------------------------------------------------------------------


@dataclass
class Room:
    moot: Moot
    point: AgendaPoint | None
    time_left: timedelta | None  # on the current point; negative when over its time
    speaking: Hand | None
    queue: list[Hand]
    present: list[Attendance]
    quorum: Quorum
    open_hands: list[Hand]  # up or speaking
    next_point: AgendaPoint | None

    def hand_of(self, user: Any) -> Hand | None:
        pk = getattr(user, "pk", None)
        return next((h for h in self.open_hands if h.person_id == pk), None)

    @property
    def minutes_left(self) -> int | None:
        """Whole minutes left on the point, rounded up; negative once over its time."""
        if self.time_left is None:
            return None
        seconds = int(self.time_left.total_seconds())
        return -((-seconds) // 60) if seconds >= 0 else seconds // 60


def room_of(ctx: MootContext, moot: Moot, now: datetime | None = None) -> Room:
    """The room as everyone sees it: five queries, whatever the number of people in it."""
    now = now or timezone.now()
    point = (
        AgendaPoint.objects.select_related("proposal").filter(pk=moot.current_point_id).first()
        if moot.current_point_id
        else None
    )
    hands = list(Hand.objects.filter(moot=moot).select_related("person"))
    up = [h for h in hands if h.ended_at is None and h.floor_at is None]
    spoken = frozenset(h.person_id for h in hands if h.floor_at is not None)
    order = speaking_order(
        [RaisedHand(h.pk, h.person_id, h.kind, h.raised_at) for h in up],
        progressive=moot.progressive,
        spoken=spoken,
    )
    by_id = {h.pk: h for h in up}
    present = list(Attendance.objects.filter(moot=moot).select_related("person"))
    time_left = (
        moot.point_started_at + timedelta(minutes=point.minutes) - now
        if point is not None and moot.point_started_at is not None
        else None
    )
    return Room(
        moot=moot,
        point=point,
        time_left=time_left,
        speaking=next((h for h in hands if h.floor_at and h.ended_at is None), None),
        queue=[by_id[h.id] for h in order],
        present=present,
        quorum=quorum(ctx.protocol, len(present)),
        open_hands=[h for h in hands if h.ended_at is None],
        next_point=next_point(moot),
    )
