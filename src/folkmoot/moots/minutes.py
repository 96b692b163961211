"""The minutes of a moot's points (MEET-3, issue 14): the minute-taker writes them in the room,
point by point — the facilitator stands in where nobody takes minutes — while the moot meets
and after it. Saving often (the page autosaves) keeps one revision a minute per person;
nothing written is lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.refusals import Refused, require

from .actions import MootContext, at_most, phase_of, runs
from .consumers import room_changed
from .models import AgendaPoint, MinutesRevision, Moot, PointMinutes

GROUPED = timedelta(minutes=1)


def writes_minutes(user: Any, moot: Moot) -> bool:
    pk = getattr(user, "pk", None)
    if pk is None:
        return False
    if moot.minute_taker_id is not None:
        return pk == moot.minute_taker_id or bool(getattr(user, "is_staff", False))
    return runs(user, moot)


def check_write_minutes(
    user: Any, ctx: MootContext, moot: Moot, point: AgendaPoint, *, body: str
) -> PointMinutes:
    if not writes_minutes(user, moot):
        raise Refused.because(
            Reason("not_minute_taker", gettext_noop("Only the minute-taker writes the minutes."))
        )
    answers = [at_most(body, 20_000, "minutes")]
    if ctx.viewer.closed_on is not None or ctx.viewer.sanctioned_until is not None:
        answers.append(ctx.may_attend(moot))  # says why: closed, or sanctioned
    if moot.published_at is not None:
        answers.append(
            Answer.no(
                Reason(
                    "minutes_published",
                    gettext_noop("The minutes are published: they are the record now."),
                )
            )
        )
    if phase_of(moot) in ("upcoming", "cancelled"):
        answers.append(
            Answer.no(
                Reason("minutes_when", gettext_noop("Minutes are written once the moot meets."))
            )
        )
    if point.moot_id != moot.pk or point.state != AgendaPoint.State.ACCEPTED:
        answers.append(
            Answer.no(Reason("not_on_agenda", gettext_noop("This point is not on the agenda.")))
        )
    require(combine(*answers))
    return do_write_minutes(user=user, moot=moot, point=point, body=body)


@transaction.atomic
def do_write_minutes(*, user: Any, moot: Moot, point: AgendaPoint, body: str) -> PointMinutes:
    now = timezone.now()
    minutes, _created = PointMinutes.objects.select_for_update().get_or_create(point=point)
    if minutes.body == body:
        return minutes
    if minutes.body:
        last = minutes.revisions.first()
        if last is not None and last.saved_by_id == user.pk and now - last.saved_at < GROUPED:
            pass  # the same person typing on: the revision before this burst is kept
        else:
            MinutesRevision.objects.create(
                minutes=minutes, body=minutes.body, saved_at=now, saved_by=user
            )
    minutes.body, minutes.updated_at, minutes.updated_by = body, now, user
    minutes.save(update_fields=["body", "updated_at", "updated_by"])
    record("moot.minutes", actor=user, assembly=moot.assembly, subject=point, length=len(body))
    if moot.current_point_id == point.pk:  # the room shows the current point's minutes
        room_changed(moot.pk)
    return minutes


# --- publishing (the "After" of issue 14) ----------------------------------------------------

CHECK_OUTCOMES = {
    "reached": AgendaPoint.Outcome.CONSENSUS,
    "another_round": AgendaPoint.Outcome.BLOCKED,
    "vote": AgendaPoint.Outcome.VOTE,
}


def check_publish(user: Any, ctx: MootContext, moot: Moot, *, deferred: list[int]) -> Moot:
    """The facilitator or the minute-taker publishes the minutes once the moot is over.
    Each point's outcome comes from its last consensus check, where it had one; the points
    named in `deferred` go to the next moot's draft agenda; the rest were discussed."""
    if not (writes_minutes(user, moot) or runs(user, moot)):
        raise Refused.because(
            Reason(
                "not_publisher",
                gettext_noop("Only the facilitator or the minute-taker publishes the minutes."),
            )
        )
    answers = []
    if ctx.viewer.closed_on is not None or ctx.viewer.sanctioned_until is not None:
        answers.append(ctx.may_attend(moot))
    if phase_of(moot) != "ended":
        answers.append(
            Answer.no(
                Reason("publish_when", gettext_noop("The minutes are published once it is over."))
            )
        )
    if moot.published_at is not None:
        answers.append(
            Answer.no(Reason("published", gettext_noop("The minutes are published already.")))
        )
    require(combine(*answers))
    return do_publish(user=user, moot=moot, deferred=set(deferred))


@transaction.atomic
def do_publish(*, user: Any, moot: Moot, deferred: set[int]) -> Moot:
    from folkmoot.notifications.send import notify

    from .models import Attendance, ConsensusCheck

    now = timezone.now()
    if not Moot.objects.filter(pk=moot.pk, published_at__isnull=True).update(
        published_at=now, published_by=user
    ):
        raise Refused.because(
            Reason("published", gettext_noop("The minutes are published already."))
        )
    # A check still open when the moot ended decided nothing: it lapses with the record.
    ConsensusCheck.objects.filter(moot=moot, closed_at__isnull=True).update(
        closed_at=now, outcome=ConsensusCheck.Outcome.LAPSED
    )
    last_check = {  # the last check that decided something (not "too few", not lapsed)
        c.point_id: c.outcome
        for c in ConsensusCheck.objects.filter(
            moot=moot, closed_at__isnull=False, outcome__in=list(CHECK_OUTCOMES)
        ).order_by("closed_at", "pk")
    }
    for point in moot.points.filter(state=AgendaPoint.State.ACCEPTED):
        if point.pk in last_check and last_check[point.pk] in CHECK_OUTCOMES:
            outcome = CHECK_OUTCOMES[last_check[point.pk]]
        elif point.pk in deferred:
            outcome = AgendaPoint.Outcome.DEFERRED
        else:
            outcome = AgendaPoint.Outcome.DISCUSSED
        AgendaPoint.objects.filter(pk=point.pk).update(outcome=outcome)
    moot.refresh_from_db()
    record("moot.publish", actor=user, assembly=moot.assembly, subject=moot)
    from .series import carry_open_points

    carry_open_points(moot, now)  # a series keeps its open points; then what others deferred
    carry_deferred(moot.assembly_id)
    present = Attendance.objects.filter(moot=moot).values_list("person_id", flat=True)
    notify("moot_minutes", present, actor=user, assembly=moot.assembly, subject=moot)
    return moot


def carry_deferred(assembly_id: int) -> int:
    """Deferred points of the assembly's moots go to the draft agenda of its next moot still
    to come, waiting for its facilitator, as whoever added them first. Called when minutes
    are published and when a moot is called; a point is carried once."""
    now = timezone.now()
    coming = list(
        Moot.objects.filter(
            assembly_id=assembly_id, starts_at__gt=now, cancelled_at__isnull=True
        ).order_by("starts_at", "pk")
    )
    if not coming:
        return 0
    waiting = list(
        AgendaPoint.objects.filter(
            moot__assembly_id=assembly_id,
            outcome=AgendaPoint.Outcome.DEFERRED,
            carried_to__isnull=True,
        ).select_related("moot")
    )
    carried = 0
    for point in waiting:
        # A private moot's point goes only to a private moot: it is not shown to more people.
        nxt = next(
            (m for m in coming if m.pk != point.moot_id and (m.private or not point.moot.private)),
            None,
        )
        if nxt is None:
            continue
        # Claimed first, so two passes at once carry it once.
        if not AgendaPoint.objects.filter(pk=point.pk, carried_to__isnull=True).update(
            carried_to=nxt
        ):
            continue
        carried += 1
        copy_point(point, nxt, position=1000 + point.position, state=AgendaPoint.State.PROPOSED)
    return carried


def copy_point(point: AgendaPoint, to: Moot, *, position: int, state: str) -> AgendaPoint:
    """`point` on the agenda of `to`, as whoever added it first; its proposal goes with it
    unless `to` already has that proposal on its agenda."""
    proposal = point.proposal_id
    if proposal and to.points.filter(proposal_id=proposal).exists():
        proposal = None
    return AgendaPoint.objects.create(
        moot=to,
        position=position,
        title=point.title,
        notes=point.notes,
        minutes=point.minutes,
        proposal_id=proposal,
        added_by_id=point.added_by_id,
        state=state,
    )
