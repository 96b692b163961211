"""OFF-6, RED15M art. 7 (issue 15): misconduct in office, imposed by one holding the
sanction power, is served on the next election to the office: the person may not stand in
it (a candidacy already made is withdrawn), keeps the seat held now, and may stand again once
the bar ends; a repeat bars a coordinator for good (`permanent_after: 1`) and doubles a
drafter's days (`repeat_multiplier: 2`). Through the sanctions page, the offices page and the
API."""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from folkmoot.audit.models import AuditEvent
from folkmoot.moderation.models import OfficeMisconduct
from folkmoot.notifications.models import Notification
from folkmoot.offices.models import Candidacy, Tenure
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import build_red_voting

pytestmark = pytest.mark.django_db

OFFICES = "/api/v1/assemblies/red15m/offices"


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _api(url: str, who: Any, body: dict[str, Any]) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))


def _next_coordinator_election() -> datetime:
    """The next coordinators' election opening at least three days from now (never earlier
    than the assembly, which the test made now)."""
    now = datetime.now().astimezone()
    for _ in range(3):
        with time_machine.travel(now, tick=False):
            rows = Client().get(OFFICES).json()
        coordinator = next(o for o in rows if o["key"] == "coordinator")
        opens = datetime.fromisoformat(coordinator["election"]["opens_at"])
        if opens - timedelta(days=3) > datetime.now().astimezone():
            return opens
        now = opens + timedelta(days=3)  # past that window
    raise AssertionError("no election calendar")


def test_misconduct_bars_a_coordinator_from_the_next_election_only() -> None:
    red, coordinators = build_red_voting()
    finder, culprit = coordinators[0], coordinators[1]
    opens = _next_coordinator_election()
    with time_machine.travel(opens - timedelta(days=3), tick=False):
        stood = _api(f"{OFFICES}/coordinator/candidacies", culprit, {"statement": "Again"})
        assert stood.status_code == 201, stood.content

        # The sanctions page offers the form to one with the sanction power, with the range.
        page = _text(client_for(finder).get("/assemblies/red15m/sanctions/"))
        assert "Find misconduct in office" in page and "Coordinator (3 to 6 days)" in page
        assert "Find misconduct in office" not in _text(
            client_for(red.citizen).get("/assemblies/red15m/sanctions/")
        )
        done = client_for(finder).post(
            "/assemblies/red15m/misconducts/",
            {
                "person": culprit.public_id,
                "office": "coordinator",
                "days": "4",
                "reason": "Closed a vote early",
            },
            follow=True,
        )
        shown = _text(done)
        assert "may not stand for this office from" in shown
        assert "Closed a vote early" in shown  # public, as sanctions are

        found = OfficeMisconduct.objects.get()
        assert found.serves_from == opens  # served on the next election
        assert found.ends_at == opens + timedelta(days=4)
        # SAN-4 (art. 19): two other coordinators back it within 48 hours; until then it is
        # pending (it bars, as a pending sanction is in force) and the candidacy stays.
        assert "backed by 0 so far" in shown
        assert Candidacy.objects.get(person=culprit).withdrawn_at is None
        assert Notification.objects.filter(kind="misconduct_to_back", user=coordinators[2]).exists()
        client_for(coordinators[2]).post(f"/assemblies/red15m/misconducts/{found.pk}/back/")
        backed = _api(
            f"/api/v1/assemblies/red15m/misconducts/{found.pk}/endorsements", coordinators[3], {}
        )
        assert backed.status_code == 201 and backed.json()["backing"] == "endorsed"
        # Backed, it stands: the candidacy for that race is withdrawn; the seat is kept.
        assert Candidacy.objects.get(person=culprit).withdrawn_at is not None
        assert Tenure.objects.current().filter(holder=culprit).exists()
        assert Notification.objects.filter(kind="office_misconduct", user=culprit).exists()
        told = _text(client_for(culprit).get("/notifications/"))
        assert "You were found to have broken the protocol as Coordinator" in told
        entry = AuditEvent.objects.get(verb="moderation.misconduct")
        assert entry.actor_id == finder.pk

        # Standing again in that race is refused, page and API, with the reason.
        again = _api(f"{OFFICES}/coordinator/candidacies", culprit, {"statement": "Again"})
        assert again.status_code == 403
        assert "a misconduct in this office bars you from it until" in again.content.decode()
        offices = _text(client_for(culprit).get("/assemblies/red15m/offices/"))
        assert "a misconduct in this office bars you from it until" in offices
        # Others may still stand.
        other = _api(f"{OFFICES}/coordinator/candidacies", coordinators[2], {"statement": "Me"})
        assert other.status_code == 201

    # After the bar (the election has closed), the next race is open to them again.
    with time_machine.travel(opens + timedelta(days=5), tick=False):
        later = _api(f"{OFFICES}/coordinator/candidacies", culprit, {"statement": "Back"})
        assert later.status_code == 201, later.content


def test_a_repeat_bars_a_coordinator_for_good_and_doubles_a_drafters_days() -> None:
    red, coordinators = build_red_voting()
    finder, culprit = coordinators[0], coordinators[1]
    url = "/api/v1/assemblies/red15m/misconducts"

    def back(made: Any) -> None:
        for backer in coordinators[2:]:
            done = _api(f"{url}/{made.json()['id']}/endorsements", backer, {})
            assert done.status_code == 201, done.content

    first = _api(
        url, finder, {"person": culprit.pk, "office": "coordinator", "days": 3, "reason": "One"}
    )
    assert first.status_code == 201, first.content
    assert first.json()["ends_at"] is not None
    back(first)
    second = _api(
        url,
        finder,
        {"person": culprit.public_id, "office": "coordinator", "days": 3, "reason": "Two"},
    )
    assert second.status_code == 201
    assert (second.json()["repeat"], second.json()["ends_at"]) == (1, None)
    back(second)
    with time_machine.travel(datetime.now().astimezone() + timedelta(days=400)):
        refused = _api(f"{OFFICES}/coordinator/candidacies", culprit, {"statement": "Please"})
    assert refused.status_code == 403
    assert "bars you from it for good" in refused.content.decode()
    assert "may not stand for this office again" in _text(
        Client().get("/assemblies/red15m/sanctions/")
    )

    # Drafters (art. 7.2): 1 to 3 days, a repeat doubles it; barred only from the drafters'.
    for reason in ("Destroyed a draft", "Again"):
        made = _api(
            url,
            finder,
            {"person": red.drafter.pk, "office": "drafter", "days": 2, "reason": reason},
        )
        assert made.status_code == 201, made.content
    listed = Client().get(url).json()
    drafts = sorted(
        (datetime.fromisoformat(m["ends_at"]) - datetime.fromisoformat(m["serves_from"]))
        for m in listed
        if m["office"] == "drafter"
    )
    assert drafts == [timedelta(days=2), timedelta(days=4)]
    # The drafter finds both in their own data (GDPR export).
    data = Client().get("/api/v1/me/data", **bearer(red.drafter)).json()
    assert [m["reason"] for m in data["office_misconducts"]] == ["Again", "Destroyed a draft"]


def test_misconduct_refusals_say_what_is_wrong_and_change_nothing() -> None:
    red, coordinators = build_red_voting()
    url = "/api/v1/assemblies/red15m/misconducts"
    body = {"person": coordinators[1].pk, "office": "coordinator", "days": 4, "reason": "Why"}
    cases = [
        (coordinators[0], {**body, "days": 7}, "between 3 days and 6 days"),
        (red.citizen, body, "Only office holders with the power to impose sanctions"),
        (coordinators[0], {**body, "person": red.citizen.pk}, "has not held that office"),
        (coordinators[1], body, "Others must find your misconduct"),
        (coordinators[0], {**body, "office": "nowhere"}, "no rule for misconduct"),
        (coordinators[0], {**body, "reason": "   "}, "Say why"),
    ]
    for who, sent, says in cases:
        refused = _api(url, who, sent)
        assert refused.status_code in (403, 422), (sent, refused.content)
        assert says in refused.content.decode(), (says, refused.content)
    page = client_for(coordinators[0]).post(
        "/assemblies/red15m/misconducts/",
        {
            "person": coordinators[1].public_id,
            "office": "coordinator",
            "days": "lots",
            "reason": "x",
        },
        follow=True,
    )
    assert "Give the number of days, as a number." in _text(page)
    assert not OfficeMisconduct.objects.exists()
    assert not AuditEvent.objects.filter(verb="moderation.misconduct").exists()


def test_an_unbacked_finding_lapses_and_bars_nobody() -> None:
    """SAN-4 (art. 19): one coordinator alone cannot bar another; a finding nobody backs in
    48 hours lapses, and is no repeat."""
    red, coordinators = build_red_voting()
    finder, culprit = coordinators[0], coordinators[1]
    url = "/api/v1/assemblies/red15m/misconducts"
    made = _api(
        url, finder, {"person": culprit.pk, "office": "coordinator", "days": 6, "reason": "x"}
    )
    assert made.status_code == 201 and made.json()["backing"] == "pending"
    found = made.json()["id"]
    for who, says in (
        (finder, "Others must back this finding."),
        (culprit, "Others must back this finding."),
        (red.citizen, "Only office holders with the power to impose sanctions"),
    ):
        refused = _api(f"{url}/{found}/endorsements", who, {})
        assert refused.status_code == 403 and says in refused.content.decode()
    with time_machine.travel(datetime.now().astimezone() + timedelta(hours=49)):
        listed = Client().get(url).json()
        assert listed[0]["backing"] == "lapsed"
        late = _api(f"{url}/{found}/endorsements", coordinators[2], {})
        assert late.status_code == 403
        assert "lapsed" in _text(Client().get("/assemblies/red15m/sanctions/"))
        again = _api(
            url, finder, {"person": culprit.pk, "office": "coordinator", "days": 3, "reason": "y"}
        )
        assert again.json()["repeat"] == 0  # the lapsed one is no repeat


def test_a_candidacy_checked_before_a_finding_is_refused_under_the_lock() -> None:
    """Art. 7: a finding made while a candidacy request runs is read again under the
    person's lock (the one the finding takes): the candidacy is refused, nothing saved."""
    from unittest import mock

    from folkmoot.governance.reasons import Answer
    from folkmoot.offices import candidacies

    _red, coordinators = build_red_voting()
    finder, culprit = coordinators[0], coordinators[1]
    made = _api(
        "/api/v1/assemblies/red15m/misconducts",
        finder,
        {"person": culprit.pk, "office": "coordinator", "days": 4, "reason": "x"},
    )
    assert made.status_code == 201
    # The first check ran before the finding: it said yes.
    with mock.patch.object(candidacies, "stand_answer", return_value=Answer.yes()):
        refused = _api(f"{OFFICES}/coordinator/candidacies", culprit, {"statement": "Me"})
    assert refused.status_code == 403
    assert "a misconduct in this office bars you from it until" in refused.content.decode()
    assert not Candidacy.objects.filter(person=culprit).exists()
