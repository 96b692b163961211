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
    room_changed(moot.pk)
    return minutes
