"""A vote nobody cast a ballot in decides nothing: no lot picks a winner nobody chose (a STAR
vote, a yes/no referendum and a contested election alike); an election with no more
candidates than seats still elects them all. The result page says why."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import Ballot, Vote
from folkmoot.decisions.settle import settle_vote
from folkmoot.governance.tally.nobody import nothing_to_count
from tests.factories import make_assembly


def closed_vote(
    method: str, options: list[str], *, lasts: timedelta = timedelta(days=2), **fields: Any
) -> Vote:
    """Opened three days ago: closed when it lasted two, open when it lasts longer."""
    opens = timezone.now().replace(microsecond=0) - timedelta(days=3)
    return Vote.objects.create(
        assembly=make_assembly(f"place-{method}-{len(options)}", title="Place"),
        kind="referendum",
        title=f"Which {method}?",
        method=method,
        options=options,
        opens_at=opens,
        closes_at=opens + lasts,
        **fields,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "options"), [("star", ["Hall", "Park", "Pier"]), ("choice", ["Yes", "No"])]
)
def test_a_vote_nobody_cast_a_ballot_in_decides_nothing(method: str, options: list[str]) -> None:
    vote = closed_vote(method, options)
    result = settle_vote(vote)
    assert result is not None
    assert result.outcome == "no_ballots" and result.winners == [] and result.ballots == 0
    page = Client().get(f"/votes/{vote.pk}/").content.decode()
    assert "No ballot was counted: nothing was decided." in page


@pytest.mark.django_db
def test_one_ballot_is_counted_as_before() -> None:
    vote = closed_vote("star", ["Hall", "Park", "Pier"])
    Ballot.objects.create(vote=vote, marks="050")
    result = settle_vote(vote)
    assert result is not None and result.outcome == "decided" and result.winners == ["Park"]


def test_an_uncontested_election_still_elects_without_ballots() -> None:
    assert nothing_to_count(0, election=True, candidates=2, seats=2) is False
    assert nothing_to_count(0, election=True, candidates=3, seats=2) is True
    assert nothing_to_count(0, election=False, candidates=1, seats=1) is True
    assert nothing_to_count(1, election=True, candidates=3, seats=2) is False


@pytest.mark.django_db
def test_while_a_vote_is_open_its_live_count_is_counted_as_before() -> None:
    """Only a closed vote decides nothing for want of ballots: an open one's live count is
    the usual count of what is cast so far."""
    from folkmoot.decisions.settle import count_with_rules

    vote = closed_vote("star", ["Hall", "Park"], lasts=timedelta(days=5))
    assert count_with_rules(vote).details.get("outcome") != "no_ballots"
