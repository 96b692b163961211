"""A protocol amendment that changes a forum permission (PRO-2, FOR-5, BEY-1): a partial
amendment carried by three coordinators and a simple majority adopts the new protocol, and
the forum follows it at once."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import Proposal, Vote
from folkmoot.forums.actions import do_open_thread
from folkmoot.governance.presets import preset_text
from folkmoot.protocols.models import ProtocolVersion
from tests.decisions.conftest import RedVoting

OLD = '    reply: platform               # "Escritura: Ciudadanos global"'
NEW = "    reply: citizen"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _amend(voting: RedVoting, document: str) -> Client:
    citizen = _client(voting.red.citizen)
    response = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "amendment",
            "title": "Only citizens reply in Debates",
            "body": "Debates are for citizens.",
            "amendment": "partial",
            "protocol_text": document,
        },
    )
    return response


def test_a_carried_amendment_changes_who_may_reply(voting: RedVoting) -> None:
    thread = do_open_thread(
        assembly=voting.assembly,
        forum_key="debates",
        author=voting.red.citizen,
        title="Parks",
        tag="[DEBATE]",
        body="Let us talk about parks.",
    )
    outsider = _client(voting.red.platform)
    reply_url = f"/assemblies/{voting.assembly.slug}/threads/{thread.pk}/reply/"
    outsider.post(reply_url, {"body": "Hello from outside"})
    assert thread.posts.filter(body="Hello from outside").exists()

    document = preset_text("red15m")
    assert OLD in document
    response = _amend(voting, document.replace(OLD, NEW))
    assert response.status_code == 302, response.content.decode()[:1500]
    proposal = Proposal.objects.get()
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for i, person in enumerate(voting.citizens):
        _client(person).post(
            f"/votes/{vote.pk}/ballot/", {"choice": "0" if i < 5 else "1", "valid": "1"}
        )
    before = ProtocolVersion.objects.filter(assembly=voting.assembly).count()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert 'data-outcome="carried"' in Client().get(f"/votes/{vote.pk}/").content.decode()
        versions = ProtocolVersion.objects.filter(assembly=voting.assembly).order_by("number")
        assert versions.count() == before + 1
        assert versions.last().decision_reference == f"proposal:{proposal.pk}"  # type: ignore[union-attr]
        outsider = _client(voting.red.platform)
        refused = outsider.post(reply_url, {"body": "Hello again"}, follow=True)
        assert "only citizens" in refused.content.decode().lower()
        assert not thread.posts.filter(body="Hello again").exists()
        # Citizens still reply.
        _client(voting.red.citizen).post(reply_url, {"body": "Mine"})
        assert thread.posts.filter(body="Mine").exists()


def test_an_amendment_that_fails_adopts_nothing(voting: RedVoting) -> None:
    _amend(voting, preset_text("red15m").replace(OLD, NEW))
    proposal = Proposal.objects.get()
    for coordinator in voting.coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(voting.red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    _client(voting.coordinators[0]).post(f"/decisions/{proposal.pk}/launch/", {"days": "7"})
    vote = Vote.objects.get()
    for person in voting.citizens[:3]:
        _client(person).post(f"/votes/{vote.pk}/ballot/", {"choice": "1", "valid": "1"})
    before = ProtocolVersion.objects.count()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        Client().get(f"/votes/{vote.pk}/")
        assert ProtocolVersion.objects.count() == before


def test_a_malformed_new_protocol_is_refused_with_its_problems(voting: RedVoting) -> None:
    response = _amend(voting, "protocol: x\nversion: 1\n")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The new protocol:" in page and "title" in page
    assert not Proposal.objects.exists()
    wrong_kind = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "poll",
            "title": "T",
            "body": "B",
            "amendment": "partial",
            "protocol_text": preset_text("red15m"),
        },
    )
    assert "The protocol is not amended by decisions of this kind." in wrong_kind.content.decode()
