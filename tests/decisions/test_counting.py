"""Counting from the platform's secret ballots (VOTE-8, VOTE-9, VOTE-11, VOTE-12, BEY-2):
one GROUP BY over Ballot rows gives the same counts as the ballots themselves."""

import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from django.db import models

from folkmoot.accounts.models import User
from folkmoot.decisions.counting import choice_counts, count_vote, grouped_marks, score_ballots
from folkmoot.decisions.models import Ballot, Vote
from folkmoot.governance.tally import lot
from folkmoot.governance.tally.allocated import allocated_score
from folkmoot.governance.tally.ballots import ScoreBallots
from folkmoot.governance.tally.choice import ChoiceCounts, choice_vote
from folkmoot.governance.tally.star import bloc_star, star

pytestmark = pytest.mark.django_db

OPTIONS = ["Ana", "Ben", "Cai", "Dee"]

# Digit strings in option order; some cast several times, some by voters holding the vote
# null (`valid=False`), which a score count ignores.
SCORE_ROWS: list[tuple[str, bool | None]] = [
    ("5310", True),
    ("5310", True),
    ("5310", False),
    ("0453", None),
    ("0453", True),
    ("2205", False),
    ("1150", True),
    ("0000", True),
    ("5310", None),
]


def cast(vote: Vote, rows: Sequence[tuple[str, bool | None]]) -> None:
    Ballot.objects.bulk_create(Ballot(vote=vote, marks=m, valid=v) for m, v in rows)


def as_dicts(rows: Sequence[tuple[str, bool | None]]) -> list[dict[str, int]]:
    return [{o: int(d) for o, d in zip(OPTIONS, marks, strict=True)} for marks, _ in rows]


def star_vote(method: str = "star", seats: int = 1) -> Vote:
    return Vote.objects.create(title="Who?", method=method, options=OPTIONS, seats=seats)


def test_score_ballots_from_the_database_equal_the_ballots_counted_directly():
    """BEY-2: identical ballots collapse into one row with its count, whatever their
    validity answers; the arrays match those built from the ballot dicts."""
    vote = star_vote()
    cast(vote, SCORE_ROWS)
    stored = score_ballots(vote)
    direct = ScoreBallots.from_dicts(OPTIONS, as_dicts(SCORE_ROWS))
    assert stored.candidates == direct.candidates == tuple(OPTIONS)
    assert np.array_equal(stored.scores, direct.scores)
    assert np.array_equal(stored.counts, direct.counts)
    assert stored.total == len(SCORE_ROWS) == 9
    # "5310" was cast four times, with three different validity answers.
    grouped = grouped_marks(vote)
    assert sum(n for m, _, n in grouped if m == "5310") == 4
    assert len([m for m, _, _ in grouped if m == "5310"]) == 3


@pytest.mark.parametrize(
    ("method", "seats"), [("star", 1), ("bloc-star", 2), ("allocated-score", 2)]
)
def test_every_score_method_gives_the_same_result_from_stored_ballots(method: str, seats: int):
    """VOTE-12: STAR, Bloc STAR and Allocated Score count stored ballots as they count the
    ballot file: same winners, same rounds, same numbers."""
    vote = star_vote(method, seats)
    cast(vote, SCORE_ROWS)
    direct = ScoreBallots.from_dicts(OPTIONS, as_dicts(SCORE_ROWS))

    def count(ballots: ScoreBallots) -> dict[str, Any]:
        if method == "star":
            return star(ballots, seed=vote.lot_seed).as_dict()
        if method == "bloc-star":
            return bloc_star(ballots, seats=seats, seed=vote.lot_seed).as_dict()
        return allocated_score(ballots, seats=seats, seed=vote.lot_seed).as_dict()

    stored = count(score_ballots(vote))
    assert stored == count(direct)
    assert stored["ballots"] == 9 and stored["winners"]


def test_a_vote_without_ballots_counts_as_empty():
    vote = star_vote()
    ballots = score_ballots(vote)
    assert ballots.total == 0 and ballots.scores.shape == (0, 4)


def test_scoring_ballots_takes_one_query_however_many_were_cast(django_assert_num_queries):
    """BEY-2: a GROUP BY returns each distinct ballot once, with how many cast it, so
    counting costs one query for 9 ballots or 900."""
    small, large = star_vote(), star_vote()
    cast(small, SCORE_ROWS)
    cast(large, SCORE_ROWS * 100)
    for vote, total in ((small, 9), (large, 900)):
        with django_assert_num_queries(1):
            ballots = score_ballots(vote)
        assert ballots.total == total
        assert len(ballots.counts) == 5  # the distinct ballots


# A choice vote's marks: the chosen option's number, or empty for a blank ballot.
CHOICE_ROWS: list[tuple[str, bool | None]] = [
    ("0", True),
    ("0", True),
    ("0", False),
    ("0", None),
    ("1", True),
    ("1", False),
    ("", True),
    ("", False),
    ("2", None),
]


def test_choice_counts_from_the_database_equal_the_ballots_counted_directly():
    """VOTE-8, VOTE-9: votes per option, blanks and null answers survive the GROUP BY."""
    vote = Vote.objects.create(title="Which?", method="choice", options=["Yes", "No", "Later"])
    cast(vote, CHOICE_ROWS)
    ballots: list[dict[str, Any]] = []
    for marks, valid in CHOICE_ROWS:
        ballot: dict[str, Any] = {"choice": vote.options[int(marks)] if marks else None}
        if valid is not None:
            ballot["valid"] = valid
        ballots.append(ballot)
    stored = choice_counts(vote)
    direct = ChoiceCounts.from_dicts(vote.options, ballots)
    assert stored.options == direct.options
    assert stored.counts.tolist() == direct.counts.tolist() == [4, 2, 1]
    assert (stored.blank, stored.null, stored.voters) == (direct.blank, direct.null, 9)
    assert (stored.blank, stored.null) == (2, 3)
    assert choice_vote(stored).as_dict() == choice_vote(direct).as_dict()


def test_a_stored_choice_vote_with_more_than_half_null_is_void():
    """VOTE-8: five of nine voters hold the vote null."""
    vote = Vote.objects.create(title="Valid?", method="choice", options=["Yes", "No"])
    cast(vote, [("0", False)] * 5 + [("0", True)] * 4)
    assert choice_vote(choice_counts(vote)).details["outcome"] == "void"


def test_a_ballot_row_carries_no_voter_and_no_time():
    """VOTE-11: nothing in a ballot row tells when it was cast; the only link to a person is
    `voter`, filled for public votes alone (test_referendum_path checks secret ones leave it
    empty), and the public check code (BEY-2)."""
    fields = {f.name: f for f in Ballot._meta.get_fields()}
    assert set(fields) == {"id", "vote", "marks", "valid", "check_code", "voter"}
    assert not any(
        isinstance(f, models.DateField | models.TimeField | models.DurationField)
        for f in fields.values()
    )
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert related == {Vote, User}


def test_ballot_keys_are_random_uuids_not_ordered_by_insertion():
    """VOTE-11: the key reveals neither who voted nor in which order."""
    vote = star_vote()
    cast_in_order = [Ballot.objects.create(vote=vote, marks="1111").pk for _ in range(30)]
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in cast_in_order)
    assert len(set(cast_in_order)) == 30
    # 30 random keys come out sorted in casting order once in 30! draws.
    assert sorted(cast_in_order) != cast_in_order
    assert list(vote.ballots.order_by("pk").values_list("pk", flat=True)) != cast_in_order


def test_a_vote_gets_its_lot_seed_when_it_is_created_and_the_lot_draws_from_it():
    """VOTE-12: "the tie-breaking protocol is fixed in advance and published": the seed
    exists before any ballot, is not editable, and decides a tie nothing else breaks."""
    vote = star_vote()
    other = star_vote()
    assert len(vote.lot_seed) == 16 and int(vote.lot_seed, 16) >= 0
    assert vote.lot_seed != other.lot_seed
    assert Vote._meta.get_field("lot_seed").editable is False
    seed = vote.lot_seed
    vote.refresh_from_db()
    assert vote.lot_seed == seed
    # Ana and Ben tie on everything: scores swapped on two ballots, nobody else scored.
    cast(vote, [("4100", None), ("1400", None)])
    result = star(score_ballots(vote), seed=vote.lot_seed)
    assert result.lot_seed == vote.lot_seed
    assert result.lot_order == lot.lot_order(vote.lot_seed, OPTIONS)
    assert result.winners == lot.draw(vote.lot_seed, ["Ana", "Ben"], 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "seats", "marks", "winners"),
    [
        ("star", 1, ["50", "50", "05"], ["A"]),
        ("bloc-star", 2, ["530", "530", "035"], ["A", "B"]),
        ("allocated-score", 2, ["500", "500", "005", "005"], ["A", "C"]),
        ("approval", 1, ["10", "11", "01", "01"], ["B"]),
        ("top-n", 2, ["110", "011", "010"], ["B"]),
    ],
)
def test_count_vote_counts_a_stored_vote_by_its_method(method, seats, marks, winners):
    """BEY-2: the platform counts what it stores with the same core as `folkmoot tally`."""
    options = ["A", "B", "C"][: len(marks[0])]
    vote = Vote.objects.create(title="Q", method=method, options=options, seats=seats)
    Ballot.objects.bulk_create([Ballot(vote=vote, marks=m) for m in marks])
    result = count_vote(vote)
    assert result.method == method
    assert set(winners) <= set(result.winners)


@pytest.mark.django_db
def test_count_vote_draws_its_lot_from_the_vote_seed():
    """VOTE-12: a tie nothing else breaks is drawn from the seed published at opening."""
    vote = Vote.objects.create(title="Q", method="star", options=["A", "B"])
    Ballot.objects.bulk_create([Ballot(vote=vote, marks="50"), Ballot(vote=vote, marks="05")])
    result = count_vote(vote)
    assert result.lot_seed == vote.lot_seed and len(result.winners) == 1
    assert count_vote(vote, tiebreak="none").tie.candidates == ["A", "B"]


@pytest.mark.django_db
def test_a_stored_ballot_that_does_not_fit_the_vote_stops_the_count():
    """A count never silently misreads a ballot: a score above the maximum is corruption."""
    vote = Vote.objects.create(title="Q", method="star", options=["A", "B"])
    Ballot.objects.bulk_create([Ballot(vote=vote, marks="59")])
    with pytest.raises(ValueError, match="does not fit"):
        count_vote(vote)


def test_chart_bars_follow_the_option_order_whatever_order_the_database_kept() -> None:
    """BEY-3: PostgreSQL's jsonb gives a stored explanation back with its keys re-sorted
    (shortest first); the chart still shows the options in the vote's order."""
    from folkmoot.decisions.selectors import charts

    stored = {
        "rounds": [
            {
                "steps": [
                    {
                        "kind": "scoring",
                        "text": "Scoring round",
                        "values": {"Park": 14, "Library": 15, "Town hall": 6},
                        "advance": ["Library", "Park"],
                    }
                ]
            }
        ]
    }
    bars = charts(stored, ["Library", "Park", "Town hall"])[0]["bars"]
    assert [b["name"] for b in bars] == ["Library", "Park", "Town hall"]
    assert [b["value"] for b in bars] == [15, 14, 6]
