"""VOTE-12, OFF-4, BEY-2: our STAR, Bloc STAR and Allocated Score counts agree with the
`starvote` reference package (2.1) on thousands of random elections.

The strategies aim at ties, where counting rules differ most: few voters, scores from 0–1
or 0–2, ballots cast several times, candidates nobody scores, and mirrored elections where
two candidates swap scores on every other ballot (so only a lot can separate them).

starvote only knows the candidates that appear on some ballot, so every ballot passed to it
names every candidate (with explicit zeros). Its STAR count of a single candidate returns
the first letter of the name, so single-winner elections here have two candidates or more.
"""

from dataclasses import dataclass
from typing import Any

import starvote
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from folkmoot.governance.tally import lot
from folkmoot.governance.tally.allocated import allocated_score
from folkmoot.governance.tally.ballots import ScoreBallots
from folkmoot.governance.tally.result import Result
from folkmoot.governance.tally.star import Tiebreak, bloc_star, star

# List order differs from alphabetical order, which starvote uses for its score lists.
NAMES = ("Zoe", "Abe", "Mia", "Bo", "Kit", "Eve")


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


@dataclass(frozen=True)
class Election:
    candidates: list[str]
    ballots: list[dict[str, int]]
    max_score: int
    seed: str

    def counted(self) -> ScoreBallots:
        return ScoreBallots.from_dicts(self.candidates, self.ballots, max_score=self.max_score)

    def for_starvote(self) -> list[dict[str, int]]:
        return [{name: ballot[name] for name in self.candidates} for ballot in self.ballots]

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example
        rows = "\n".join(f"  {b}" for b in self.ballots)
        return (
            f"Election(candidates={self.candidates}, max_score={self.max_score}, "
            f"seed={self.seed!r}, ballots=[\n{rows}])"
        )


@st.composite
def elections(
    draw: st.DrawFn,
    *,
    min_candidates: int = 2,
    max_candidates: int = 6,
    max_distinct: int = 8,
    tops: tuple[int, ...] = (1, 2, 2, 3, 5, 5),
    mirror: bool = True,
) -> Election:
    """Small elections with ties made likely."""
    n = draw(st.integers(min_candidates, max_candidates))
    names = list(draw(st.permutations(NAMES))[:n])
    top = draw(st.sampled_from(tops))
    # The score that counts as a "five-star" score in tie-breaks: 5, or the top of a narrow
    # range (then every top score counts).
    max_score = draw(st.sampled_from([5, top])) if top < 5 else 5
    rows = draw(
        st.lists(
            st.lists(st.integers(0, top), min_size=n, max_size=n),
            min_size=1,
            max_size=max_distinct,
        )
    )
    copies = draw(st.lists(st.integers(1, 3), min_size=len(rows), max_size=len(rows)))
    ignored = draw(st.sets(st.sampled_from(names), max_size=n - 1))
    ballots = [
        {name: 0 if name in ignored else score for name, score in zip(names, row, strict=True)}
        for row, k in zip(rows, copies, strict=True)
        for _ in range(k)
    ]
    if mirror and draw(st.booleans()):
        # Mirror: two candidates swap scores on a copy of every ballot, so they tie on
        # totals, head-to-head preference and top scores alike.
        a, b = draw(st.permutations(names))[:2]
        ballots += [{**ballot, a: ballot[b], b: ballot[a]} for ballot in ballots]
    seed = draw(st.binary(min_size=4, max_size=4)).hex()
    return Election(names, ballots, max_score, seed)


def larger_elections() -> st.SearchStrategy[Election]:
    """Full 0–5 ballots from up to 90 voters: the ordinary path, and long fractions."""
    return elections(min_candidates=4, max_candidates=6, max_distinct=30, tops=(5,), mirror=False)


def ours(method: str, election: Election, seats: int, tiebreak: Tiebreak) -> Result:
    ballots = election.counted()
    if method == "star":
        return star(ballots, tiebreak=tiebreak, seed=election.seed)
    if method == "bloc":
        return bloc_star(ballots, seats=seats, tiebreak=tiebreak, seed=election.seed)
    return allocated_score(ballots, seats=seats, tiebreak=tiebreak, seed=election.seed)


def reference(
    method: str, election: Election, seats: int, tiebreaker: Any = None
) -> tuple[list[str] | None, starvote.UnbreakableTieError | None]:
    try:
        winners = starvote.election(
            getattr(starvote, method),
            election.for_starvote(),
            seats=seats,
            maximum_score=election.max_score,
            tiebreaker=tiebreaker,
            verbosity=0,
        )
    except starvote.UnbreakableTieError as tie:
        return None, tie
    return winners, None


def same_winners(
    method: str, election: Election, seats: int, ours_: list[str], theirs: list[str]
) -> None:
    if method == "allocated" or seats == len(election.candidates):
        # Allocated Score's winners, and "everyone is elected", form a set: starvote lists
        # them alphabetically, we list them in the order they were elected or listed.
        assert sorted(ours_) == sorted(theirs)
    else:
        assert ours_ == theirs


def agrees_without_lot(method: str, election: Election, seats: int) -> None:
    """With `tiebreak="none"`, we report a tie exactly when starvote meets an unbreakable one,
    between the same candidates for as many places; otherwise the winners are the same."""
    result = ours(method, election, seats, "none")
    winners, tie = reference(method, election, seats)
    event(f"{method}: " + (f"tie at {result.tie.stage}" if result.tie else "winners"))
    if tie is not None:
        assert result.tie is not None, f"starvote found a tie between {tie.candidates}"
        assert result.tie.candidates == sorted(tie.candidates)
        assert result.tie.needed == tie.desired
        assert result.lot_seed is None
    else:
        assert result.tie is None, (
            f"we found a tie between {result.tie}, starvote elected {winners}"
        )
        assert winners is not None
        same_winners(method, election, seats, result.winners, winners)


def agrees_with_the_published_lot(method: str, election: Election, seats: int) -> None:
    """With `tiebreak="official"`, starvote given our published lot order as its predefined
    permutation elects exactly the same candidates."""
    result = ours(method, election, seats, "official")
    order = lot.lot_order(election.seed, election.candidates)
    winners, tie = reference(
        method, election, seats, starvote.predefined_permutation_tiebreaker(order)
    )
    assert tie is None and winners is not None
    same_winners(method, election, seats, result.winners, winners)


@st.composite
def with_seats(
    draw: st.DrawFn, strategy: st.SearchStrategy[Election], *, fewest: int = 2, spare: int = 0
) -> tuple[Election, int]:
    """An election and a number of seats from `fewest` to all candidates but `spare`."""
    election = draw(strategy)
    return election, draw(st.integers(fewest, len(election.candidates) - spare))


@budget(2000)
@given(elections())
def test_star_elects_what_starvote_elects_or_reports_the_same_unbreakable_tie(election: Election):
    """VOTE-12: scoring round, automatic runoff and every tie-break before the lot."""
    agrees_without_lot("star", election, 1)


@budget(1200)
@given(with_seats(elections(min_candidates=2)))
def test_bloc_star_elects_the_same_winners_in_the_same_order_or_reports_the_same_tie(
    case: tuple[Election, int],
):
    """VOTE-12, OFF-4: Bloc STAR repeats STAR without the earlier winners."""
    agrees_without_lot("bloc", *case)


@budget(1200)
@given(with_seats(elections(min_candidates=2)))
def test_allocated_score_elects_the_same_set_or_reports_the_same_tie(case: tuple[Election, int]):
    """VOTE-12: Allocated Score's Hare quotas and exact fractional reweighting."""
    agrees_without_lot("allocated", *case)


@budget(200)
@given(with_seats(larger_elections()))
def test_larger_elections_agree_for_every_method(case: tuple[Election, int]):
    """VOTE-12, BEY-2: anyone recounting ordinary-sized elections with starvote agrees."""
    election, seats = case
    agrees_without_lot("star", election, 1)
    agrees_without_lot("bloc", election, seats)
    agrees_without_lot("allocated", election, seats)


@budget(400)
@given(with_seats(larger_elections(), fewest=3, spare=1))
def test_allocated_score_agrees_when_reweighted_ballots_fill_later_quotas(
    case: tuple[Election, int],
):
    """With three seats or more, ballots already reweighted once spend part of a later quota:
    they are counted, not weighed, against it (as in starvote)."""
    agrees_without_lot("allocated", *case)


@budget(500)
@given(with_seats(elections()))
def test_with_the_published_lot_starvote_breaks_every_tie_the_way_we_do(
    case: tuple[Election, int],
):
    """VOTE-12: the lot is the published order, SHA-256(seed, name): any recount with the
    same seed, in starvote or elsewhere, elects the same people."""
    election, seats = case
    agrees_with_the_published_lot("star", election, 1)
    agrees_with_the_published_lot("bloc", election, seats)
    agrees_with_the_published_lot("allocated", election, seats)


@budget(500)
@given(with_seats(elections()))
def test_the_official_tiebreak_fills_every_seat_and_draws_lots_only_after_an_unbreakable_tie(
    case: tuple[Election, int],
):
    """VOTE-12: every seat is filled by distinct candidates; the lot is used (and published
    with its seed and order) exactly when the count without a lot stopped at a tie, and the
    first lot is drawn among the candidates that count reported."""
    election, seats = case
    for method, n in (("star", 1), ("bloc", seats), ("allocated", seats)):
        official = ours(method, election, n, "official")
        none = ours(method, election, n, "none")
        assert official.tie is None
        assert len(official.winners) == n == len(set(official.winners))
        assert set(official.winners) <= set(election.candidates)
        lots = [s for r in official.rounds for s in r.steps if s.kind == "lot"]
        assert (official.lot_seed is not None) == bool(lots) == (none.tie is not None)
        if none.tie is None:
            assert official.winners == none.winners
            assert official.lot_order is None
        else:
            assert official.winners[: len(none.winners)] == none.winners
            assert lots[0].tied == none.tie.candidates
            assert len(lots[0].advance) == none.tie.needed
            assert official.lot_seed == election.seed
            assert official.lot_order == lot.lot_order(election.seed, election.candidates)
