"""FOR-5, RED15M art. 3 (issue 15): an urgent change of forums is in force once every
coordinator agrees, on the proposal's page or through the API; its binding referendum then
ratifies it, or it lapses and the forums are as before (a later amendment kept)."""

from __future__ import annotations

import html
import json
from datetime import UTC, timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.federation.actions import do_join
from folkmoot.forums.actions import do_open_thread
from folkmoot.governance.presets import preset_text
from folkmoot.notifications.models import Notification
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.models import ProtocolVersion
from tests.api.test_assemblies_api import bearer
from tests.decisions.conftest import RedVoting
from tests.decisions.test_amendment import NEW, OLD, _client
from tests.factories import UserFactory


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


def _notices(person: Any) -> str:
    return html.unescape(_client(person).get("/notifications/").content.decode())


def test_the_coordinators_hear_that_a_change_of_forums_waits_for_their_agreement(
    voting: RedVoting,
) -> None:
    """Art. 3: every coordinator is told when it is proposed, once; one who takes office
    while it still waits is told by the worker; one who has agreed is not told again."""
    proposal = _propose(voting)
    said = (
        "Cita proposes to change the forums of Asamblea RED15M: “Only citizens reply in "
        "Debates”. It is in force at once if every one of the coordinators agrees: it waits "
        "for your agreement."
    )
    for coordinator in voting.coordinators:
        assert said in _notices(coordinator)
    [row] = Client().get("/api/v1/me/notifications", **bearer(voting.coordinators[0])).json()
    assert (row["kind"], row["url"]) == ("urgent_to_agree", f"/decisions/{proposal.pk}/")
    assert not Notification.objects.filter(user=voting.red.citizen).exists()  # who proposed it

    for coordinator in voting.coordinators[:2]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/urgent/")
    newcomer, quick = UserFactory(display_name="Coord 5"), UserFactory(display_name="Coord 6")
    for person in (newcomer, quick):
        do_join(user=person, assembly=voting.assembly)
        do_appoint(
            assembly=voting.assembly, office_slug="coordinator", holder=person, actor=None, seats=6
        )
    _client(quick).post(f"/decisions/{proposal.pk}/urgent/")  # agrees before the worker runs
    settle_once()  # the worker, as `folkmoot settle` runs it
    settle_once()  # a second pass adds nothing
    assert said in _notices(newcomer)
    assert said not in _notices(quick)
    told = Notification.objects.filter(kind="urgent_to_agree", proposal=proposal)
    assert sorted(told.values_list("user__display_name", flat=True)) == sorted(
        [c.display_name for c in voting.coordinators] + ["Coord 5"]
    )
    page = _client(newcomer).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "3 of 6 agree." in page and "Agree to apply it now" in page


def test_an_urgent_change_whose_referendum_never_opens_lapses_after_thirty_days(
    voting: RedVoting,
) -> None:
    """Art. 3: in force urgently, the change is ratified by its referendum. The protocol
    gives it 30 days to open (`forum_changes.ratify_within_days`); none opened, the worker
    lapses it and the forums are as before."""
    rules = Client().get(f"/assemblies/{voting.assembly.slug}/protocol/").content.decode()
    assert (
        "An urgent change lapses if its referendum has not opened within 30 days of its "
        "coming into force." in rules
    )
    thread = _thread(voting)
    proposal = _propose(voting)
    _agree_all(voting, proposal)
    assert not _outsider_replies(voting, thread, "During")
    proposal.refresh_from_db()
    assert proposal.urgent_version is not None
    deadline = proposal.urgent_version.adopted_at + timedelta(days=30)
    page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
    shown = date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
    assert f"Its referendum must open by {shown}, or the change lapses." in html.unescape(page)
    data = Client().get(f"/api/v1/proposals/{proposal.pk}").json()
    assert data["urgent_ratify_by"].startswith(deadline.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))

    with time_machine.travel(deadline - timedelta(hours=1)):
        settle_once()
        proposal.refresh_from_db()
        assert proposal.urgent_lapsed_at is None
    with time_machine.travel(deadline + timedelta(minutes=1)):
        settle_once()  # the worker; nobody reads the proposal
        proposal.refresh_from_db()
        assert proposal.urgent_lapsed_at is not None
        assert _outsider_replies(voting, thread, "After")  # the forums are as before
        said = proposal.thread.posts.values_list("body", flat=True)  # type: ignore[union-attr]
        assert any(
            "The urgent change lapses: its referendum did not open within 30 days" in b
            for b in said
        )
        assert AuditEvent.objects.filter(
            verb="decision.urgent_lapse", subject_id=proposal.pk
        ).exists()
        page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/").content.decode()
        assert (
            f"It was in force urgently and lapsed: its referendum had not opened by {shown}."
            in html.unescape(page)
        )
        assert Client().get(f"/api/v1/proposals/{proposal.pk}").json()["urgent_ratify_by"] is None
        again = _api(f"/api/v1/proposals/{proposal.pk}/urgent-agreements", voting.coordinators[0])
        assert again.status_code == 403
        assert "Its urgent application lapsed" in again.content.decode()
        settle_once()  # a second pass changes nothing
        assert (
            ProtocolVersion.objects.filter(
                assembly=voting.assembly, decision_reference=f"lapsed:proposal:{proposal.pk}"
            ).count()
            == 1
        )


def test_a_referendum_launched_after_the_lapse_still_decides_the_change(
    voting: RedVoting,
) -> None:
    """Lapsed for want of its referendum, the change is still a proposal for one: launched
    late and carried, it is adopted as any carried amendment."""
    thread = _thread(voting)
    proposal = _propose(voting)
    _agree_all(voting, proposal)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        # Read by the proposal's page first: the lapse is computed when read, too.
        _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/")
        proposal.refresh_from_db()
        assert proposal.urgent_lapsed_at is not None
        assert _outsider_replies(voting, thread, "Reopened")
        vote = _to_the_vote(voting, proposal, yes=5)
    with time_machine.travel(timezone.now() + timedelta(days=38, minutes=5)):
        assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
        assert ProtocolVersion.objects.filter(
            assembly=voting.assembly, decision_reference=f"proposal:{proposal.pk}"
        ).exists()
        assert not _outsider_replies(voting, thread, "Closed again")
