"""FOR-5, RED15M art. 3 (issue 15): an urgent change of forums is in force once every
coordinator agrees, on the proposal's page or through the API; its binding referendum then
ratifies it, or it lapses and the forums are as before (a later amendment kept)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import Proposal, Vote
from folkmoot.forums.actions import do_open_thread
from folkmoot.governance.presets import preset_text
from folkmoot.protocols.models import ProtocolVersion
from tests.api.test_assemblies_api import bearer
from tests.decisions.conftest import RedVoting
from tests.decisions.test_amendment import NEW, OLD, _client


def _api(url: str, who: Any, body: dict[str, Any] | None = None) -> Any:
    return Client().post(
        url, json.dumps(body or {}), content_type="application/json", **bearer(who)
    )


def _propose(voting: RedVoting) -> Proposal:
    made = _api(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        voting.red.citizen,
        {
            "kind": "referendum",
            "title": "Only citizens reply in Debates",
            "body": "Trolls from outside flood Debates: close it now.",
            "amendment": "partial",
            "protocol_text": preset_text("red15m").replace(OLD, NEW),
        },
    )
    assert made.status_code == 201, made.content
    return Proposal.objects.get()


def _outsider_replies(voting: RedVoting, thread: Any, body: str) -> bool:
    url = f"/assemblies/{voting.assembly.slug}/threads/{thread.pk}/reply/"
    _client(voting.red.platform).post(url, {"body": body})
    return thread.posts.filter(body=body).exists()


def _thread(voting: RedVoting) -> Any:
    return do_open_thread(
        assembly=voting.assembly,
        forum_key="debates",
        author=voting.red.citizen,
        title="Parks",
        tag="[DEBATE]",
        body="Let us talk about parks.",
    )


def _agree_all(voting: RedVoting, proposal: Proposal) -> None:
    page = _client(voting.coordinators[0]).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "Urgent change of forums" in page and "0 of 4 agree." in page
    assert "Agree to apply it now" in page
    assert "Agree to apply it now" not in (
        _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
    )
    refused = _api(f"/api/v1/proposals/{proposal.pk}/urgent-agreements", voting.red.citizen)
    assert refused.status_code == 403
    assert "Only coordinators agree to apply a change urgently." in refused.content.decode()
    for coordinator in voting.coordinators[:3]:
        done = _client(coordinator).post(f"/decisions/{proposal.pk}/urgent/", follow=True)
        assert "Your agreement is counted." in done.content.decode()
    page = _client(voting.coordinators[0]).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "3 of 4 agree." in page
    assert proposal.urgent_agreements.count() == 3
    last = _api(f"/api/v1/proposals/{proposal.pk}/urgent-agreements", voting.coordinators[3])
    assert last.status_code == 200, last.content
    assert last.json()["urgent_version"] is not None


def _to_the_vote(voting: RedVoting, proposal: Proposal, yes: int) -> Vote:
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for i, person in enumerate(voting.citizens):
        _client(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0" if i < yes else "1", "valid": "1"}
        )
    return vote


def test_every_coordinator_puts_a_change_of_forums_in_force_and_a_failed_referendum_lapses_it(
    voting: RedVoting,
) -> None:
    thread = _thread(voting)
    proposal = _propose(voting)
    assert _outsider_replies(voting, thread, "Before")
    _agree_all(voting, proposal)
    # In force at once: outsiders no longer reply in Debates.
    assert not _outsider_replies(voting, thread, "During")
    said = proposal.thread.posts.values_list("body", flat=True)  # type: ignore[union-attr]
    assert any("Every coordinator agreed: this change of forums is in force now" in b for b in said)
    again = _api(f"/api/v1/proposals/{proposal.pk}/urgent-agreements", voting.coordinators[0])
    assert again.status_code == 403
    assert "It is already in force, until its referendum ratifies it." in again.content.decode()

    vote = _to_the_vote(voting, proposal, yes=2)  # most vote no
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert "Winners: No" in Client().get(f"/votes/{vote.pk}/").content.decode()
        proposal.refresh_from_db()
        assert proposal.urgent_lapsed_at is not None
        assert _outsider_replies(voting, thread, "After")  # the forums are as before
        page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
        assert "It was in force urgently and lapsed" in page
        said = proposal.thread.posts.values_list("body", flat=True)  # type: ignore[union-attr]
        assert any("The urgent change lapses" in b for b in said)


def test_a_ratified_urgent_change_stays_and_a_withdrawn_one_lapses(voting: RedVoting) -> None:
    thread = _thread(voting)
    proposal = _propose(voting)
    _agree_all(voting, proposal)
    versions = ProtocolVersion.objects.filter(assembly=voting.assembly).count()
    vote = _to_the_vote(voting, proposal, yes=5)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
        # Ratified: nothing new to adopt, the change stays.
        assert ProtocolVersion.objects.filter(assembly=voting.assembly).count() == versions
        assert not _outsider_replies(voting, thread, "Still closed")
        proposal.refresh_from_db()
        assert proposal.urgent_lapsed_at is None


def test_withdrawing_an_urgent_change_lapses_it(voting: RedVoting) -> None:
    thread = _thread(voting)
    proposal = _propose(voting)
    _agree_all(voting, proposal)
    assert not _outsider_replies(voting, thread, "During")
    gone = _client(voting.red.citizen).post(
        f"/decisions/{proposal.pk}/withdraw/", {"reason": "We found another way"}
    )
    assert gone.status_code == 302
    proposal.refresh_from_db()
    assert proposal.withdrawn_at is not None and proposal.urgent_lapsed_at is not None
    assert _outsider_replies(voting, thread, "After")
    late = _api(f"/api/v1/proposals/{proposal.pk}/urgent-agreements", voting.coordinators[0])
    assert late.status_code == 403


def test_only_a_change_of_forums_takes_the_urgent_path(voting: RedVoting) -> None:
    document = preset_text("red15m").replace(
        "  off_protocol_bounce: 0.5", "  off_protocol_bounce: 0.25"
    )
    made = _api(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        voting.red.citizen,
        {
            "kind": "amendment",
            "title": "A lighter bounce",
            "body": "Half is too much.",
            "amendment": "partial",
            "protocol_text": document,
        },
    )
    assert made.status_code == 201, made.content
    proposal = Proposal.objects.get()
    page = _client(voting.coordinators[0]).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "Urgent change of forums" not in page
    refused = _api(f"/api/v1/proposals/{proposal.pk}/urgent-agreements", voting.coordinators[0])
    assert refused.status_code == 403
    assert "Only a change of forums may be applied urgently" in refused.content.decode()


def test_the_change_is_in_force_once_the_last_holder_who_had_not_agreed_leaves(
    voting: RedVoting,
) -> None:
    """Art. 3: "the whole of the coordinators" is those in office now: when the only one who
    had not agreed resigns, the next read of the proposal puts the change in force."""
    thread = _thread(voting)
    proposal = _propose(voting)
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/urgent/")
    assert _outsider_replies(voting, thread, "Before")
    gone = _client(voting.coordinators[3]).post(
        f"/assemblies/{voting.assembly.slug}/offices/coordinator/resign/"
    )
    assert gone.status_code == 302
    page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "In force now" in page
    proposal.refresh_from_db()
    assert proposal.urgent_version is not None
    assert not _outsider_replies(voting, thread, "After")
