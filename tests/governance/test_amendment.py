"""PRO-2 (amendments carried or not) and PRO-3 (the latest adopted version prevails)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.amendment import (
    AdoptedVersion,
    AmendmentTally,
    amendment_carried,
    ratify_by,
    rebase,
    urgent_change_lapses,
    version_in_force,
)
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import Protocol, load_protocol

from .documents import as_yaml, document

PROTOCOL = load_protocol(as_yaml(document()))


def test_total_amendment_needs_three_of_five_coordinators_and_half_plus_one_of_voters():
    assert amendment_carried(PROTOCOL, "total", AmendmentTally(office_approvals=3, yes=51, no=49))
    assert amendment_carried(
        PROTOCOL, "total", AmendmentTally(office_approvals=3, yes=6, no=4, blank=30)
    )


def test_total_amendment_with_two_coordinators_is_refused_and_says_so():
    answer = amendment_carried(PROTOCOL, "total", AmendmentTally(office_approvals=2, yes=90, no=10))
    assert [r.code for r in answer.reasons] == ["amendment_office_approval"]
    assert answer.reasons[0].render() == "It needs the approval of 3 coordinators; it has 2."


def test_total_amendment_at_exactly_half_is_refused():
    answer = amendment_carried(PROTOCOL, "total", AmendmentTally(office_approvals=5, yes=50, no=50))
    assert (
        answer.reasons[0].render()
        == "It needs at least half plus one of those voting (51 of 100); it has 50."
    )


def test_partial_amendment_needs_a_simple_majority_and_three_coordinators():
    assert amendment_carried(PROTOCOL, "partial", AmendmentTally(office_approvals=3, yes=11, no=10))
    refused = amendment_carried(
        PROTOCOL, "partial", AmendmentTally(office_approvals=1, yes=10, no=10)
    )
    assert [r.code for r in refused.reasons] == [
        "amendment_office_approval",
        "amendment_simple_majority",
    ]


def test_nobody_voting_carries_nothing():
    assert not amendment_carried(PROTOCOL, "total", AmendmentTally(office_approvals=5))


@given(st.integers(0, 5), st.integers(0, 500), st.integers(0, 500), st.integers(0, 100))
def test_total_amendment_rule_as_arithmetic(approvals: int, yes: int, no: int, blank: int):
    carried = bool(amendment_carried(PROTOCOL, "total", AmendmentTally(approvals, yes, no, blank)))
    assert carried == (approvals >= 3 and yes + no > 0 and yes >= (yes + no) // 2 + 1)


def at(day: int) -> datetime:
    return datetime(2026, 1, day, tzinfo=UTC)


def test_the_newest_adopted_version_is_in_force():
    versions = [AdoptedVersion(1, at(1)), AdoptedVersion(2, at(5))]
    assert version_in_force(versions, at(6)) == AdoptedVersion(2, at(5))
    assert version_in_force(versions, at(3)) == AdoptedVersion(1, at(1))
    assert version_in_force(versions, at(1).replace(year=2025)) is None


def test_a_later_decision_at_the_same_moment_prevails():
    assert version_in_force([AdoptedVersion(1, at(2)), AdoptedVersion(2, at(2))], at(3)).number == 2


def test_an_amendment_adopted_later_keeps_what_another_changed_meanwhile():
    """Preamble ¶3 (PRO-3): two amendments written against one version. The later adopted
    carries its own changes onto the version in force; what it did not change keeps the
    other's value; where both changed a rule, the latest prevails and the rule is named."""
    base = {"a": 1, "b": {"x": 1, "y": 1}, "c": [1], "gone": 1}
    current = {"a": 2, "b": {"x": 1, "y": 1}, "c": [1], "gone": 1}  # the other changed `a`
    proposed = {"a": 1, "b": {"x": 5, "y": 1}, "c": [1, 2], "new": 3}  # this one: b.x, c, keys
    merged, conflicts = rebase(base, current, proposed)
    assert merged == {"a": 2, "b": {"x": 5, "y": 1}, "c": [1, 2], "new": 3}
    assert conflicts == []
    merged, conflicts = rebase(base, {**current, "b": {"x": 9, "y": 1}}, proposed)
    assert merged["b"] == {"x": 5, "y": 1} and conflicts == ["b.x"]
    # Undoing a lapsed change (art. 3): a rule decided again since keeps the later decision.
    merged, conflicts = rebase(
        base, {**current, "b": {"x": 9, "y": 1}}, proposed, current_wins=True
    )
    assert merged["b"] == {"x": 9, "y": 1} and merged["c"] == [1, 2] and conflicts == ["b.x"]


# --- art. 3: an urgent change of forums is ratified in time, or lapses -----------------------

RED = load_protocol(preset_text("red15m"))
APPLIED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _without_limit() -> Protocol:
    assert RED.forum_changes is not None
    return RED.model_copy(
        update={"forum_changes": RED.forum_changes.model_copy(update={"ratify_within_days": None})}
    )


def test_an_urgent_change_must_have_its_referendum_open_within_thirty_days():
    assert ratify_by(RED, APPLIED) == APPLIED + timedelta(days=30)
    assert ratify_by(_without_limit(), APPLIED) is None
    assert ratify_by(RED.model_copy(update={"forum_changes": None}), APPLIED) is None


def test_an_urgent_change_whose_referendum_never_opened_lapses_once_the_time_is_over():
    deadline = APPLIED + timedelta(days=30)
    before = deadline - timedelta(seconds=1)
    assert not urgent_change_lapses(RED, applied_at=APPLIED, referendum_opened_at=None, now=before)
    assert urgent_change_lapses(RED, applied_at=APPLIED, referendum_opened_at=None, now=deadline)


def test_a_referendum_opened_in_time_decides_and_one_opened_late_does_not_save_it():
    deadline = APPLIED + timedelta(days=30)
    later = deadline + timedelta(days=10)
    # Opened in time, open or closed since: its result ratifies the change, or lapses it.
    for opened in (APPLIED + timedelta(days=1), deadline):
        assert not urgent_change_lapses(
            RED, applied_at=APPLIED, referendum_opened_at=opened, now=later
        )
    assert urgent_change_lapses(
        RED, applied_at=APPLIED, referendum_opened_at=deadline + timedelta(hours=1), now=later
    )


def test_without_a_limit_an_urgent_change_waits_for_its_referendum_however_long():
    assert not urgent_change_lapses(
        _without_limit(),
        applied_at=APPLIED,
        referendum_opened_at=None,
        now=APPLIED + timedelta(days=3650),
    )
