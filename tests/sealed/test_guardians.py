"""Issue 16: what the guardians' part tolerates. A polynomial made for another threshold or
another number of guardians is refused on its own, and a guardian may hand theirs in again
while the round is open; an absent guardian holds the count back only until the time for
shuffling is over, after which `threshold` shuffles are enough (and a late shuffle is
refused, since the archive says the shuffles are over). Hostile input gets a refusal, never
an error page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.decisions.models import VoteResult
from folkmoot.sealed import belenios as bel
from folkmoot.sealed.models import SealedElection

from .conftest import GuardianDevice, SealedWorld, build_sealed_world, tool
from .test_sealed_vote import launch, make_key


@pytest.fixture
def world(db: None) -> SealedWorld:
    return build_sealed_world(6)


def _devices(tmp_path: Path) -> list[GuardianDevice]:
    devices = [GuardianDevice(tmp_path / f"guardian-{i}") for i in range(3)]
    for device in devices:
        device.directory.mkdir()
    return devices


def _code(answer: Any) -> str:
    return str(answer.json()["reasons"][0]["code"])


def test_a_polynomial_is_checked_alone_and_may_be_handed_in_again(
    world: SealedWorld, tmp_path: Path
) -> None:
    vote = launch(world)
    path = f"/votes/{vote.pk}/sealed"
    devices = _devices(tmp_path)
    first, second, third = world.guardians
    # A step may be handed back as a file too (a shuffle of many ballots is large).
    as_file = Client().post(
        f"/api/v1{path}/guardian/certificate/file",
        {"file": SimpleUploadedFile("key.cert", devices[0].certificate().encode())},
        **world.api(first),
    )
    assert as_file.status_code == 200, as_file.content
    assert as_file.json()["guardians"][0]["certificate"] is True
    stranger = Client().post(
        f"/api/v1{path}/guardian/certificate/file",
        {"file": SimpleUploadedFile("key.cert", b"{}")},
        **world.api(world.voters[5]),
    )
    assert stranger.status_code == 403 and _code(stranger) == "not_a_guardian"
    for device, person in ((devices[1], second), (devices[2], third)):
        world.post(person, f"{path}/guardian/certificate", {"content": device.certificate()})
    certificates = world.get(first, f"{path}/files/certificates.jsons").content
    wrong = world.post(
        first, f"{path}/guardian/polynomial", {"content": devices[0].polynomial(certificates, 3)}
    )
    assert wrong.status_code == 403 and _code(wrong) == "wrong_threshold"
    junk = world.post(first, f"{path}/guardian/polynomial", {"content": '{"x": 1}'})
    assert _code(junk) == "not_a_polynomial"
    deep = world.post(first, f"{path}/guardian/polynomial", {"content": "[" * 5000 + "]" * 5000})
    assert deep.status_code == 403 and _code(deep) in ("not_json", "not_a_polynomial")
    good = devices[0].polynomial(certificates, 2)
    assert world.post(first, f"{path}/guardian/polynomial", {"content": good}).status_code == 200
    # The round is open (the others have not handed theirs in): the first may mend theirs.
    again = devices[0].polynomial(certificates, 2)
    assert world.post(first, f"{path}/guardian/polynomial", {"content": again}).status_code == 200
    for device, person in ((devices[1], second), (devices[2], third)):
        answer = world.post(
            person, f"{path}/guardian/polynomial", {"content": device.polynomial(certificates, 2)}
        )
        assert answer.status_code == 200, answer.content
    # The round is complete: handing one in again is no longer possible.
    late = world.post(first, f"{path}/guardian/polynomial", {"content": again})
    assert _code(late) == "not_your_step"


def test_an_absent_guardian_holds_the_count_back_only_until_the_time_for_shuffling(
    world: SealedWorld, tmp_path: Path
) -> None:
    vote = launch(world)
    election = SealedElection.objects.get(vote=vote)
    path = f"/votes/{vote.pk}/sealed"
    devices = _devices(tmp_path)
    make_key(world, vote, devices)
    voters = world.voters[3:]
    credentials = {}
    for person in voters:
        credentials[person.pk] = bel.new_credential()
        public = str(bel.derive_credential(credentials[person.pk], election.uuid)[1])
        world.post(person, f"{path}/key", {"public_credential": public})
    # A hostile key: thousands of digits is refused, not an error page (the page and API).
    client = Client()
    client.force_login(voters[0])
    answer = client.post(f"{path}/key/", {"public_credential": "7" * 5000})
    assert answer.status_code == 400
    assert world.post(voters[0], f"{path}/key", {"public_credential": "7" * 600}).status_code in (
        403,
        422,
    )
    assert vote.opens_at is not None and vote.closes_at is not None
    with time_machine.travel(vote.opens_at + timedelta(minutes=1)):
        published = bel.Election.from_json(
            world.get(None, f"{path}/files/election.json").content.decode()
        )
        for person, grades in zip(voters, ([5, 0, 2], [1, 5, 0], [0, 0, 0]), strict=True):
            ballot = bel.make_ballot(published, credentials[person.pk], [grades])
            assert world.post(person, f"{path}/ballots", {"ballot": ballot}).status_code == 201
    name = f"{election.uuid}.bel"
    with time_machine.travel(vote.closes_at + timedelta(minutes=1)):
        settle_once()
        for index in (0, 2):  # the second guardian never shuffles
            archive = world.get(world.guardians[index], f"{path}/files/{name}").content
            shuffled = devices[index].shuffle(name, archive)
            assert world.hand_in(world.guardians[index], path, "shuffle", shuffled) == ["kept"]
        assert world.get(None, path).json()["stage"] == "shuffling"
        early = world.post(world.guardians[0], f"{path}/guardian/decryption", {"content": "{}"})
        assert _code(early) == "not_decrypting"
        stale = world.get(world.guardians[1], f"{path}/files/{name}").content
    with time_machine.travel(vote.closes_at + timedelta(hours=73)):
        settle_once()  # the time for shuffling is over: the shuffles are closed
        assert world.get(None, path).json()["stage"] == "decrypting"
        late = devices[1].shuffle(name, stale)
        refused = world.post(world.guardians[1], f"{path}/guardian/shuffle", {"content": late})
        assert _code(refused) == "not_shuffling"
        for index in (0, 2):
            person = world.guardians[index]
            archive = world.get(person, f"{path}/files/{name}").content
            key = world.get(person, f"{path}/files/decryption-key.json").content
            share = devices[index].decrypt(name, archive, key)
            assert world.hand_in(person, path, "decryption", share) == ["kept"]
        result = VoteResult.objects.get(vote=vote)
        assert result.ballots == 3
        archive = world.get(None, f"{path}/files/{name}").content
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / name).write_bytes(archive)
    tool(folder, "election", "verify")
