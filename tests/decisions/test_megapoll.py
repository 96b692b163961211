"""VOTE-2, RED15M art. 9.1 (issue 15): a MegaPoll carries several questions on one ballot,
each with its own options and result. Proposed from the form or the API; only a kind the
protocol marks `multi_question` asks several; the ballot is cast whole or not at all."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.decisions.models import Ballot, Proposal, RegisterEntry, Vote
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting

MORE = "Which colour for the posters?\n- Green\n- Blue\n\nWhich day for the assembly?\nMonday\nFriday\nSunday"


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _api(voting: RedVoting, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        json.dumps({"title": "A camp in summer?", "body": "Three questions.", **body}),
        content_type="application/json",
        **bearer(voting.red.citizen),
    )


def _megapoll(voting: RedVoting) -> Proposal:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "megapoll",
            "title": "A camp in summer?",
            "body": "Three questions at once.",
            "options": "Yes\nNo",
            "simple_question": "1",
            "more_questions": MORE,
        },
    )
    assert made.status_code == 302, _text(made)[:2000]
    return Proposal.objects.get()


def test_a_megapoll_asks_several_questions_on_one_ballot_each_with_its_result(
    voting: RedVoting,
) -> None:
    form = _text(
        client_for(voting.red.citizen).get(f"/assemblies/{voting.assembly.slug}/decisions/new/")
    )
    assert "More questions on the same ballot (only for: MegaPoll)" in form
    proposal = _megapoll(voting)
    assert [q["question"] for q in proposal.more_questions] == [
        "Which colour for the posters?",
        "Which day for the assembly?",
    ]
    assert proposal.more_questions[1]["options"] == ["Monday", "Friday", "Sunday"]
    page = _text(client_for(voting.red.citizen).get(f"/decisions/{proposal.pk}/"))
    assert "More questions on the same ballot" in page and "Which day for the assembly?" in page

    launched = client_for(voting.coordinators[0]).post(
        f"/decisions/{proposal.pk}/launch/", {"days": "3"}, follow=True
    )
    assert launched.status_code == 200
    vote = Vote.objects.get(proposal=proposal)
    parts = list(vote.parts.order_by("position"))
    assert [p.title for p in parts] == [q["question"] for q in proposal.more_questions]
    assert all(p.closes_at == vote.closes_at for p in parts)

    ballot = _text(client_for(voting.citizens[0]).get(f"/votes/{vote.pk}/"))
    assert "1. A camp in summer?" in ballot
    assert (
        "2. Which colour for the posters?" in ballot and "3. Which day for the assembly?" in ballot
    )

    def cast(person: Any, first: str, colour: str, day: str) -> Any:
        return client_for(person).post(
            f"/votes/{vote.pk}/ballot/",
            {
                "choice": first,
                "valid": "1",
                f"part-{parts[0].pk}": colour,
                f"part-{parts[1].pk}": day,
            },
        )

    # A bad answer to one question refuses the whole ballot: nothing is cast.
    refused = cast(voting.citizens[0], "0", "7", "0")
    assert refused.status_code == 400
    assert "is not an option of this vote" in _text(refused)
    assert not Ballot.objects.exists()

    for i, person in enumerate(voting.citizens[:5]):
        # The protocol's thresholds hold for each question (art. 13): 60 % with two options,
        # 85 % with more: Blue (4 of 5) wins; Sunday (4 of 5, 80 %) does not.
        done = cast(person, "0", "1" if i < 4 else "0", "2" if i < 4 else "0")
        assert done.status_code == 200, _text(done)[:1500]
    assert Ballot.objects.filter(vote=vote).count() == 5
    assert Ballot.objects.filter(vote=parts[0]).count() == 5

    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=5)):
        closed = _text(Client().get(f"/votes/{vote.pk}/"))
        assert "The other questions of this ballot" in closed
        assert "Winners: Blue" in closed and "Winners: Sunday" not in closed
        assert 'data-outcome="not_carried"' in closed
        titles = set(RegisterEntry.objects.values_list("title", flat=True))
        assert {"Which colour for the posters?", "Which day for the assembly?"} <= titles
        own = _text(Client().get(f"/votes/{parts[1].pk}/"))
        assert "Question 3 of a ballot of several questions" in own


def test_only_a_megapoll_asks_several_questions_and_each_is_whole(voting: RedVoting) -> None:
    asked = [{"question": "Which colour?", "options": ["Green", "Blue"]}]
    refused = _api(voting, {"kind": "poll", "options": ["Yes", "No"], "more_questions": asked})
    assert refused.status_code == 403
    assert "A decision of this kind asks one question; a MegaPoll asks several." in (
        refused.content.decode()
    )
    thin = _api(
        voting,
        {
            "kind": "megapoll",
            "options": ["Yes", "No"],
            "more_questions": [{"question": "Which colour?", "options": ["Green"]}],
        },
    )
    assert thin.status_code == 403
    assert "Question 2 needs from 2 to 20 different options." in thin.content.decode()
    assert not Proposal.objects.exists()
    made = _api(voting, {"kind": "megapoll", "options": ["Yes", "No"], "more_questions": asked})
    assert made.status_code == 201, made.content
    assert made.json()["more_questions"] == asked
