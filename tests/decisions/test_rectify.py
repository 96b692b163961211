"""VOTE-2, RED15M art. 9.5 (issue 15): an Amendment names the earlier decision it rectifies,
from the decision's page or the API; the register and the decision's page show it as
proposed, then, once carried, "amended by". Wrong uses are refused with the reason."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.actions import decision_context, do_propose
from folkmoot.decisions.models import Proposal, RegisterEntry, Vote
from tests.api.test_assemblies_api import bearer
from tests.decisions.conftest import RedVoting
from tests.decisions.test_amendment import _client


def _decided(voting: RedVoting) -> RegisterEntry:
    """An earlier decision of the assembly, as the register holds it."""
    ctx = decision_context(None, voting.assembly)
    earlier = do_propose(
        assembly=voting.assembly,
        protocol=ctx.protocol,
        kind_key="poll",
        proposer=voting.red.citizen,
        title="Posters in green",
        body="All posters green.",
        options=["Yes", "No"],
    )
    return RegisterEntry.objects.create(
        assembly=voting.assembly,
        proposal=earlier,
        title=earlier.title,
        kind="poll",
        outcome="carried",
        winners=["Yes"],
    )


def _api(voting: RedVoting, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        json.dumps({"title": "Posters in blue", "body": "Green fades.", **body}),
        content_type="application/json",
        **bearer(voting.red.citizen),
    )


def test_an_amendment_rectifies_a_decision_and_the_register_says_amended_by(
    voting: RedVoting,
) -> None:
    entry = _decided(voting)
    citizen = _client(voting.red.citizen)
    page = citizen.get(f"/decisions/{entry.proposal_id}/").content.decode()
    link = f"/assemblies/{voting.assembly.slug}/decisions/new/?kind=amendment&amp;amends={entry.pk}"
    assert "Propose an amendment that rectifies this decision" in page and link in page
    form = citizen.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{entry.pk}" selected>Posters in green' in form

    made = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "amendment",
            "title": "Posters in blue",
            "body": "Green fades in the sun.",
            "amends": str(entry.pk),
        },
    )
    assert made.status_code == 302, made.content.decode()[:1500]
    amendment = Proposal.objects.get(title="Posters in blue")
    assert amendment.amends_id == entry.pk
    shown = citizen.get(f"/decisions/{amendment.pk}/").content.decode()
    assert "Rectifies the decision" in shown and "Posters in green" in shown
    register = Client().get("/register/").content.decode()
    assert "An amendment is proposed: “Posters in blue”" in register
    listed = Client().get(f"/api/v1/proposals/{amendment.pk}").json()
    assert listed["amends"] == entry.pk

    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{amendment.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{amendment.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{amendment.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get(proposal=amendment)
    for person in voting.citizens[:4]:
        _client(person).post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        Client().get(f"/votes/{vote.pk}/")  # the first read after the close counts it
        register = Client().get("/register/").content.decode()
        assert "Amended by “Posters in blue”" in register
        earlier = citizen.get(f"/decisions/{entry.proposal_id}/").content.decode()
        assert "Amended by “Posters in blue”" in earlier


def test_rectifying_is_refused_where_it_does_not_fit(voting: RedVoting) -> None:
    entry = _decided(voting)
    cases = [
        ({"kind": "poll", "amends": entry.pk}, "Only Amendment rectifies an earlier decision."),
        ({"kind": "amendment", "amends": entry.pk + 999}, "There is no such decision"),
        (
            {
                "kind": "amendment",
                "amends": entry.pk,
                "amendment": "partial",
                "protocol_text": "protocol: x",
            },
            "An amendment rectifies a decision or changes the protocol, not both.",
        ),
    ]
    for body, says in cases:
        refused = _api(voting, body)
        assert refused.status_code == 403, (body, refused.content)
        assert says in refused.content.decode(), (says, refused.content)
    page = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "poll", "title": "T", "body": "B", "amends": str(entry.pk)},
    )
    assert "Only Amendment rectifies an earlier decision." in page.content.decode()
    assert not Proposal.objects.filter(amends__isnull=False).exists()
