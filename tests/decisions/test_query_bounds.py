"""Every decisions page reads a bounded number of queries, however many proposals, ballots
and decisions there are (DESIGN.md "Tests")."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.actions import decision_context, do_propose
from folkmoot.decisions.ballots import do_cast
from folkmoot.decisions.models import Eligible, Vote
from folkmoot.decisions.settle import settle_vote
from tests.decisions.conftest import Harmony, RedVoting


def _propose_many(assembly: Any, proposer: Any, kind: str, n: int) -> list[Any]:
    ctx = decision_context(proposer, assembly)
    return [
        do_propose(
            assembly=assembly,
            protocol=ctx.protocol,
            kind_key=kind,
            proposer=proposer,
            title=f"Proposal {i}",
            body="Text",
            options=[f"Proposal {i}", "No"],
        )
        for i in range(n)
    ]


def _proposals(voting: RedVoting, n: int) -> None:
    _propose_many(voting.assembly, voting.red.citizen, "referendum", n)


def _vote(voting: RedVoting, ballots: int) -> Vote:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=voting.assembly,
        kind="referendum",
        title="Q",
        method="choice",
        options=["Yes", "No"],
        ask_validity=True,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    Eligible.objects.bulk_create([Eligible(vote=vote, person=p) for p in voting.citizens])
    for i in range(ballots):
        from folkmoot.decisions.models import Ballot

        Ballot.objects.create(vote=vote, marks=str(i % 2), valid=True, check_code=f"R{i:08d}")
    return vote


@pytest.mark.parametrize("count", [3, 30])
def test_the_decisions_page(voting: RedVoting, count: int, django_assert_max_num_queries) -> None:
    _proposals(voting, count)
    client = Client()
    client.force_login(voting.red.citizen)
    # 20 proposals a page: the bound holds whatever the total.
    with django_assert_max_num_queries(18):
        assert client.get(f"/assemblies/{voting.assembly.slug}/decisions/").status_code == 200


@pytest.mark.parametrize("count", [5, 60])
def test_the_vote_page_and_the_register(
    voting: RedVoting, count: int, django_assert_max_num_queries
) -> None:
    vote = _vote(voting, count)
    client = Client()
    client.force_login(voting.red.citizen)
    with django_assert_max_num_queries(14):
        assert client.get(f"/votes/{vote.pk}/").status_code == 200
    do_cast(vote=vote, person=voting.red.citizen, marks="0", valid=True)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        settle_vote(vote)
        client = Client()
        with django_assert_max_num_queries(14):
            assert client.get(f"/votes/{vote.pk}/").status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get("/register/").status_code == 200


def test_the_proposal_page(voting: RedVoting, django_assert_max_num_queries) -> None:
    _proposals(voting, 1)
    from folkmoot.decisions.models import Proposal

    proposal = Proposal.objects.get()
    client = Client()
    client.force_login(voting.coordinators[0])
    with django_assert_max_num_queries(24):
        assert client.get(f"/decisions/{proposal.pk}/").status_code == 200


@pytest.mark.parametrize("count", [2, 15])
def test_the_decisions_page_of_consensus_proposals(
    harmony: Harmony, count: int, django_assert_max_num_queries
) -> None:
    """Harmony: each proposal's consensus responses are read with the page, not per row."""
    from folkmoot.decisions.actions import do_respond

    for proposal in _propose_many(
        harmony.assembly, harmony.members[0], "consensus_proposal", count
    ):
        do_respond(
            proposal=proposal, person=harmony.members[1], round=1, response="agree", reason=""
        )
    client = Client()
    client.force_login(harmony.members[0])
    # Who may respond is read for the page in a few queries, not per member or per row.
    with django_assert_max_num_queries(22):
        assert client.get(f"/assemblies/{harmony.assembly.slug}/decisions/").status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_the_electorate_is_read_in_a_few_queries_whatever_its_size(
    harmony: Harmony, extra: int, django_assert_max_num_queries
) -> None:
    """VOTE-5: the snapshot at opening reads people in batches, not four queries each."""
    from folkmoot.decisions.actions import electorate_size
    from folkmoot.federation.actions import do_join
    from tests.factories import UserFactory

    for _ in range(extra):
        do_join(user=UserFactory(), assembly=harmony.assembly)
    ctx = decision_context(None, harmony.assembly)
    with django_assert_max_num_queries(6):
        assert electorate_size(ctx, ctx.kind("star_vote")) == 5 + extra
