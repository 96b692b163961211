"""Every decisions page reads a bounded number of queries, however many proposals, ballots
and decisions there are (DESIGN.md "Tests")."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.actions import decision_context, do_propose
from folkmoot.decisions.ballots import do_cast
from folkmoot.decisions.models import Eligible, Vote
from folkmoot.decisions.settle import settle_vote
from tests.decisions.conftest import RedVoting


def _proposals(voting: RedVoting, n: int) -> None:
    ctx = decision_context(voting.red.citizen, voting.assembly)
    for i in range(n):
        do_propose(
            assembly=voting.assembly,
            protocol=ctx.protocol,
            kind_key="referendum",
            proposer=voting.red.citizen,
            title=f"Proposal {i}",
            body="Text",
            options=["Yes", "No"],
        )


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

        Ballot.objects.create(vote=vote, marks=str(i % 2), valid=True, receipt=f"R{i:08d}")
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
