"""OFF-6, RED15M art. 7.1 (issue 15): a coordinator expecting to be inactive more than 14
days must tell the others. A holder tells of an absence (page and API); the offices page
shows who is away to everyone, and the reason and any quiet spell only to fellow holders;
the worker tells the fellow holders once when a holder has been quiet 14 days without
notice."""

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
from folkmoot.notifications.models import Notification
from folkmoot.offices.models import Absence, Tenure
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import build_red_voting

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_holder_tells_of_an_absence_and_the_others_are_told(db: None) -> None:
    red, coordinators = build_red_voting()
    first, away = coordinators[0], coordinators[1]
    today = timezone.localdate()
    page = "/assemblies/red15m/offices/"
    assert "Tell of an absence" in _text(client_for(away).get(page))
    assert "Tell of an absence" not in _text(client_for(red.citizen).get(page))

    bad = client_for(away).post(
        "/assemblies/red15m/offices/coordinator/absence/",
        {"starts_on": str(today + timedelta(days=5)), "ends_on": str(today), "reason": ""},
        follow=True,
    )
    assert "The last day comes after the first." in _text(bad)
    assert "Say why: your fellow holders read it." in _text(bad)
    assert not Absence.objects.exists()

    done = client_for(away).post(
        "/assemblies/red15m/offices/coordinator/absence/",
        {
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=20)),
            "reason": "Exams until the 20th",
        },
        follow=True,
    )
    assert "Your absence is on the record" in _text(done)
    told = Notification.objects.get(user=first, kind="office_absence")
    assert "Exams until the 20th" in _text(client_for(first).get("/notifications/"))
    assert told.actor == away
    public = _text(Client().get(page))
    assert "away until" in public and "Exams until the 20th" not in public
    assert "Exams until the 20th" in _text(client_for(first).get(page))

    listed = Client().get("/api/v1/assemblies/red15m/offices").json()
    coordinator = next(o for o in listed if o["key"] == "coordinator")
    shown = {h["person_id"]: h["away_until"] for h in coordinator["holders"]}
    assert shown[away.public_id] == str(today + timedelta(days=20))
    assert shown[first.public_id] is None

    # The reason was theirs to give: their copy of their data has it, and erasing the
    # account takes it away (the dates stay with a public record's tenure).
    from folkmoot.accounts.personal_data import do_erase_account, export_of

    offices = export_of(away)["offices"]
    assert any(a["reason"] == "Exams until the 20th" for o in offices for a in o["absences"])
    do_erase_account(user=away)
    assert Absence.objects.get().reason == ""


def test_the_api_takes_an_absence_only_from_a_holder_and_says_what_is_wrong(db: None) -> None:
    red, coordinators = build_red_voting()
    today = timezone.localdate()
    url = "/api/v1/assemblies/red15m/offices/coordinator/absences"

    def post(body: dict[str, Any], who: Any) -> Any:
        return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))

    body = {"starts_on": str(today), "ends_on": str(today + timedelta(days=3)), "reason": "Away"}
    refused = post(body, red.citizen)
    assert refused.status_code == 403 and refused.json()["reasons"][0]["code"] == "not_a_holder"
    past = post({**body, "ends_on": str(today - timedelta(days=1))}, coordinators[0])
    codes = {r["code"] for r in past.json()["reasons"]}
    assert past.status_code == 403 and {"absence_past", "absence_order"} <= codes
    assert post(body, coordinators[0]).status_code == 201
    assert Absence.objects.get().tenure.holder == coordinators[0]


def test_fellow_holders_are_told_once_when_a_holder_goes_quiet_without_notice(db: None) -> None:
    _red, coordinators = build_red_voting()
    first, away, quiet = coordinators[0], coordinators[1], coordinators[2]
    today = timezone.localdate()
    client_for(away).post(
        "/assemblies/red15m/offices/coordinator/absence/",
        {"starts_on": str(today), "ends_on": str(today + timedelta(days=30)), "reason": "Travel"},
    )
    quiet_tenure = Tenure.objects.get(holder=quiet, ended_at__isnull=True)
    with time_machine.travel(timezone.now() + timedelta(days=13)):
        settle_once()
        assert not Notification.objects.filter(kind="office_inactive").exists()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        settle_once()
        settle_once()  # told once per quiet spell
        about_quiet = Notification.objects.filter(
            user=first, kind="office_inactive", subject_id=quiet_tenure.pk
        )
        assert about_quiet.count() == 1
        away_tenure = Tenure.objects.get(holder=away, ended_at__isnull=True)
        assert not Notification.objects.filter(
            kind="office_inactive", subject_id=away_tenure.pk
        ).exists()  # they told of their absence
        notices = _text(client_for(first).get("/notifications/"))
        assert "has done nothing there since" in notices
        page = _text(client_for(first).get("/assemblies/red15m/offices/"))
        assert "with no notice" in page
        assert "with no notice" not in _text(Client().get("/assemblies/red15m/offices/"))


def test_a_holder_back_from_a_told_absence_is_not_quiet_without_notice(db: None) -> None:
    """The days away count as told: the quiet spell starts the morning after the last one."""
    _red, coordinators = build_red_voting()
    first, back = coordinators[0], coordinators[1]
    today = timezone.localdate()
    client_for(back).post(
        "/assemblies/red15m/offices/coordinator/absence/",
        {"starts_on": str(today), "ends_on": str(today + timedelta(days=5)), "reason": "Away"},
    )
    tenure = Tenure.objects.get(holder=back, ended_at__isnull=True)
    about = Notification.objects.filter(user=first, kind="office_inactive", subject_id=tenure.pk)
    with time_machine.travel(timezone.now() + timedelta(days=16)):
        settle_once()
        assert not about.exists()  # back on day 6: ten days quiet so far
    with time_machine.travel(timezone.now() + timedelta(days=22)):
        settle_once()
        assert about.count() == 1
