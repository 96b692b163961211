"""Art. 8.3 with OFF-4: a recall proposed during one term, carried after its holder was
elected again to the office, is overtaken by that fresh mandate."""

from datetime import UTC, datetime, timedelta

from folkmoot.governance.recall import recall_overtaken

PROPOSED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOLDER = 7


def test_an_election_the_holder_won_after_the_recall_was_proposed_overtakes_it():
    won = PROPOSED + timedelta(days=2)
    elections = [(PROPOSED - timedelta(days=28), [HOLDER, 8]), (won, [HOLDER, 9])]
    assert recall_overtaken(proposed_at=PROPOSED, holder=HOLDER, elections=elections) == won


def test_the_first_such_election_is_the_one_named():
    first, second = PROPOSED + timedelta(days=2), PROPOSED + timedelta(days=30)
    elections = [(second, [HOLDER]), (first, [HOLDER])]
    assert recall_overtaken(proposed_at=PROPOSED, holder=HOLDER, elections=elections) == first


def test_a_recall_takes_effect_when_the_holder_was_not_elected_again_since():
    # Elected before the recall was proposed (the term it recalls), or lost since, or an
    # election closed at the very moment it was proposed: nothing overtakes it.
    elections = [
        (PROPOSED - timedelta(days=28), [HOLDER]),
        (PROPOSED + timedelta(days=2), [8, 9]),
        (PROPOSED, [HOLDER]),
    ]
    assert recall_overtaken(proposed_at=PROPOSED, holder=HOLDER, elections=elections) is None
    assert recall_overtaken(proposed_at=PROPOSED, holder=HOLDER, elections=[]) is None
