"""Counting by hand (VOTE-1, VOTE-8, VOTE-9, VOTE-12, OFF-4, BEY-2, BEY-3): small elections
whose arithmetic each docstring works out, checked step by step against the explanation the
count publishes. A ballot left out of a dict scores 0."""

import hashlib
import json
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from folkmoot.governance.protocol import Consensus, Validity
from folkmoot.governance.tally import lot
from folkmoot.governance.tally.allocated import allocated_score
from folkmoot.governance.tally.ballots import BallotError, ScoreBallots
from folkmoot.governance.tally.choice import (
    ChoiceCounts,
    approval,
    choice_vote,
    marks_from_dicts,
)
from folkmoot.governance.tally.consensus import Response, RoundResponses, consensus_round
from folkmoot.governance.tally.files import read_json, read_star_vote_csv
from folkmoot.governance.tally.result import Result, Step, Tie
from folkmoot.governance.tally.star import bloc_star, star

ABC = ["A", "B", "C"]


def scored(candidates: list[str], *ballots: dict[str, int]) -> ScoreBallots:
    return ScoreBallots.from_dicts(candidates, ballots)


def steps(result: Result, round_number: int = 0) -> list[Step]:
    return result.rounds[round_number].steps


def kinds(result: Result, round_number: int = 0) -> list[str]:
    return [s.kind for s in steps(result, round_number)]


def sha_order(seed: str, names: list[str]) -> list[str]:
    """The published lot, redone from its definition: lower SHA-256(seed, newline, name)
    goes first."""
    return sorted(names, key=lambda name: hashlib.sha256(f"{seed}\n{name}".encode()).hexdigest())


# --- STAR: the scoring round (VOTE-12) ---------------------------------------------------


def test_a_scoring_round_tie_is_broken_by_head_to_head_preference_among_the_tied():
    """VOTE-12. Ballots A5 B3 · A5 B2 C1 · A2 C4.
    Totals: A 5+5+2 = 12, B 3+2+0 = 5, C 0+1+4 = 5, so A advances and B, C tie for second.
    Head to head: ballots 1 and 2 score B above C, ballot 3 scores C above B: B 2, C 1, so B
    joins A in the runoff. Runoff: all three ballots score A above B: A wins 3–0."""
    result = star(scored(ABC, {"A": 5, "B": 3}, {"A": 5, "B": 2, "C": 1}, {"A": 2, "C": 4}))
    scoring, preference, runoff = steps(result)
    assert (scoring.values, scoring.advance, scoring.tied) == (
        {"A": 12, "B": 5, "C": 5},
        ["A"],
        ["B", "C"],
    )
    assert preference.kind == "scoring_tiebreak_preference"
    assert (preference.values, preference.advance, preference.tied) == (
        {"B": 2, "C": 1},
        ["A", "B"],
        [],
    )
    assert (runoff.values, runoff.advance) == ({"A": 3, "B": 0}, ["A"])
    assert result.winners == ["A"] and result.tie is None and result.lot_seed is None


def test_a_scoring_round_tie_even_head_to_head_is_broken_by_five_star_scores():
    """VOTE-12. Ballots A5 B5 C1 · A5 C4.
    Totals: A 10, B 5, C 5. Head to head B beats C on ballot 1, C beats B on ballot 2: 1–1.
    Five-star scores: B has one (ballot 1), C none: B advances. Runoff A v B: ballot 1 is
    5–5 (no preference), ballot 2 prefers A: A wins 1–0."""
    result = star(scored(ABC, {"A": 5, "B": 5, "C": 1}, {"A": 5, "C": 4}))
    assert kinds(result) == [
        "scoring",
        "scoring_tiebreak_preference",
        "scoring_tiebreak_top_scores",
        "runoff",
    ]
    _, preference, fives, runoff = steps(result)
    assert (preference.values, preference.tied) == ({"B": 1, "C": 1}, ["B", "C"])
    assert (fives.values, fives.advance, fives.tied) == ({"B": 1, "C": 0}, ["A", "B"], [])
    assert runoff.values == {"A": 1, "B": 0}
    assert runoff.explanation.params == {"none": 1}
    assert result.winners == ["A"]


# Totals A 10, B 7, C 7; head to head B–C 1–1; no five-star score for B or C.
LOT_BALLOTS = [{"A": 5, "B": 4, "C": 3}, {"A": 5, "B": 3, "C": 4}]


def test_a_scoring_round_tie_nothing_else_breaks_goes_to_the_published_sha256_lot():
    """VOTE-12, BEY-3. Ballots A5 B4 C3 · A5 B3 C4: totals A 10, B 7, C 7; head to head B
    and C win one ballot each; neither has a five-star score. The lot decides: each name's
    place is SHA-256("vote-42", newline, name), lower first, which puts C before B. C goes
    to the runoff and A beats C on both ballots."""
    result = star(scored(ABC, *LOT_BALLOTS), seed="vote-42")
    assert kinds(result) == [
        "scoring",
        "scoring_tiebreak_preference",
        "scoring_tiebreak_top_scores",
        "lot",
        "runoff",
    ]
    drawn = steps(result)[3]
    assert drawn.tied == ["B", "C"] and drawn.advance == ["C"]
    assert drawn.values == {"C": 1, "B": 2}  # each tied candidate's place in the draw
    assert drawn.explanation.render() == "Still tied: the published lot (seed vote-42) decides."
    assert steps(result)[4].values == {"A": 2, "C": 0}
    assert result.winners == ["A"]
    # The published order covers every candidate and anyone can redo it from the seed.
    assert result.lot_seed == "vote-42"
    assert result.lot_order == sha_order("vote-42", ABC) == lot.lot_order("vote-42", ABC)
    assert result.lot_order == ["C", "B", "A"]
    assert lot.draw("vote-42", ["B", "C"], 1) == ["C"]
    # Another seed, another draw; the same seed, the same count.
    assert lot.draw("vote-43", ["B", "C"], 1) == ["B"]
    assert star(scored(ABC, *LOT_BALLOTS), seed="vote-43").rounds[0].steps[3].advance == ["B"]
    assert star(scored(ABC, *LOT_BALLOTS), seed="vote-42").as_dict() == result.as_dict()


def test_without_a_seed_the_lot_uses_a_digest_of_the_candidate_list():
    """VOTE-12: `folkmoot tally` without --seed draws from SHA-256 of the candidate names,
    one per line (its first 16 hex digits), so a recount needs nothing but the file."""
    seed = hashlib.sha256(b"A\nB\nC").hexdigest()[:16]
    assert lot.default_seed(ABC) == seed
    result = star(scored(ABC, *LOT_BALLOTS))
    assert result.lot_seed == seed and result.lot_order == sha_order(seed, ABC)


def test_with_tiebreak_none_a_tie_only_the_lot_could_break_is_reported_instead():
    """VOTE-12: the same ballots counted with `tiebreak="none"` stop at the tie: B and C,
    for one place, in the scoring round. STAR has no winner so far; no lot is drawn."""
    result = star(scored(ABC, *LOT_BALLOTS), tiebreak="none")
    assert result.tie == Tie(["B", "C"], 1, "scoring")
    assert result.winners == [] and result.lot_seed is None and result.lot_order is None
    assert result.as_dict()["tie"] == {"candidates": ["B", "C"], "needed": 1, "stage": "scoring"}


def test_a_three_way_tie_for_the_top_two_sends_the_two_preferred_head_to_head():
    """VOTE-12. Ballots A5 B3 C1 · A1 B4 C4 · A3 B2 C4 D2.
    Totals: A 5+1+3 = 9, B 3+4+2 = 9, C 1+4+4 = 9, D 2: three tie for two places.
    Head to head among A, B, C (a point per pair a ballot decides):
    ballot 1: A>B, A>C, B>C → A 2, B 1; ballot 2: B>A, C>A, B=C → B 1, C 1;
    ballot 3: A>B, C>A, C>B → A 1, C 2. Sums: A 3, B 2, C 3: A and C advance.
    Runoff A v C: ballot 1 prefers A, ballots 2 and 3 prefer C: C wins 2–1."""
    result = star(
        scored(
            ["A", "B", "C", "D"],
            {"A": 5, "B": 3, "C": 1},
            {"A": 1, "B": 4, "C": 4},
            {"A": 3, "B": 2, "C": 4, "D": 2},
        )
    )
    scoring, preference, runoff = steps(result)
    assert (scoring.advance, scoring.tied) == ([], ["A", "B", "C"])
    assert scoring.values == {"A": 9, "B": 9, "C": 9, "D": 2}
    assert preference.values == {"A": 3, "B": 2, "C": 3}
    assert sorted(preference.advance) == ["A", "C"] and preference.tied == []
    assert runoff.values == {"A": 1, "C": 2}
    assert result.winners == ["C"]


# --- STAR: the automatic runoff (VOTE-12) ------------------------------------------------


def test_a_runoff_tie_is_broken_by_the_higher_total_score():
    """VOTE-12. Ballots A5 C1 · A1 B4. Totals A 6, B 4, C 1: A and B advance. Ballot 1
    prefers A, ballot 2 prefers B: 1–1. Total scores decide: A 6 beats B 4."""
    result = star(scored(ABC, {"A": 5, "C": 1}, {"A": 1, "B": 4}))
    assert kinds(result) == ["scoring", "runoff", "runoff_tiebreak_score"]
    _, runoff, totals = steps(result)
    assert (runoff.values, runoff.advance, runoff.tied) == ({"A": 1, "B": 1}, [], ["A", "B"])
    assert (totals.values, totals.advance) == ({"A": 6, "B": 4}, ["A"])
    assert result.winners == ["A"]


def test_a_runoff_tie_on_preference_and_total_is_broken_by_five_star_scores():
    """VOTE-12. Ballots A5 B1 · B4. Totals A 5, B 5, C 0. Head to head 1–1; totals 5–5;
    five-star scores: A one, B none. A wins."""
    result = star(scored(ABC, {"A": 5, "B": 1}, {"B": 4}))
    assert kinds(result) == [
        "scoring",
        "runoff",
        "runoff_tiebreak_score",
        "runoff_tiebreak_top_scores",
    ]
    assert steps(result)[2].values == {"A": 5, "B": 5}
    assert steps(result)[3].values == {"A": 1, "B": 0}
    assert result.winners == ["A"]


def test_a_runoff_tie_on_everything_goes_to_the_lot_or_is_reported():
    """VOTE-12. Ballots A4 B1 · A1 B4: head to head 1–1, totals 5–5, no five-star score.
    With seed "vote-42" the published order puts B before A: B wins. Without a lot the
    count reports A and B tied for one place in the runoff."""
    ballots = scored(ABC, {"A": 4, "B": 1}, {"A": 1, "B": 4})
    result = star(ballots, seed="vote-42")
    assert kinds(result)[-1] == "lot"
    assert steps(result)[-1].advance == ["B"] == lot.draw("vote-42", ["A", "B"], 1)
    assert result.winners == ["B"] and result.lot_seed == "vote-42"
    undecided = star(ballots, tiebreak="none")
    assert undecided.tie == Tie(["A", "B"], 1, "runoff") and undecided.winners == []


# --- Bloc STAR (OFF-4) -------------------------------------------------------------------

FIVE = ["A", "B", "C", "D", "E"]


def test_bloc_star_over_three_seats_breaks_a_third_round_tie_head_to_head():
    """OFF-4, VOTE-12. Ballots A5 B4 C3 D2 · A5 B4 C3 E1 · A4 B5 C2 D1 E2.
    Seat 1: totals A 14, B 13, C 8, D 3, E 3; A and B advance; two ballots prefer A: A.
    Seat 2 (without A): B 13 and C 8 advance; every ballot prefers B: B.
    Seat 3 (C, D, E): C 8 advances; D 3 and E 3 tie. Head to head D beats E on ballot 1,
    E beats D on ballots 2 and 3: E advances. Runoff C v E: ballots 1 and 2 prefer C,
    ballot 3 scores both 2: C takes the third seat."""
    result = bloc_star(
        scored(
            FIVE,
            {"A": 5, "B": 4, "C": 3, "D": 2},
            {"A": 5, "B": 4, "C": 3, "E": 1},
            {"A": 4, "B": 5, "C": 2, "D": 1, "E": 2},
        ),
        seats=3,
    )
    assert result.winners == ["A", "B", "C"] and result.tie is None
    assert [r.winner for r in result.rounds] == ["A", "B", "C"]
    assert [r.title.render() for r in result.rounds] == [
        "Seat 1 of 3",
        "Seat 2 of 3",
        "Seat 3 of 3",
    ]
    assert steps(result, 1)[0].values == {"B": 13, "C": 8, "D": 3, "E": 3}
    assert kinds(result, 2) == ["scoring", "scoring_tiebreak_preference", "runoff"]
    scoring, preference, runoff = steps(result, 2)
    assert scoring.values == {"C": 8, "D": 3, "E": 3} and scoring.tied == ["D", "E"]
    assert preference.values == {"D": 1, "E": 2} and preference.advance == ["C", "E"]
    assert runoff.values == {"C": 2, "E": 0}


def test_bloc_star_without_a_lot_reports_a_third_round_tie_with_two_seats_filled():
    """OFF-4, VOTE-12. As above but ballot 2 gives E 2 and ballot 3 gives E 1: in the third
    round D and E still total 3 each, each wins one ballot head to head (ballot 3 scores
    them equal) and neither has a five-star score. The official count draws the lot
    (seed "moot-7" puts E before D); without it, A and B are elected and D, E tie."""
    ballots = scored(
        FIVE,
        {"A": 5, "B": 4, "C": 3, "D": 2},
        {"A": 5, "B": 4, "C": 3, "E": 2},
        {"A": 4, "B": 5, "C": 2, "D": 1, "E": 1},
    )
    official = bloc_star(ballots, seats=3, seed="moot-7")
    assert kinds(official, 2)[-2:] == ["lot", "runoff"]
    assert steps(official, 2)[-2].advance == ["E"] and official.winners == ["A", "B", "C"]
    undecided = bloc_star(ballots, seats=3, tiebreak="none")
    assert undecided.winners == ["A", "B"]
    assert undecided.tie == Tie(["D", "E"], 1, "scoring")
    # The third round is kept, undecided, so its tie is explained step by step (BEY-3).
    assert [r.winner for r in undecided.rounds] == ["A", "B", None]
    assert undecided.rounds[-1].steps[-1].tied == undecided.tie.candidates


def test_with_as_many_candidates_as_seats_everyone_is_elected_at_once():
    """OFF-4: nothing to count."""
    result = bloc_star(scored(ABC, {"A": 1}), seats=3)
    assert result.winners == ABC
    assert result.rounds[0].title.render() == "As many candidates as seats: all are elected."
    with pytest.raises(ValueError, match="more seats than candidates"):
        bloc_star(scored(ABC, {"A": 1}), seats=4)


# --- Allocated Score (VOTE-12) ------------------------------------------------------------


def test_allocated_score_spends_a_fraction_of_an_oversubscribed_score_group():
    """VOTE-12. Five ballots, two seats: the Hare quota is 5/2.
    3 × A5 B1 and 2 × B3 C4. Seat 1 weighted totals: A 15, B 3+6 = 9, C 8: A.
    A's supporters at score 5 are 3 ballots, more than the quota 5/2: they spend 5/2 of 3
    and each keeps 1 − (5/2)/3 = 1/6 of its weight.
    Seat 2: B 3 × 1 × 1/6 + 2 × 3 = 13/2, C 2 × 4 = 8: C. (Unweighted, B's 9 would beat 8.)"""
    result = allocated_score(scored(ABC, *[{"A": 5, "B": 1}] * 3, *[{"B": 3, "C": 4}] * 2), seats=2)
    assert result.details == {"quota": Fraction(5, 2)}
    first, allocation = steps(result, 0)
    assert first.values == {"A": Fraction(15), "B": Fraction(9), "C": Fraction(8)}
    assert allocation.kind == "allocation"
    assert allocation.values == {"5": {"ballots": 3, "kept": Fraction(1, 6)}}
    assert allocation.explanation.params == {"winner": "A", "quota": "2.5"}
    (second,) = steps(result, 1)
    assert second.values == {"B": Fraction(13, 2), "C": Fraction(8)}
    assert result.winners == ["A", "C"]
    # JSON shows exact fractions as "p/q".
    shown = result.as_dict()
    assert shown["details"] == {"quota": "5/2"}
    assert shown["rounds"][0]["steps"][1]["values"] == {"5": {"ballots": 3, "kept": "1/6"}}
    assert shown["rounds"][1]["steps"][0]["values"] == {"B": "13/2", "C": 8}


def test_allocated_score_spends_a_whole_score_group_that_exactly_fills_the_quota():
    """VOTE-12. Four ballots, two seats: the quota is 2.
    2 × A5 B4 · A3 C5 · B3 C2. Seat 1: A 5+5+3 = 13, B 4+4+3 = 11, C 5+2 = 7: A.
    A's two 5-score ballots exactly fill the quota: both are spent (kept 0) and the quota
    is exhausted, so the A3 ballot keeps its full weight.
    Seat 2: B 3 (the B3 C2 ballot only), C 5+2 = 7: C."""
    result = allocated_score(
        scored(ABC, *[{"A": 5, "B": 4}] * 2, {"A": 3, "C": 5}, {"B": 3, "C": 2}), seats=2
    )
    assert result.details == {"quota": Fraction(2)}
    _, allocation = steps(result, 0)
    assert allocation.values == {"5": {"ballots": 2, "kept": 0}}
    assert steps(result, 1)[0].values == {"B": Fraction(3), "C": Fraction(7)}
    assert result.winners == ["A", "C"]


def test_allocated_score_sends_a_tie_for_a_seat_straight_to_the_lot():
    """VOTE-12. Ballots A5 B5 · C1: A and B tie with 5 for the first seat; no head-to-head
    step in Allocated Score. With seed "vote-43" the lot puts A first; without a lot the
    count stops, reporting the tie with the round that found it."""
    ballots = scored(ABC, {"A": 5, "B": 5}, {"C": 1})
    official = allocated_score(ballots, seats=2, seed="vote-43")
    assert kinds(official, 0)[:2] == ["weighted_scoring", "lot"]
    assert official.winners[0] == lot.draw("vote-43", ["A", "B"], 1)[0]
    assert official.lot_seed == "vote-43"
    undecided = allocated_score(ballots, seats=2, tiebreak="none")
    assert undecided.tie == Tie(["A", "B"], 1, "scoring") and undecided.winners == []
    assert steps(undecided, 0)[0].tied == ["A", "B"]


# --- Choice votes: VirtualPol's rules (VOTE-8, VOTE-9) -----------------------------------


def counts(
    options: list[str], votes: list[int], *, blank: int = 0, null: int = 0, voters: int = 0
) -> ChoiceCounts:
    return ChoiceCounts(tuple(options), np.array(votes), blank, null, voters or sum(votes) + blank)


YES_NO = ["Yes", "No"]


def test_exactly_sixty_percent_of_two_options_is_not_carried():
    """VOTE-9: "more than 60 %". 3 Yes, 2 No: 3/5 = 60 % exactly, not carried."""
    result = choice_vote(counts(YES_NO, [3, 2]))
    assert result.details["outcome"] == "not_carried" and result.winners == []
    assert result.details["threshold"] == 0.6
    assert steps(result)[-1].explanation.render() == (
        "An option is carried with more than 60% of the counted votes."
    )


def test_sixty_point_one_percent_of_two_options_is_carried():
    """VOTE-9: 601 Yes, 399 No: 60.1 % > 60 %."""
    result = choice_vote(counts(YES_NO, [601, 399]))
    assert result.details["outcome"] == "carried" and result.winners == ["Yes"]
    assert result.rounds[0].winner == "Yes"
    assert result.details["shares"] == {"Yes": 0.601, "No": 0.399}


def test_with_three_options_the_winner_needs_more_than_eighty_five_percent():
    """VOTE-9. 17, 2, 1 of 20: 85 % exactly, not carried; 171, 20, 9 of 200: 85.5 %,
    carried; 16, 3, 1 of 20: 80 %, far past 60 % but not carried with three options."""
    three = ["Ana", "Ben", "Cai"]
    assert choice_vote(counts(three, [17, 2, 1])).details["outcome"] == "not_carried"
    carried = choice_vote(counts(three, [171, 20, 9]))
    assert carried.winners == ["Ana"] and carried.details["threshold"] == 0.85
    assert choice_vote(counts(three, [16, 3, 1])).winners == []


def test_blank_votes_are_left_out_of_the_percentages():
    """VOTE-9. 3 Yes, 1 No, 6 blank: Yes has 3 of the 4 counted votes, 75 %: carried. Were
    blanks counted (a protocol may say so), Yes would have 3 of 10, 30 %."""
    tally = counts(YES_NO, [3, 1], blank=6)
    result = choice_vote(tally)
    assert result.winners == ["Yes"] and result.details["shares"]["Yes"] == 0.75
    assert result.details["blank"] == 6 and result.ballots == 10
    assert steps(result)[0].explanation.render() == (
        "10 ballots: 6 blank (not counted in percentages), 0 holding the vote null."
    )
    assert choice_vote(tally, Validity(blank_counts=True)).winners == []


def test_a_vote_is_void_when_null_answers_exceed_half():
    """VOTE-8: void when null answers reach half plus one. Ten voters, all Yes: five hold
    the vote null (exactly half): valid and carried; six: void, whatever the votes say."""
    half = choice_vote(counts(YES_NO, [10, 0], null=5))
    assert half.details["outcome"] == "carried" and half.winners == ["Yes"]
    void = choice_vote(counts(YES_NO, [10, 0], null=6))
    assert void.details["outcome"] == "void" and void.winners == []
    assert steps(void)[-1].explanation.render() == (
        "Void: 6 of 10 voters hold the vote null, more than half (VOTE-8)."
    )
    # A protocol that does not ask the validity question ignores the answers.
    unasked = choice_vote(counts(YES_NO, [10, 0], null=6), Validity(ask_validity=False))
    assert unasked.winners == ["Yes"]


def test_a_vote_below_its_quorum_is_not_valid():
    """VOTE-9 with a quorum of 10: 9 voters, all Yes, are not enough; 10 are."""
    rules = Validity(quorum=10)
    short = choice_vote(counts(YES_NO, [9, 0]), rules)
    assert short.details["outcome"] == "no_quorum" and short.winners == []
    assert steps(short)[-1].explanation.render() == "Not valid: 9 voted, the quorum is 10."
    assert choice_vote(counts(YES_NO, [10, 0]), rules).winners == ["Yes"]


def test_a_yes_no_referendum_is_a_two_option_choice_with_nulls_and_blanks():
    """VOTE-8, VOTE-9. Ballots: 4 Yes (one of them holding the vote null), 2 No, 1 blank.
    Yes has 4 of 6 counted votes, 66.7 % > 60 %: carried. 1 of 7 null: valid."""
    ballots: list[dict[str, Any]] = [
        *[{"choice": "Yes"}] * 3,
        {"choice": "Yes", "valid": False},
        *[{"choice": "No", "valid": True}] * 2,
        {"choice": None},
    ]
    tally = ChoiceCounts.from_dicts(YES_NO, ballots)
    assert (list(tally.counts), tally.blank, tally.null, tally.voters) == ([4, 2], 1, 1, 7)
    result = choice_vote(tally)
    assert result.winners == ["Yes"] and result.details["threshold"] == 0.6
    assert result.details["votes"] == {"Yes": 4, "No": 2}


def test_a_tie_between_two_options_carries_neither():
    """VOTE-9: 5 Yes, 5 No: 50 % each."""
    assert choice_vote(counts(YES_NO, [5, 5])).winners == []


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ({"choice": "Maybe"}, "Ballot 2 names “Maybe”, who is not a candidate."),
        ({"choice": "No", "vote": "No"}, "Ballot 2 has an unknown field “vote”."),
        ({"choice": "No", "valid": "no"}, "Ballot 2: “valid” must be true or false."),
    ],
)
def test_a_bad_choice_ballot_is_refused_naming_it(ballot: dict[str, Any], message: str):
    """BEY-2: every problem names the ballot and the field."""
    with pytest.raises(BallotError) as refused:
        ChoiceCounts.from_dicts(YES_NO, [{"choice": "Yes"}, ballot])
    assert str(refused.value) == message


# --- Approval and most votes (OFF-4) ------------------------------------------------------

FOUR = ["Ana", "Ben", "Cai", "Dee"]
# Ana 3 marks, Ben 2, Cai 2, Dee 0: with two seats, Ana is elected and Ben, Cai tie.
TOP_TWO = [{"Ana": 1, "Ben": 1}, {"Ana": 1, "Cai": 1}, {"Ben": 1, "Cai": 1}, {"Ana": 1, "Dee": 0}]


def test_approval_elects_the_options_with_most_marks():
    """OFF-4. Marks: Ana 3, Ben 2, Cai 2, Dee 0. One seat: Ana. Three seats: Ana, Ben, Cai
    (Dee's 0 is below the cutoff of 2, so no tie)."""
    marks, voters = marks_from_dicts(FOUR, TOP_TWO)
    assert list(marks) == [3, 2, 2, 0] and voters == 4
    assert approval(FOUR, marks, voters=voters).winners == ["Ana"]
    three = approval(FOUR, marks, seats=3, voters=voters)
    assert three.winners == ["Ana", "Ben", "Cai"] and three.tie is None
    assert steps(three)[0].values == {"Ana": 3, "Ben": 2, "Cai": 2, "Dee": 0}


def test_a_tie_at_the_last_seat_is_drawn_by_lot_or_reported():
    """OFF-4, VOTE-12. Two seats, marks Ana 3, Ben 2, Cai 2: Ana is elected; Ben and Cai
    tie for the second seat. Seed "vote-42" puts Cai before Ben; seed "vote-43" Ben before
    Cai. Without a lot: Ana, and a tie between Ben and Cai for one seat."""
    marks, voters = marks_from_dicts(FOUR, TOP_TWO, limit=2)
    drawn = approval(FOUR, marks, seats=2, voters=voters, seed="vote-42", method="top-n")
    assert drawn.winners == ["Ana", "Cai"] and drawn.method == "top-n"
    assert drawn.lot_seed == "vote-42" and drawn.lot_order == sha_order("vote-42", FOUR)
    assert steps(drawn)[-1].kind == "lot" and steps(drawn)[-1].tied == ["Ben", "Cai"]
    other = approval(FOUR, marks, seats=2, voters=voters, seed="vote-43")
    assert other.winners == ["Ana", "Ben"]
    undecided = approval(FOUR, marks, seats=2, voters=voters, tiebreak="none")
    assert undecided.winners == ["Ana"]
    assert undecided.tie == Tie(["Ben", "Cai"], 1, "cutoff") and undecided.lot_seed is None


def test_a_top_n_ballot_may_not_mark_more_options_than_seats():
    """OFF-4: with two seats, ballot 2 marking three options is refused."""
    with pytest.raises(BallotError) as refused:
        marks_from_dicts(FOUR, [{"Ana": 1}, {"Ana": 1, "Ben": 1, "Cai": 1}], limit=2)
    assert refused.value.reason.code == "too_many_marks"
    assert str(refused.value) == "Ballot 2 marks 3 candidates; at most 2 may be chosen."


@pytest.mark.parametrize("mark", [2, -1, True, "1"])
def test_an_approval_mark_other_than_zero_or_one_is_refused(mark: Any):
    """BEY-2: the ballot and the field are named."""
    with pytest.raises(BallotError) as refused:
        marks_from_dicts(FOUR, [{"Ana": 1}, {"Ben": mark}])
    assert refused.value.reason.code == "bad_mark"
    assert refused.value.reason.params["ballot"] == 2
    assert refused.value.reason.params["candidate"] == "Ben"


# --- Consensus rounds (VOTE-1) ------------------------------------------------------------


def responses(round_number: int, eligible: int, **answers: Response) -> RoundResponses:
    reasons = {p: f"{p} objects" for p, a in answers.items() if a == "block"}
    return RoundResponses(round_number, answers, reasons, eligible)


def test_consensus_is_reached_when_nobody_blocks():
    """VOTE-1: agreeing and standing aside both let the proposal through."""
    outcome = consensus_round(
        Consensus(), responses(1, 3, ana="agree", ben="stand_aside", cai="agree")
    )
    assert outcome.reached and outcome.next_step == "done"
    assert outcome.counts == {"agree": 2, "stand_aside": 1, "block": 0}
    assert outcome.explanation.render() == "Consensus reached in round 1: nobody blocks."


def test_a_block_sends_the_proposal_to_another_round_then_to_a_vote():
    """VOTE-1: "try harder", then vote. With two rounds, a block in round 1 opens round 2;
    a block in round 2 sends the proposal to a STAR vote."""
    rules = Consensus(rounds=2)
    first = consensus_round(rules, responses(1, 3, ana="agree", ben="block", cai="block"))
    assert not first.reached and first.next_step == "another_round"
    assert first.blockers == ["ben", "cai"]
    assert first.block_reasons == ["ben objects", "cai objects"]
    assert first.explanation.render() == "No consensus in round 1: 2 block."
    last = consensus_round(rules, responses(2, 3, ana="agree", ben="block"))
    assert last.next_step == "vote" and rules.fallback_method == "star"


def test_too_few_responses_fail_the_participation_floor():
    """VOTE-1 with a 50 % floor among 10 who may respond: 4 agreeing are 40 %, not enough;
    5 are 50 %, enough. Nobody responding never reaches consensus, even with no floor."""
    rules = Consensus(participation_floor=0.5)
    agree: Response = "agree"
    four = consensus_round(rules, responses(1, 10, **{f"p{i}": agree for i in range(4)}))
    assert not four.reached and four.participation == 0.4
    assert four.explanation.render() == "No consensus in round 1: 40% responded, 50% are needed."
    five = consensus_round(rules, responses(1, 10, **{f"p{i}": agree for i in range(5)}))
    assert five.reached
    assert not consensus_round(Consensus(), responses(1, 10)).reached


def test_blockers_stay_anonymous_when_blocks_are_not_public():
    """VOTE-1: the reasons are shown, the names are not."""
    outcome = consensus_round(
        Consensus(blocks_public=False), responses(1, 2, ana="agree", ben="block")
    )
    assert outcome.blockers is None and outcome.block_reasons == ["ben objects"]
    assert outcome.counts["block"] == 1


# --- Ballots in, errors out (BEY-2) --------------------------------------------------------


@pytest.mark.parametrize(
    ("ballot", "code", "message"),
    [
        (
            {"A": 5, "B": 7},
            "bad_score",
            "Ballot 2 gives “B” 7; scores are whole numbers from 0 to 5.",
        ),
        ({"A": 5, "Zed": 1}, "unknown_candidate", "Ballot 2 names “Zed”, who is not a candidate."),
        ({"A": 2.5}, "bad_score", "Ballot 2 gives “A” 2.5; scores are whole numbers from 0 to 5."),
        ({"A": "3"}, "bad_score", "Ballot 2 gives “A” 3; scores are whole numbers from 0 to 5."),
        (
            {"C": True},
            "bad_score",
            "Ballot 2 gives “C” True; scores are whole numbers from 0 to 5.",
        ),
        ({"A": -1}, "bad_score", "Ballot 2 gives “A” -1; scores are whole numbers from 0 to 5."),
        (["A", 5], "ballot_not_mapping", "Ballot 2 is not a mapping of candidates to scores."),
    ],
)
def test_a_bad_score_ballot_is_refused_naming_the_ballot_and_the_field(
    ballot: Any, code: str, message: str
):
    """BEY-2: anyone recounting a file learns exactly what is wrong, and where."""
    with pytest.raises(BallotError) as refused:
        ScoreBallots.from_dicts(ABC, [{"A": 1}, ballot])
    assert refused.value.reason.code == code
    assert str(refused.value) == message


def test_a_candidate_list_naming_someone_twice_is_refused():
    with pytest.raises(BallotError, match="names someone twice"):
        ScoreBallots.from_dicts(["A", "B", "A"], [])


def test_identical_ballots_are_counted_once_with_their_multiplicity():
    """BEY-2: three A5 ballots and one B2 become two rows, weighted 3 and 1."""
    ballots = scored(ABC, *[{"A": 5}] * 3, {"B": 2})
    assert ballots.total == 4 and sorted(ballots.counts.tolist()) == [1, 3]
    assert ballots.scores.shape == (2, 3)


def test_a_json_file_that_does_not_parse_is_refused_with_its_line():
    """BEY-2. The trailing comma on line 4 breaks the file."""
    text = '{\n  "candidates": ["A", "B"],\n  "ballots": [\n    {"A": 5,}\n  ]\n}\n'
    with pytest.raises(BallotError) as refused:
        read_json(text)
    assert refused.value.reason.code == "json" and refused.value.reason.params["line"] == 4
    assert str(refused.value).startswith("The file is not valid JSON (line 4): ")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('[{"A": 5}]', "json_shape"),
        ('{"candidates": ["A"]}', "json_shape"),
        ('{"candidates": "A, B", "ballots": []}', "candidates_shape"),
        ('{"candidates": [], "ballots": []}', "candidates_shape"),
        ('{"candidates": ["A", ""], "ballots": []}', "candidates_shape"),
        ('{"candidates": ["A"], "ballots": {"A": 5}}', "ballots_shape"),
    ],
)
def test_a_json_file_of_the_wrong_shape_is_refused(text: str, code: str):
    with pytest.raises(BallotError) as refused:
        read_json(text)
    assert refused.value.reason.code == code


def test_a_json_file_gives_its_candidates_and_ballots():
    assert read_json('{"candidates": ["A", "B"], "ballots": [{"A": 5}]}') == (
        ["A", "B"],
        [{"A": 5}],
    )


CSV_HEADER = "voterID,date,pollID,Alice,Bob,Carol\n"


def test_a_star_vote_csv_export_skips_three_columns_and_counts_empty_cells_as_zero():
    """BEY-2: star.vote's export; blank lines are skipped."""
    text = CSV_HEADER + "v1,2026-11-01,p,5,,3\n\nv2,2026-11-01,p, 0 ,4,\n"
    candidates, ballots = read_star_vote_csv(text)
    assert candidates == ["Alice", "Bob", "Carol"]
    assert ballots == [{"Alice": 5, "Carol": 3}, {"Alice": 0, "Bob": 4}]
    counted = ScoreBallots.from_dicts(candidates, ballots)
    assert sorted(map(tuple, counted.scores.tolist())) == [(0, 4, 0), (5, 0, 3)]


def test_a_short_csv_row_is_refused_naming_the_ballot():
    text = CSV_HEADER + "v1,d,p,5,4,3\nv2,d,p,5,4\n"
    with pytest.raises(BallotError) as refused:
        read_star_vote_csv(text)
    assert str(refused.value) == "Ballot 2 has 5 columns; the header has 6."


def test_a_non_numeric_csv_cell_is_refused_naming_the_ballot_and_the_candidate():
    text = CSV_HEADER + "v1,d,p,5,four,3\n"
    with pytest.raises(BallotError) as refused:
        read_star_vote_csv(text)
    assert refused.value.reason.code == "bad_score"
    assert str(refused.value) == (
        "Ballot 1 gives “Bob” four; scores are whole numbers from 0 to 5."
    )


@pytest.mark.parametrize("text", ["", "a,b,c\n1,2,3\n"])
def test_a_csv_without_candidate_columns_is_refused(text: str):
    with pytest.raises(BallotError) as refused:
        read_star_vote_csv(text)
    assert refused.value.reason.code == "csv_header"


# --- Explanations (BEY-3) -----------------------------------------------------------------

FAKE_FRENCH = {
    "STAR": "Vote STAR",
    "Scoring round: the two highest totals advance to the runoff.": (
        "Tour de notation : les deux meilleurs totaux vont au second tour."
    ),
    "Automatic runoff: the finalist preferred on more ballots wins. Ballots preferring neither: %(none)s.": (
        "Second tour automatique. Bulletins sans préférence : %(none)s."
    ),
}


def test_result_as_dict_renders_every_reason_through_the_translator_it_is_given():
    """BEY-3: the core marks its sentences; the caller's gettext translates them, and the
    numbers are filled in afterwards."""
    result = star(scored(ABC, {"A": 5, "B": 5, "C": 1}, {"A": 5, "C": 4}))
    seen: list[str] = []

    def translate(template: str) -> str:
        seen.append(template)
        return FAKE_FRENCH.get(template, template)

    shown = result.as_dict(translate, "fr")
    assert shown["rounds"][0]["title"] == "Vote STAR"
    texts = [s["text"] for s in shown["rounds"][0]["steps"]]
    assert texts[0] == "Tour de notation : les deux meilleurs totaux vont au second tour."
    assert texts[-1] == "Second tour automatique. Bulletins sans préférence : 1."
    assert texts[2] == "Still tied: who has more top scores (5 stars)?"  # not in the catalogue
    assert len(seen) == 1 + len(texts)  # the title and every step went through it
    assert result.as_dict()["rounds"][0]["steps"][-1]["text"].endswith("preferring neither: 1.")


def test_every_step_carries_per_candidate_numbers_a_chart_can_draw():
    """BEY-3: `values` maps each candidate measured at that step to its number: every
    total in the scoring round, the two finalists in the runoff, the tied in a tie-break;
    as JSON, plain numbers or exact "p/q" fractions."""
    result = star(scored(ABC, *LOT_BALLOTS), seed="vote-42")
    shown = result.as_dict()
    chart = {s["kind"]: s["values"] for s in shown["rounds"][0]["steps"]}
    assert chart == {
        "scoring": {"A": 10, "B": 7, "C": 7},
        "scoring_tiebreak_preference": {"B": 1, "C": 1},
        "scoring_tiebreak_top_scores": {"B": 0, "C": 0},
        "lot": {"C": 1, "B": 2},
        "runoff": {"A": 2, "C": 0},
    }
    assert all(isinstance(v, int) for values in chart.values() for v in values.values())
    assert shown["details"] == {
        "totals": {"A": 10, "B": 7, "C": 7},
        "top_scores": {"A": 2, "B": 0, "C": 0},
    }
    assert shown["lot"] == {"seed": "vote-42", "order": ["C", "B", "A"]}
    json.dumps(shown)  # nothing a chart library cannot read
    allocated = allocated_score(
        scored(ABC, *[{"A": 5, "B": 1}] * 3, *[{"B": 3, "C": 4}] * 2), seats=2
    ).as_dict()
    json.dumps(allocated)
    assert allocated["rounds"][0]["steps"][0]["values"] == {"A": 15, "B": 9, "C": 8}
    choice = choice_vote(counts(YES_NO, [3, 1], blank=6)).as_dict()
    assert choice["rounds"][0]["steps"][0]["values"] == {"Yes": 3, "No": 1}
    assert choice["rounds"][0]["steps"][1]["values"] == {"Yes": 0.75, "No": 0.25}
