"""VOTE-7, RED15M art. 12 (issue 15): weekly polls "se lanzarán por orden de aparición", one
a week, from a queue everyone can see. A later weekly poll waits for an older one that is
ready; a second waits a week after the first opened; the queue is on the decisions page and
in the API, and a coordinator reads on the poll's page why it waits."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.decisions.models import Proposal, Vote
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _weekly(voting: RedVoting, title: str) -> Proposal:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "weekly_poll", "title": title, "body": "A quick one.", "options": "Yes\nNo"},
    )
    assert made.status_code == 302, _text(made)
    proposal = Proposal.objects.get(title=title)
    for coordinator in voting.coordinators[:3]:
        client_for(coordinator).post(
            f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
        )
    return proposal


def _launch(voting: RedVoting, proposal: Proposal) -> Any:
    return Client().post(
        f"/api/v1/proposals/{proposal.pk}/launch",
        json.dumps({}),
        content_type="application/json",
        **bearer(voting.coordinators[0]),
    )


def test_weekly_polls_go_one_a_week_in_order_of_arrival(voting: RedVoting) -> None:
    first = _weekly(voting, "Tea or coffee?")
    second = _weekly(voting, "Morning or evening meetings?")

    jumped = _launch(voting, second)
    assert jumped.status_code == 403
    assert jumped.json()["reasons"][0]["code"] == "weekly_order"
    assert "“Tea or coffee?” comes first" in jumped.json()["reasons"][0]["message"]
    waits = _text(client_for(voting.coordinators[0]).get(f"/decisions/{second.pk}/"))
    assert "It cannot be launched yet:" in waits and "“Tea or coffee?” comes first" in waits

    queue = _text(Client().get(f"/assemblies/{voting.assembly.slug}/decisions/"))
    assert "Weekly poll: the queue" in queue
    assert queue.index("Tea or coffee?") < queue.index("Morning or evening meetings?")

    assert _launch(voting, first).status_code == 201
    too_soon = _launch(voting, second)
    assert too_soon.status_code == 403
    assert [r["code"] for r in too_soon.json()["reasons"]] == ["weekly_one_a_week"]
    listed = Client().get(f"/api/v1/assemblies/{voting.assembly.slug}/weekly-queue").json()
    assert [w["title"] for w in listed[0]["waiting"]] == ["Morning or evening meetings?"]
    opened = Vote.objects.get(proposal=first).opens_at
    assert opened is not None
    assert listed[0]["next_opens_at"].startswith(
        (opened + timedelta(days=7)).astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M")
    )

    with time_machine.travel(opened + timedelta(days=7, minutes=1)):
        assert _launch(voting, second).status_code == 201


def _notices(person: Any) -> str:
    return _text(client_for(person).get("/notifications/"))


def test_the_proposer_hears_when_the_turn_of_their_weekly_poll_comes(voting: RedVoting) -> None:
    """Art. 12: the first in line, ready, a week after the last one opened: its proposer is
    told its turn has come, once, by the worker; those who launch votes are told it may be
    put to the vote then, and not before (a launch would be refused)."""
    first = _weekly(voting, "Tea or coffee?")
    second = _weekly(voting, "Morning or evening meetings?")
    proposer, launcher = voting.red.citizen, voting.coordinators[0]
    settle_once()  # the worker, as `folkmoot settle` runs it
    settle_once()  # a second pass tells nobody again
    told = _notices(proposer)
    assert (
        "It is the turn of your weekly poll “Tea or coffee?”: it may be put to the vote now."
        in told
    )
    assert "Morning or evening meetings?" not in told
    [row] = Client().get("/api/v1/me/notifications", **bearer(proposer)).json()
    assert (row["kind"], row["url"]) == ("weekly_turn", f"/decisions/{first.pk}/")
    launches = _notices(launcher)
    assert "“Tea or coffee?” may be put to the vote: it waits for a launch." in launches
    assert "“Morning or evening meetings?” may be put to the vote" not in launches

    assert _launch(voting, first).status_code == 201
    settle_once()  # a week has not passed: the second's turn has not come
    assert "Morning or evening meetings?" not in _notices(proposer)
    assert "“Morning or evening meetings?” may be put to the vote" not in _notices(launcher)
    assert not Notification.objects.filter(proposal=second, kind="weekly_turn").exists()
    assert not Notification.objects.filter(proposal=second, occasion="launch").exists()

    opened = Vote.objects.get(proposal=first).opens_at
    assert opened is not None
    with time_machine.travel(opened + timedelta(days=7, minutes=1)):
        settle_once()
        assert (
            "It is the turn of your weekly poll “Morning or evening meetings?”: it may be put "
            "to the vote now." in _notices(proposer)
        )
        assert "“Morning or evening meetings?” may be put to the vote" in _notices(launcher)
        assert Notification.objects.filter(kind="weekly_turn", user=proposer).count() == 2
        assert _launch(voting, second).status_code == 201
