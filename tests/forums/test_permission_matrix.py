"""FOR-1, FOR-2: every RED15M forum × audience × action gives the same answer through the
core, the HTML pages and the API (issue 5's permission matrix)."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from folkmoot.forums.actions import do_open_thread
from folkmoot.forums.models import Post, Thread
from folkmoot.governance.audience import Viewer, check_forum
from folkmoot.governance.presets import load_preset
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for

RED = load_preset("red15m")
AUDIENCES = [
    "anonymous",
    "platform",
    "participant",
    "citizen",
    "coordinator",
    "drafter",
    "sanctioned",
]
ACTIONS = ["read", "open_thread", "reply"]

# Art. 2, read across: (read, open a thread, reply) for each audience.
EXPECTED_BASE = {
    "announcements": {
        "anonymous": "---",
        "platform": "---",
        "citizen": "r--",
        "coordinator": "ror",
        "drafter": "r--",
    },
    "votes": {
        "anonymous": "r--",
        "platform": "r--",
        "citizen": "ror",
        "coordinator": "ror",
        "drafter": "ror",
    },
    "debates": {
        "anonymous": "r--",
        "platform": "r-r",
        "citizen": "ror",
        "coordinator": "ror",
        "drafter": "ror",
    },
    "coordination": {
        "anonymous": "---",
        "platform": "---",
        "citizen": "r--",
        "coordinator": "ror",
        "drafter": "r--",
    },
    "drafting": {
        "anonymous": "r--",
        "platform": "r--",
        "citizen": "r--",
        "coordinator": "ro-",
        "drafter": "ror",
    },
    "design": {
        "anonymous": "---",
        "platform": "---",
        "citizen": "ror",
        "coordinator": "ror",
        "drafter": "ror",
    },
    "history": {
        "anonymous": "r--",
        "platform": "r--",
        "citizen": "r--",
        "coordinator": "ror",
        "drafter": "r--",
    },
    "approved": {
        "anonymous": "r--",
        "platform": "r--",
        "citizen": "r--",
        "coordinator": "ror",
        "drafter": "r--",
    },
    "trash": {
        "anonymous": "r--",
        "platform": "r--",
        "citizen": "r--",
        "coordinator": "ror",
        "drafter": "r--",
    },
}
VIEWERS = {
    "anonymous": Viewer(),
    "platform": Viewer(authenticated=True),
    "citizen": Viewer(authenticated=True, status="member"),
    "coordinator": Viewer(authenticated=True, status="member", offices=frozenset({"coordinator"})),
    "drafter": Viewer(authenticated=True, status="member", offices=frozenset({"drafter"})),
    "participant": Viewer(authenticated=True, status="participant"),
    "sanctioned": Viewer(
        authenticated=True,
        status="member",
        sanctioned_until=datetime(2099, 1, 1, tzinfo=UTC),
        sanction_reason="Trolling",
    ),
}
# A participant has a platform citizen's rights here (RED15M audiences are citizens, offices,
# the platform and anonymous); a sanctioned citizen reads as a citizen and writes nothing (SAN-6).
for row in EXPECTED_BASE.values():
    row["participant"] = row["platform"]
    row["sanctioned"] = row["citizen"][0] + "--"
EXPECTED = EXPECTED_BASE
CASES = [(f, a, act) for f in EXPECTED for a in AUDIENCES for act in ACTIONS]


def expected(forum: str, audience: str, action: str) -> bool:
    return EXPECTED[forum][audience][ACTIONS.index(action)] != "-"


@pytest.mark.parametrize(("forum", "audience", "action"), CASES)
def test_core_answers_the_matrix(forum: str, audience: str, action: str):
    from datetime import date

    assert check_forum(
        RED, forum, action, VIEWERS[audience], date(2026, 11, 22)
    ).allowed is expected(forum, audience, action)


def person(red, audience):  # type: ignore[no-untyped-def]
    return None if audience == "anonymous" else getattr(red, audience)


@pytest.mark.parametrize("forum", list(EXPECTED))
def test_html_and_api_answer_the_matrix(red, forum: str):
    slug = red.assembly.slug
    seed_thread = do_open_thread(
        assembly=red.assembly,
        forum_key=forum,
        author=red.coordinator,
        title="Seed",
        tag=(RED.forums[forum].tags or [""])[0],
        body="seed",
    )
    for audience in AUDIENCES:
        user = person(red, audience)
        html = client_for(user)
        api = Client()
        headers = bearer(user) if user else {}
        tag = (RED.forums[forum].tags or [""])[0]
        # read
        assert (html.get(f"/assemblies/{slug}/forums/{forum}/").status_code == 200) is expected(
            forum, audience, "read"
        ), (forum, audience, "read html")
        assert (
            api.get(f"/api/v1/assemblies/{slug}/forums/{forum}/threads", **headers).status_code
            == 200
        ) is expected(forum, audience, "read"), (forum, audience, "read api")
        if user is None:
            continue
        # open a thread
        before = Thread.objects.count()
        html.post(
            f"/assemblies/{slug}/forums/{forum}/new/",
            {"title": f"T {audience}", "tag": tag, "body": "hello"},
        )
        opened_html = Thread.objects.count() == before + 1
        response = api.post(
            f"/api/v1/assemblies/{slug}/forums/{forum}/threads",
            json.dumps({"title": f"A {audience}", "tag": tag, "body": "hello"}),
            content_type="application/json",
            **headers,
        )
        assert opened_html is expected(forum, audience, "open_thread"), (
            forum,
            audience,
            "open html",
        )
        assert (response.status_code == 201) is expected(forum, audience, "open_thread"), (
            forum,
            audience,
            "open api",
            response.content,
        )
        # reply
        before = Post.objects.count()
        html.post(f"/assemblies/{slug}/threads/{seed_thread.pk}/reply/", {"body": "a reply"})
        replied_html = Post.objects.count() == before + 1
        response = api.post(
            f"/api/v1/threads/{seed_thread.pk}/posts",
            json.dumps({"body": "a reply"}),
            content_type="application/json",
            **headers,
        )
        can_read = expected(forum, audience, "read")
        assert replied_html is (can_read and expected(forum, audience, "reply")), (
            forum,
            audience,
            "reply html",
        )
        assert (response.status_code == 201) is (can_read and expected(forum, audience, "reply")), (
            forum,
            audience,
            "reply api",
        )
