"""FOR-3 with RED15M's numbers: 90 days inactive → History; older than 180 days and quiet
for 60 → Trash; the archive forums themselves keep their threads."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from folkmoot.governance.archival import thread_placement
from folkmoot.governance.presets import load_preset

RED15M = load_preset("red15m")
START = datetime(2026, 1, 1, tzinfo=UTC)


def place(forum: str, *, age: float, quiet: float) -> str:
    now = START + timedelta(days=age)
    return thread_placement(
        RED15M, forum, created_at=START, last_activity=now - timedelta(days=quiet), now=now
    ).forum


def test_a_lively_thread_stays_in_debates():
    assert place("debates", age=200, quiet=10) == "debates"


def test_ninety_quiet_days_move_a_thread_to_history():
    assert place("debates", age=100, quiet=89.9) == "debates"
    assert place("debates", age=100, quiet=90) == "history"


def test_old_and_sixty_days_quiet_goes_to_trash_even_before_ninety():
    assert place("debates", age=180, quiet=60) == "trash"
    assert place("debates", age=179, quiet=60) == "debates"


def test_the_reason_says_how_a_rescue_works():
    now = START + timedelta(days=120)
    placement = thread_placement(RED15M, "votes", created_at=START, last_activity=START, now=now)
    assert placement.forum == "history" and placement.moved_at == START + timedelta(days=90)
    assert "A written request can rescue it." in placement.reason.render()


def test_archive_forums_keep_their_threads():
    for forum in ("approved", "trash"):
        assert place(forum, age=1000, quiet=1000) == forum


def test_history_keeps_what_is_opened_there_two_months_then_trashes_it():
    """RED15M art. 2 (FOR-3): polls' results go straight to History for two months, then
    to the Trash (`forums.history.expires_after_days: 60`)."""
    assert place("history", age=59, quiet=59) == "history"
    assert place("history", age=60, quiet=0) == "trash"


@given(st.floats(0, 1000), st.floats(0, 1000))
def test_placement_only_ever_moves_forward_in_time(age: float, quiet: float):
    quiet = min(quiet, age)
    order = {"debates": 0, "history": 1, "trash": 2}
    earlier = place("debates", age=age, quiet=quiet)
    later = place("debates", age=age + 30, quiet=quiet + 30)
    assert order[later] >= order[earlier]


@given(
    st.floats(0, 1000) | st.sampled_from([90.0, 180.0, 240.0]),
    st.floats(0, 1000) | st.sampled_from([60.0, 90.0]),
)
def test_boundaries_say_the_same_as_the_placement_of_one_thread(age: float, quiet: float):
    """The instants the database compares with give the same answer as thread_placement."""
    from folkmoot.governance.archival import boundaries

    quiet = min(quiet, age)
    now = START + timedelta(days=age)
    last = now - timedelta(days=quiet)
    b = boundaries(RED15M, now)
    assert b is not None
    created = START
    trash = created <= b.trash_created_before and last <= b.trash_quiet_before
    history = not trash and last <= b.history_quiet_before
    expected = "trash" if trash else "history" if history else "debates"
    assert place("debates", age=age, quiet=quiet) == expected
