"""Series of moots (issue 14): a moot that repeats (every week, two weeks or month) plans its
next one once it meets, at the same local time in the assembly's time zone, with the same
place, link, capacity, facilitator and minute-taker; when its minutes are published, its
open points (deferred, blocked for another round, or never decided by the facilitator) carry
over to that next one. Stopping a series is editing its latest moot to happen once.

The worker plans the next moots (`continue_series`, each pass); publishing plans it too if
the worker has not yet. A moot has at most one next (a one-to-one link), so two passes at
once plan it once."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from folkmoot.audit.log import record

from .models import AgendaPoint, Moot

log = logging.getLogger(__name__)

# Steps to skip when the worker stood still (a weekly series: a century), bounded all the same.
_CATCH_UP = 5000
_CHAIN = 1000  # moots walked back to find a monthly series' first


def shifted(moment: datetime, repeats: str, zone: Any, day: int | None = None) -> datetime:
    """`moment` one step later, at the same wall-clock time in `zone` (a weekly moot at 19:00
    stays at 19:00 across a change of summer time); a monthly one falls on `day` (the
    series' first day; by default `moment`'s), or the month's last day where the month is
    shorter, and comes back to `day` the month after."""
    local = moment.astimezone(zone)
    if repeats == Moot.Repeats.WEEKLY:
        later = local.replace(tzinfo=None) + timedelta(days=7)
    elif repeats == Moot.Repeats.FORTNIGHTLY:
        later = local.replace(tzinfo=None) + timedelta(days=14)
    elif repeats == Moot.Repeats.MONTHLY:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        on = min(day or local.day, calendar.monthrange(year, month)[1])
        later = local.replace(tzinfo=None, year=year, month=month, day=on)
    else:
        raise ValueError(repeats)
    return later.replace(tzinfo=zone)


def first_day(moot: Moot, zone: Any) -> int:
    """The day of the month the series began on: a monthly series on the 31st meets on the
    28th in February and on the 31st again in March."""
    first = moot
    for _ in range(_CHAIN):
        if first.previous_id is None:
            break
        first = Moot.objects.only("pk", "starts_at", "previous_id").get(pk=first.previous_id)
    return first.starts_at.astimezone(zone).day


def next_times(moot: Moot, zone: Any, now: datetime) -> tuple[datetime, datetime] | None:
    """When the moot after `moot` meets: the first step still to come (None: none within
    reach, which only a broken clock would give)."""
    length = moot.ends_at - moot.starts_at
    day = first_day(moot, zone) if moot.repeats == Moot.Repeats.MONTHLY else None
    starts = shifted(moot.starts_at, moot.repeats, zone, day)
    for _ in range(_CATCH_UP):
        if starts > now:
            return starts, starts + length
        starts = shifted(starts, moot.repeats, zone, day)
    return None


def following(moot: Moot) -> Moot | None:
    try:
        return moot.next_in_series
    except Moot.DoesNotExist:
        return None


def continue_one(moot: Moot, now: datetime | None = None) -> Moot | None:
    """The next moot of `moot`'s series, planned now if it is not yet and `moot` has begun or
    was cancelled (None: it does not repeat, its assembly is closed, or it is still to come).
    Under `moot`'s lock, as a change of its plan is: the next is planned from its times as
    they stand."""
    from .actions import announce, moot_context, zone_of

    now = now or timezone.now()
    with transaction.atomic():
        locked = Moot.objects.select_for_update().filter(pk=moot.pk).first()
        if locked is None:
            return None
        found = following(locked)
        if (
            found is not None
            or not locked.repeats
            or moot.assembly.closed_at is not None
            or (locked.starts_at > now and locked.cancelled_at is None)
        ):
            return found
        ctx = moot_context(None, moot.assembly)
        times = next_times(locked, zone_of(ctx), now)
        if times is None:
            log.warning("moot %s: no next time within reach; its series stops", locked.pk)
            return None
        facilitator, minute_taker = _roles(locked)
        nxt = Moot.objects.create(
            assembly=moot.assembly,
            title=locked.title,
            purpose=locked.purpose,
            starts_at=times[0],
            ends_at=times[1],
            place=locked.place,
            online_link=locked.online_link,
            capacity=locked.capacity,
            private=locked.private,
            facilitator=facilitator,
            minute_taker=minute_taker,
            called_by=locked.called_by,
            repeats=locked.repeats,
            previous=locked,
        )
        record(
            "moot.continue",
            actor=None,
            assembly=moot.assembly,
            subject=nxt,
            previous=locked.pk,
            starts_at=str(times[0]),
        )
        announce(nxt, actor=None, occasion="series")
    return nxt


def _roles(moot: Moot) -> tuple[Any, Any]:
    """The facilitator and minute-taker go on with the series while they still take part in
    the federation (and, for a private moot, may attend it); otherwise the role is left
    open: whoever called the series runs the next one."""
    from folkmoot.federation.models import Membership

    from .actions import _who_may_see

    people = [p for p in (moot.facilitator, moot.minute_taker) if p is not None]
    ids = set(
        Membership.objects.active()
        .filter(assembly_id=moot.assembly.federation_id, user__in=people)
        .values_list("user_id", flat=True)
    )
    if moot.private:
        ids &= set(_who_may_see(moot, list(ids)))
    return tuple(  # type: ignore[return-value]
        p if p is not None and p.pk in ids else None for p in (moot.facilitator, moot.minute_taker)
    )


def continue_series(now: datetime) -> int:
    """The worker's pass: every repeating moot that has begun (or was cancelled) and has no
    next one gets it. Bounded: a pass is a minute; the next takes the rest."""
    due = (
        Moot.objects.filter(
            ~Q(repeats=""),
            Q(starts_at__lte=now) | Q(cancelled_at__isnull=False),
            next_in_series__isnull=True,
            assembly__closed_at__isnull=True,
        )
        .select_related("assembly", "facilitator", "minute_taker", "called_by")
        .order_by("starts_at", "pk")
    )
    planned = 0
    for moot in due[:200]:
        try:
            planned += continue_one(moot, now) is not None
        except Exception:  # one broken series must not stop the worker's other work
            log.exception("moot %s: planning the next of its series failed", moot.pk)
    return planned


def still_to_come(moot: Moot, now: datetime) -> Moot | None:
    """The first moot of the series after `moot` that has not begun yet, planned as needed."""
    nxt = continue_one(moot, now)
    for _ in range(50):  # each planned moot is still to come: this walks what exists
        if nxt is None or (nxt.starts_at > now and nxt.cancelled_at is None):
            return nxt
        nxt = continue_one(nxt, now)
    return None


OPEN = Q(state=AgendaPoint.State.PROPOSED) | Q(
    state=AgendaPoint.State.ACCEPTED,
    outcome__in=[AgendaPoint.Outcome.DEFERRED, AgendaPoint.Outcome.BLOCKED],
)


@transaction.atomic
def carry_open_points(moot: Moot, now: datetime | None = None, *, cancelled: bool = False) -> int:
    """At publication: the points `moot` left open go to the next moot of its series, in
    their order, accepted where they were on the agenda (the same facilitator put them
    there) and waiting for the facilitator where they were only proposed. A cancelled moot
    of a series passes on its whole agenda. A point is carried once."""
    if not moot.repeats:
        return 0
    nxt = still_to_come(moot, now or timezone.now())
    if nxt is None:
        return 0
    end = nxt.points.aggregate(end=Max("position"))["end"] or 0
    carried = 0
    from .minutes import copy_point

    which = (
        Q(state__in=[AgendaPoint.State.PROPOSED, AgendaPoint.State.ACCEPTED]) if cancelled else OPEN
    )
    for point in moot.points.filter(which, carried_to__isnull=True).order_by("position", "pk"):
        if not AgendaPoint.objects.filter(pk=point.pk, carried_to__isnull=True).update(
            carried_to=nxt
        ):
            continue
        carried += 1
        copy_point(
            point,
            nxt,
            position=end + carried,
            state=AgendaPoint.State.ACCEPTED
            if point.state == AgendaPoint.State.ACCEPTED
            else AgendaPoint.State.PROPOSED,
        )
    return carried
