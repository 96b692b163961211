"""Issue 16: a guardian's shuffle or partial decryption is checked by the worker, not in the
request (sealed.handing): belenios-tool verifies the whole archive with it, minutes for
thousands of ballots. The guardian's page says it is being checked; the worker keeps it (the
next guardian is told) or keeps why not, which the page shows and a notice tells."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.notifications.models import Notification
from folkmoot.sealed import belenios as bel
from folkmoot.sealed.handing import check_handed
from folkmoot.sealed.models import Guardian, HandedIn, SealedElection
from tests.test_tasks import run_worker

from .conftest import GuardianDevice, SealedWorld, build_sealed_world, run_checks, tampered
from .test_sealed_vote import launch, make_key


@pytest.fixture
def world(db: None) -> SealedWorld:
    return build_sealed_world(voters=4)


def page_of(client: Client, path: str) -> str:
    return html.unescape(client.get(path).content.decode())


def test_the_worker_checks_a_shuffle_and_the_page_says_so_meanwhile(
    world: SealedWorld, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    vote = launch(world)
    election = SealedElection.objects.get(vote=vote)
    api = f"/votes/{vote.pk}/sealed"
    devices = [GuardianDevice(tmp_path / f"guardian-{i}") for i in range(3)]
    for device in devices:
        device.directory.mkdir()
    make_key(world, vote, devices)
    voter = world.voters[3]
    credential = bel.new_credential()
    public = str(bel.derive_credential(credential, election.uuid)[1])
    world.post(voter, f"{api}/key", {"public_credential": public})
    assert vote.opens_at is not None and vote.closes_at is not None
    with time_machine.travel(vote.opens_at + timedelta(minutes=1)):
        published = bel.Election.from_json(
            world.get(None, f"{api}/files/election.json").content.decode()
        )
        ballot = bel.make_ballot(published, credential, [[5, 0, 2]])
        assert world.post(voter, f"{api}/ballots", {"ballot": ballot}).status_code == 201
    name = f"{election.uuid}.bel"
    page = f"/votes/{vote.pk}/sealed/"
    with time_machine.travel(vote.closes_at + timedelta(minutes=1)):
        settle_once()
        first = Client()
        first.force_login(world.guardians[0])
        shuffled = devices[0].shuffle(
            name, world.get(world.guardians[0], f"{api}/files/{name}").content
        )
        # On the page, as a file: the answer comes at once, and the page says it is checked.
        with django_capture_on_commit_callbacks(execute=True):
            handed = first.post(
                f"{page}guardian/shuffle/",
                {"file": SimpleUploadedFile("shuffle.json", shuffled.encode())},
                follow=True,
            )
        text = html.unescape(handed.content.decode())
        assert "Handed in. belenios-tool now checks it against every ballot" in text
        assert 'data-checking="shuffle"' in text and "is being checked" in text
        assert Guardian.objects.get(person=world.guardians[0]).shuffled_at is None
        # The task went to the queue; the worker keeps the shuffle and the next guardian's
        # turn comes.
        run_worker()
        assert Guardian.objects.get(person=world.guardians[0]).shuffled_at is not None
        assert not HandedIn.objects.exists()
        assert "is being checked" not in page_of(first, page)
        assert Notification.objects.filter(
            user=world.guardians[1], vote=vote, occasion="shuffle"
        ).exists()
        # The guardian hears that the wait is over, as the page promised.
        assert "Your shuffle for the sealed vote" in page_of(first, "/notifications/")

        # The second guardian hands in a tampered shuffle: refused by the check, told, shown.
        second = world.guardians[1]
        good = devices[1].shuffle(name, world.get(second, f"{api}/files/{name}").content)
        assert world.hand_in(second, api, "shuffle", tampered(good)) == ["refused"]
        told = Notification.objects.get(user=second, occasion__startswith="refused-own:shuffle")
        assert told.vote_id == vote.pk
        client = Client()
        client.force_login(second)
        shown = page_of(client, page)
        assert "belenios-tool refused what you handed in last:" in shown
        assert "belenios-tool refused this file" in shown
        assert "belenios-tool refused what you handed in for the sealed vote" in page_of(
            client, "/notifications/"
        )
        assert Guardian.objects.get(person=second).shuffled_at is None

        # Handed in again before the check ran: the later file is the one checked; the
        # earlier one's task finds it replaced.
        junk = world.post(second, f"{api}/guardian/shuffle", {"content": tampered(good)})
        assert junk.status_code == 202
        earlier = HandedIn.objects.get()
        assert world.hand_in(second, api, "shuffle", good) == ["kept"]
        assert check_handed(earlier.pk, earlier.handed_at) == "replaced"
        mine = world.get(second, api).json()
        assert mine["my_step_refused"] == [] and mine["my_step_checking"] == ""
        assert "belenios-tool refused what you handed in last" not in page_of(client, page)
        assert run_checks() == []
        third = world.guardians[2]
        late = devices[2].shuffle(name, world.get(third, f"{api}/files/{name}").content)

    # The third shuffle is handed in an hour before the time for shuffling ends, while the
    # task queue is down: the file is kept all the same.
    shuffle_by = vote.closes_at + timedelta(hours=election.shuffle_hours)
    with time_machine.travel(shuffle_by - timedelta(hours=1)):
        down = mock.Mock()
        down.enqueue.side_effect = ConnectionError("queue down")
        with (
            mock.patch("folkmoot.sealed.tasks.check_handed_task", down),
            django_capture_on_commit_callbacks(execute=True),
        ):
            handed = world.post(third, f"{api}/guardian/shuffle", {"content": late})
        assert handed.status_code == 202 and HandedIn.objects.get().asked_at is None
    # The time runs out before any worker checks it: the shuffles are not closed without it,
    # and the decisions worker asks for the lost check again.
    with time_machine.travel(shuffle_by + timedelta(hours=1)):
        with django_capture_on_commit_callbacks(execute=True):
            settle_once()
        assert SealedElection.objects.get(pk=election.pk).shuffles_ended_at is None
        assert HandedIn.objects.get().asked_at is not None
        run_worker()  # judged as of when it was handed in: in time
        assert Guardian.objects.get(person=third).shuffled_at is not None
        assert SealedElection.objects.get(pk=election.pk).shuffles_ended_at is not None
        assert world.get(None, api).json()["stage"] == "decrypting"
