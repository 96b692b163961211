"""Sanctions (SAN-1..6, OFF-6; RED15M arts. 5, 7, 16–20) as pure functions of (rules, history,
now). Datetimes are timezone-aware; durations are `datetime.timedelta`. Nothing here runs on
a schedule: a sanction expires because time passes (SAN-6), so "is it in force?" is always
asked with a `now`.

Readings of the protocol text this module commits to (each has a test):

- Repeats are counted from zero: `repeat` 0 is a first offence, 1 the first repeat
  ("primera reincidencia"), 2 the second, and so on.
- SAN-3, first repeat: the duration returned is the least coordination may impose (the
  original times `repeat_multiplier`); it decides in a public thread to double or increase.
  From the second repeat the previous imposed duration is always multiplied; when the caller
  does not say what was imposed, the chain base × multiplier^repeat stands in for it. A
  repeat never earns less than a first offence of its own level (an earlier minor sanction
  doubled can be shorter than a very serious one).
- SAN-3, *persona non grata*: from `non_grata_after_repeats` repeats on the person is non
  grata and earns `non_grata_hours` (9 days) at every appearance, even without an offence
  (`non_grata_appearance`). An offence at or past the threshold earns the larger of those 9
  days and the doubling chain: art. 18.5 doubles "always", and durations never go down as
  repeats go up.
- SAN-4: endorsements count when given before the deadline (imposed_at + window); the
  window is half-open, so a sanction that lapses is in force up to its deadline, not at it.
- OFF-6: "more than three repeats" is indefinite: with `indefinite_after` = 3, repeats 0–3
  give 3, 9, 27, 81 days and repeat 4 on is indefinite (None).
- Art. 7 misconduct: `permanent_after` repeats bar the holder (None); RED15M coordinators
  use 1, since any repeat earns the permanent sanction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .audience import Named
from .protocol import LocalizedText, Misconduct, Sanctions, Suspension
from .reasons import Answer, Reason, gettext_noop

# --- durations in words -----------------------------------------------------------------------

_UNITS: tuple[tuple[timedelta, str, str], ...] = (
    (timedelta(days=1), gettext_noop("%(n)s day"), gettext_noop("%(n)s days")),
    (timedelta(hours=1), gettext_noop("%(n)s hour"), gettext_noop("%(n)s hours")),
    (timedelta(minutes=1), gettext_noop("%(n)s minute"), gettext_noop("%(n)s minutes")),
)


def _number(value: float, language: str) -> str:
    text = str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language[:2] in ("es", "fr") else text


@dataclass(frozen=True, slots=True)
class Duration:
    """A reason parameter: a duration in the largest whole unit ("6 days", "36 hours",
    "90 minutes"), or in minutes with decimals when no unit divides it."""

    value: timedelta

    def render(self, translate: Any = None, language: str = "en") -> str:
        tr = translate or (lambda s: s)
        size, one, many = next(
            (unit for unit in _UNITS if self.value >= unit[0] and not self.value % unit[0]),
            _UNITS[-1],
        )
        amount = self.value / size
        singular = amount == 1 or (language[:2] == "fr" and amount < 2)
        return str(tr(one if singular else many)) % {"n": _number(amount, language)}


@dataclass(frozen=True, slots=True)
class _Names:
    """A reason parameter listing names the protocol declares, in the reader's language."""

    names: tuple[LocalizedText, ...]

    def render(self, translate: Any = None, language: str = "en") -> str:
        return ", ".join(name.get(language) for name in self.names)


def _spoken(unit: str, amount: float) -> Duration | str:
    """A reason parameter for an amount the person typed, which may be out of any range."""
    try:
        return Duration(timedelta(**{unit: amount}))
    except (OverflowError, ValueError):
        return str(amount)


def _scaled(base: timedelta, multiplier: float, times: int) -> timedelta:
    """base × multiplier^times; beyond what a timedelta holds, the longest one (forever)."""
    try:
        return base * (multiplier**times)
    except OverflowError:
        return timedelta.max


def _multiplier(value: float) -> str:
    return _number(value, "en")


def _repeat_name(repeat: int) -> Reason:
    names = {
        1: gettext_noop("first repeat"),
        2: gettext_noop("second repeat"),
        3: gettext_noop("third repeat"),
    }
    if repeat in names:
        return Reason("repeat_ordinal", names[repeat])
    return Reason("repeat_ordinal", gettext_noop("repeat no. %(n)s"), {"n": repeat})


def _aware(**values: datetime) -> None:
    for name, value in values.items():
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")


def _not_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be ≥ 0, not {value}")


# --- SAN-2, SAN-3: offences by level and repeats ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SanctionDecision:
    """What an offence earns. `duration` is the least that may be imposed when
    `public_decision_required` (SAN-3: coordination may double it or increase it further in a
    public thread), and exactly what is imposed otherwise. `repeat` 0 is a first offence."""

    duration: timedelta
    level: str
    repeat: int
    non_grata: bool
    public_decision_required: bool
    needs_endorsement: bool
    reasons: tuple[Reason, ...]


def check_level(rules: Sanctions, level: str) -> Answer:
    """SAN-2: is `level` one of the protocol's sanction levels?"""
    if level in rules.levels:
        return Answer.yes()
    return Answer.no(
        Reason(
            "unknown_level",
            gettext_noop("“%(level)s” is not a sanction level of this protocol (%(levels)s)."),
            {"level": level, "levels": _Names(tuple(v.name for v in rules.levels.values()))},
        )
    )


def sanction_for(
    rules: Sanctions, level: str, prior_repeats: int, *, previous: timedelta | None = None
) -> SanctionDecision:
    """SAN-2, SAN-3 (RED15M art. 18): the sanction for an offence of `level` by someone with
    `prior_repeats` earlier repeats counted (0: this is a first offence; 1: this is the
    first repeat). `previous` is the duration imposed last time, when known; without it the
    chain base × multiplier^(repeat − 1) stands in for it.

    Raises KeyError for a level the protocol does not declare (ask `check_level` first) and
    ValueError for a negative count.
    """
    _not_negative(prior_repeats=prior_repeats)
    spec = rules.levels[level]
    base = timedelta(hours=spec.hours)
    multiplier = rules.repeat_multiplier
    repeat = prior_repeats
    reasons: list[Reason] = []
    public_decision = False

    if repeat == 0:
        duration = base
        reasons.append(
            Reason(
                "level_base",
                gettext_noop("%(level)s offence: %(duration)s"),
                {"level": Named(spec.name), "duration": Duration(duration)},
            )
        )
    else:
        reference = previous if previous is not None else _scaled(base, multiplier, repeat - 1)
        duration = _scaled(reference, multiplier, 1)
        params = {
            "repeat": _repeat_name(repeat),
            "previous": Duration(reference),
            "duration": Duration(duration),
            "multiplier": _multiplier(multiplier),
        }
        if repeat == 1:
            template = (
                gettext_noop("%(repeat)s: at least double the original %(previous)s → %(duration)s")
                if multiplier == 2
                else gettext_noop(
                    "%(repeat)s: at least %(multiplier)s× the original %(previous)s → %(duration)s"
                )
            )
        else:
            template = (
                gettext_noop("%(repeat)s: double the previous %(previous)s → %(duration)s")
                if multiplier == 2
                else gettext_noop(
                    "%(repeat)s: %(multiplier)s× the previous %(previous)s → %(duration)s"
                )
            )
        reasons.append(Reason("repeat_multiplied", template, params))
        if duration < base:
            duration = base
            reasons.append(
                Reason(
                    "level_floor",
                    gettext_noop(
                        "a repeat earns no less than a first %(level)s offence: %(duration)s"
                    ),
                    {"level": Named(spec.name), "duration": Duration(duration)},
                )
            )
        if repeat == 1 and rules.first_repeat_public_decision:
            public_decision = True
            reasons.append(
                Reason(
                    "first_repeat_public",
                    gettext_noop(
                        "the first repeat is decided in a public thread, which may double the "
                        "sanction or increase it further; %(duration)s is the least it can be"
                    ),
                    {"duration": Duration(duration)},
                )
            )

    non_grata = repeat >= rules.non_grata_after_repeats
    if non_grata:
        appearance = non_grata_appearance(rules)
        reasons.append(
            Reason(
                "non_grata",
                gettext_noop(
                    "%(repeats)s repeats: persona non grata, sanctioned %(appearance)s at "
                    "every appearance in the assembly"
                ),
                {"repeats": rules.non_grata_after_repeats, "appearance": Duration(appearance)},
            )
        )
        if appearance > duration:
            duration = appearance
            reasons.append(
                Reason(
                    "non_grata_floor",
                    gettext_noop("this offence earns the %(duration)s of a persona non grata"),
                    {"duration": Duration(duration)},
                )
            )

    needs_endorsement = spec.needs_endorsement and rules.endorsements > 0
    if needs_endorsement:
        reasons.append(
            Reason(
                "needs_endorsement",
                gettext_noop(
                    "it needs the backing of %(count)s others besides whoever imposes it "
                    "within %(window)s, or it lapses"
                ),
                {
                    "count": rules.endorsements,
                    "window": Duration(endorsement_window(rules, duration)),
                },
            )
        )

    return SanctionDecision(
        duration=duration,
        level=level,
        repeat=repeat,
        non_grata=non_grata,
        public_decision_required=public_decision,
        needs_endorsement=needs_endorsement,
        reasons=tuple(reasons),
    )


def non_grata_appearance(rules: Sanctions) -> timedelta:
    """SAN-3 (art. 18.6): what a persona non grata earns at every appearance in the
    assembly, offence or not (RED15M: 9 days)."""
    return timedelta(hours=rules.non_grata_hours)


# --- SAN-1: moderation ------------------------------------------------------------------------


def check_moderation_minutes(rules: Sanctions, minutes: int) -> Answer:
    """SAN-1 (art. 5): the moderator picks the sanction in the protocol's range (RED15M:
    30 minutes to 2 hours)."""
    low, high = rules.moderation.min_minutes, rules.moderation.max_minutes
    if low <= minutes <= high:
        return Answer.yes()
    return Answer.no(
        Reason(
            "moderation_range",
            gettext_noop(
                "A moderation carries a sanction between %(min)s and %(max)s, at the "
                "moderator's discretion; %(minutes)s is outside that range."
            ),
            {
                "min": Duration(timedelta(minutes=low)),
                "max": Duration(timedelta(minutes=high)),
                "minutes": _spoken("minutes", minutes),
            },
        )
    )


def moderation_sanction(rules: Sanctions, minutes: int, prior_moderations: int) -> timedelta:
    """SAN-1 (art. 5): the moderator's `minutes`, multiplied by the moderation multiplier
    (doubling) once for each earlier moderation of the same person; cumulative with any
    other sanction. Raises ValueError when `check_moderation_minutes` refuses."""
    _not_negative(prior_moderations=prior_moderations)
    answer = check_moderation_minutes(rules, minutes)
    if not answer:
        raise ValueError(answer.reasons[0].render())
    return _scaled(
        timedelta(minutes=minutes), rules.moderation.repeat_multiplier, prior_moderations
    )


# --- SAN-4, SAN-6: endorsement and expiry -------------------------------------------------------


class EndorsementState(StrEnum):
    NOT_NEEDED = "not_needed"
    PENDING = "pending"
    ENDORSED = "endorsed"
    LAPSED = "lapsed"


def endorsement_state(
    rules: Sanctions,
    *,
    level: str,
    imposed_at: datetime,
    imposer: str,
    endorsers: Mapping[str, datetime],
    now: datetime,
    duration: timedelta | None = None,
) -> tuple[EndorsementState, datetime | None]:
    """SAN-4 (art. 19): a sanction of a level that needs endorsement must be backed by
    `rules.endorsements` people other than whoever imposed it, before imposed_at + the
    window (RED15M: 2 coordinators within 48 hours), or it lapses. `endorsers` maps each
    endorser to when they endorsed; endorsements at or after the deadline, or after `now`,
    do not count.

    Returns the state and the deadline: when it will lapse (PENDING) or when it lapsed
    (LAPSED); None when endorsement is not needed or was given. Raises KeyError for an
    unknown level. `duration`: how long it lasts (by default the level's), which closes the
    window sooner for a short sanction (`endorsement_window`).
    """
    spec = rules.levels[level]
    return endorsement_status(
        rules,
        needed=spec.needs_endorsement,
        imposed_at=imposed_at,
        imposer=imposer,
        endorsers=endorsers,
        now=now,
        duration=duration if duration is not None else timedelta(hours=spec.hours),
    )


def non_grata_lifted_at(
    rules: Sanctions, backers: Mapping[str, datetime], now: datetime
) -> datetime | None:
    """SAN-3: a persona non grata stays so until `non_grata_lifted_by.count` holders of its
    office back lifting it (RED15M art. 17: coordination decides; three of its five). It is
    lifted at the backing that makes the count; None while it is not (or nobody may)."""
    rule = rules.non_grata_lifted_by
    if rule is None:
        return None
    _aware(now=now, **{f"backed_{i}": t for i, t in enumerate(backers.values())})
    times = sorted(t for t in backers.values() if t <= now)
    return times[rule.count - 1] if len(times) >= rule.count else None


def endorsement_window(rules: Sanctions, duration: timedelta | None) -> timedelta:
    """SAN-4: how long after it is imposed a sanction may be backed: the protocol's window
    (RED15M art. 19: 48 hours), closing sooner for a sanction that ends sooner (art. 7.1:
    within its own time, not in its last 2 hours). Never below zero: zero means it cannot
    be backed at all (`endorsement_status`)."""
    window = timedelta(hours=rules.endorsement_window_hours)
    if rules.backed_before_end_hours is not None and duration is not None:
        window = min(window, duration - timedelta(hours=rules.backed_before_end_hours))
    return max(window, timedelta(0))


def endorsement_status(
    rules: Sanctions,
    *,
    needed: bool,
    imposed_at: datetime,
    imposer: str,
    endorsers: Mapping[str, datetime],
    now: datetime,
    duration: timedelta | None = None,
) -> tuple[EndorsementState, datetime | None]:
    """`endorsement_state` for a sanction whose need of endorsement is already known (a
    moderation's or an off-protocol sanction, decided when imposed)."""
    _aware(imposed_at=imposed_at, now=now)
    window = endorsement_window(rules, duration)
    # A sanction too short to be backed before its last hours (art. 7.1) is not asked for
    # backing: it stands like a minor one, and cannot bounce onto whoever imposed it.
    if not needed or rules.endorsements == 0 or window <= timedelta(0):
        return EndorsementState.NOT_NEEDED, None
    deadline = imposed_at + window
    backing = {
        who for who, at in endorsers.items() if who != imposer and at < deadline and at <= now
    }
    if len(backing) >= rules.endorsements:
        return EndorsementState.ENDORSED, None
    if now >= deadline:
        return EndorsementState.LAPSED, deadline
    return EndorsementState.PENDING, deadline


def expires_at(
    *,
    imposed_at: datetime,
    duration: timedelta,
    state: EndorsementState,
    deadline: datetime | None = None,
) -> datetime:
    """SAN-6: when a sanction stops being in force. A lapsed one stops at its endorsement
    `deadline` (required for LAPSED) if it had not expired already. A pending one is given
    its full term; if it lapses it ends at the deadline instead."""
    _aware(imposed_at=imposed_at)
    try:
        end = imposed_at + duration
    except OverflowError:
        end = datetime.max.replace(tzinfo=imposed_at.tzinfo)
    if state is EndorsementState.LAPSED:
        if deadline is None:
            raise ValueError("a lapsed sanction's expiry needs its endorsement deadline")
        return min(end, deadline)
    return end


def sanction_in_force(
    *, imposed_at: datetime, duration: timedelta, state: EndorsementState, now: datetime
) -> bool:
    """SAN-6: in force from `imposed_at` until it expires by time (no job ends it). A pending
    sanction is in force; a lapsed one is not (it lapsed before `now`)."""
    _aware(imposed_at=imposed_at, now=now)
    if state is EndorsementState.LAPSED:
        return False
    return imposed_at <= now < expires_at(imposed_at=imposed_at, duration=duration, state=state)


# --- SAN-5: sanctions the protocol does not describe -------------------------------------------


def off_protocol_bounce(rules: Sanctions, duration: timedelta) -> timedelta:
    """SAN-5 (art. 20): a sanction for something the protocol does not describe, that the
    others do not back, puts `off_protocol_bounce` of it (RED15M: half) on whoever imposed
    it."""
    return duration * rules.off_protocol_bounce


# --- OFF-6, art. 7: office holders ---------------------------------------------------------------


def office_suspension(suspension: Suspension, repeats: int) -> timedelta | None:
    """OFF-6 (art. 7, coordinators): an office holder who breaks the protocol and will not
    resign is suspended `first_days` (3), multiplied by `multiplier` (3) on each repeat;
    with more than `indefinite_after` (3) repeats, indefinitely (None). So repeats 0, 1, 2, 3
    give 3, 9, 27 and 81 days, and repeat 4 on is indefinite."""
    _not_negative(repeats=repeats)
    if repeats > suspension.indefinite_after:
        return None
    return _scaled(timedelta(days=suspension.first_days), suspension.multiplier, repeats)


def check_misconduct_days(misconduct: Misconduct, days: float) -> Answer:
    """Art. 7: the sanction for misconduct in office is picked in the office's range
    (RED15M: drafters and designers 1–3 days, coordinators 3–6 days)."""
    if misconduct.min_days <= days <= misconduct.max_days:
        return Answer.yes()
    return Answer.no(
        Reason(
            "misconduct_range",
            gettext_noop(
                "Misconduct in this office is sanctioned between %(min)s and %(max)s; "
                "%(days)s is outside that range."
            ),
            {
                "min": Duration(timedelta(days=misconduct.min_days)),
                "max": Duration(timedelta(days=misconduct.max_days)),
                "days": _spoken("days", days),
            },
        )
    )


def misconduct_sanction(misconduct: Misconduct, days: float, repeats: int) -> timedelta | None:
    """OFF-6, art. 7: misconduct in office, on top of any sanction earned as a citizen: the
    `days` picked in range, multiplied by `repeat_multiplier` (doubled) once per earlier
    repeat; None (permanent: barred from the office) once `repeats` reaches
    `permanent_after` (RED15M coordinators: 1, any repeat). For coordinators RED15M has the
    days coincide with the next election to the office; scheduling them is the caller's.

    Raises ValueError when `check_misconduct_days` refuses or `repeats` is negative."""
    _not_negative(repeats=repeats)
    answer = check_misconduct_days(misconduct, days)
    if not answer:
        raise ValueError(answer.reasons[0].render())
    if misconduct.permanent_after is not None and repeats >= misconduct.permanent_after:
        return None
    return _scaled(timedelta(days=days), misconduct.repeat_multiplier, repeats)


@dataclass(frozen=True)
class MisconductBar:
    """Art. 7: misconduct in office is served on the next election to the office: from
    `starts` (that election's opening; at once for an office without elections) the person
    may not stand for it, until `ends` (None: for good, after `permanent_after` repeats)."""

    starts: datetime
    ends: datetime | None

    def covers(self, moment: datetime) -> bool:
        _aware(starts=self.starts, moment=moment)
        return self.starts <= moment and (self.ends is None or moment < self.ends)


def misconduct_bar(*, serves_from: datetime, duration: timedelta | None) -> MisconductBar:
    """The bar a misconduct sanction of `duration` (`misconduct_sanction`) sets from
    `serves_from`."""
    return MisconductBar(serves_from, None if duration is None else serves_from + duration)


def check_not_barred(bars: list[MisconductBar], race_opens: datetime, office: Any) -> Answer:
    """Art. 7: one barred for misconduct when a race opens may not stand in it (RED15M:
    "to avoid their re-election"); `office` names the office in the reason."""
    covering = [bar for bar in bars if bar.covers(race_opens)]
    if not covering:
        return Answer.yes()
    if any(bar.ends is None for bar in covering):
        return Answer.no(
            Reason(
                "barred_for_good",
                gettext_noop(
                    "You may not stand for %(office)s again: a repeated misconduct in "
                    "this office bars you from it for good."
                ),
                {"office": office},
            )
        )
    until = max(bar.ends for bar in covering if bar.ends is not None)
    return Answer.no(
        Reason(
            "barred_from_race",
            gettext_noop(
                "You may not stand for %(office)s in this election: a misconduct in this "
                "office bars you from it until %(until)s."
            ),
            {"office": office, "until": until},
        )
    )
