"""VOTE-2, RED15M art. 9.4 (issue 15): an internal vote is proposed by holders of an office
(or members of a group) for its own working, and only they vote: the proposer names which of
their offices or groups, on the form or in the API. Coordinators still launch it."""

from __future__ import annotations

import html
import json
from typing import Any

from django.test import Client

from folkmoot.decisions.models import Eligible, Proposal, Vote
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting


def _api(voting: RedVoting, who: Any, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        json.dumps({"title": "Review drafts weekly?", "body": "Our own working.", **body}),
        content_type="application/json",
        **bearer(who),
    )


def test_drafters_hold_an_internal_vote_only_drafters_vote_in(voting: RedVoting) -> None:
    drafter = voting.red.drafter
    form = html.unescape(
        client_for(drafter)
        .get(f"/assemblies/{voting.assembly.slug}/decisions/new/")
        .content.decode()
    )
    assert '<option value="office:drafter">Drafter</option>' in form
    assert 'value="office:coordinator"' not in form  # not an office the drafter holds
    made = client_for(drafter).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "internal",
            "title": "Review drafts weekly?",
            "body": "Our own working.",
            "within": "office:drafter",
        },
    )
    assert made.status_code == 302, made.content.decode()[:1500]
    proposal = Proposal.objects.get()
    assert proposal.within == "office:drafter"
    page = html.unescape(client_for(drafter).get(f"/decisions/{proposal.pk}/").content.decode())
    assert "An internal vote of drafters: only they vote." in page
    protocol = html.unescape(
        Client().get(f"/assemblies/{voting.assembly.slug}/protocol/").content.decode()
    )
    assert "Internal: held within the proposer's own office or group" in protocol

    client_for(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "5"})
    vote = Vote.objects.get(proposal=proposal)
    assert set(Eligible.objects.filter(vote=vote).values_list("person_id", flat=True)) == {
        drafter.pk
    }
    refused = client_for(voting.coordinators[0]).post(
        f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"}
    )
    assert "You were not in the electorate of this vote when it opened." in html.unescape(
        refused.content.decode()
    )
    cast = client_for(drafter).post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
    assert cast.status_code == 200
    assert Client().get(f"/api/v1/proposals/{proposal.pk}").json()["within"] == "office:drafter"


def test_an_internal_vote_names_an_office_of_its_proposer_and_only_it_does(
    voting: RedVoting,
) -> None:
    cases = [
        (
            voting.red.drafter,
            {"kind": "internal", "within": "office:coordinator"},
            "within an office you hold",
        ),
        (voting.red.drafter, {"kind": "internal"}, "choose which"),
        (
            voting.red.citizen,
            {"kind": "poll", "within": "office:drafter"},
            "Only an internal vote is held within",
        ),
    ]
    for who, body, says in cases:
        refused = _api(voting, who, body)
        assert refused.status_code == 403, (body, refused.content)
        assert says in refused.content.decode(), (says, refused.content)
    assert not Proposal.objects.exists()
    made = _api(
        voting, voting.coordinators[0], {"kind": "internal", "within": "office:coordinator"}
    )
    assert made.status_code == 201, made.content
