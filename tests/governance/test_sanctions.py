"""SAN-1..6, OFF-6 and RED15M arts. 5, 7, 16–20: what offences earn, decided by the core.

Hand-worked examples use RED15M's numbers; hypothesis checks the arithmetic holds for any
protocol's numbers.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.protocol import Misconduct, Sanctions, Suspension
from folkmoot.governance.sanctions import (
    Duration,
    EndorsementState,
    check_level,
    check_misconduct_days,
    check_moderation_minutes,
    endorsement_state,
    expires_at,
    misconduct_sanction,
    moderation_sanction,
    non_grata_appearance,
    off_protocol_bounce,
    office_suspension,
    sanction_for,
    sanction_in_force,
)

RED15M: dict[str, Any] = {
    "imposed_by": "coordinator",
    "moderation": {"min_minutes": 30, "max_minutes": 120, "repeat_multiplier": 2},
    "levels": {
        "minor": {"name": {"en": "minor", "es": "leve"}, "hours": 24, "needs_endorsement": False},
        "serious": {"name": {"en": "serious", "es": "grave"}, "hours": 72},
        "very_serious": {"name": {"en": "very serious", "es": "muy grave"}, "hours": 144},
    },
    "repeat_multiplier": 2,
    "first_repeat_public_decision": True,
    "non_grata_after_repeats": 3,
    "non_grata_hours": 216,
    "endorsements": 2,
    "endorsement_window_hours": 48,
    "off_protocol_bounce": 0.5,
}
RULES = Sanctions.model_validate(RED15M)
COORDINATOR_SUSPENSION = Suspension(first_days=3, multiplier=3, indefinite_after=3)
COORDINATOR_MISCONDUCT = Misconduct(min_days=3, max_days=6, permanent_after=1)
DRAFTER_MISCONDUCT = Misconduct(min_days=1, max_days=3)

IMPOSED = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def rules(**changes: Any) -> Sanctions:
    return Sanctions.model_validate({**RED15M, **changes})


def texts(decision: Any) -> list[str]:
    return [reason.render() for reason in decision.reasons]


# --- SAN-2: the scale -------------------------------------------------------------------------


def test_a_first_minor_offence_earns_24_hours_without_endorsement():
    """SAN-2, SAN-4; art. 18.1 (leves: 24 horas), art. 19 (salvo en las leves)."""
    decision = sanction_for(RULES, "minor", 0)
    assert decision.duration == 24 * HOUR
    assert decision.repeat == 0
    assert not decision.non_grata
    assert not decision.public_decision_required
    assert not decision.needs_endorsement
    assert texts(decision) == ["minor offence: 1 day"]


def test_a_first_serious_offence_earns_3_days_and_needs_two_endorsements():
    """SAN-2, SAN-4; art. 18.2 (graves: 3 días), art. 19 (al menos 2 Coordinadores, 48 h)."""
    decision = sanction_for(RULES, "serious", 0)
    assert decision.duration == 3 * DAY
    assert decision.needs_endorsement
    assert texts(decision) == [
        "serious offence: 3 days",
        "it needs the backing of 2 others besides whoever imposes it within 2 days, or it lapses",
    ]


def test_a_first_very_serious_offence_earns_6_days():
    """SAN-2; art. 18.3 (muy graves: 6 días)."""
    assert sanction_for(RULES, "very_serious", 0).duration == 6 * DAY


def test_the_level_name_is_shown_in_the_readers_language():
    """SAN-2: reasons name the level as the protocol does, in the reader's language."""
    assert sanction_for(RULES, "serious", 0).reasons[0].render(language="es") == (
        "grave offence: 3 days"
    )


def test_an_unknown_level_is_refused_naming_the_levels_there_are():
    """SAN-2: check_level says which levels the protocol declares."""
    assert check_level(RULES, "serious")
    answer = check_level(RULES, "mortal")
    assert not answer
    assert answer.reasons[0].code == "unknown_level"
    assert answer.reasons[0].render() == (
        "“mortal” is not a sanction level of this protocol (minor, serious, very serious)."
    )


def test_sanction_for_an_unknown_level_raises_key_error():
    """SAN-2: callers ask check_level first; sanction_for does not guess."""
    with pytest.raises(KeyError):
        sanction_for(RULES, "mortal", 0)


def test_a_negative_repeat_count_is_an_error():
    """SAN-3: repeats are counted from zero."""
    with pytest.raises(ValueError):
        sanction_for(RULES, "minor", -1)


# --- SAN-3: repeats ---------------------------------------------------------------------------


def test_the_first_repeat_is_at_least_double_and_decided_in_a_public_thread():
    """SAN-3; art. 18.4: the first repeat is weighed in a public thread "para doblar o
    aumentar el tiempo de sanción original"; the core gives the least, double."""
    decision = sanction_for(RULES, "minor", 1)
    assert decision.duration == 2 * DAY
    assert decision.repeat == 1
    assert decision.public_decision_required
    assert texts(decision) == [
        "first repeat: at least double the original 1 day → 2 days",
        "the first repeat is decided in a public thread, which may double the sanction or "
        "increase it further; 2 days is the least it can be",
    ]


def test_from_the_second_repeat_what_was_imposed_before_is_always_doubled():
    """SAN-3; art. 18.5 ("el doble de la temporalidad impuesta anteriormente"): coordination
    raised a serious first repeat to 9 days, so the second repeat earns 18."""
    decision = sanction_for(RULES, "serious", 2, previous=9 * DAY)
    assert decision.duration == 18 * DAY
    assert not decision.public_decision_required
    assert texts(decision)[0] == "second repeat: double the previous 9 days → 18 days"


def test_without_what_was_imposed_the_doubling_chain_stands_in():
    """SAN-3; art. 18.5: serious 3 days, first repeat 6, second repeat 12."""
    decision = sanction_for(RULES, "serious", 2)
    assert decision.duration == 12 * DAY
    assert texts(decision)[0] == "second repeat: double the previous 6 days → 12 days"


def test_a_repeat_never_earns_less_than_a_first_offence_of_its_level():
    """SAN-3; art. 18.4 ("en cualquiera de dichas acciones"): a very serious offence after a
    minor one earns at least the 6 days of a very serious offence, not the doubled 1 day."""
    decision = sanction_for(RULES, "very_serious", 1, previous=DAY)
    assert decision.duration == 6 * DAY
    assert texts(decision)[1] == "a repeat earns no less than a first very serious offence: 6 days"


def test_the_third_repeat_of_a_minor_offence_makes_a_persona_non_grata_with_9_days():
    """SAN-3; art. 18.6 ("tres reincidencias ... non grata ... tiempo máximo (9 días)"):
    the doubling chain gives 8 days, the non grata minimum is 9."""
    decision = sanction_for(RULES, "minor", 3)
    assert decision.non_grata
    assert decision.duration == 9 * DAY
    assert texts(decision) == [
        "third repeat: double the previous 4 days → 8 days",
        "3 repeats: persona non grata, sanctioned 9 days at every appearance in the assembly",
        "this offence earns the 9 days of a persona non grata",
    ]


def test_a_non_grata_offence_keeps_doubling_when_that_is_more_than_9_days():
    """SAN-3; art. 18.5 doubles "siempre": a third serious repeat earns 24 days, and the
    person is non grata from then on."""
    decision = sanction_for(RULES, "serious", 3)
    assert decision.non_grata
    assert decision.duration == 24 * DAY


def test_a_persona_non_grata_earns_9_days_at_every_appearance():
    """SAN-3; art. 18.6 ("cada vez que aparezca ... aun sin provocar")."""
    assert non_grata_appearance(RULES) == 216 * HOUR


def test_a_protocol_without_a_public_first_repeat_simply_multiplies_it():
    """SAN-3 with other numbers: a tripling protocol without the public thread."""
    decision = sanction_for(
        rules(repeat_multiplier=3, first_repeat_public_decision=False), "serious", 1
    )
    assert decision.duration == 9 * DAY
    assert not decision.public_decision_required
    assert texts(decision)[0] == "first repeat: at least 3× the original 3 days → 9 days"


def test_repeats_past_the_third_are_numbered():
    """SAN-3: the fourth repeat keeps doubling (minor: 8 days → 16 days)."""
    decision = sanction_for(RULES, "minor", 4)
    assert decision.duration == 16 * DAY
    assert texts(decision)[0] == "repeat no. 4: double the previous 8 days → 16 days"


# --- SAN-1: moderation ------------------------------------------------------------------------


def test_a_moderation_carries_between_30_minutes_and_2_hours():
    """SAN-1; art. 5 ("entre treinta (30) minutos y dos (2) horas ... a criterio del
    Coordinador")."""
    assert check_moderation_minutes(RULES, 30)
    assert check_moderation_minutes(RULES, 120)
    for minutes in (29, 121):
        answer = check_moderation_minutes(RULES, minutes)
        assert not answer
        assert answer.reasons[0].code == "moderation_range"
    assert check_moderation_minutes(RULES, 10).reasons[0].render() == (
        "A moderation carries a sanction between 30 minutes and 2 hours, at the moderator's "
        "discretion; 10 minutes is outside that range."
    )


def test_moderation_sanctions_double_on_each_repeat():
    """SAN-1; art. 5 ("iría doblándose la sanción escalonadamente"): 45 min, 90, 180."""
    assert moderation_sanction(RULES, 45, 0) == 45 * MINUTE
    assert moderation_sanction(RULES, 45, 1) == 90 * MINUTE
    assert moderation_sanction(RULES, 45, 2) == 3 * HOUR


def test_a_moderation_sanction_outside_the_range_is_an_error():
    """SAN-1: callers ask check_moderation_minutes first."""
    with pytest.raises(ValueError, match="between 30 minutes and 2 hours"):
        moderation_sanction(RULES, 180, 0)
    with pytest.raises(ValueError):
        moderation_sanction(RULES, 60, -1)


# --- SAN-4: endorsement -----------------------------------------------------------------------


def state(
    endorsers: dict[str, datetime] | None = None,
    *,
    level: str = "serious",
    now: datetime = IMPOSED + HOUR,
) -> tuple[EndorsementState, datetime | None]:
    """The endorsement state of a sanction ana imposed at IMPOSED."""
    return endorsement_state(
        RULES, level=level, imposed_at=IMPOSED, imposer="ana", endorsers=endorsers or {}, now=now
    )


def test_a_minor_sanction_needs_no_endorsement():
    """SAN-4; art. 19 ("salvo en las leves")."""
    assert state(level="minor") == (EndorsementState.NOT_NEEDED, None)


def test_a_protocol_asking_for_no_endorsements_needs_none():
    """SAN-4 with other numbers: endorsements 0."""
    result = endorsement_state(
        rules(endorsements=0),
        level="serious",
        imposed_at=IMPOSED,
        imposer="ana",
        endorsers={},
        now=IMPOSED,
    )
    assert result == (EndorsementState.NOT_NEEDED, None)


def test_a_serious_sanction_with_one_endorsement_is_pending_until_48_hours_later():
    """SAN-4; art. 19: one of two endorsements; the deadline is 48 h after it was imposed."""
    assert state({"ben": IMPOSED + HOUR}) == (EndorsementState.PENDING, IMPOSED + 48 * HOUR)


def test_two_other_coordinators_within_48_hours_endorse_it():
    """SAN-4; art. 19 ("al menos 2 Coordinadores ... en un plazo máximo de 48 horas")."""
    now = IMPOSED + 47 * HOUR
    assert state({"ben": IMPOSED + HOUR, "carla": now}, now=now) == (
        EndorsementState.ENDORSED,
        None,
    )


def test_the_imposers_own_endorsement_does_not_count():
    """SAN-4; art. 19 ("sin contar con el que ejecuta dicha sanción")."""
    result = state({"ana": IMPOSED + HOUR, "ben": IMPOSED + HOUR}, now=IMPOSED + 2 * HOUR)
    assert result[0] is EndorsementState.PENDING


def test_a_sanction_lapses_at_its_deadline_when_endorsements_come_late():
    """SAN-4: an endorsement at or after the deadline does not count; the sanction lapses
    at the deadline itself, and is pending just before it."""
    deadline = IMPOSED + 48 * HOUR
    late = {"ben": IMPOSED + HOUR, "carla": deadline}
    assert state(late, now=deadline - MINUTE) == (EndorsementState.PENDING, deadline)
    assert state(late, now=deadline) == (EndorsementState.LAPSED, deadline)
    assert state(late, now=deadline + DAY) == (EndorsementState.LAPSED, deadline)


def test_an_endorsement_dated_after_now_does_not_count_yet():
    """SAN-4: decisions are taken with what has happened by `now`."""
    now = IMPOSED + HOUR
    assert state({"ben": now, "carla": now + HOUR}, now=now)[0] is EndorsementState.PENDING


def test_naive_datetimes_are_refused():
    """SAN-4, SAN-6: datetimes are timezone-aware."""
    with pytest.raises(ValueError, match="timezone-aware"):
        state(now=datetime(2026, 11, 23, 12, 0))


# --- SAN-6: in force and expiry ---------------------------------------------------------------


def test_a_sanction_is_in_force_from_imposition_until_it_expires_by_time():
    """SAN-6: no job ends a sanction; at its end it is simply no longer in force."""
    endorsed = EndorsementState.ENDORSED
    end = expires_at(imposed_at=IMPOSED, duration=3 * DAY, state=endorsed)
    assert end == IMPOSED + 3 * DAY
    for now, expected in (
        (IMPOSED - MINUTE, False),
        (IMPOSED, True),
        (end - MINUTE, True),
        (end, False),
    ):
        in_force = sanction_in_force(imposed_at=IMPOSED, duration=3 * DAY, state=endorsed, now=now)
        assert in_force is expected


def test_a_pending_sanction_is_in_force():
    """SAN-4, SAN-6: until it lapses, an unendorsed sanction applies."""
    assert sanction_in_force(
        imposed_at=IMPOSED, duration=3 * DAY, state=EndorsementState.PENDING, now=IMPOSED + DAY
    )


def test_a_lapsed_sanction_is_not_in_force_and_ended_at_its_deadline():
    """SAN-4, SAN-6: a 6-day sanction that lapsed 48 h in ended then, not 6 days in."""
    lapsed = EndorsementState.LAPSED
    deadline = IMPOSED + 48 * HOUR
    assert not sanction_in_force(
        imposed_at=IMPOSED, duration=6 * DAY, state=lapsed, now=deadline + HOUR
    )
    assert expires_at(imposed_at=IMPOSED, duration=6 * DAY, state=lapsed, deadline=deadline) == (
        deadline
    )
    assert expires_at(imposed_at=IMPOSED, duration=HOUR, state=lapsed, deadline=deadline) == (
        IMPOSED + HOUR
    )
    with pytest.raises(ValueError):
        expires_at(imposed_at=IMPOSED, duration=DAY, state=lapsed)


# --- SAN-5: sanctions the protocol does not describe -----------------------------------------


def test_an_unbacked_off_protocol_sanction_puts_half_on_the_coordinator():
    """SAN-5; art. 20 ("penalizado con la mitad de la sanción impuesta"): 3 days → 36 hours."""
    assert off_protocol_bounce(RULES, 3 * DAY) == 36 * HOUR


# --- OFF-6, art. 7: office holders ------------------------------------------------------------


def test_a_coordinator_who_will_not_resign_is_suspended_3_days_tripling_on_each_repeat():
    """OFF-6; art. 7 ("tres (3) días iniciales. Las reincidencias triplicarían")."""
    assert [office_suspension(COORDINATOR_SUSPENSION, r) for r in range(4)] == [
        3 * DAY,
        9 * DAY,
        27 * DAY,
        81 * DAY,
    ]


def test_more_than_three_repeats_suspend_a_coordinator_indefinitely():
    """OFF-6; art. 7 ("Con más de tres (3) reincidencias sería sanción indefinida"): the
    fourth repeat is indefinite, the third still 81 days."""
    assert office_suspension(COORDINATOR_SUSPENSION, 3) == 81 * DAY
    assert office_suspension(COORDINATOR_SUSPENSION, 4) is None
    assert office_suspension(COORDINATOR_SUSPENSION, 10) is None
    with pytest.raises(ValueError):
        office_suspension(COORDINATOR_SUSPENSION, -1)


def test_a_drafter_or_designer_earns_1_to_3_days_doubled_on_repeat():
    """OFF-6; art. 7 (redactor, diseñador: "mínimo de (1) días y máximo de (3) ... el doble")."""
    assert misconduct_sanction(DRAFTER_MISCONDUCT, 2, 0) == 2 * DAY
    assert misconduct_sanction(DRAFTER_MISCONDUCT, 2, 1) == 4 * DAY
    assert misconduct_sanction(DRAFTER_MISCONDUCT, 1.5, 2) == 6 * DAY


def test_a_coordinators_misconduct_earns_3_to_6_days_and_a_repeat_is_permanent():
    """OFF-6; art. 7 ("mínimo de tres (3) días y un máximo de seis (6) ... Si se comete
    reincidencia ... sanción permanente")."""
    assert misconduct_sanction(COORDINATOR_MISCONDUCT, 6, 0) == 6 * DAY
    assert misconduct_sanction(COORDINATOR_MISCONDUCT, 3, 1) is None


def test_misconduct_days_outside_the_range_are_refused_naming_it():
    """Art. 7: the days are picked within the office's range."""
    assert check_misconduct_days(DRAFTER_MISCONDUCT, 1)
    assert check_misconduct_days(DRAFTER_MISCONDUCT, 3)
    answer = check_misconduct_days(DRAFTER_MISCONDUCT, 4)
    assert not answer
    assert answer.reasons[0].render() == (
        "Misconduct in this office is sanctioned between 1 day and 3 days; "
        "4 days is outside that range."
    )
    assert not check_misconduct_days(COORDINATOR_MISCONDUCT, 2.5)
    with pytest.raises(ValueError, match="between 3 days and 6 days"):
        misconduct_sanction(COORDINATOR_MISCONDUCT, 2, 0)


# --- durations in words -----------------------------------------------------------------------


def test_durations_are_told_in_the_largest_whole_unit():
    """UI-1: reasons say "6 days", "36 hours", "90 minutes", with the reader's plurals and
    decimal comma, through the caller's gettext."""
    assert Duration(144 * HOUR).render() == "6 days"
    assert Duration(DAY).render() == "1 day"
    assert Duration(36 * HOUR).render() == "36 hours"
    assert Duration(90 * MINUTE).render() == "90 minutes"
    assert Duration(timedelta(seconds=90)).render(language="es") == "1,5 minutes"
    assert Duration(timedelta(seconds=90)).render(language="fr") == "1,5 minute"
    spanish = {"%(n)s days": "%(n)s días"}
    assert Duration(2 * DAY).render(lambda s: spanish.get(s, s), "es") == "2 días"


# --- properties of the arithmetic -------------------------------------------------------------

halves = st.integers(2, 8).map(lambda n: n / 2)  # multipliers 1, 1.5, … 4


@st.composite
def any_rules(draw: st.DrawFn) -> Sanctions:
    low = draw(st.integers(0, 600))
    return Sanctions.model_validate(
        {
            "imposed_by": "coordinator",
            "moderation": {
                "min_minutes": low,
                "max_minutes": draw(st.integers(max(low, 1), 1200)),
                "repeat_multiplier": draw(halves),
            },
            "levels": {
                "minor": {
                    "name": "minor",
                    "hours": draw(st.floats(0.5, 500)),
                    "needs_endorsement": False,
                },
                "serious": {"name": "serious", "hours": draw(st.floats(0.5, 500))},
            },
            "repeat_multiplier": draw(halves),
            "first_repeat_public_decision": draw(st.booleans()),
            "non_grata_after_repeats": draw(st.integers(1, 6)),
            "non_grata_hours": draw(st.floats(0.5, 5000)),
            "endorsements": draw(st.integers(0, 4)),
            "endorsement_window_hours": draw(st.floats(1, 200)),
            "off_protocol_bounce": 0.5,
        }
    )


levels = st.sampled_from(["minor", "serious"])


@given(any_rules(), levels, st.integers(0, 12))
def test_durations_never_decrease_with_repeats(rules: Sanctions, level: str, repeat: int):
    """SAN-3: with the doubling chain standing in for what was imposed, each repeat earns at
    least as much as the one before."""
    now = sanction_for(rules, level, repeat).duration
    assert sanction_for(rules, level, repeat + 1).duration >= now


@given(any_rules(), levels, st.lists(st.floats(1, 3), min_size=1, max_size=6))
def test_each_repeat_earns_at_least_what_was_imposed_before(
    rules: Sanctions, level: str, increases: list[float]
):
    """SAN-3; art. 18.4–5: whatever coordination imposes at or above the least, the next
    repeat's least is no shorter."""
    imposed = sanction_for(rules, level, 0).duration
    for repeat, increase in enumerate(increases, start=1):
        least = sanction_for(rules, level, repeat, previous=imposed).duration
        assert least >= imposed
        imposed = least * increase


@given(any_rules(), levels, st.integers(0, 12))
def test_non_grata_holds_exactly_from_the_threshold_on(rules: Sanctions, level: str, repeat: int):
    """SAN-3; art. 18.6: non grata iff the repeats reach the threshold, and then the
    sanction is at least the non grata time."""
    decision = sanction_for(rules, level, repeat)
    assert decision.non_grata == (repeat >= rules.non_grata_after_repeats)
    if decision.non_grata:
        assert decision.duration >= non_grata_appearance(rules)


@given(any_rules(), levels, st.integers(0, 12))
def test_only_the_first_repeat_asks_for_a_public_decision(
    rules: Sanctions, level: str, repeat: int
):
    """SAN-3; art. 18.4: the public thread is for the first repeat only."""
    decision = sanction_for(rules, level, repeat)
    assert decision.public_decision_required == (repeat == 1 and rules.first_repeat_public_decision)


@given(any_rules(), st.data(), st.integers(0, 10))
def test_moderation_in_range_gives_durations_in_range_times_the_multiplier_per_repeat(
    rules: Sanctions, data: st.DataObject, repeats: int
):
    """SAN-1; art. 5: minutes in [min, max] give [min, max] × multiplier^repeats."""
    m = rules.moderation
    minutes = data.draw(st.integers(m.min_minutes, m.max_minutes))
    assert check_moderation_minutes(rules, minutes)
    factor = m.repeat_multiplier**repeats
    duration = moderation_sanction(rules, minutes, repeats)
    assert m.min_minutes * MINUTE * factor <= duration <= m.max_minutes * MINUTE * factor


@given(any_rules(), st.integers(-1000, 2000))
def test_moderation_minutes_are_accepted_exactly_inside_the_range(rules: Sanctions, minutes: int):
    """SAN-1: the check admits exactly the protocol's range."""
    m = rules.moderation
    assert check_moderation_minutes(rules, minutes).allowed == (
        m.min_minutes <= minutes <= m.max_minutes
    )


@given(st.integers(0, 10**9))
def test_the_bounce_is_exactly_half(seconds: int):
    """SAN-5; art. 20: half the sanction imposed, no more, no less."""
    duration = timedelta(seconds=seconds)
    bounce = off_protocol_bounce(RULES, duration)
    assert bounce + bounce == duration


names = st.sampled_from(["ana", "ben", "carla", "dan", "eva"])
minutes_around = st.integers(-600, 200 * 60)


@given(
    st.integers(1, 4),
    st.dictionaries(names, minutes_around, max_size=5),
    minutes_around,
)
def test_a_sanction_lapses_iff_its_deadline_passed_without_enough_endorsers_before_it(
    needed: int, endorsed: dict[str, int], now_minutes: int
):
    """SAN-4; art. 19: LAPSED exactly when the deadline has passed with fewer than the
    needed distinct endorsers other than the imposer (ana) before it."""
    rules_ = rules(endorsements=needed)
    now = IMPOSED + now_minutes * MINUTE
    endorsers = {who: IMPOSED + at * MINUTE for who, at in endorsed.items()}
    got, deadline = endorsement_state(
        rules_, level="serious", imposed_at=IMPOSED, imposer="ana", endorsers=endorsers, now=now
    )
    expected_deadline = IMPOSED + 48 * HOUR
    in_time = {who for who, at in endorsers.items() if who != "ana" and at < expected_deadline}
    lapsed = now >= expected_deadline and len(in_time) < needed
    assert (got is EndorsementState.LAPSED) == lapsed
    assert got is not EndorsementState.NOT_NEEDED
    if got in (EndorsementState.PENDING, EndorsementState.LAPSED):
        assert deadline == expected_deadline
    else:
        assert deadline is None


@given(
    st.sampled_from(list(EndorsementState)),
    st.integers(1, 20 * 24 * 60),
    st.integers(-600, 30 * 24 * 60),
)
def test_in_force_means_between_imposition_and_expiry(
    state_: EndorsementState, duration_minutes: int, now_minutes: int
):
    """SAN-6: in force iff not lapsed and imposed_at ≤ now < expires_at."""
    duration = duration_minutes * MINUTE
    now = IMPOSED + now_minutes * MINUTE
    end = expires_at(
        imposed_at=IMPOSED, duration=duration, state=state_, deadline=IMPOSED + 48 * HOUR
    )
    in_force = sanction_in_force(imposed_at=IMPOSED, duration=duration, state=state_, now=now)
    assert in_force == (state_ is not EndorsementState.LAPSED and IMPOSED <= now < end)
    assert end <= IMPOSED + duration


@given(st.integers(1, 10), st.integers(1, 5), st.integers(1, 6), st.integers(0, 10))
def test_office_suspensions_grow_until_they_become_indefinite(
    first_days: int, multiplier: int, indefinite_after: int, repeats: int
):
    """OFF-6; art. 7: indefinite exactly past `indefinite_after` repeats, and never shorter
    than the suspension before."""
    suspension = Suspension(
        first_days=first_days, multiplier=multiplier, indefinite_after=indefinite_after
    )
    duration = office_suspension(suspension, repeats)
    assert (duration is None) == (repeats > indefinite_after)
    if duration is not None:
        assert duration == first_days * DAY * multiplier**repeats
        before = office_suspension(suspension, repeats - 1) if repeats else None
        assert before is None or before <= duration


@given(
    st.floats(0.5, 5),
    st.floats(0, 5),
    halves,
    st.one_of(st.none(), st.integers(1, 5)),
    st.data(),
    st.integers(0, 8),
)
def test_misconduct_in_range_gives_the_range_times_the_multiplier_per_repeat(
    low: float,
    spread: float,
    multiplier: float,
    permanent_after: int | None,
    data: st.DataObject,
    repeats: int,
):
    """OFF-6; art. 7: days in [min, max] give [min, max] × multiplier^repeats, or permanent
    (None) from `permanent_after` repeats on."""
    misconduct = Misconduct(
        min_days=low,
        max_days=low + spread,
        repeat_multiplier=multiplier,
        permanent_after=permanent_after,
    )
    days = data.draw(st.floats(low, low + spread))
    duration = misconduct_sanction(misconduct, days, repeats)
    if permanent_after is not None and repeats >= permanent_after:
        assert duration is None
    else:
        factor = multiplier**repeats
        assert duration is not None
        assert DAY * low * factor <= duration <= DAY * (low + spread) * factor


def test_a_sanction_shorter_than_the_window_is_backed_before_its_last_two_hours():
    """SAN-4, art. 7.1 ("dentro del plazo de la sanción ... no a partir de las dos últimas
    horas"): the window closes two hours before a short sanction ends; a long one keeps the
    48 hours of art. 19; a protocol without the rule keeps its window whatever the length."""
    from folkmoot.governance.sanctions import endorsement_window

    short = rules(backed_before_end_hours=2)
    assert endorsement_window(short, 24 * HOUR) == 22 * HOUR
    assert endorsement_window(short, 6 * DAY) == 48 * HOUR
    assert endorsement_window(short, HOUR) == timedelta(0)
    # Too short to be backed at all: it stands like a minor one and cannot bounce.
    assert endorsement_state(
        short,
        level="serious",
        imposed_at=IMPOSED,
        imposer="ana",
        endorsers={},
        now=IMPOSED + 3 * HOUR,
        duration=HOUR,
    ) == (EndorsementState.NOT_NEEDED, None)
    assert endorsement_window(rules(backed_before_end_hours=None), 24 * HOUR) == 48 * HOUR
    assert endorsement_state(
        short,
        level="serious",
        imposed_at=IMPOSED,
        imposer="ana",
        endorsers={"ben": IMPOSED + HOUR},
        now=IMPOSED + 23 * HOUR,
        duration=24 * HOUR,
    ) == (EndorsementState.LAPSED, IMPOSED + 22 * HOUR)
