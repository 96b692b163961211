"""Time in the protocol: election windows, terms, inactivity, and where a decision stands in
its pipeline (OFF-1, OFF-2, OFF-6, VOTE-3..7). Pure functions of (rules, facts, now).

Conventions:

- Every datetime taken or returned is timezone-aware; a naive one raises ValueError.
- Every datetime returned is in UTC. Python compares and subtracts two datetimes that share
  a tzinfo by their wall clocks, which goes wrong around a DST change; UTC never does. The
  caller converts to the protocol's zone (or the reader's) for display.
- Calendars are fixed on the protocol's wall clock (`Protocol.timezone`, an IANA name):
  "Monday 00:00 Europe/Madrid" opens at 00:00 local on both sides of a DST change.
  A wall time that a spring change skips (02:30 in Madrid on the last Sunday of March) opens
  at the same elapsed instant as if it existed, i.e. 03:30 local; a repeated wall time (autumn)
  opens at its first occurrence.
- Durations are elapsed time: "48 h", "28 days" and "7 days of voting" are counted in real
  hours, so a 48 h window that spans a DST change closes at a different wall time.
- A fact dated after `now` has not happened yet: decision_stage ignores it, so the same facts
  replay the history of a decision.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .protocol import DecisionKind, ElectionCalendar, Office
from .reasons import Answer, Reason, gettext_noop

__all__ = [
    "DecisionFacts",
    "Stage",
    "StageInfo",
    "Window",
    "by_election_windows",
    "check_urgency",
    "check_voting_duration",
    "current_term",
    "decision_stage",
    "default_voting_days",
    "election_window",
    "election_windows",
    "inactivity_notice_due",
    "previous_election_window",
    "term_end",
    "urgent_max_voting_days",
    "voting_closes_at",
    "weekly_turn",
]


def _utc(moment: datetime, name: str = "now") -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(UTC)


def _number(value: float) -> float | int:
    """3.0 → 3 for messages ("at least 3 days", not "3.0 days"); the caller localises it."""
    return int(value) if float(value).is_integer() else value


# --- windows and elections (OFF-1, OFF-2) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window:
    """A span of time, open at `opens_at` and closed from `closes_at` on (half-open)."""

    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= _utc(now) < self.closes_at


def _opening(calendar: ElectionCalendar, zone: ZoneInfo, k: int) -> datetime:
    """The k-th opening after the anchor (k < 0: before it), on the local wall clock."""
    day = calendar.anchor + timedelta(days=k * calendar.every_days)
    return datetime.combine(day, calendar.opens_at.replace(tzinfo=None), tzinfo=zone).astimezone(
        UTC
    )


def _window(calendar: ElectionCalendar, zone: ZoneInfo, k: int) -> Window:
    opens_at = _opening(calendar, zone, k)
    return Window(opens_at, opens_at + timedelta(hours=calendar.duration_hours))


def _last_opened(calendar: ElectionCalendar, zone: ZoneInfo, now: datetime) -> int:
    """The index of the latest opening at or before `now`."""
    local_day = now.astimezone(zone).date()
    k = (local_day - calendar.anchor).days // calendar.every_days
    # The local date gives the answer or its neighbour (the opening may be later that day,
    # or a DST gap may shift it); settle it on real instants.
    while _opening(calendar, zone, k) > now:
        k -= 1
    while _opening(calendar, zone, k + 1) <= now:
        k += 1
    return k


def election_window(calendar: ElectionCalendar, tz: str, now: datetime) -> Window:
    """OFF-1/OFF-2: the election window open at `now`, else the next one to open.

    Openings fall on `anchor + k × every_days` (k any integer, negative too) at `opens_at` on
    the wall clock of `tz`; each lasts `duration_hours` elapsed hours. If a protocol's windows
    overlap (longer than the period), the earliest one still open is returned.
    """
    now = _utc(now)
    zone = ZoneInfo(tz)
    k = _last_opened(calendar, zone, now)
    if not _window(calendar, zone, k).is_open(now):
        return _window(calendar, zone, k + 1)
    while _window(calendar, zone, k - 1).is_open(now):
        k -= 1
    return _window(calendar, zone, k)


def previous_election_window(calendar: ElectionCalendar, tz: str, now: datetime) -> Window:
    """OFF-1/OFF-2: the latest election window that has closed by `now` (closes_at ≤ now)."""
    now = _utc(now)
    zone = ZoneInfo(tz)
    k = _last_opened(calendar, zone, now)
    while _window(calendar, zone, k).closes_at > now:
        k -= 1
    return _window(calendar, zone, k)


def election_windows(calendar: ElectionCalendar, tz: str, now: datetime) -> Iterator[Window]:
    """OFF-1, BEY-5: the window open at `now` (if any) and every later one, in order."""
    now = _utc(now)
    zone = ZoneInfo(tz)
    first = election_window(calendar, tz, now)
    k = _last_opened(calendar, zone, first.opens_at)
    while True:
        yield _window(calendar, zone, k)
        k += 1


BY_ELECTION_NOTICE = timedelta(days=7)  # time to stand before a by-election opens


def by_election_windows(
    calendar: ElectionCalendar, tz: str, vacant_since: datetime, now: datetime
) -> tuple[Window | None, Window]:
    """OFF-3, issue 13: a seat vacant since `vacant_since` is filled by a by-election in the
    next window instead of waiting for the calendar's next election. By-election windows
    open on the calendar's weekday and time, weekly, from a week after the seat fell vacant
    (time to stand), and last as long as an election. Returns (the last one closed by `now`,
    if any; the one open at `now`, else the next). The caller weighs them against the
    regular calendar: a regular election opening first takes the seat instead."""
    now = _utc(now)
    zone = ZoneInfo(tz)
    earliest = _utc(vacant_since, "vacant_since") + BY_ELECTION_NOTICE
    local = earliest.astimezone(zone)
    wall = calendar.opens_at.replace(tzinfo=None)
    day = local.date() + timedelta(days=(calendar.opens_on.number - local.weekday()) % 7)
    first = datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)
    if first < earliest:
        first = datetime.combine(day + timedelta(days=7), wall, tzinfo=zone).astimezone(UTC)

    def window(week: int) -> Window:
        opens = datetime.combine(
            first.astimezone(zone).date() + timedelta(days=7 * week), wall, tzinfo=zone
        ).astimezone(UTC)
        return Window(opens, opens + timedelta(hours=calendar.duration_hours))

    if now < first:
        return None, window(0)
    week = (now - first).days // 7
    while window(week).opens_at > now:
        week -= 1
    while window(week + 1).opens_at <= now:
        week += 1
    current = window(week) if window(week).is_open(now) else window(week + 1)
    closed = week - (0 if current == window(week + 1) else 1)
    return (window(closed) if closed >= 0 else None), current


def ballot_fixed_at(office: Office, window: Window) -> datetime:
    """When an election's ballot is fixed: its opening, or for a sealed election (issue 16)
    `prepare_hours` earlier, when its vote is prepared so that the guardians can make the key
    and voters register theirs. Candidacies close then."""
    if office.sealed is None:
        return window.opens_at
    return window.opens_at - timedelta(hours=office.sealed.prepare_hours)


def term_end(office: Office, tz: str, took_office: datetime) -> datetime | None:
    """OFF-1/OFF-2: when a term that began at `took_office` ends: `term_days` elapsed days
    later (RED15M coordinators: 28), or None for an office without a term length.

    The term length is taken literally, not rounded to an election window: the election
    calendar decides who holds the office next, see `current_term`. `tz` is accepted for
    symmetry with the other functions; elapsed days do not depend on it.
    """
    ZoneInfo(tz)  # an unknown zone is an error here as everywhere else
    took_office = _utc(took_office, "took_office")
    if office.term_days is None:
        return None
    return took_office + timedelta(days=office.term_days)


def current_term(office: Office, tz: str, now: datetime) -> Window | None:
    """OFF-1/OFF-2: for an elected office with an election calendar, the term running at
    `now`: from the close of the previous election to the close of the next one (the one
    open now, if an election is under way: the outgoing holders serve until it closes).
    None for offices that are appointed or have no calendar."""
    if not office.on_calendar or office.election is None:
        return None
    previous = previous_election_window(office.election, tz, now)
    coming = election_window(office.election, tz, now)
    return Window(previous.closes_at, coming.closes_at)


def inactivity_notice_due(office: Office, last_active: datetime, now: datetime) -> bool:
    """OFF-6: a holder inactive for more than `inactivity_notice_days` (RED15M: 14, half a
    term) must tell the others. False for offices without that rule."""
    if office.inactivity_notice_days is None:
        return False
    idle = _utc(now) - _utc(last_active, "last_active")
    return idle > timedelta(days=office.inactivity_notice_days)


# --- weekly polls (VOTE-7, art. 12) -----------------------------------------------------------

WEEK = timedelta(days=7)


def weekly_turn(
    kind: DecisionKind,
    *,
    first_in_line: str | None,
    last_opened_at: datetime | None,
    now: datetime,
) -> Answer:
    """VOTE-7 (art. 12 "se lanzarán por orden de aparición"): a kind marked `weekly` is
    launched one a week, in order of arrival. `first_in_line`: the title of an older one
    ready to launch, if any (it goes first); `last_opened_at`: when the last one of the
    kind opened in the assembly. Other kinds always may."""
    if not kind.weekly:
        return Answer.yes()
    reasons = []
    if first_in_line is not None:
        reasons.append(
            Reason(
                "weekly_order",
                gettext_noop("Weekly polls go in order of arrival: “%(title)s” comes first."),
                {"title": first_in_line},
            )
        )
    if last_opened_at is not None and _utc(now) < _utc(last_opened_at, "opened") + WEEK:
        reasons.append(
            Reason(
                "weekly_one_a_week",
                gettext_noop("One weekly poll a week: the next may open on %(opens_at)s."),
                {"opens_at": _utc(last_opened_at, "opened") + WEEK},
            )
        )
    return Answer.no(*reasons) if reasons else Answer.yes()


# --- voting durations and urgency (VOTE-4, VOTE-6) ------------------------------------------


def urgent_max_voting_days(kind: DecisionKind) -> float | None:
    """VOTE-4/VOTE-6: the longest an urgent vote of this kind may last, or None if the kind
    cannot be urgent.

    Reading of VOTE-4: "Referendum 7 days voting, urgent 5" is `urgent.voting_days: 5`;
    "Poll voting 7–12 days, urgent half" is `urgent.voting_factor: 0.5` applied to the
    kind's default duration (7 → 3.5). Either is the *maximum*, not an exact length: art. 11
    lets coordination decide how long an urgent vote lasts. It is capped by the kind's own
    maximum and by VOTE-6's `urgent.max_hours` (debate and voting together at most 120 h,
    so voting alone cannot be longer). Without either setting the cap is the latter two.
    """
    urgency = kind.urgent
    if urgency is None:
        return None
    limits = [kind.voting.max_days, urgency.max_hours / 24]
    if urgency.voting_days is not None:
        limits.append(urgency.voting_days)
    elif urgency.voting_factor is not None:
        limits.append(kind.voting.default_days * urgency.voting_factor)
    return min(limits)


def default_voting_days(kind: DecisionKind, *, urgent: bool = False) -> float:
    """VOTE-4: how long a vote lasts when its launcher does not say: the kind's default, or
    for an urgent vote the urgent maximum (VOTE-6)."""
    if urgent:
        limit = urgent_max_voting_days(kind)
        if limit is not None:
            return limit
    return kind.voting.default_days


def urgent_earliest_close(
    kind: DecisionKind, created_at: datetime, event_at: datetime | None
) -> datetime | None:
    """VOTE-6 (art. 11): an urgent decision's debate and voting together last at least
    `urgent.min_hours` (72) from the proposal. Where the event comes sooner than that, it is
    art. 11's exceptional case: coordination decides how long the vote lasts, and there is no
    minimum (None), as there is none for a kind without urgency rules. (RED15M calls urgent
    only an event less than 72 hours away, so its urgent votes are all exceptional; a
    protocol whose urgency reaches further gets the minimum.)"""
    if kind.urgent is None:
        return None
    earliest = _utc(created_at, "created_at") + timedelta(hours=kind.urgent.min_hours)
    if event_at is not None and _utc(event_at, "event_at") < earliest:
        return None
    return earliest


def check_voting_duration(
    kind: DecisionKind,
    days: float,
    *,
    urgent: bool,
    opens_at: datetime | None = None,
    created_at: datetime | None = None,
    event_at: datetime | None = None,
) -> Answer:
    """VOTE-4: a vote lasts between the kind's `voting.min_days` and `max_days`, and never
    less than `min_days_unless_urgent` (RED15M: 3) unless it is urgent.

    VOTE-6: an urgent vote is exempt from both minimums (coordination decides its length,
    art. 11) and lasts at most `urgent_max_voting_days(kind)`; a kind without urgency rules
    refuses urgency altogether.
    """
    if not math.isfinite(days) or days <= 0:
        return Answer.no(
            Reason(
                "duration_not_positive",
                gettext_noop("A vote must last a positive number of days."),
                {"days": days},
            )
        )
    if urgent:
        limit = urgent_max_voting_days(kind)
        if limit is None:
            return Answer.no(_cannot_be_urgent())
        if days > limit:
            return Answer.no(
                Reason(
                    "urgent_too_long",
                    gettext_noop("Urgent votes of this kind last at most %(max)s days."),
                    {"max": _number(limit), "days": _number(days)},
                )
            )
        if opens_at is None or created_at is None or kind.urgent is None:
            return Answer.yes()
        earliest = urgent_earliest_close(kind, created_at, event_at)
        if earliest is not None and _utc(opens_at) + timedelta(days=days) < earliest:
            return Answer.no(
                Reason(
                    "urgent_too_short",
                    gettext_noop(
                        "An urgent vote runs, with its debate, at least %(hours)s hours: it "
                        "closes on %(earliest)s at the soonest."
                    ),
                    {"hours": kind.urgent.min_hours, "earliest": earliest},
                )
            )
        return Answer.yes()
    reasons: list[Reason] = []
    floor = max(kind.voting.min_days, kind.min_days_unless_urgent)
    if days < floor:
        if kind.min_days_unless_urgent >= kind.voting.min_days:
            reasons.append(
                Reason(
                    "too_short_unless_urgent",
                    gettext_noop("Votes last at least %(min)s days unless urgent."),
                    {"min": _number(floor), "days": _number(days)},
                )
            )
        else:
            reasons.append(
                Reason(
                    "too_short",
                    gettext_noop("Votes of this kind last at least %(min)s days."),
                    {"min": _number(floor), "days": _number(days)},
                )
            )
    if days > kind.voting.max_days:
        reasons.append(
            Reason(
                "too_long",
                gettext_noop("Votes of this kind last at most %(max)s days."),
                {"max": _number(kind.voting.max_days), "days": _number(days)},
            )
        )
    return Answer.no(*reasons) if reasons else Answer.yes()


def _cannot_be_urgent() -> Reason:
    return Reason("urgency_not_allowed", gettext_noop("Decisions of this kind cannot be urgent."))


def check_urgency(kind: DecisionKind, event_at: datetime, now: datetime) -> Answer:
    """VOTE-6 (art. 11): a decision may be urgent only for an event less than
    `urgent.event_within_hours` (72) away; an event less than `urgent.out_of_scope_hours`
    (48) ahead is out of scope altogether; a kind without urgency rules refuses it.

    "Known less than 48 h ahead" is read as: less than 48 h between `now` (when urgency is
    asked for) and the event. Exactly 48 h is in scope; exactly 72 h is not urgent.
    """
    urgency = kind.urgent
    if urgency is None:
        return Answer.no(_cannot_be_urgent())
    lead = _utc(event_at, "event_at") - _utc(now)
    if lead <= timedelta(0):
        return Answer.no(
            Reason(
                "event_passed",
                gettext_noop("The event is already under way or over."),
                {"event_at": _utc(event_at)},
            )
        )
    if lead < timedelta(hours=urgency.out_of_scope_hours):
        return Answer.no(
            Reason(
                "urgency_out_of_scope",
                gettext_noop(
                    "Events less than %(hours)s hours away are out of scope: there is no time to decide."
                ),
                {"hours": urgency.out_of_scope_hours, "event_at": _utc(event_at)},
            )
        )
    if lead >= timedelta(hours=urgency.event_within_hours):
        return Answer.no(
            Reason(
                "not_urgent",
                gettext_noop("Only an event less than %(hours)s hours away makes a vote urgent."),
                {"hours": urgency.event_within_hours, "event_at": _utc(event_at)},
            )
        )
    return Answer.yes()


def voting_closes_at(kind: DecisionKind, launched_at: datetime, days: float | None) -> datetime:
    """VOTE-4/VOTE-5: when a vote launched at `launched_at` for `days` (elapsed days) closes;
    the kind's default duration when `days` is None."""
    if days is None:
        days = kind.voting.default_days
    return _utc(launched_at, "launched_at") + timedelta(days=days)


# --- the decision pipeline (VOTE-3..7, OFF-2) -----------------------------------------------


@dataclass(frozen=True)
class DecisionFacts:
    """What happened to one proposal. `supports` maps an office key to the times of the
    "+1 as <office>" supports given in that capacity (FOR-4: only those count);
    `drafting_approvals` are the times drafters approved the text (OFF-2)."""

    created_at: datetime
    supports: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    drafting_approvals: Sequence[datetime] = ()
    simple_question: bool = False
    launched_at: datetime | None = None
    voting_days: float | None = None
    urgent: bool = False
    event_at: datetime | None = None
    closed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    validated_at: datetime | None = None  # art. 7.1: validated by one holder of the power


class Stage(StrEnum):
    DEBATE = "debate"  # debate and gathering support (VOTE-3)
    DRAFTING = "drafting"  # the Drafting forum approves the text (VOTE-3, OFF-2)
    READY = "ready"  # may be launched; see StageInfo.launchable
    VOTING = "voting"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # VOTE-7


@dataclass(frozen=True)
class StageInfo:
    """Where a decision stands. `until`: when the stage ends by the passage of time alone,
    given the facts so far (None when only someone's action ends it, or nothing does).
    `waiting_for`: what it waits for, in words. `supports`: office → (have, need)."""

    stage: Stage
    until: datetime | None = None
    waiting_for: tuple[Reason, ...] = ()
    supports: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def launchable(self) -> bool:
        """READY and waiting for nothing but a launcher."""
        return self.stage is Stage.READY and not self.waiting_for


def _happened(moments: Sequence[datetime], now: datetime) -> list[datetime]:
    return sorted(m for m in (_utc(m, "a fact's time") for m in moments) if m <= now)


def _at(moment: datetime | None, now: datetime) -> datetime | None:
    """The fact's time if it has happened by `now`."""
    if moment is None:
        return None
    moment = _utc(moment, "a fact's time")
    return moment if moment <= now else None


def decision_stage(kind: DecisionKind, facts: DecisionFacts, now: datetime) -> StageInfo:
    """VOTE-3..7, OFF-2: the stage of a decision at `now`, what it waits for and until when.

    - WITHDRAWN once withdrawn (VOTE-7); CLOSED once closed, or when its voting time is over;
      VOTING from launch until `voting_closes_at` (the facts' `voting_days`, else the default
      for the kind, urgent or not).
    - `launch_at_once` kinds (MegaPoll, VOTE-4) are READY at once.
    - DEBATE is VOTE-3's "debate and gathering support". It lasts the debate period
      (`debate.days` from creation), or less once every listed support is reached if
      `debate.ends_early_with_support` (VOTE-4: "7 days of debate or 3 supports"). Support is
      what turns a proposal into a vote (art. 10), so a proposal whose debate period is over
      without its supports stays here, gathering them. Urgent decisions skip the debate
      period (VOTE-6 fits debate and voting into 72–120 h) but still need their supports.
    - DRAFTING while the kind needs `drafting.approvals` and has fewer (not for simple
      questions when `not_for_simple_questions`, VOTE-3).
    - READY after that; launchable `launch_delay_hours` after the last needed support (OFF-2:
      designs 24 h after the last one). Before then, READY with `until` and the reason.
    """
    now = _utc(now)
    created_at = _utc(facts.created_at, "created_at")

    needs: dict[str, int] = {}
    for support in kind.supports:
        needs[support.office] = needs.get(support.office, 0) + support.count
    given = {office: _happened(facts.supports.get(office, ()), now) for office in needs}
    counts = {office: (len(given[office]), need) for office, need in needs.items()}

    def info(stage: Stage, until: datetime | None = None, *waiting: Reason) -> StageInfo:
        return StageInfo(stage, until, tuple(waiting), counts)

    if _at(facts.withdrawn_at, now) is not None:
        return info(Stage.WITHDRAWN)
    if _at(facts.closed_at, now) is not None:
        return info(Stage.CLOSED)
    launched_at = _at(facts.launched_at, now)
    if launched_at is not None:
        days = facts.voting_days
        if days is None:
            days = default_voting_days(kind, urgent=facts.urgent)
        closes_at = voting_closes_at(kind, launched_at, days)
        if closes_at <= now:
            return info(Stage.CLOSED)
        return info(
            Stage.VOTING,
            closes_at,
            Reason(
                "voting_open",
                gettext_noop("Voting closes on %(closes_at)s."),
                {"closes_at": closes_at},
            ),
        )
    if kind.launch_at_once:
        return info(Stage.READY)

    # DEBATE: debate and gathering support; a kind validated alone (art. 7.1) skips it once
    # validated, its supports and its debate period both.
    validated_at = _at(facts.validated_at, now) if kind.validated_alone else None
    missing = [
        Reason(
            "support_missing",
            gettext_noop("%(have)s of %(need)s supports from %(office)s."),
            {"have": have, "need": need, "office": office},
        )
        for office, (have, need) in counts.items()
        if have < need and validated_at is None
    ]
    # When the last needed support arrived: the need-th support of each office, the latest.
    supported_at = None
    if validated_at is not None:
        supported_at = validated_at
    elif needs and not missing:
        supported_at = max(given[office][need - 1] for office, need in needs.items())
    debate_days = 0.0 if facts.urgent or kind.debate is None else kind.debate.days
    debate_ends_at = created_at + timedelta(days=debate_days)
    ends_early = kind.debate is not None and kind.debate.ends_early_with_support and bool(needs)
    debate_running = (
        now < debate_ends_at
        and not (ends_early and supported_at is not None)
        and validated_at is None
    )
    if debate_running or missing:
        waiting = list(missing)
        if debate_running:
            waiting.insert(
                0,
                Reason(
                    "debate_period",
                    gettext_noop("The debate period ends on %(ends_at)s."),
                    {"ends_at": debate_ends_at},
                ),
            )
        until = debate_ends_at if debate_running and not missing else None
        return info(Stage.DEBATE, until, *waiting)

    # DRAFTING: the text needs approval by drafters.
    drafting = kind.drafting
    if drafting is not None and not (facts.simple_question and drafting.not_for_simple_questions):
        have = len(_happened(facts.drafting_approvals, now))
        if have < drafting.approvals:
            return info(
                Stage.DRAFTING,
                None,
                Reason(
                    "drafting_approval",
                    gettext_noop("%(have)s of %(need)s approvals of the text from %(office)s."),
                    {"have": have, "need": drafting.approvals, "office": drafting.office},
                ),
            )

    # READY: launchable once the launch delay after the last support has passed.
    if supported_at is not None and kind.launch_delay_hours:
        launchable_at = supported_at + timedelta(hours=kind.launch_delay_hours)
        if now < launchable_at:
            return info(
                Stage.READY,
                launchable_at,
                Reason(
                    "launch_delay",
                    gettext_noop(
                        "It may be launched %(hours)s hours after the last support, on %(launchable_at)s."
                    ),
                    {"hours": _number(kind.launch_delay_hours), "launchable_at": launchable_at},
                ),
            )
    return info(Stage.READY)
