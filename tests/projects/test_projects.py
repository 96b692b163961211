"""VOTE-2 (issue 15): a carried Proposal becomes an official project with an owner, a status
and progress updates, shown in the register; coordinators (who launch votes) name the owner,
and the owner or they post progress. Through the pages and the API."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.actions import decision_context, do_propose
from folkmoot.decisions.models import RegisterEntry
from folkmoot.notifications.models import Notification
from folkmoot.projects.models import Project, ProjectUpdate
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting


def _decided(voting: RedVoting, winner: str = "Yes") -> RegisterEntry:
    ctx = decision_context(None, voting.assembly)
    proposal = do_propose(
        assembly=voting.assembly,
        protocol=ctx.protocol,
        kind_key="proposal",
        proposer=voting.red.citizen,
        title="A community garden",
        body="Plant it in the square.",
        options=["Yes", "No"],
    )
    return RegisterEntry.objects.create(
        assembly=voting.assembly,
        proposal=proposal,
        title=proposal.title,
        kind="proposal",
        outcome="carried",
        makes_project=True,  # as the register writes it for a Proposal (art. 9.3)
        winners=[winner],
    )


def _api(url: str, who: Any, body: dict[str, Any]) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))


def test_a_carried_decision_is_a_project_its_owner_moves_on(voting: RedVoting) -> None:
    entry = _decided(voting)
    owner = voting.red.citizen
    register = Client().get("/register/").content.decode()
    assert "Official project: planned" in register and f"/register/{entry.pk}/project/" in register
    page = Client().get(f"/register/{entry.pk}/project/").content.decode()
    assert "Nobody is in charge of it yet." in page and "Post its progress" not in page

    coordinator = client_for(voting.coordinators[0])
    found = coordinator.get(f"/register/{entry.pk}/project/?find=Cita").content.decode()
    assert f'value="{owner.public_id}"' in found
    named = coordinator.post(
        f"/register/{entry.pk}/project/owner/", {"person": owner.public_id}, follow=True
    )
    assert "owns the project now." in named.content.decode()
    assert Notification.objects.filter(kind="project_owner", user=owner).exists()
    told = client_for(owner).get("/notifications/").content.decode()
    assert "You carry out “A community garden”" in told

    posted = _api(
        f"/api/v1/register/{entry.pk}/project/updates",
        owner,
        {"status": "in_progress", "progress": 40, "text": "Soil bought, **beds** built."},
    )
    assert posted.status_code == 201, posted.content
    assert posted.json()["owner_id"] == owner.public_id
    register = Client().get("/register/").content.decode()
    assert "Official project: In progress, 40 % done" in register
    page = Client().get(f"/register/{entry.pk}/project/").content.decode()
    assert "<strong>beds</strong>" in page and "Carried out by Cita." in page
    done = client_for(voting.coordinators[1]).post(
        f"/register/{entry.pk}/project/progress/",
        {"status": "done", "progress": "100", "text": "Opened."},
        follow=True,
    )
    assert "progress is posted." in done.content.decode()
    data = Client().get(f"/api/v1/register/{entry.pk}/project").json()
    assert (data["status"], data["progress"]) == ("done", 100)
    assert [u["progress"] for u in data["updates"]] == [100, 40]
    assert AuditEvent.objects.filter(verb="project.progress").count() == 2


def test_project_refusals_say_what_is_wrong_and_change_nothing(voting: RedVoting) -> None:
    entry = _decided(voting)
    stranger = voting.citizens[1]
    url = f"/api/v1/register/{entry.pk}/project"
    cases = [
        (
            f"{url}/owner",
            stranger,
            {"person": stranger.public_id},
            403,
            "Only those who launch votes here name a project's owner.",
        ),
        (
            f"{url}/owner",
            voting.coordinators[0],
            {"person": voting.red.platform.public_id},
            403,
            "The owner must take part in",
        ),
        (
            f"{url}/updates",
            stranger,
            {"status": "done", "progress": 100, "text": "Done by me"},
            403,
            "Only those who launch votes here, or the project's owner, may do this.",
        ),
        (
            f"{url}/updates",
            voting.coordinators[0],
            {"status": "done", "progress": 100, "text": "   "},
            403,
            "Say in a few words what was done.",
        ),
        (
            f"{url}/updates",
            voting.coordinators[0],
            {"status": "done", "progress": 150, "text": "x"},
            422,
            "progress",
        ),
        (
            f"{url}/updates",
            voting.coordinators[0],
            {"status": "finished", "progress": 5, "text": "x"},
            422,
            "status",
        ),
    ]
    for address, who, body, status, says in cases:
        refused = _api(address, who, body)
        assert refused.status_code == status, (body, refused.content)
        assert says in refused.content.decode(), (says, refused.content)
    page = client_for(voting.coordinators[0]).post(
        f"/register/{entry.pk}/project/progress/",
        {"status": "done", "progress": "lots", "text": "x"},
        follow=True,
    )
    assert "Give the progress as a whole number from 0 to 100." in page.content.decode()
    assert not ProjectUpdate.objects.exists()
    assert not Project.objects.filter(owner__isnull=False).exists()


def test_a_decision_that_changes_nothing_is_no_project(voting: RedVoting) -> None:
    entry = _decided(voting, winner="No")
    assert Client().get(f"/register/{entry.pk}/project/").status_code == 404
    # Nor a carried decision of a kind that makes no projects (a Referendum, art. 9.2).
    other = _decided(voting)
    RegisterEntry.objects.filter(pk=other.pk).update(kind="referendum", makes_project=False)
    assert Client().get(f"/register/{other.pk}/project/").status_code == 404
    assert Client().get(f"/api/v1/register/{entry.pk}/project").status_code == 404
    assert "Official project" not in Client().get("/register/").content.decode()


def test_a_proposal_carried_through_its_vote_is_an_official_project(voting: RedVoting) -> None:
    """Art. 9.3: the register writes, at the close, that a carried Proposal is a project."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from folkmoot.decisions.models import Proposal, Vote

    citizen = client_for(voting.red.citizen)
    made = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "proposal", "title": "A library", "body": "Books for all."},
    )
    assert made.status_code == 302, made.content.decode()[:1500]
    proposal = Proposal.objects.get(title="A library")
    for coordinator in voting.coordinators[:3]:
        client_for(coordinator).post(
            f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
        )
    client_for(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    client_for(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get(proposal=proposal)
    for person in voting.citizens[:5]:
        client_for(person).post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        Client().get(f"/votes/{vote.pk}/")
        entry = RegisterEntry.objects.get(proposal=proposal)
        assert entry.makes_project is True
        assert "Official project: planned" in Client().get("/register/").content.decode()
        page = citizen.get(f"/decisions/{proposal.pk}/").content.decode()
        assert "This decision is an official project" in page
