"""Moots, the assembly's meetings (MEET-1, MEET-2, issue 14): who calls one, who may see it,
attend it and add points to its agenda, where a moot stands in time, and who has a seat
when capacity is limited. Pure: the caller says who the person is (a Viewer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from .audience import Viewer, check_acting, check_audience
from .protocol import Audience, Protocol
from .reasons import Answer, Reason, combine, gettext_noop

Phase = Literal["upcoming", "live", "ended", "cancelled"]
LONGEST = timedelta(hours=24)  # a moot is a meeting; a series is made of several
OPEN_TO_ALL = Audience(any_of=["platform"])


def moot_rules(protocol: Protocol | None) -> Answer:
    if protocol is None or protocol.moots is None:
        return Answer.no(
            Reason("no_moots", gettext_noop("This assembly's protocol provides for no moots."))
        )
    return Answer.yes()


def may_call(protocol: Protocol | None, viewer: Viewer, today: date) -> Answer:
    rules = moot_rules(protocol)
    if not rules:
        return rules
    assert protocol is not None and protocol.moots is not None
    return check_acting(
        protocol,
        protocol.moots.called_by,
        viewer,
        today,
        code="may_not_call_moot",
        template=gettext_noop("Only %(who)s may call a moot here."),
        params={},
    )


def attendees(protocol: Protocol, private: bool) -> Audience:
    """An open moot is open to anyone signed in; a private one to the protocol's audience."""
    assert protocol.moots is not None
    return protocol.moots.attend if private else OPEN_TO_ALL


def may_see(protocol: Protocol | None, viewer: Viewer, today: date, *, private: bool) -> Answer:
    if not private:
        return Answer.yes()
    rules = moot_rules(protocol)
    if not rules:
        return rules
    assert protocol is not None
    return check_audience(
        protocol,
        attendees(protocol, True),
        viewer,
        today,
        code="private_moot",
        template=gettext_noop("This moot is private: only %(who)s may see it."),
        params={},
    )


def may_attend(protocol: Protocol | None, viewer: Viewer, today: date, *, private: bool) -> Answer:
    rules = moot_rules(protocol)
    if not rules:
        return rules
    assert protocol is not None
    return check_acting(
        protocol,
        attendees(protocol, private),
        viewer,
        today,
        code="may_not_attend",
        template=gettext_noop("Only %(who)s may attend this moot."),
        params={},
    )


def may_add_point(protocol: Protocol | None, viewer: Viewer, today: date) -> Answer:
    """MEET-2: anyone who may participate adds a point; the facilitator decides on it."""
    rules = moot_rules(protocol)
    if not rules:
        return rules
    assert protocol is not None and protocol.moots is not None
    return check_acting(
        protocol,
        protocol.moots.add_points,
        viewer,
        today,
        code="may_not_add_point",
        template=gettext_noop("Only %(who)s may add points to this moot's agenda."),
        params={},
    )


def phase(starts_at: datetime, ends_at: datetime, now: datetime, cancelled: bool) -> Phase:
    if cancelled:
        return "cancelled"
    if now < starts_at:
        return "upcoming"
    return "live" if now < ends_at else "ended"


def check_still_to_come(current: Phase) -> Answer:
    """Registering, and changing the agenda before the moot, need a moot still to come (a
    live moot's agenda is the facilitator's to run)."""
    if current == "upcoming":
        return Answer.yes()
    templates = {
        "live": gettext_noop("The moot has started."),
        "ended": gettext_noop("The moot is over."),
        "cancelled": gettext_noop("The moot was cancelled."),
    }
    return Answer.no(Reason(f"moot_{current}", templates[current]))


@dataclass(frozen=True)
class Plan:
    """What a moot is called with, as the form or the API gives it."""

    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_link: str
    capacity: int | None


def check_plan(plan: Plan, now: datetime) -> Answer:
    """Every problem at once, so the person calling it mends the form in one go."""
    answers = []
    if not plan.title.strip():
        answers.append(_no("moot_title", gettext_noop("Give the moot a title.")))
    if plan.starts_at <= now:
        answers.append(_no("moot_in_past", gettext_noop("A moot is called for a time to come.")))
    if plan.ends_at <= plan.starts_at:
        answers.append(_no("moot_ends_first", gettext_noop("The moot must end after it starts.")))
    elif plan.ends_at - plan.starts_at > LONGEST:
        answers.append(
            _no(
                "moot_too_long",
                gettext_noop("A moot lasts at most a day: call a series of them instead."),
            )
        )
    if not plan.place.strip() and not plan.online_link.strip():
        answers.append(_no("moot_nowhere", gettext_noop("Give a place, an online link, or both.")))
    if plan.capacity is not None and plan.capacity < 1:
        answers.append(_no("moot_capacity", gettext_noop("The capacity is at least one person.")))
    return combine(*answers) if answers else Answer.yes()


def _no(code: str, template: str) -> Answer:
    return Answer.no(Reason(code, template))


@dataclass(frozen=True)
class Seats:
    seated: tuple[int, ...]  # in the order they registered
    waiting: tuple[int, ...]  # first in line first


def seating(capacity: int | None, attending: Sequence[int]) -> Seats:
    """MEET-2: the first `capacity` of those attending (in the order they registered) have a
    seat; the others wait in that order, and move up as seats free. Computed when read."""
    if capacity is None:
        return Seats(tuple(attending), ())
    return Seats(tuple(attending[:capacity]), tuple(attending[capacity:]))


# --- the live room (MEET-3) ------------------------------------------------------------------

# A point of process goes first, then direct responses, then new points: the facilitation
# practice of assemblies that seek consensus.
KIND_ORDER = {"process": 0, "direct": 1, "new": 2}


@dataclass(frozen=True)
class RaisedHand:
    id: int
    person: int
    kind: str
    raised_at: datetime


def speaking_order(
    hands: Sequence[RaisedHand], *, progressive: bool, spoken: frozenset[int]
) -> list[RaisedHand]:
    """The speakers' queue: by kind, then (where the facilitator asks for progressive
    ordering) those who have not spoken yet at this moot, then in the order hands went up."""
    return sorted(
        hands,
        key=lambda h: (
            KIND_ORDER.get(h.kind, 2),
            progressive and h.person in spoken,
            h.raised_at,
            h.id,
        ),
    )


@dataclass(frozen=True)
class Quorum:
    needed: int | None  # None: the protocol sets none
    present: int

    @property
    def met(self) -> bool:
        return self.needed is None or self.present >= self.needed


def quorum(protocol: Protocol | None, present: int) -> Quorum:
    needed = protocol.moots.quorum if protocol is not None and protocol.moots else None
    return Quorum(needed, present)


def check_live(current: Phase) -> Answer:
    """The live room acts while the moot meets."""
    if current == "live":
        return Answer.yes()
    templates = {
        "upcoming": gettext_noop("The moot has not started yet."),
        "ended": gettext_noop("The moot is over."),
        "cancelled": gettext_noop("The moot was cancelled."),
    }
    return Answer.no(Reason(f"moot_{current}", templates[current]))
