"""Moots before they meet (MEET-1, MEET-2, issue 14): calling one, its agenda (points added by
those who may, decided by the facilitator), registering with a waiting list, cancelling.
`access_* / check_* / do_*` as everywhere (DESIGN.md); the rules are the core's
(`governance.moots`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import Assembly, Membership
from folkmoot.governance.audience import Viewer, closed, sanctioned
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
from folkmoot.refusals import NotFound, Refused, require

from .models import Moot, Registration

_TOO_LONG = {
    "title": gettext_noop(
        "The point's name is too long: at most %(limit)s characters (it has %(length)s)."
    ),
    "notes": gettext_noop(
        "The notes are too long: at most %(limit)s characters (it has %(length)s)."
    ),
    "reason": gettext_noop(
        "The reason is too long: at most %(limit)s characters (it has %(length)s)."
    ),
    "minutes": gettext_noop(
        "The minutes are too long: at most %(limit)s characters (they have %(length)s)."
    ),
    "purpose": gettext_noop(
        "The purpose is too long: at most %(limit)s characters (it has %(length)s)."
    ),
}


def at_most(text: str, limit: int, what: str) -> Answer:
    """The page's limits are the API's, said in words, never cut silently."""
    if len(text) <= limit:
        return Answer.yes()
    return Answer.no(Reason("too_long", _TOO_LONG[what], {"limit": limit, "length": len(text)}))


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

    def may_be_present(self, moot: Moot) -> Answer:
        """Being there is not acting: a sanctioned person attends (SAN-6); nobody attends
        in a closed assembly."""
        if self.viewer.closed_on is not None:
            return closed(self.viewer.closed_on)
        return may_see(self.protocol, self.viewer, timezone.localdate(), private=moot.private)


def zone_of(ctx: MootContext) -> ZoneInfo:
    """A moot's times are the assembly's: in its protocol's time zone (RED15M: Madrid),
    read from the form and shown on its pages."""
    if ctx.protocol is not None:
        return ZoneInfo(ctx.protocol.timezone)
    return ZoneInfo(str(timezone.get_default_timezone()))


def in_assembly_time(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a view that activates the assembly's time zone (`zone_of`): the zone is the
    thread's, so it is put back once the response is made."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapped


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
    """Whether `user` is the one who runs the moot: its facilitator (whoever called it, where
    none is named; staff may stand in). What they may do is `check_running`."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return False
    return bool(getattr(user, "is_staff", False)) or pk == (
        moot.facilitator_id or moot.called_by_id
    )


def check_running(ctx: MootContext, user: Any, moot: Moot) -> Answer:
    """Running a moot is acting: nobody does it in a closed assembly or under a sanction
    (issue 13, SAN-6)."""
    if ctx.viewer.closed_on is not None:
        return closed(ctx.viewer.closed_on)
    if ctx.viewer.sanctioned_until is not None:
        return sanctioned(ctx.viewer)
    if runs(user, moot):
        return Answer.yes()
    return Answer.no(
        Reason("not_facilitator", gettext_noop("Only the moot's facilitator may do this."))
    )


# --- calling and cancelling -----------------------------------------------------------------


def check_call_moot(user: Any, ctx: MootContext, *, fields: dict[str, Any]) -> Moot:
    """`fields`: a valid `MootForm`'s cleaned data (people already chosen among those taking
    part in the federation)."""
    require(ctx.may_call())
    chosen = [p for p in (fields.get("facilitator"), fields.get("minute_taker")) if p is not None]
    if fields.get("private") and chosen:
        allowed = set(_who_may_see_by(ctx, chosen))
        if any(p.pk not in allowed for p in chosen):
            raise Refused.because(
                Reason(
                    "role_cannot_see",
                    gettext_noop(
                        "The facilitator and the minute-taker of a private moot must be among "
                        "those who may attend it."
                    ),
                )
            )
    require(check_plan(plan_of(fields), timezone.now()))
    return do_call_moot(user=user, assembly=ctx.assembly, fields=fields)


def plan_of(fields: dict[str, Any]) -> Plan:
    """What the core checks of a moot's plan, from a form's or the API's fields."""
    return Plan(
        title=fields["title"],
        starts_at=fields["starts_at"],
        ends_at=fields["ends_at"],
        place=fields.get("place", ""),
        online_link=fields.get("online_link", ""),
        capacity=fields.get("capacity"),
    )


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
        repeats=fields.get("repeats") or "",
    )
    record("moot.call", actor=user, assembly=assembly, subject=moot, starts_at=str(moot.starts_at))
    from .minutes import carry_deferred  # the points earlier moots deferred

    carry_deferred(assembly.pk)
    for person, role in ((moot.facilitator, "facilitator"), (moot.minute_taker, "minute_taker")):
        if person is not None:
            notify(
                "moot_role", [person], actor=user, assembly=assembly, subject=moot, occasion=role
            )
    announce(moot, actor=user)
    return moot


def announce(moot: Moot, *, actor: Any, occasion: str = "") -> None:
    """The assembly hears of a moot called (or the next of a series planned); of a private
    one, only those who may attend it."""
    people: Any = (
        Membership.objects.active()
        .filter(assembly_id=moot.assembly.membership_assembly_id)
        .values_list("user_id", flat=True)
    )
    if moot.private:
        people = _who_may_see(moot, list(people))
    notify(
        "moot_called", people, actor=actor, assembly=moot.assembly, subject=moot, occasion=occasion
    )


def may_cancel(ctx: MootContext, user: Any, moot: Moot) -> Answer:
    """The one who runs it, or anyone who may call a moot here."""
    running = check_running(ctx, user, moot)
    return running if running else ctx.may_call()


def _who_may_see_by(ctx: MootContext, people: list[Any]) -> list[int]:
    from folkmoot.protocols.facts import viewers_without_sanctions

    if ctx.protocol is None:
        return []
    viewers = viewers_without_sanctions(people, ctx.assembly)
    today = timezone.localdate()
    return [pk for pk, v in viewers.items() if may_see(ctx.protocol, v, today, private=True)]


def _who_may_see(moot: Moot, ids: list[int]) -> list[int]:
    """Of these people, those the protocol lets attend the (private) moot, read at once."""
    from folkmoot.accounts.models import User
    from folkmoot.protocols.facts import viewers_without_sanctions

    ctx = moot_context(None, moot.assembly)
    if ctx.protocol is None:
        return []
    users = list(User.objects.filter(pk__in=ids))
    viewers = viewers_without_sanctions(users, moot.assembly)
    today = timezone.localdate()
    return [
        pk for pk, viewer in viewers.items() if may_see(ctx.protocol, viewer, today, private=True)
    ]


def check_cancel(user: Any, ctx: MootContext, moot: Moot, *, reason: str) -> Moot:
    require(may_cancel(ctx, user, moot))
    require(combine(check_still_to_come(phase_of(moot)), at_most(reason, 2000, "reason")))
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
    coming = set(
        moot.registrations.exclude(mode=Registration.Mode.REGRETS).values_list(
            "person_id", flat=True
        )
    )
    notify(
        "moot_changed",
        coming | {moot.facilitator_id, moot.minute_taker_id, moot.called_by_id},
        actor=user,
        assembly=moot.assembly,
        subject=moot,
        occasion="cancelled",
    )
    if moot.repeats:  # the series goes on: the next moot takes this one's agenda
        from .series import carry_open_points

        carry_open_points(moot, cancelled=True)
    return moot


# --- changing the plan ----------------------------------------------------------------------

EDITABLE = (
    "title",
    "purpose",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "capacity",
    "repeats",
)
_WHERE_AND_WHEN = {"starts_at", "ends_at", "place", "online_link"}


def check_edit_moot(user: Any, ctx: MootContext, moot: Moot, *, fields: dict[str, Any]) -> Moot:
    """Who may cancel a moot may change its plan, while it is still to come: its title,
    purpose, time, place, link, capacity and whether it repeats (stopping a series). Who it
    is for (private or open) and who runs it stay as called. `fields`: a valid
    `MootEditForm`'s cleaned data, or the API's."""
    require(may_cancel(ctx, user, moot))
    repeats = fields.get("repeats") or ""
    require(
        combine(
            check_still_to_come(phase_of(moot)),
            check_plan(plan_of(fields), timezone.now()),
            at_most(fields.get("purpose") or "", 5000, "purpose"),
            Answer.yes()
            if repeats in Moot.Repeats.values
            else Answer.no(
                Reason(
                    "moot_repeats",
                    gettext_noop("A moot happens once, or every week, two weeks or month."),
                )
            ),
        )
    )
    return do_edit_moot(user=user, moot=moot, fields={**fields, "repeats": repeats})


@transaction.atomic
def do_edit_moot(*, user: Any, moot: Moot, fields: dict[str, Any]) -> Moot:
    """Under the moot's lock, as registering: seats are recounted, whoever gains a seat or
    loses one is told, and so is everyone coming when the time or the place changes."""
    locked = Moot.objects.select_for_update().get(pk=moot.pk)
    require(check_still_to_come(phase_of(locked)))  # again, under the lock
    before = seats_of(locked)
    values = {k: fields.get(k) if k == "capacity" else fields.get(k) or "" for k in EDITABLE}
    changed = sorted(k for k, v in values.items() if getattr(locked, k) != v)
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    locked.save(update_fields=changed)
    after = seats_of(locked)
    now = timezone.now()
    record("moot.edit", actor=user, assembly=locked.assembly, subject=locked, changed=changed)
    gained = set(after.seated) - set(before.seated)
    if gained:
        notify(
            "moot_seat",
            gained,
            assembly=locked.assembly,
            subject=locked,
            occasion=f"seat:{now.isoformat()}",
        )
    lost = set(before.seated) - set(after.seated)
    if lost:  # their notice gives the time too
        notify(
            "moot_changed",
            lost,
            actor=user,
            assembly=locked.assembly,
            subject=locked,
            occasion=f"seat_lost:{now.isoformat()}",
        )
    if _WHERE_AND_WHEN & set(changed):
        coming = set(after.seated) | set(after.waiting)
        notify(
            "moot_changed",
            (coming | {locked.facilitator_id, locked.minute_taker_id, locked.called_by_id})
            - lost
            - {None, user.pk},
            actor=user,
            assembly=locked.assembly,
            subject=locked,
            occasion=f"moved:{now.isoformat()}",
        )
    return locked


# --- coming ---------------------------------------------------------------------------------


def seats_from(moot: Moot, registrations: list[Registration]) -> Seats:
    """Capacity is the room's (MEET-2): where the moot has a place, it counts those coming in
    person, and those coming online never wait; an online-only moot counts everyone. An
    erased account holds no seat. `registrations` in the order they came."""
    coming = [r for r in registrations if r.attending and r.person.erased_at is None]
    counted = [r for r in coming if not moot.place or r.mode == Registration.Mode.IN_PERSON]
    seats = seating(moot.capacity, [r.person_id for r in counted])
    online = tuple(r.person_id for r in coming if r not in counted)
    return Seats(seats.seated + online, seats.waiting)


def seats_of(moot: Moot) -> Seats:
    return seats_from(
        moot, list(moot.registrations.select_related("person").order_by("since", "pk"))
    )


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
    registered = Registration.objects.filter(moot=moot, person=user).exists()
    if mode != Registration.Mode.REGRETS or not registered:
        # Regrets need nothing more from someone who said they would come; from anyone
        # else, the right to attend (nobody else's name goes on the list).
        answers.append(ctx.may_attend(moot))
    elif ctx.viewer.closed_on is not None:
        answers.append(closed(ctx.viewer.closed_on))
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
        notify(  # once per seat: someone who waits again is told again
            "moot_seat",
            moved_up,
            assembly=moot.assembly,
            subject=moot,
            occasion=f"seat:{now.isoformat()}",
        )
    return registration
