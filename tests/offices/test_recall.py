"""RED15M art. 8.3 (issue 15): an office holder may be recalled ("ser cesados") by the
decision the protocol names (`offices.*.recalled_by`: a Referendum); carried, the tenure
ends and the seat passes as on resignation; not carried, nothing changes. Proposed from the
offices page or the API; wrong uses are refused with the reason."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.decisions.models import Proposal, Vote, VoteResult
from folkmoot.federation.models import Membership
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import load_protocol
from folkmoot.governance.schedule import election_window
from folkmoot.notifications.models import Notification
from folkmoot.offices.models import Tenure
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting


def _api(voting: RedVoting, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        json.dumps({"title": "Recall Coord 2", "body": "Absent for weeks.", **body}),
        content_type="application/json",
        **bearer(voting.red.citizen),
    )


def _vote(voting: RedVoting, proposal: Proposal, yes: int) -> Vote:
    for coordinator in (voting.coordinators[0], *voting.coordinators[2:]):
        client_for(coordinator).post(
            f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
        )
    client_for(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    client_for(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get(proposal=proposal)
    for i, person in enumerate(voting.citizens):
        client_for(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0" if i < yes else "1", "valid": "1"}
        )
    return vote


def test_a_carried_recall_ends_the_tenure_and_the_holder_is_told(voting: RedVoting) -> None:
    target = voting.coordinators[1]
    tenure = Tenure.objects.current().get(holder=target, office__slug="coordinator")
    citizen = client_for(voting.red.citizen)
    offices = citizen.get(f"/assemblies/{voting.assembly.slug}/offices/").content.decode()
    link = f"?kind=referendum&amp;recalls={tenure.pk}"
    assert "Propose recalling" in offices and link in offices
    protocol = Client().get(f"/assemblies/{voting.assembly.slug}/protocol/").content.decode()
    assert "A holder may be recalled by Referendum" in protocol
    form = citizen.get(
        f"/assemblies/{voting.assembly.slug}/decisions/new/{link.replace('&amp;', '&')}"
    ).content.decode()
    assert f'<option value="{tenure.pk}" selected>Coord 2 — Coordinator</option>' in form

    made = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "referendum",
            "title": "Recall Coord 2",
            "body": "Absent for weeks.",
            "recalls": str(tenure.pk),
        },
    )
    assert made.status_code == 302, made.content.decode()[:1500]
    proposal = Proposal.objects.get()
    page = citizen.get(f"/decisions/{proposal.pk}/").content.decode()
    assert "Recalls Coord 2 from the office of Coordinator" in page
    assert Client().get(f"/api/v1/proposals/{proposal.pk}").json()["recalls"] == tenure.pk

    vote = _vote(voting, proposal, yes=5)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
        tenure.refresh_from_db()
        assert tenure.ended_at is not None
        assert AuditEvent.objects.filter(verb="office.recall", subject_id=tenure.pk).exists()
        assert Notification.objects.filter(kind="office_recalled", user=target).exists()
        told = client_for(target).get("/notifications/").content.decode()
        assert "You were recalled from your office" in told
        data = Client().get(f"/api/v1/assemblies/{voting.assembly.slug}/offices").json()
        holders = next(o for o in data if o["key"] == "coordinator")["holders"]
        assert "Coord 2" not in [h["person"] for h in holders]


def test_a_recall_not_carried_changes_nothing(voting: RedVoting) -> None:
    tenure = Tenure.objects.current().get(holder=voting.coordinators[1])
    made = _api(voting, {"kind": "referendum", "recalls": tenure.pk})
    assert made.status_code == 201, made.content
    vote = _vote(voting, Proposal.objects.get(), yes=2)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        Client().get(f"/votes/{vote.pk}/")
        tenure.refresh_from_db()
        assert tenure.ended_at is None


def test_recalls_are_refused_where_they_do_not_fit(voting: RedVoting) -> None:
    tenure = Tenure.objects.current().get(holder=voting.coordinators[1])
    cases = [
        (
            {"kind": "poll", "recalls": tenure.pk},
            "Recalling one of the coordinators is decided by Referendum.",
        ),
        ({"kind": "referendum", "recalls": tenure.pk + 999}, "Nobody holds that seat here now."),
        (
            {"kind": "referendum", "recalls": tenure.pk, "options": ["Keep her", "Recall"]},
            "A recall is answered with the usual options",
        ),
        (
            {
                "kind": "referendum",
                "recalls": tenure.pk,
                "amendment": "total",
                "protocol_text": "x: 1",
            },
            "A recall decides only the recall",
        ),
    ]
    for body, says in cases:
        refused = _api(voting, body)
        assert refused.status_code == 403, (body, refused.content)
        assert says in refused.content.decode(), (says, refused.content)
    assert not Proposal.objects.exists()


def _notices(person: Any) -> str:
    return html.unescape(client_for(person).get("/notifications/").content.decode())


def test_the_holder_hears_who_proposes_to_recall_them(voting: RedVoting) -> None:
    """Art. 8.3: the holder is told at once, with who proposed it and a link to it."""
    target = voting.coordinators[1]
    tenure = Tenure.objects.current().get(holder=target)
    made = _api(voting, {"kind": "referendum", "recalls": tenure.pk})
    assert made.status_code == 201, made.content
    proposal = Proposal.objects.get()
    assert (
        "Cita proposes to recall you from your office of Coordinator in Asamblea RED15M: "
        "“Recall Coord 2”." in _notices(target)
    )
    [row] = Client().get("/api/v1/me/notifications", **bearer(target)).json()
    assert (row["kind"], row["url"]) == ("recall_proposed", f"/decisions/{proposal.pk}/")
    # Nobody else is told of it: not the other coordinators, nor who proposed it.
    for person in (voting.coordinators[0], voting.red.citizen):
        assert not Notification.objects.filter(user=person, kind="recall_proposed").exists()


def test_a_recall_carried_after_the_holder_was_elected_again_changes_nothing(
    voting: RedVoting,
) -> None:
    """Art. 8.3: a recall proposed during one term and carried once its holder has won the
    next election of the office would end the term the electorate has just given: the
    fresh mandate overtakes it, and the thread and the audit log say so."""
    target = voting.coordinators[1]
    tenure = Tenure.objects.current().get(holder=target)
    rule = load_protocol(preset_text("red15m")).offices["coordinator"]
    assert rule.election is not None
    # A window opening at least three days from now (one open at a moment lasts two days).
    window = election_window(rule.election, "Europe/Madrid", timezone.now() + timedelta(days=5))
    Membership.objects.filter(assembly=voting.assembly).update(
        started_at=timezone.now() - timedelta(days=120)  # seniority to stand and vote (VOTE-10)
    )
    slug = voting.assembly.slug
    with time_machine.travel(window.opens_at - timedelta(days=2)):
        made = _api(voting, {"kind": "referendum", "recalls": tenure.pk})
        assert made.status_code == 201, made.content
        proposal = Proposal.objects.get()
        recall = _vote(voting, proposal, yes=5)  # 7 days: it closes after the election
        for coordinator in voting.coordinators:
            stood = client_for(coordinator).post(f"/assemblies/{slug}/offices/coordinator/stand/")
            assert stood.status_code == 302
    with time_machine.travel(window.opens_at + timedelta(hours=1)):
        client_for(voting.red.citizen).get(f"/assemblies/{slug}/offices/")  # the vote opens
        election = Vote.objects.get(office__slug="coordinator")
        for voter in voting.citizens:
            client_for(voter).post(
                f"/votes/{election.pk}/ballot/", {"approve": ["0", "1", "2", "3"]}
            )
    with time_machine.travel(window.closes_at + timedelta(minutes=5)):
        offices = client_for(voting.red.citizen).get(f"/assemblies/{slug}/offices/")
        assert "<strong>Coord 2</strong>" in offices.content.decode()
        assert Tenure.objects.current().get(holder=target).pk == tenure.pk  # the same row
    assert recall.closes_at is not None and recall.closes_at > window.closes_at
    with time_machine.travel(recall.closes_at + timedelta(minutes=5)):
        settle_once()  # the worker counts the recall: carried
        assert VoteResult.objects.get(vote=recall).outcome == "carried"
        tenure.refresh_from_db()
        assert tenure.ended_at is None
        data = Client().get(f"/api/v1/assemblies/{slug}/offices").json()
        holders = next(o for o in data if o["key"] == "coordinator")["holders"]
        assert "Coord 2" in [h["person"] for h in holders]
        assert AuditEvent.objects.filter(
            verb="office.recall_overtaken", subject_id=tenure.pk
        ).exists()
        assert not AuditEvent.objects.filter(verb="office.recall").exists()
        assert not Notification.objects.filter(kind="office_recalled").exists()
        assert proposal.thread is not None
        thread = html.unescape(
            Client().get(f"/assemblies/{slug}/threads/{proposal.thread_id}/").content.decode()
        )
        assert "The recall is carried, but Coord 2 was elected to this office again on" in thread
        assert "that fresh mandate overtakes it, and Coord 2 stays in office." in thread
