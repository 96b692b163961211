"""Issue 16: the rules of a sealed vote in the core (governance.sealing), the protocol's key
(`decision_kinds.*.sealed`), and what the platform does with them before any cryptography:
a launch with too few guardians is refused and creates nothing, a sealed vote is on the
home page of whoever has something to do in it, and a ballot in clear is refused."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from django.test import Client

from folkmoot.agenda.items import agenda_of
from folkmoot.decisions.models import Vote
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.governance.sealing import Progress, Stage, marks_of, stage, vector_of
from folkmoot.notifications.models import Notification
from folkmoot.sealed.models import Guardian, SealedElection

from .conftest import SealedWorld, build_sealed_world, sealed_protocol

T0 = datetime(2026, 12, 5, 12, tzinfo=UTC)


def progress(**changes: Any) -> Progress:
    base: dict[str, Any] = dict(
        key_made=False,
        opens_at=T0 + timedelta(hours=2),
        closes_at=T0 + timedelta(days=3),
        guardians=3,
        shuffled=0,
        decrypted=0,
        threshold=2,
        counted=False,
    )
    return Progress(**{**base, **changes})


def test_the_stage_follows_what_happened_and_the_time() -> None:
    assert stage(progress(), T0) == Stage.KEYS
    assert stage(progress(key_made=True), T0) == Stage.REGISTERING
    opened = T0 + timedelta(hours=3)
    assert stage(progress(), opened) == Stage.LATE  # the guardians are late: nobody votes
    assert stage(progress(key_made=True), opened) == Stage.OPEN
    closed = T0 + timedelta(days=4)
    assert stage(progress(key_made=True), closed) == Stage.SHUFFLING
    # Two of three shuffled is not enough: decryption waits for every shuffle.
    assert stage(progress(key_made=True, shuffled=2), closed) == Stage.SHUFFLING
    assert stage(progress(key_made=True, shuffled=3), closed) == Stage.DECRYPTING
    assert stage(progress(key_made=True, shuffled=3, counted=True), closed) == Stage.COUNTED


@pytest.mark.parametrize(
    ("vector", "method", "ask_validity", "stored"),
    [
        ([5, 0, 3], "star", False, ("503", None)),
        ([6, 0, 3], "star", False, None),  # above the scale: spoiled
        ([5, 0], "star", False, None),  # the wrong length
        ([5, 0, 3, 2], "star", True, ("503", False)),  # the validity answer: null
        ([5, 0, 3, 3], "star", True, None),
        ([0, 1, 0], "choice", False, ("1", None)),
        ([0, 0, 0], "choice", False, ("", None)),  # a blank vote
        ([1, 1, 0], "choice", False, None),  # two choices
        ([1, 0, 1], "approval", False, ("101", None)),
        ([2, 0, 1], "approval", False, None),
        ([1, 1, 0], "top-n", False, None),  # two marks where one is allowed
    ],
)
def test_a_decrypted_vector_is_a_ballot_or_spoiled(
    vector: list[int], method: str, ask_validity: bool, stored: tuple[str, bool | None] | None
) -> None:
    assert (
        marks_of(vector, method=method, options=3, max_score=5, ask_validity=ask_validity, seats=1)
        == stored
    )
    if stored is not None:
        assert vector_of(*stored, method=method, options=3, ask_validity=ask_validity) == vector


def _with(kind: dict[str, Any], seats: int = 3) -> str:
    doc = yaml.safe_load(preset_text("harmony"))
    doc["offices"]["secretary"]["seats"] = seats
    doc["decision_kinds"]["star_vote"].update(kind)
    return yaml.safe_dump(doc, allow_unicode=True)


def test_the_protocol_refuses_a_sealed_key_that_cannot_work() -> None:
    protocol = load_protocol(sealed_protocol())  # three secretaries, two decrypt: fine
    # The protocol page says it (BEY-1: no rule the page does not show).
    from folkmoot.governance.render import render_markdown

    shown = render_markdown(protocol)
    assert "Sealed ballots: sealed on each voter's device, opened only by 2 of" in shown
    cases = [
        (
            "decision_kinds.star_vote.sealed.guardians",
            {"guardians": "treasurer"},
            3,
            "not declared",
        ),
        ("decision_kinds.star_vote", {"guardians": "secretary"}, 3, "must be secret"),
        (
            "decision_kinds.star_vote.sealed.threshold",
            {"guardians": "secretary", "threshold": 0},
            3,
            "",
        ),
        # Harmony's own secretary has one seat: one person cannot guard a key alone.
        ("decision_kinds.star_vote.sealed.guardians", {"guardians": "secretary"}, 1, "1 seat"),
        (
            "decision_kinds.star_vote.sealed.threshold",
            {"guardians": "secretary", "threshold": 4},
            3,
            "only 3 seats",
        ),
    ]
    for path, sealed, seats, words in cases:
        change: dict[str, Any] = {"sealed": sealed}
        if words == "must be secret":
            change["secret"] = False
        with pytest.raises(ProtocolInvalid) as refused:
            load_protocol(_with(change, seats=seats))
        found = [p.render() for p in refused.value.problems if p.path.startswith(path)]
        assert found and words in found[0], refused.value


@pytest.fixture
def world(db: None) -> SealedWorld:
    return build_sealed_world(6)


def _propose(world: SealedWorld) -> int:
    made = world.post(
        world.guardians[0],
        f"/assemblies/{world.assembly.slug}/proposals",
        {"kind": "star_vote", "title": "Which day?", "body": "Pick.", "options": ["Mon", "Tue"]},
    )
    assert made.status_code == 201, made.content
    return int(made.json()["id"])


def test_too_few_guardians_refuse_the_launch_and_nothing_is_created(world: SealedWorld) -> None:
    from folkmoot.offices.models import Tenure

    Tenure.objects.filter(holder__in=world.guardians[1:]).update(ended_at=T0)
    proposal = _propose(world)
    client = Client()
    client.force_login(world.guardians[0])
    answer = client.post(f"/decisions/{proposal}/launch/", {"days": "3"}, follow=True)
    assert "at least two guardians" in answer.content.decode()
    assert not Vote.objects.filter(proposal_id=proposal).exists()
    assert not SealedElection.objects.exists()


def test_the_home_page_asks_each_person_for_their_part(world: SealedWorld) -> None:
    proposal = _propose(world)
    client = Client()
    client.force_login(world.guardians[0])
    client.post(f"/decisions/{proposal}/launch/", {"days": "3"})
    vote = Vote.objects.get(proposal_id=proposal)
    voter, guardian = world.voters[4], world.guardians[1]
    kinds = {i.kind: i for i in agenda_of(voter).items}
    assert kinds["sealed_key"].url == f"/votes/{vote.pk}/sealed/"
    assert kinds["sealed_key"].deadline == vote.opens_at
    assert "sealed_guardian" in {i.kind for i in agenda_of(guardian).items}
    # A plain ballot is refused through the page too (the API's refusal is in the end-to-end
    # test), and the vote page sends voters to the sealed page.
    page = Client()
    page.force_login(voter)
    assert f"/votes/{vote.pk}/sealed/" in page.get(f"/votes/{vote.pk}/").content.decode()
    # Once their certificate is in, a guardian waits for the others: nothing to do.
    Guardian.objects.filter(person=guardian).update(certificate="{}")
    assert "sealed_guardian" not in {i.kind for i in agenda_of(guardian).items}


def test_guardians_late_with_the_key_then_the_vote_closes_without_ballots(
    world: SealedWorld,
) -> None:
    import time_machine

    from folkmoot.decisions.management.commands.settle import settle_once
    from folkmoot.decisions.models import VoteResult
    from folkmoot.sealed import belenios as bel

    proposal = _propose(world)
    client = Client()
    client.force_login(world.guardians[0])
    client.post(f"/decisions/{proposal}/launch/", {"days": "3"})
    vote = Vote.objects.get(proposal_id=proposal)
    election = SealedElection.objects.get(vote=vote)
    path = f"/votes/{vote.pk}/sealed"
    assert vote.opens_at is not None and vote.closes_at is not None
    with time_machine.travel(vote.opens_at + timedelta(hours=1)):
        assert world.get(None, path).json()["stage"] == "late"
        # Nobody votes while the key is missing, but keys may still be registered.
        public = str(bel.derive_credential(bel.new_credential(), election.uuid)[1])
        assert (
            world.post(world.voters[4], f"{path}/key", {"public_credential": public}).status_code
            == 201
        )
        cast = world.post(world.voters[4], f"{path}/ballots", {"ballot": "{}"})
        assert cast.status_code == 403 and cast.json()["reasons"][0]["code"] == "sealed_not_open"
        settle_once()  # the worker builds nothing without the key
        election.refresh_from_db()
        assert election.opened_at is None
    with time_machine.travel(vote.closes_at + timedelta(minutes=5)):
        settle_once()  # the worker settles it with no ballot: it does not wait forever
        assert world.get(None, path).json()["stage"] == "failed"
        result = VoteResult.objects.get(vote=vote)
        assert result.ballots == 0 and result.winners == []
        page = Client().get(f"{path}/").content.decode()
        assert "nobody could vote" in page
        # The electorate is told why there is no result, not that one is published.
        assert Notification.objects.filter(user=world.voters[4], vote=vote, kind="result").exists()
        reader = Client()
        reader.force_login(world.voters[4])
        notices = html.unescape(reader.get("/notifications/").content.decode())
        assert "closed before its guardians made the sealed vote's key" in notices
        assert "is published" not in notices
