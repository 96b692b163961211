"""Issue 16: what a sealed vote tells people. When it opens, those who registered a voting
key hear that voting is open; those who did not hear that they cannot vote in it, and why.
When belenios-tool refuses a key round's files together, the guardian whose file completed
it reads why on their page, and the other guardians are told to check theirs: the fault may
be any of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from folkmoot.decisions.notify import WITHOUT_KEY, vote_opened
from folkmoot.notifications.models import Notification
from folkmoot.sealed import ceremony
from folkmoot.sealed.models import VoterKey
from folkmoot.sealed.tool import ToolFailed

from .conftest import GuardianDevice, SealedWorld, build_sealed_world
from .test_sealed_vote import launch


@pytest.fixture
def world(db: None) -> SealedWorld:
    return build_sealed_world(6)


def shown_to(person: Any) -> str:
    client = Client()
    client.force_login(person)
    return client.get("/notifications/").content.decode()


def test_only_those_with_a_voting_key_hear_that_voting_is_open(world: SealedWorld) -> None:
    vote = launch(world)
    keyed, unkeyed = world.voters[:4], world.voters[4:]
    for i, person in enumerate(keyed):
        VoterKey.objects.create(election=vote.sealed, person=person, public_credential=f"c{i}")
    vote_opened(vote)
    told = Notification.objects.filter(vote=vote, kind="vote_opened")
    assert {n.user_id for n in told.filter(occasion="")} == {p.pk for p in keyed}
    assert {n.user_id for n in told.filter(occasion=WITHOUT_KEY)} == {p.pk for p in unkeyed}
    assert "you registered no voting key before it opened" in shown_to(unkeyed[0])
    page = shown_to(keyed[0])
    assert "Voting is open: “Where do we meet?”" in page and "no voting key" not in page
    vote_opened(vote)  # the worker's pass again: nobody is told twice
    assert told.count() == len(world.voters)


def test_the_other_guardians_hear_when_a_rounds_files_fail_together(
    world: SealedWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vote = launch(world)
    path = f"/votes/{vote.pk}/sealed"
    devices = [GuardianDevice(tmp_path / f"guardian-{i}") for i in range(3)]
    for device, person in zip(devices, world.guardians, strict=True):
        device.directory.mkdir()
        answer = world.post(
            person, f"{path}/guardian/certificate", {"content": device.certificate()}
        )
        assert answer.status_code == 200, answer.content
    certificates = world.get(world.guardians[0], f"{path}/files/certificates.jsons").content
    polynomials = [device.polynomial(certificates, 2) for device in devices]
    for polynomial, person in zip(polynomials[:2], world.guardians[:2], strict=True):
        answer = world.post(person, f"{path}/guardian/polynomial", {"content": polynomial})
        assert answer.status_code == 200, answer.content

    def refuse(*_args: Any) -> Any:
        raise ToolFailed("the polynomials do not fit the certificates")

    monkeypatch.setattr(ceremony.tool, "share_inputs", refuse)
    last = world.guardians[2]
    refused = world.post(last, f"{path}/guardian/polynomial", {"content": polynomials[2]})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "round_refused"
    told = Notification.objects.filter(
        vote=vote, kind="sealed_guardian", occasion__startswith="refused:polynomial"
    )
    assert {n.user_id for n in told} == {g.pk for g in world.guardians[:2]}
    assert "check what you handed in and hand it in again" in shown_to(world.guardians[0])
    assert vote.sealed.guardians.get(person=last).polynomial == ""  # nothing of theirs kept


def test_a_step_too_large_for_json_is_refused_in_json_naming_the_file_address(
    world: SealedWorld,
) -> None:
    """A body past Django's 2.5 MB for a JSON request is not read: the API answers 413 in
    JSON, saying where a large file goes, and keeps nothing."""
    vote = launch(world)
    first = world.guardians[0]
    big = world.post(
        first, f"/votes/{vote.pk}/sealed/guardian/shuffle", {"content": "x" * 3_000_000}
    )
    assert big.status_code == 413
    assert big.json()["reasons"][0]["code"] == "too_large"
    assert "…/file" in big.json()["detail"]
    assert vote.sealed.guardians.get(person=first).shuffled_at is None


def test_nobody_hears_voting_is_open_before_the_guardians_make_the_key(
    world: SealedWorld,
) -> None:
    """The worker announces a sealed vote when its election opens, not at its opening time
    while the key is still missing: then nobody can cast, key or not."""
    from datetime import timedelta

    from folkmoot.decisions.notify import pending
    from folkmoot.sealed.models import SealedElection

    vote = launch(world)
    VoterKey.objects.create(election=vote.sealed, person=world.voters[0], public_credential="c0")
    assert vote.opens_at is not None
    late = vote.opens_at + timedelta(minutes=1)
    pending(late)
    told = Notification.objects.filter(vote=vote, kind="vote_opened")
    assert not told.exists()
    SealedElection.objects.filter(vote=vote).update(opened_at=late)  # the key is made
    pending(late + timedelta(minutes=1))
    assert {n.user_id for n in told.filter(occasion="")} == {world.voters[0].pk}
    assert told.filter(occasion=WITHOUT_KEY).count() == len(world.voters) - 1
