"""Issue 16's bar, through the API: a sealed STAR vote in a Harmony assembly whose protocol
seals its STAR votes, guarded by its three secretaries (any two decrypt), with 30 voters.
The secretaries make the key with belenios-tool on their own devices (folders here); each
voter registers a voting key made on their side and casts a ballot sealed there; after the
close every guardian shuffles and two decrypt. Belenios's own verifier accepts the published
archive, and the published STAR result is `folkmoot tally`'s on the decrypted vectors. A
tampered ballot, a replayed one, another voter's, an out-of-range vector and a missing
shuffle are each refused or reported."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.decisions.models import Participation, Vote, VoteResult
from folkmoot.notifications.models import Notification
from folkmoot.sealed import belenios as bel
from folkmoot.sealed import tool as sealed_tool
from folkmoot.sealed.models import SealedElection

from .conftest import GuardianDevice, SealedWorld, build_sealed_world, tampered, tool

OPTIONS = ["Library", "Park", "Town hall"]


@pytest.fixture
def world(db: None) -> SealedWorld:
    return build_sealed_world(30)


def launch(world: SealedWorld) -> Vote:
    secretary = world.guardians[0]
    client = Client()
    client.force_login(secretary)
    made = world.post(
        secretary,
        f"/assemblies/{world.assembly.slug}/proposals",
        {
            "kind": "star_vote",
            "title": "Where do we meet?",
            "body": "Pick a place.",
            "options": OPTIONS,
        },
    )
    assert made.status_code == 201, made.content
    proposal_id = made.json()["id"]
    launched = client.post(f"/decisions/{proposal_id}/launch/", {"days": "3"})
    assert launched.status_code == 302, launched.content
    return Vote.objects.get(proposal_id=proposal_id)


def make_key(world: SealedWorld, vote: Vote, devices: list[GuardianDevice]) -> None:
    guardians = world.guardians
    path = f"/votes/{vote.pk}/sealed"
    for device, person in zip(devices, guardians, strict=True):
        answer = world.post(
            person, f"{path}/guardian/certificate", {"content": device.certificate()}
        )
        assert answer.status_code == 200, answer.content
    certificates = world.get(guardians[0], f"{path}/files/certificates.jsons").content
    for device, person in zip(devices, guardians, strict=True):
        answer = world.post(
            person, f"{path}/guardian/polynomial", {"content": device.polynomial(certificates, 2)}
        )
        assert answer.status_code == 200, answer.content
    for device, person in zip(devices, guardians, strict=True):
        share_input = world.get(person, f"{path}/files/share-input.json")
        assert share_input.status_code == 200
        answer = world.post(
            person, f"{path}/guardian/share", {"content": device.share(share_input.content)}
        )
        assert answer.status_code == 200, answer.content
        device.position = next(
            g["position"] for g in answer.json()["guardians"] if g["name"] == person.display_name
        )


def test_a_sealed_star_vote_end_to_end(
    world: SealedWorld, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        vote = launch(world)
    election = SealedElection.objects.get(vote=vote)
    path = f"/votes/{vote.pk}/sealed"
    assert vote.sealed_ballots and election.threshold == 2
    # Launched now, it opens after the hour the protocol gives to make the key and register.
    assert vote.opens_at is not None and vote.opens_at - timezone.now() > timedelta(minutes=55)
    status = world.get(world.voters[5], path).json()
    assert status["stage"] == "keys" and status["electorate"] == 30 and status["keys"] == 0
    assert [g["position"] for g in status["guardians"]] == [1, 2, 3]
    told = Notification.objects.filter(vote=vote)
    assert told.filter(kind="sealed_guardian").count() == 3
    assert told.filter(kind="sealed_register").count() >= 27  # the launcher is not told

    # A ballot in clear is refused: a sealed vote takes sealed ballots only.
    plain = world.post(world.voters[5], f"/votes/{vote.pk}/ballot", {"scores": {"Park": 5}})
    assert plain.status_code in (403, 422) and b"sealed" in plain.content

    # The key: a step out of turn is refused, then each guardian's three steps.
    devices = [GuardianDevice(tmp_path / f"guardian-{i}") for i in range(3)]
    for device in devices:
        device.directory.mkdir()
    early = world.post(world.guardians[0], f"{path}/guardian/polynomial", {"content": "{}"})
    assert early.status_code == 403 and early.json()["reasons"][0]["code"] == "not_your_step"
    junk = world.post(world.guardians[0], f"{path}/guardian/certificate", {"content": '{"a":1}'})
    assert junk.status_code == 403 and junk.json()["reasons"][0]["code"] == "tool_refused"
    not_guardian = world.post(world.voters[9], f"{path}/guardian/certificate", {"content": "{}"})
    assert not_guardian.status_code == 403
    make_key(world, vote, devices)
    assert world.get(None, path).json()["stage"] == "registering"

    # Each voter's key is made on their side; only the public half is sent, once.
    credentials = {}
    for person in world.voters:
        credential = bel.new_credential()
        public = str(bel.derive_credential(credential, election.uuid)[1])
        answer = world.post(person, f"{path}/key", {"public_credential": public})
        assert answer.status_code == 201, answer.content
        credentials[person.pk] = credential
    again = world.post(world.voters[0], f"{path}/key", {"public_credential": "4"})
    assert again.status_code == 403
    junk_key = world.post(world.voters[1], f"{path}/key", {"public_credential": "-5"})
    assert junk_key.status_code in (403, 422)
    assert world.get(None, path).json()["keys"] == 30

    with time_machine.travel(vote.opens_at + timedelta(minutes=1)):
        assert world.get(None, path).json()["stage"] == "open"
        text = world.get(None, f"{path}/files/election.json").content.decode()
        published = bel.Election.from_json(text)
        # The published credentials are exactly the registered ones: no key the server added.
        election.refresh_from_db()
        _raw, listed = sealed_tool.published_election(bytes(election.archive))
        assert sorted(listed, key=int) == sorted(
            (str(bel.derive_credential(c, election.uuid)[1]) for c in credentials.values()), key=int
        )
        rng = random.Random(16)
        cast: dict[int, list[int]] = {}
        trackers = {}
        for person in world.voters:
            grades = [rng.randint(0, 5) for _ in OPTIONS]
            ballot = bel.make_ballot(published, credentials[person.pk], [grades])
            answer = world.post(person, f"{path}/ballots", {"ballot": ballot})
            assert answer.status_code == 201, answer.content
            assert answer.json()["tracker"] == bel.tracker(ballot)
            cast[person.pk], trackers[person.pk] = grades, answer.json()["tracker"]

        first, second = world.voters[3], world.voters[4]
        # A replayed ballot (the same one again) is refused: its tracker is in the box.
        replay_of = bel.make_ballot(published, credentials[first.pk], [cast[first.pk]])
        world.post(first, f"{path}/ballots", {"ballot": replay_of})
        replayed = world.post(first, f"{path}/ballots", {"ballot": replay_of})
        assert (
            replayed.status_code == 403
            and replayed.json()["reasons"][0]["code"] == "ballot_replayed"
        )
        # Another voter's ballot, cast by someone holding it: not signed with their key.
        theirs = bel.make_ballot(published, credentials[second.pk], [[5, 5, 5]])
        stolen = world.post(first, f"{path}/ballots", {"ballot": theirs})
        assert stolen.status_code == 422
        assert stolen.json()["errors"][0]["type"] == "ballot_unknown_credential"
        # Tampered after sealing: the proof no longer holds.
        data = json.loads(bel.make_ballot(published, credentials[first.pk], [[0, 0, 0]]))
        choices = data["answers"][0]["choices"]
        choices["beta"] = str(int(choices["beta"]) * bel.G % bel.P)
        forged_ballot = world.post(
            first, f"{path}/ballots", {"ballot": json.dumps(data, separators=(",", ":"))}
        )
        assert forged_ballot.status_code == 422
        assert "ballot_bad_answer_proof" in [e["type"] for e in forged_ballot.json()["errors"]]
        # A vote changed: the later ballot replaces the earlier, which stays in the box.
        cast[second.pk] = [1, 1, 1]
        later = world.post(
            second,
            f"{path}/ballots",
            {"ballot": bel.make_ballot(published, credentials[second.pk], [[1, 1, 1]])},
        )
        assert later.status_code == 201
        # No range proof: a grade of 9 is sealed and accepted, and spoiled at the count.
        spoiler = world.voters[7]
        cast[spoiler.pk] = [9, 0, 0]
        odd = world.post(
            spoiler,
            f"{path}/ballots",
            {"ballot": bel.make_ballot(published, credentials[spoiler.pk], [[9, 0, 0]])},
        )
        assert odd.status_code == 201
        box = {row["tracker"]: row["replaced"] for row in world.get(None, f"{path}/ballots").json()}
        assert box[trackers[second.pk]] is True and len([r for r in box.values() if not r]) == 30
        assert Participation.objects.filter(vote=vote).count() == 30

    closes = vote.closes_at
    assert closes is not None
    with time_machine.travel(closes + timedelta(minutes=1)):
        late = world.post(world.voters[8], f"{path}/ballots", {"ballot": replay_of})
        assert late.status_code == 403
        assert world.get(None, path).json()["stage"] == "shuffling"
        # Closing the box (every ballot into the archive) is the worker's, never a page's.
        early_shuffle = world.post(
            world.guardians[0], f"{path}/guardian/shuffle", {"content": "{}"}
        )
        assert early_shuffle.json()["reasons"][0]["code"] == "box_closing"
        settle_once()
        assert VoteResult.objects.filter(vote=vote).count() == 0
        name = f"{election.uuid}.bel"
        # A missing shuffle: nobody decrypts before every guardian has shuffled.
        for device, person in zip(devices, world.guardians, strict=True):
            early = world.post(person, f"{path}/guardian/decryption", {"content": "{}"})
            assert (
                early.status_code == 403 and early.json()["reasons"][0]["code"] == "not_decrypting"
            )
            archive = world.get(person, f"{path}/files/{name}").content
            shuffled = device.shuffle(name, archive)
            if device is devices[0]:
                # A shuffle of other ciphertexts (tampered) is refused by the tool's check.
                forged = tampered(shuffled)
                # The worker's check refuses it; the guardian is told, and sees why.
                assert world.hand_in(person, path, "shuffle", forged) == ["refused"]
                mine = world.get(person, path).json()
                assert mine["my_step"] == "shuffle" and mine["my_step_checking"] == ""
                assert mine["my_step_refused"][0].startswith("belenios-tool refused this file")
                assert Notification.objects.filter(
                    user=person, occasion__startswith="refused-own:shuffle"
                ).exists()
                as_other = world.post(
                    world.guardians[1], f"{path}/guardian/shuffle", {"content": shuffled}
                )
                assert as_other.json()["reasons"][0]["code"] == "not_your_trustee_id"
            assert world.hand_in(person, path, "shuffle", shuffled) == ["kept"]
            assert world.get(person, path).json()["my_step_refused"] == []
        assert world.get(None, path).json()["stage"] == "decrypting"
        for index in (0, 2):  # any two of three
            person, device = world.guardians[index], devices[index]
            archive = world.get(person, f"{path}/files/{name}").content
            key = world.get(person, f"{path}/files/decryption-key.json").content
            assert (
                world.get(world.voters[9], f"{path}/files/decryption-key.json").status_code == 404
            )
            share = device.decrypt(name, archive, key)
            assert world.hand_in(person, path, "decryption", share) == ["kept"]

        status = world.get(None, path).json()
        assert status["stage"] == "counted" and status["spoiled"] == 1
        result = VoteResult.objects.get(vote=vote)
        archive = world.get(None, f"{path}/files/{name}").content

    # Belenios's verifier accepts the published archive.
    published_dir = tmp_path / "published"
    published_dir.mkdir()
    (published_dir / name).write_bytes(archive)
    tool(published_dir, "election", "verify")
    vectors = sealed_tool.result_vectors(archive)
    assert sorted(vectors) == sorted(cast.values())

    # The published result is folkmoot tally's on the decrypted vectors (the spoiled one out).
    ballots = [dict(zip(OPTIONS, v, strict=True)) for v in vectors if max(v) <= 5]
    assert len(ballots) == 29 and result.ballots == 29
    scores = tmp_path / "scores.json"
    scores.write_text(json.dumps({"candidates": OPTIONS, "ballots": ballots}))
    folkmoot = Path(sys.executable).with_name("folkmoot")
    recount = subprocess.run(
        [
            str(folkmoot),
            "tally",
            str(scores),
            "--method=star",
            f"--seed={vote.lot_seed}",
            "--format=json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(recount.stdout)["winners"] == result.winners
