"""SAN-3 (issue 15): a persona non grata stays so until lifted, by whom and how the protocol
says; RED15M (art. 17): coordination decides, three of its five coordinators. Each backs
lifting it with a reason, from the sanctions page or the API; at the third it is lifted and
the person may write again, and is told."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.forums.actions import do_open_thread
from folkmoot.moderation.models import Sanction
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import build_red_voting

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _api(url: str, who: Any, body: dict[str, Any]) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))


def test_three_coordinators_lift_a_persona_non_grata(db: None) -> None:
    red, coordinators = build_red_voting()
    person = red.drafter
    for _ in range(4):  # the third repeat makes a persona non grata (art. 18.6)
        made = _api(
            "/api/v1/assemblies/red15m/sanctions",
            coordinators[0],
            {
                "person": person.pk,
                "level": "minor",
                "reason": "Insults in the square",
                # the first repeat is decided in a public thread (art. 18.4)
                "decision_reference": "https://example.org/coordination/thread-12",
            },
        )
        assert made.status_code == 201, made.content
    non_grata = Sanction.objects.get(non_grata=True)
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="A debate",
        tag="[DEBATE]",
        body="Opening",
    )
    later = timezone.now() + timedelta(days=10)  # past the earlier, shorter sanctions
    with time_machine.travel(later):
        blocked = _api(f"/api/v1/threads/{thread.pk}/posts", person, {"body": "Hello?"})
    assert blocked.status_code == 403  # non grata: until lifted

    page = "/assemblies/red15m/sanctions/"
    assert "0 of 3 backings to lift it" in _text(Client().get(page))
    assert "Back lifting it" not in _text(client_for(red.citizen).get(page))
    refused = _api(f"/api/v1/sanctions/{non_grata.pk}/liftings", red.citizen, {"reason": "Fine"})
    assert refused.status_code == 403

    no_reason = client_for(coordinators[1]).post(
        f"/assemblies/red15m/sanctions/{non_grata.pk}/lift/", {"reason": " "}, follow=True
    )
    assert "Say why it should be lifted." in _text(no_reason)
    done = client_for(coordinators[1]).post(
        f"/assemblies/red15m/sanctions/{non_grata.pk}/lift/",
        {"reason": "A sincere apology in Coordination"},
        follow=True,
    )
    assert "Your backing to lift it is counted." in _text(done)
    again = _api(f"/api/v1/sanctions/{non_grata.pk}/liftings", coordinators[1], {"reason": "x"})
    assert again.status_code == 403 and again.json()["reasons"][0]["code"] == "lifted_already"
    second = _api(f"/api/v1/sanctions/{non_grata.pk}/liftings", coordinators[2], {"reason": "Ok"})
    assert second.status_code == 201 and second.json()["in_force"] is True
    third = _api(f"/api/v1/sanctions/{non_grata.pk}/liftings", coordinators[0], {"reason": "Ok"})
    assert third.status_code == 201 and third.json()["in_force"] is False

    with time_machine.travel(later):
        answer = _api(f"/api/v1/threads/{thread.pk}/posts", person, {"body": "Thanks."})
    assert answer.status_code == 201
    assert Notification.objects.filter(user=person, kind="sanction_lifted").exists()
    assert "lifted" in _text(Client().get(page))
    assert "A persona non grata is lifted when 3 coordinators back lifting it." in _text(
        Client().get("/assemblies/red15m/protocol/")
    )
