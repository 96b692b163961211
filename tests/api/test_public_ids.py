"""Issue 13: "the API takes a person's public id, and every API answer that names a person
gives that id": members, threads and posts, proposals (besides holders, sanctions and the
picker, tested with their features)."""

from __future__ import annotations

import pytest
from django.test import Client

from folkmoot.decisions.models import Proposal
from folkmoot.forums.actions import do_open_thread, do_reply
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


def test_members_posts_and_proposals_name_people_by_public_id(red: Red15m) -> None:
    members = Client().get("/api/v1/assemblies/red15m/members").json()["items"]
    assert {m["person_id"] for m in members} >= {red.citizen.public_id, red.coordinator.public_id}
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Parks",
        tag="[DEBATE]",
        body="Let us talk.",
    )
    do_reply(thread=thread, author=red.drafter, body="Yes.")
    data = Client().get(f"/api/v1/threads/{thread.pk}").json()
    assert data["author_id"] == red.citizen.public_id
    assert [p["author_id"] for p in data["posts"]] == [red.citizen.public_id, red.drafter.public_id]
    proposal = Proposal.objects.create(
        assembly=red.assembly, kind="poll", proposer=red.citizen, title="A poll", body="?"
    )
    assert (
        Client().get(f"/api/v1/proposals/{proposal.pk}").json()["proposer_id"]
        == red.citizen.public_id
    )
