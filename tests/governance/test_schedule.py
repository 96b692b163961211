"""Election calendars, terms and the decision pipeline, decided by the core without a
database (OFF-1, OFF-2, OFF-6, VOTE-3..7). Hand-worked RED15M examples, then properties."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.protocol import DecisionKind, ElectionCalendar, Office, Weekday
from folkmoot.governance.schedule import (
    DecisionFacts,
    Stage,
    Window,
    check_urgency,
    check_voting_duration,
    current_term,
    decision_stage,
    default_voting_days,
    election_window,
    election_windows,
    inactivity_notice_due,
    previous_election_window,
    term_end,
    urgent_max_voting_days,
    voting_closes_at,
)

MADRID_NAME = "Europe/Madrid"
MADRID = ZoneInfo(MADRID_NAME)


def madrid(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Madrid (first occurrence if repeated)."""
    return datetime(year, month, day, hour, minute, tzinfo=MADRID)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# RED15M (OFF-2): coordinators every 28 days, 48 h from Monday 00:00; drafters every 35 days,
# 48 h from Thursday 20:00 (so Thursday → Saturday 20:00).
COORDINATOR_ELECTIONS = ElectionCalendar(
    every_days=28,
    opens_on=Weekday.MONDAY,
    opens_at=time(0, 0),
    duration_hours=48,
    anchor=date(2026, 1, 5),
)
DRAFTER_ELECTIONS = ElectionCalendar(
    every_days=35,
    opens_on=Weekday.THURSDAY,
    opens_at=time(20, 0),
    duration_hours=48,
    anchor=date(2026, 1, 8),
)
COORDINATOR = Office.model_validate(
    {
        "name": "Coordinator",
        "seats": 5,
        "term_days": 28,
        "election": COORDINATOR_ELECTIONS.model_dump(),
        "inactivity_notice_days": 14,
    }
)
SECRETARY = Office.model_validate(
    {"name": "Secretary", "seats": 1, "elected": False, "voting_method": "appointed"}
)

_BASE = {
    "proposers": "citizen",
    "voters": "citizen",
    "launched_by": "office:coordinator",
}
REFERENDUM = DecisionKind.model_validate(
    _BASE
    | {
        "name": "Referendum",
        "tag": "[REFERENDUM]",
        "binding": True,
        "secret": True,
        "debate": {"days": 7},
        "supports": [{"office": "coordinator", "count": 3}],
        "drafting": {"office": "drafter"},
        "voting": {"min_days": 7, "max_days": 7, "default_days": 7},
        "urgent": {"voting_days": 5},
    }
)
POLL = DecisionKind.model_validate(
    _BASE
    | {
        "name": "Poll",
        "tag": "[SONDEO]",
        "binding": False,
        "secret": False,
        "scope": "platform",
        "debate": {"days": 5},
        "supports": [{"office": "coordinator", "count": 3}],
        "drafting": {"office": "drafter"},
        "voting": {"min_days": 7, "max_days": 12, "default_days": 7},
        "urgent": {"voting_factor": 0.5},
    }
)
MEGAPOLL = DecisionKind.model_validate(
    _BASE
    | {
        "name": "MegaPoll",
        "binding": False,
        "secret": False,
        "multi_question": True,
        "launch_at_once": True,
        "voting": {"min_days": 1, "max_days": 15, "default_days": 15},
    }
)
DESIGN = DecisionKind.model_validate(
    _BASE
    | {
        "name": "Design",
        "binding": True,
        "secret": True,
        "supports": [{"office": "designer", "count": 1}, {"office": "coordinator", "count": 3}],
        "launch_delay_hours": 24,
        "voting": {"min_days": 7, "max_days": 7, "default_days": 7},
    }
)
CONSULTATION = DecisionKind.model_validate(
    _BASE
    | {
        "name": "Consultation",
        "binding": True,
        "secret": True,
        "debate": {"days": 7, "ends_early_with_support": False},
        "voting": {"min_days": 3, "max_days": 10, "default_days": 5},
    }
)

# --- election windows (OFF-1, OFF-2) --------------------------------------------------------


def test_coordinator_elections_open_monday_midnight_in_madrid_and_last_48_hours():
    """OFF-2: 48 h from Monday 00:00 (CET, UTC+1 in winter) to Wednesday 00:00."""
    window = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, madrid(2026, 1, 6, 12))
    assert window == Window(utc(2026, 1, 4, 23), utc(2026, 1, 6, 23))
    assert window.opens_at.astimezone(MADRID) == madrid(2026, 1, 5)
    assert window.closes_at.astimezone(MADRID) == madrid(2026, 1, 7)
    assert window.is_open(madrid(2026, 1, 6, 12))


def test_between_elections_the_next_window_is_returned_and_the_last_one_is_previous():
    """OFF-2: every 28 days — 5 January, then 2 February 2026."""
    now = madrid(2026, 1, 20, 9)
    coming = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, now)
    assert coming == Window(utc(2026, 2, 1, 23), utc(2026, 2, 3, 23))
    assert not coming.is_open(now)
    previous = previous_election_window(COORDINATOR_ELECTIONS, MADRID_NAME, now)
    assert previous == Window(utc(2026, 1, 4, 23), utc(2026, 1, 6, 23))


def test_a_window_is_open_from_its_first_instant_and_closed_at_its_last():
    """OFF-2: windows are half-open; at the closing instant the next one is the one ahead."""
    opens, closes = utc(2026, 1, 4, 23), utc(2026, 1, 6, 23)
    assert election_window(COORDINATOR_ELECTIONS, MADRID_NAME, opens).opens_at == opens
    after = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, closes)
    assert after.opens_at == utc(2026, 2, 1, 23)
    assert previous_election_window(COORDINATOR_ELECTIONS, MADRID_NAME, closes).closes_at == closes
    just_before = closes - timedelta(microseconds=1)
    assert previous_election_window(COORDINATOR_ELECTIONS, MADRID_NAME, just_before).closes_at == (
        utc(2025, 12, 9, 23)
    )


def test_windows_before_the_anchor_follow_the_same_rhythm():
    """OFF-2: the anchor fixes which weeks are election weeks, in the past too (k < 0)."""
    now = madrid(2025, 12, 20)
    assert election_window(COORDINATOR_ELECTIONS, MADRID_NAME, now).opens_at == utc(2026, 1, 4, 23)
    previous = previous_election_window(COORDINATOR_ELECTIONS, MADRID_NAME, now)
    assert previous.opens_at.astimezone(MADRID) == madrid(2025, 12, 8)
    long_ago = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, madrid(2020, 6, 1))
    local = long_ago.opens_at.astimezone(MADRID)
    assert local.time() == time(0, 0)
    assert local.weekday() == 0
    assert (date(2026, 1, 5) - local.date()).days % 28 == 0


def test_the_first_monday_after_the_spring_change_still_opens_at_midnight_local():
    """OFF-2, DST: Madrid springs forward on Sunday 29 March 2026; the 30 March election opens
    at 00:00 CEST (22:00 UTC), an hour earlier in UTC than the 2 March one (23:00 UTC)."""
    before = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, madrid(2026, 2, 20))
    assert before.opens_at == utc(2026, 3, 1, 23)
    after = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, madrid(2026, 3, 29, 12))
    assert after == Window(utc(2026, 3, 29, 22), utc(2026, 3, 31, 22))
    assert after.opens_at.astimezone(MADRID) == madrid(2026, 3, 30)
    assert after.closes_at.astimezone(MADRID) == madrid(2026, 4, 1)


def test_after_the_autumn_change_the_election_opens_at_midnight_cet_again():
    """OFF-2, DST: Madrid falls back on 25 October 2026; 12 October opens 22:00 UTC,
    9 November 23:00 UTC, both at Monday 00:00 local."""
    october = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, madrid(2026, 10, 1))
    november = election_window(COORDINATOR_ELECTIONS, MADRID_NAME, october.closes_at)
    assert october.opens_at == utc(2026, 10, 11, 22)
    assert november.opens_at == utc(2026, 11, 8, 23)
    assert november.opens_at.astimezone(MADRID) == madrid(2026, 11, 9)


def test_drafter_elections_run_thursday_to_saturday_at_20_across_the_spring_change():
    """OFF-2: drafters every 35 days, 2 days from Thursday 20:00 to Saturday 20:00."""
    march = election_window(DRAFTER_ELECTIONS, MADRID_NAME, madrid(2026, 3, 1))
    assert march == Window(utc(2026, 3, 19, 19), utc(2026, 3, 21, 19))
    april = election_window(DRAFTER_ELECTIONS, MADRID_NAME, march.closes_at)
    assert april == Window(utc(2026, 4, 23, 18), utc(2026, 4, 25, 18))
    assert april.opens_at.astimezone(MADRID) == madrid(2026, 4, 23, 20)
    assert april.closes_at.astimezone(MADRID) == madrid(2026, 4, 25, 20)
    assert april.closes_at.astimezone(MADRID).strftime("%A %H:%M") == "Saturday 20:00"


def test_a_window_spanning_a_dst_change_lasts_real_hours():
    """OFF-1: duration_hours is elapsed time; a 24 h window opened Saturday 12:00 before the
    spring change closes Sunday 13:00 local, and before the autumn change Sunday 11:00."""
    weekly = ElectionCalendar(
        every_days=7,
        opens_on=Weekday.SATURDAY,
        opens_at=time(12, 0),
        duration_hours=24,
        anchor=date(2026, 3, 28),
    )
    spring = election_window(weekly, MADRID_NAME, madrid(2026, 3, 28, 18))
    assert spring.closes_at - spring.opens_at == timedelta(hours=24)
    assert spring.closes_at.astimezone(MADRID) == madrid(2026, 3, 29, 13)
    autumn = election_window(weekly, MADRID_NAME, madrid(2026, 10, 24, 18))
    assert autumn.opens_at.astimezone(MADRID) == madrid(2026, 10, 24, 12)
    assert autumn.closes_at.astimezone(MADRID) == madrid(2026, 10, 25, 11)


def test_an_opening_time_skipped_by_the_spring_change_opens_an_hour_later_on_the_wall():
    """OFF-1, DST: 02:30 does not exist in Madrid on 29 March 2026; the window opens at the
    instant 02:30 CET would have been (01:30 UTC, 03:30 CEST). A repeated 02:30 in autumn
    opens at its first occurrence (still summer time)."""
    sunday = ElectionCalendar(
        every_days=7,
        opens_on=Weekday.SUNDAY,
        opens_at=time(2, 30),
        duration_hours=1,
        anchor=date(2026, 3, 22),
    )
    skipped = election_window(sunday, MADRID_NAME, madrid(2026, 3, 28))
    assert skipped.opens_at == utc(2026, 3, 29, 1, 30)
    assert skipped.opens_at.astimezone(MADRID).time() == time(3, 30)
    repeated = election_window(sunday, MADRID_NAME, madrid(2026, 10, 24))
    assert repeated.opens_at == utc(2026, 10, 25, 0, 30)


def test_upcoming_windows_list_every_election_in_order():
    """BEY-5 calendar feeds need the windows ahead."""
    windows = election_windows(COORDINATOR_ELECTIONS, MADRID_NAME, madrid(2026, 1, 6))
    openings = [next(windows).opens_at.astimezone(MADRID).date() for _ in range(4)]
    assert openings == [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 30)]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        election_window(COORDINATOR_ELECTIONS, MADRID_NAME, datetime(2026, 1, 6))


# --- terms and inactivity (OFF-1, OFF-2, OFF-6) ---------------------------------------------


def test_a_coordinator_term_lasts_28_elapsed_days():
    """OFF-2: terms of 28 days; took office when the January election closed."""
    took_office = madrid(2026, 1, 7)
    assert term_end(COORDINATOR, MADRID_NAME, took_office) == utc(2026, 2, 3, 23)


def test_a_term_across_the_spring_change_ends_an_hour_later_on_the_wall_clock():
    """OFF-1: term_days are elapsed days, not calendar days, so the term taken at 00:00 CET
    on 4 March ends at 01:00 CEST on 1 April — not snapped to the election's close."""
    end = term_end(COORDINATOR, MADRID_NAME, madrid(2026, 3, 4))
    assert end is not None
    assert end.astimezone(MADRID) == madrid(2026, 4, 1, 1)


def test_an_office_without_a_term_length_never_ends_by_time():
    """OFF-1: appointed offices may have no term."""
    assert term_end(SECRETARY, MADRID_NAME, madrid(2026, 1, 7)) is None


def test_the_current_term_runs_from_the_last_election_close_to_the_next():
    """OFF-2: between elections, and during one (the outgoing holders serve until it closes)."""
    term = current_term(COORDINATOR, MADRID_NAME, madrid(2026, 1, 20))
    assert term == Window(utc(2026, 1, 6, 23), utc(2026, 2, 3, 23))
    assert current_term(COORDINATOR, MADRID_NAME, madrid(2026, 2, 3, 12)) == term
    following = current_term(COORDINATOR, MADRID_NAME, utc(2026, 2, 3, 23))
    assert following == Window(utc(2026, 2, 3, 23), utc(2026, 3, 3, 23))


def test_appointed_offices_have_no_elected_term():
    assert current_term(SECRETARY, MADRID_NAME, madrid(2026, 1, 20)) is None


def test_a_coordinator_inactive_more_than_14_days_must_say_so():
    """OFF-6: "more than 14 days" — exactly 14 days is not yet due."""
    last = madrid(2026, 1, 1, 12)
    assert not inactivity_notice_due(COORDINATOR, last, last + timedelta(days=14))
    assert inactivity_notice_due(COORDINATOR, last, last + timedelta(days=14, seconds=1))
    assert not inactivity_notice_due(SECRETARY, last, last + timedelta(days=365))


# --- properties of calendars ----------------------------------------------------------------

ZONES = [
    "Europe/Madrid",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Asia/Tokyo",
    "UTC",
]


@st.composite
def calendars(draw: st.DrawFn) -> ElectionCalendar:
    every = draw(st.integers(1, 60))
    anchor = draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    opens_at = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45])))
    # Shorter than the period by at least the largest DST shift, so windows cannot overlap.
    duration = draw(st.integers(1, every * 24 - 1))
    return ElectionCalendar(
        every_days=every,
        opens_on=list(Weekday)[anchor.weekday()],
        opens_at=opens_at,
        duration_hours=duration,
        anchor=anchor,
    )


moments = st.datetimes(datetime(1995, 1, 1), datetime(2045, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)


def wall_time_exists(moment: datetime, at: time, zone: ZoneInfo) -> bool:
    wall = datetime.combine(moment.astimezone(zone).date(), at)
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


@given(calendars(), st.sampled_from(ZONES), moments)
def test_now_is_inside_the_returned_window_or_before_it(calendar, tz, now):
    """OFF-1: election_window is the window open now, else the next one."""
    window = election_window(calendar, tz, now)
    assert window.is_open(now) or now < window.opens_at
    assert window.closes_at - window.opens_at == timedelta(hours=calendar.duration_hours)


@given(calendars(), st.sampled_from(ZONES), moments)
def test_windows_never_overlap(calendar, tz, now):
    """OFF-1: the window after one opens no earlier than that one closes."""
    window = election_window(calendar, tz, now)
    following = election_window(calendar, tz, window.closes_at)
    assert window.closes_at <= following.opens_at


@given(calendars(), st.sampled_from(ZONES), moments)
def test_consecutive_openings_are_every_days_apart_at_the_same_local_time(calendar, tz, now):
    """OFF-1, DST: openings fall every_days apart in local calendar days at opens_at local
    time; only a wall time skipped by a DST change moves (by the size of the gap)."""
    zone = ZoneInfo(tz)
    window = election_window(calendar, tz, now)
    following = election_window(calendar, tz, window.closes_at)
    first, second = window.opens_at.astimezone(zone), following.opens_at.astimezone(zone)
    if wall_time_exists(first, calendar.opens_at, zone) and wall_time_exists(
        second, calendar.opens_at, zone
    ):
        assert (second.date() - first.date()).days == calendar.every_days
        assert first.time() == second.time() == calendar.opens_at
        if calendar.every_days % 7 == 0:  # opens_on only binds when the period is in weeks
            assert first.weekday() == second.weekday() == calendar.anchor.weekday()
    else:
        elapsed = following.opens_at - window.opens_at
        assert abs(elapsed - timedelta(days=calendar.every_days)) <= timedelta(hours=1)


@given(calendars(), st.sampled_from(ZONES), moments)
def test_the_previous_window_closed_by_now_and_the_next_one_follows_it(calendar, tz, now):
    """OFF-1: previous closes ≤ now < next opens, or now is inside the next; nothing between."""
    previous = previous_election_window(calendar, tz, now)
    window = election_window(calendar, tz, now)
    assert previous.closes_at <= now
    assert now < window.opens_at or window.is_open(now)
    assert election_window(calendar, tz, previous.closes_at) == window


@given(calendars(), st.sampled_from(ZONES), moments)
def test_the_current_term_contains_now(calendar, tz, now):
    """OFF-1: a term runs from one election's close to the next one's."""
    office = Office(name="Office", seats=1, election=calendar)
    term = current_term(office, tz, now)
    assert term is not None
    assert term.is_open(now)


# --- the decision pipeline (VOTE-3..7, OFF-2) -----------------------------------------------

CREATED = utc(2026, 2, 9, 10)


def days(n: float) -> datetime:
    return CREATED + timedelta(days=n)


def test_a_new_referendum_is_debated_while_it_gathers_coordinator_supports():
    """VOTE-3/VOTE-4: 7 days of debate or 3 coordinator supports; the count is shown."""
    facts = DecisionFacts(created_at=CREATED, supports={"coordinator": [days(1), days(2)]})
    info = decision_stage(REFERENDUM, facts, days(2.5))
    assert info.stage is Stage.DEBATE
    assert info.supports == {"coordinator": (2, 3)}
    assert [r.code for r in info.waiting_for] == ["debate_period", "support_missing"]
    assert info.waiting_for[0].params == {"ends_at": days(7)}
    assert info.waiting_for[1].render() == "2 of 3 supports from coordinator."
    assert info.until is None  # the period ends on its own, but supports are still needed
    assert not info.launchable


def test_supports_given_later_than_now_do_not_count_yet():
    """VOTE-3: supports at or before now count; the same facts replay the history."""
    facts = DecisionFacts(created_at=CREATED, supports={"coordinator": [days(1), days(2), days(3)]})
    assert decision_stage(REFERENDUM, facts, days(1.5)).supports == {"coordinator": (1, 3)}
    assert decision_stage(REFERENDUM, facts, days(3)).stage is Stage.DRAFTING


def test_the_third_coordinator_support_ends_the_debate_early_and_drafting_begins():
    """VOTE-3/VOTE-4, OFF-2: no text is valid until one drafter approves it."""
    facts = DecisionFacts(created_at=CREATED, supports={"coordinator": [days(1), days(2), days(3)]})
    info = decision_stage(REFERENDUM, facts, days(3.5))
    assert info.stage is Stage.DRAFTING
    assert info.until is None
    (reason,) = info.waiting_for
    assert reason.code == "drafting_approval"
    assert reason.render() == "0 of 1 approvals of the text from drafter."


def test_a_referendum_walks_through_every_stage():
    """VOTE-3/VOTE-4: debate → drafting → ready → voting 7 days → closed."""
    facts = DecisionFacts(
        created_at=CREATED,
        supports={"coordinator": [days(1), days(2), days(3)]},
        drafting_approvals=[days(4)],
        launched_at=days(5),
    )
    stages = {n: decision_stage(REFERENDUM, facts, days(n)) for n in (0, 3, 4, 5, 11.9, 12)}
    assert {n: i.stage for n, i in stages.items()} == {
        0: Stage.DEBATE,
        3: Stage.DRAFTING,
        4: Stage.READY,
        5: Stage.VOTING,
        11.9: Stage.VOTING,
        12: Stage.CLOSED,
    }
    assert stages[4].launchable
    assert stages[4].waiting_for == ()
    assert stages[5].until == days(12)
    assert stages[5].waiting_for[0].params == {"closes_at": days(12)}
    assert stages[12].until is None


def test_a_decision_walks_through_its_stages_as_the_clock_moves():
    """VOTE-3: the same walk with time frozen and moved by time_machine."""
    with time_machine.travel(CREATED, tick=False) as traveller:
        facts = DecisionFacts(created_at=datetime.now(UTC))
        assert decision_stage(POLL, facts, datetime.now(UTC)).stage is Stage.DEBATE
        traveller.shift(timedelta(hours=30))
        supports = [datetime.now(UTC) + timedelta(minutes=m) for m in (0, 5, 10)]
        facts = DecisionFacts(created_at=facts.created_at, supports={"coordinator": supports})
        assert decision_stage(POLL, facts, datetime.now(UTC)).supports == {"coordinator": (1, 3)}
        traveller.shift(timedelta(hours=1))
        simple = DecisionFacts(
            created_at=facts.created_at, supports=facts.supports, simple_question=True
        )
        ready = decision_stage(POLL, simple, datetime.now(UTC))
        assert ready.launchable
        launched = DecisionFacts(
            created_at=facts.created_at,
            supports=facts.supports,
            simple_question=True,
            launched_at=datetime.now(UTC),
            voting_days=10,
        )
        assert decision_stage(POLL, launched, datetime.now(UTC)).stage is Stage.VOTING
        traveller.shift(timedelta(days=10))
        assert decision_stage(POLL, launched, datetime.now(UTC)).stage is Stage.CLOSED


def test_a_proposal_whose_debate_period_ends_without_supports_keeps_gathering_them():
    """VOTE-3, art. 10: support is what turns a proposal into a vote; after the 7 days only
    the missing supports are listed, and no clock will end the stage."""
    facts = DecisionFacts(created_at=CREATED, supports={"coordinator": [days(1)]})
    info = decision_stage(REFERENDUM, facts, days(8))
    assert info.stage is Stage.DEBATE
    assert [r.code for r in info.waiting_for] == ["support_missing"]
    assert info.until is None
    late = DecisionFacts(created_at=CREATED, supports={"coordinator": [days(1), days(9), days(10)]})
    assert decision_stage(REFERENDUM, late, days(10)).stage is Stage.DRAFTING


def test_without_early_ending_the_debate_lasts_its_full_period_even_when_supported():
    """VOTE-1/VOTE-4: a kind may insist on its whole debate period."""
    info = decision_stage(CONSULTATION, DecisionFacts(created_at=CREATED), days(3))
    assert info.stage is Stage.DEBATE
    assert info.until == days(7)
    assert [r.code for r in info.waiting_for] == ["debate_period"]
    after = decision_stage(CONSULTATION, DecisionFacts(created_at=CREATED), days(7))
    assert after.stage is Stage.READY
    assert after.launchable
    assert after.supports == {}


def test_simple_question_polls_skip_drafting():
    """VOTE-3: simple question polls do not go through the Drafting forum."""
    supports = {"coordinator": [days(1), days(1), days(1)]}
    plain = DecisionFacts(created_at=CREATED, supports=supports)
    simple = DecisionFacts(created_at=CREATED, supports=supports, simple_question=True)
    assert decision_stage(POLL, plain, days(2)).stage is Stage.DRAFTING
    assert decision_stage(POLL, simple, days(2)).launchable


def test_a_design_needs_a_designer_and_three_coordinators_then_waits_24_hours():
    """OFF-2: no design goes to a vote without 1 designer + 3 coordinators, and then only
    24 h after the last support."""
    facts = DecisionFacts(
        created_at=CREATED,
        supports={"coordinator": [days(1), days(1), days(2)], "designer": [days(3)]},
    )
    waiting = decision_stage(DESIGN, facts, days(2.5))
    assert waiting.stage is Stage.DEBATE
    assert waiting.supports == {"designer": (0, 1), "coordinator": (3, 3)}
    assert [r.params["office"] for r in waiting.waiting_for] == ["designer"]
    delayed = decision_stage(DESIGN, facts, days(3.5))
    assert delayed.stage is Stage.READY
    assert not delayed.launchable
    assert delayed.until == days(4)
    (reason,) = delayed.waiting_for
    assert reason.code == "launch_delay"
    assert reason.params == {"hours": 24, "launchable_at": days(4)}
    assert decision_stage(DESIGN, facts, days(4)).launchable


def test_a_megapoll_is_ready_at_once():
    """VOTE-4: MegaPolls are launched at once."""
    info = decision_stage(MEGAPOLL, DecisionFacts(created_at=CREATED), CREATED)
    assert info.launchable
    launched = DecisionFacts(created_at=CREATED, launched_at=days(0))
    assert decision_stage(MEGAPOLL, launched, days(1)).until == days(15)


def test_a_withdrawn_poll_is_withdrawn_whatever_stage_it_had_reached():
    """VOTE-7: coordination withdraws a poll that breaks the rules."""
    facts = DecisionFacts(created_at=CREATED, launched_at=days(1), withdrawn_at=days(2))
    assert decision_stage(POLL, facts, days(1.5)).stage is Stage.VOTING
    info = decision_stage(POLL, facts, days(2))
    assert info.stage is Stage.WITHDRAWN
    assert info.until is None
    assert info.waiting_for == ()


def test_a_vote_closed_early_is_closed():
    facts = DecisionFacts(created_at=CREATED, launched_at=days(1), closed_at=days(3))
    assert decision_stage(POLL, facts, days(3)).stage is Stage.CLOSED


def test_urgent_decisions_skip_the_debate_period_but_not_the_supports():
    """VOTE-6: debate and voting fit in 72–120 h, so the 7-day period does not apply; an
    urgent referendum votes 5 days unless told otherwise (VOTE-4 "urgent 5")."""
    unsupported = DecisionFacts(created_at=CREATED, urgent=True)
    info = decision_stage(REFERENDUM, unsupported, days(0.1))
    assert info.stage is Stage.DEBATE
    assert [r.code for r in info.waiting_for] == ["support_missing"]
    facts = DecisionFacts(
        created_at=CREATED,
        urgent=True,
        supports={"coordinator": [days(0.1)] * 3},
        drafting_approvals=[days(0.2)],
        launched_at=days(0.5),
    )
    assert decision_stage(REFERENDUM, facts, days(0.3)).launchable
    assert decision_stage(REFERENDUM, facts, days(1)).until == days(5.5)


def test_an_urgent_poll_votes_half_the_default_time():
    """VOTE-4 "urgent half": 7 default days → 3.5."""
    assert default_voting_days(POLL, urgent=True) == 3.5
    assert default_voting_days(POLL) == 7


@given(
    st.lists(st.floats(0, 20), max_size=4),
    st.lists(st.floats(0, 20), max_size=2),
    st.one_of(st.none(), st.floats(0, 20)),
    st.booleans(),
    st.lists(st.floats(0, 40), min_size=2, max_size=6),
)
def test_a_decision_never_goes_back_in_the_pipeline(supports, approvals, launch, urgent, times):
    """VOTE-3: as time passes with the same facts, the stage only moves forward."""
    facts = DecisionFacts(
        created_at=CREATED,
        supports={"coordinator": [days(s) for s in supports]},
        drafting_approvals=[days(a) for a in approvals],
        launched_at=None if launch is None else days(launch),
        urgent=urgent,
    )
    order = list(Stage)
    seen = [order.index(decision_stage(REFERENDUM, facts, days(t)).stage) for t in sorted(times)]
    assert seen == sorted(seen)


# --- voting durations (VOTE-4) --------------------------------------------------------------


def test_a_referendum_votes_exactly_seven_days():
    """VOTE-4: Referendum 7 days voting."""
    assert check_voting_duration(REFERENDUM, 7, urgent=False)
    too_short = check_voting_duration(REFERENDUM, 6, urgent=False)
    assert [r.code for r in too_short.reasons] == ["too_short"]
    assert too_short.reasons[0].render() == "Votes of this kind last at least 7 days."
    too_long = check_voting_duration(REFERENDUM, 8, urgent=False)
    assert too_long.reasons[0].render() == "Votes of this kind last at most 7 days."


def test_a_poll_votes_between_7_and_12_days():
    """VOTE-4: Poll voting 7–12 days."""
    assert check_voting_duration(POLL, 7, urgent=False)
    assert check_voting_duration(POLL, 12, urgent=False)
    assert [r.code for r in check_voting_duration(POLL, 12.5, urgent=False).reasons] == ["too_long"]


def test_no_vote_lasts_less_than_three_days_unless_urgent():
    """VOTE-4: "No vote lasts less than 3 days, except urgent ones" — even a kind whose own
    minimum is lower (the MegaPoll here allows 1)."""
    answer = check_voting_duration(MEGAPOLL, 2, urgent=False)
    assert not answer
    (reason,) = answer.reasons
    assert reason.code == "too_short_unless_urgent"
    assert reason.render() == "Votes last at least 3 days unless urgent."
    assert check_voting_duration(MEGAPOLL, 3, urgent=False)
    assert check_voting_duration(MEGAPOLL, 15, urgent=False)


def test_an_urgent_referendum_lasts_at_most_five_days_and_may_be_shorter_than_three():
    """VOTE-4 "urgent 5" read as a maximum; art. 11: coordination decides the length."""
    assert check_voting_duration(REFERENDUM, 5, urgent=True)
    assert check_voting_duration(REFERENDUM, 1, urgent=True)
    answer = check_voting_duration(REFERENDUM, 5.5, urgent=True)
    assert answer.reasons[0].render() == "Urgent votes of this kind last at most 5 days."


def test_an_urgent_poll_lasts_at_most_half_its_default():
    """VOTE-4 "urgent half": at most 3.5 days."""
    assert check_voting_duration(POLL, 3.5, urgent=True)
    assert [r.code for r in check_voting_duration(POLL, 4, urgent=True).reasons] == [
        "urgent_too_long"
    ]


def test_urgent_voting_never_exceeds_the_120_hour_urgent_span():
    """VOTE-6: debate and voting together at most 120 h, so urgent voting ≤ 5 days."""
    kind = DecisionKind.model_validate(
        REFERENDUM.model_dump()
        | {"voting": {"min_days": 7, "max_days": 12, "default_days": 12}, "urgent": {}}
    )
    assert urgent_max_voting_days(kind) == 5


def test_kinds_without_urgency_rules_refuse_urgent_votes():
    """VOTE-6: only kinds that declare urgency may be urgent."""
    answer = check_voting_duration(MEGAPOLL, 3, urgent=True)
    assert [r.code for r in answer.reasons] == ["urgency_not_allowed"]
    assert urgent_max_voting_days(MEGAPOLL) is None


@pytest.mark.parametrize("length", [0, -1, float("nan"), float("inf")])
def test_a_vote_must_last_a_positive_number_of_days(length):
    answer = check_voting_duration(POLL, length, urgent=False)
    assert [r.code for r in answer.reasons] == ["duration_not_positive"]


def test_voting_closes_after_elapsed_days_even_across_a_dst_change():
    """VOTE-4: a 7-day vote launched Friday 27 March 20:00 CET closes 168 h later, 21:00 CEST."""
    closes = voting_closes_at(REFERENDUM, madrid(2026, 3, 27, 20), 7)
    assert closes.tzinfo is UTC
    assert closes.astimezone(MADRID) == madrid(2026, 4, 3, 21)
    assert voting_closes_at(POLL, CREATED, None) == days(7)


# --- urgency (VOTE-6) -----------------------------------------------------------------------

NOW = utc(2026, 5, 4, 12)


def test_an_event_60_hours_away_makes_a_vote_urgent():
    """VOTE-6: an event less than 72 h away."""
    assert check_urgency(REFERENDUM, NOW + timedelta(hours=60), NOW)


def test_an_event_72_hours_or_more_away_is_not_urgent():
    """VOTE-6: "less than 72 h" — exactly 72 h is not."""
    for hours in (72, 100):
        answer = check_urgency(REFERENDUM, NOW + timedelta(hours=hours), NOW)
        assert [r.code for r in answer.reasons] == ["not_urgent"]
    assert answer.reasons[0].render() == (
        "Only an event less than 72 hours away makes a vote urgent."
    )


def test_an_event_known_less_than_48_hours_ahead_is_out_of_scope():
    """VOTE-6, art. 11: excluded from every internal procedure; exactly 48 h is in scope."""
    answer = check_urgency(REFERENDUM, NOW + timedelta(hours=47), NOW)
    assert [r.code for r in answer.reasons] == ["urgency_out_of_scope"]
    assert answer.reasons[0].render() == (
        "Events less than 48 hours away are out of scope: there is no time to decide."
    )
    assert check_urgency(REFERENDUM, NOW + timedelta(hours=48), NOW)


def test_an_event_already_under_way_cannot_make_a_vote_urgent():
    answer = check_urgency(REFERENDUM, NOW, NOW)
    assert [r.code for r in answer.reasons] == ["event_passed"]


def test_a_kind_without_urgency_rules_refuses_urgency():
    """VOTE-6: MegaPolls declare no urgency."""
    answer = check_urgency(MEGAPOLL, NOW + timedelta(hours=60), NOW)
    assert [r.code for r in answer.reasons] == ["urgency_not_allowed"]
    assert answer.reasons[0].render() == "Decisions of this kind cannot be urgent."


def test_an_urgent_vote_runs_at_least_its_minimum_unless_the_event_comes_sooner() -> None:
    """VOTE-6, art. 11: debate and voting together last at least `urgent.min_hours`; an
    event sooner than that is the exceptional case where coordination decides the length."""
    from folkmoot.governance.presets import load_preset
    from folkmoot.governance.schedule import check_voting_duration, urgent_earliest_close

    poll = load_preset("red15m").decision_kinds["poll"]
    wide = poll.model_copy(
        update={"urgent": poll.urgent.model_copy(update={"event_within_hours": 240})}  # type: ignore[union-attr]
    )
    created = datetime(2026, 12, 1, 12, tzinfo=UTC)
    later_event = created + timedelta(days=8)
    assert urgent_earliest_close(wide, created, later_event) == created + timedelta(hours=72)
    assert urgent_earliest_close(wide, created, created + timedelta(hours=60)) is None
    opens = created + timedelta(hours=24)
    short = check_voting_duration(
        wide, 1, urgent=True, opens_at=opens, created_at=created, event_at=later_event
    )
    assert not short and short.reasons[0].code == "urgent_too_short"
    assert check_voting_duration(
        wide, 2, urgent=True, opens_at=opens, created_at=created, event_at=later_event
    )
