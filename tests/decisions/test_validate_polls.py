"""Art. 7.1 of RED15M (issue 15): "coordinators may give polls unilateral validity". A
coordinator validates a poll alone: it skips the support stage (three coordinators' +1),
the validator is shown on the page and in the API, and the protocol's advice to open a
debate on it is shown once it is over. Nobody else validates, nothing but polls is
validated alone, and a sanctioned coordinator does not validate."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.test import Client

from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.models import Proposal
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _api(path: str, user: Any) -> Any:
    return Client().post(path, json.dumps({}), content_type="application/json", **bearer(user))


def _propose(voting: RedVoting, kind: str, title: str) -> Proposal:
    made = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": kind, "title": title, "body": "Asking.", "options": "Yes\nNo"},
    )
    assert made.status_code == 302, _text(made)
    return Proposal.objects.get(title=title)


def test_a_coordinator_validates_a_poll_alone_and_it_skips_the_supports(voting: RedVoting) -> None:
    poll = _propose(voting, "poll", "A summer camp?")
    page = f"/decisions/{poll.pk}/"
    before = _text(client_for(voting.red.citizen).get(page))
    assert "0 of 3 supports from coordinators" in before
    assert "Validate this poll alone" not in before

    refused = _api(f"/api/v1/proposals/{poll.pk}/validation", voting.red.citizen)
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "may_not_validate"

    coordinator = client_for(voting.coordinators[1])
    assert "Validate this poll alone" in _text(coordinator.get(page))
    done = _text(coordinator.post(f"/decisions/{poll.pk}/validate/", follow=True))
    assert "The poll is validated: it no longer waits for supports." in done
    assert "Validated by Coord 2 on" in done
    assert "supports from coordinators" not in done and "The debate period ends" not in done
    # Its text still goes to the drafters (not a simple question): the next stage.
    assert 'data-stage="drafting"' in done

    again = _api(f"/api/v1/proposals/{poll.pk}/validation", voting.coordinators[0])
    assert again.status_code == 403 and again.json()["reasons"][0]["code"] == "validated_already"
    shown = Client().get(f"/api/v1/proposals/{poll.pk}").json()
    assert shown["stage"] == "drafting"
    assert shown["validated_by_id"] == voting.coordinators[1].public_id
    assert AuditEvent.objects.filter(verb="decision.validate", subject_id=poll.pk).count() == 1
    # The proposer is told their poll moved on (issue 15).
    told = _text(client_for(voting.red.citizen).get("/notifications/"))
    assert "Your poll “A summer camp?” was validated by a coordinator" in told


def test_only_polls_are_validated_alone_and_not_under_a_sanction(voting: RedVoting) -> None:
    referendum = _propose(voting, "referendum", "Change the logo?")
    refused = _api(f"/api/v1/proposals/{referendum.pk}/validation", voting.coordinators[0])
    assert refused.status_code == 403
    assert "Nobody validates a Referendum alone" in refused.json()["reasons"][0]["message"]

    poll = _propose(voting, "poll", "A reading group?")
    sanctioned = voting.coordinators[2]
    imposed = Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/sanctions",
        json.dumps({"person": sanctioned.pk, "level": "minor", "reason": "Rude in the square"}),
        content_type="application/json",
        **bearer(voting.coordinators[0]),
    )
    assert imposed.status_code == 201, imposed.content
    answer = _api(f"/api/v1/proposals/{poll.pk}/validation", sanctioned)
    assert answer.status_code == 403
    poll.refresh_from_db()
    assert poll.validated_at is None
