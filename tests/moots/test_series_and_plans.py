"""Issue 14: a series of moots (weekly, monthly) whose open points carry over, and changing a
moot's plan (time, place, capacity, series) while it is to come, from the page and the API,
with those coming told."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.management.commands.settle import settle_once
from folkmoot.moots.models import AgendaPoint, Moot
from folkmoot.moots.reminders import remind
from folkmoot.moots.series import continue_series, shifted
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import Harmony, build_harmony
from tests.moots.test_moots import _call, _local, _text

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def harmony(db: None) -> Harmony:
    return build_harmony()


def test_the_next_moot_is_at_the_same_local_time_and_a_monthly_one_keeps_its_day() -> None:
    before_summer = datetime(2027, 3, 25, 19, 0, tzinfo=LONDON)  # GMT
    after = shifted(before_summer, "weekly", LONDON)
    assert (after.day, after.hour, after.utcoffset()) == (1, 19, timedelta(hours=1))  # BST
    assert shifted(before_summer, "fortnightly", LONDON).day == 8
    end_of_january = datetime(2027, 1, 31, 18, 30, tzinfo=LONDON)
    february = shifted(end_of_january, "monthly", LONDON)
    assert (february.month, february.day, february.hour, february.minute) == (2, 28, 18, 30)
    assert shifted(datetime(2027, 12, 15, 9, tzinfo=LONDON), "monthly", LONDON).year == 2028
    # The series began on the 31st: February's clamp does not stick.
    assert shifted(february, "monthly", LONDON, day=31).day == 31


def test_a_monthly_series_keeps_the_day_it_began_on(harmony: Harmony) -> None:
    first = _call(harmony, repeats="monthly")
    Moot.objects.filter(pk=first.pk).update(
        starts_at=datetime(2027, 1, 31, 19, tzinfo=LONDON),
        ends_at=datetime(2027, 1, 31, 21, tzinfo=LONDON),
    )
    days = []
    moot = Moot.objects.get(pk=first.pk)
    for _ in range(3):
        with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
            continue_series(moot.starts_at + timedelta(minutes=1))
        moot = Moot.objects.get(previous=moot)
        days.append(moot.starts_at.astimezone(LONDON).day)
    assert days == [28, 31, 30]  # February, March, April


def test_a_cancelled_moot_of_a_series_passes_its_agenda_on(harmony: Harmony) -> None:
    moot = _call(harmony, repeats="fortnightly")
    secretary = client_for(harmony.secretary)
    secretary.post(f"/moots/{moot.pk}/points/", {"title": "Budget"})
    page = _text(secretary.get(f"/moots/{moot.pk}/"))
    assert "The series goes on" in page
    secretary.post(f"/moots/{moot.pk}/cancel/", {"reason": "The hall is flooded."})
    nxt = Moot.objects.get(previous=moot)
    assert (nxt.starts_at - moot.starts_at).days in (13, 14, 15)  # two weeks, local time
    assert [(p.title, p.state) for p in nxt.points.all()] == [("Budget", "accepted")]
    told = Notification.objects.get(user=harmony.members[0], kind="moot_called", subject_id=nxt.pk)
    assert told.occasion == "series"
    notices = _text(client_for(harmony.members[0]).get("/notifications/"))
    assert "The next moot of the series “Spring planning” of Harmony Town is planned" in notices


def test_a_weekly_moot_plans_the_next_once_it_meets_and_its_open_points_carry_over(
    harmony: Harmony,
) -> None:
    ann, ben = harmony.members[0], harmony.members[1]
    moot = _call(harmony, repeats="weekly", capacity="12")
    assert "Every week" in _text(client_for(ann).get(f"/moots/{moot.pk}/"))
    secretary = client_for(harmony.secretary)
    for title in ("Budget", "Garden", "Website"):
        secretary.post(f"/moots/{moot.pk}/points/", {"title": title})
    client_for(ben).post(f"/moots/{moot.pk}/points/", {"title": "Bike racks"})  # never decided

    assert continue_series(moot.starts_at - timedelta(minutes=5)) == 0  # not before it meets
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        settle_once()  # the worker plans the next one
        settle_once()  # and only one
        assert Moot.objects.filter(previous=moot).count() == 1
    nxt = Moot.objects.get(previous=moot)
    local, first = nxt.starts_at.astimezone(LONDON), moot.starts_at.astimezone(LONDON)
    assert (local - first).days == 7 and (local.hour, local.minute) == (first.hour, first.minute)
    assert (nxt.ends_at - nxt.starts_at) == (moot.ends_at - moot.starts_at)
    assert (nxt.place, nxt.capacity, nxt.facilitator, nxt.repeats) == (
        moot.place,
        12,
        harmony.secretary,
        "weekly",
    )
    assert Notification.objects.filter(user=ann, kind="moot_called", subject_id=nxt.pk).exists()
    assert AuditEvent.objects.filter(verb="moot.continue").count() == 1

    with time_machine.travel(moot.ends_at + timedelta(minutes=5), tick=False):
        budget = moot.points.get(title="Budget")
        secretary.post(f"/moots/{moot.pk}/minutes/publish/", {"deferred": [budget.pk]})
        page = _text(client_for(ann).get(f"/moots/{moot.pk}/"))
    carried = {p.title: p.state for p in nxt.points.all()}
    # Deferred: on the next agenda; discussed: done; never decided: waits for the facilitator.
    assert carried == {"Budget": "accepted", "Bike racks": "proposed"}
    assert moot.points.get(title="Budget").carried_to == nxt
    assert moot.points.get(title="Garden").outcome == AgendaPoint.Outcome.DISCUSSED
    assert f"/moots/{nxt.pk}/" in page  # the series links on


def test_the_plan_changes_while_the_moot_is_to_come_and_those_coming_are_told(
    harmony: Harmony,
) -> None:
    ann, ben, cat = harmony.members[0], harmony.members[1], harmony.members[2]
    moot = _call(harmony, capacity="2")
    for person in (ann, ben, cat):
        client_for(person).post(f"/moots/{moot.pk}/register/", {"mode": "in_person"})
    url = f"/moots/{moot.pk}/edit/"
    assert client_for(ann).get(url).status_code == 403  # only who runs it, or may call one
    form = _text(client_for(harmony.secretary).get(url))
    assert 'value="Library, room 2"' in form and "Facilitator" not in form

    plan = {
        "title": "Spring planning",
        "purpose": "Agree the spring campaign.",
        "starts_at": _local(8, 18),
        "ends_at": _local(8, 20),
        "place": "Town hall",
        "online_link": "",
        "capacity": "1",
        "repeats": "monthly",
    }
    bad = client_for(harmony.secretary).post(url, {**plan, "ends_at": _local(8, 17)})
    assert bad.status_code == 400 and "The moot must end after it starts." in _text(bad)
    moot.refresh_from_db()
    assert moot.place == "Library, room 2"  # nothing changed

    done = client_for(harmony.secretary).post(url, plan, follow=True)
    assert "The moot's plan is changed" in _text(done) and "Town hall" in _text(done)
    moot.refresh_from_db()
    assert (moot.place, moot.capacity, moot.repeats) == ("Town hall", 1, "monthly")
    moved = Notification.objects.get(user=ann, kind="moot_changed")
    assert moved.occasion.startswith("moved:")
    lost = Notification.objects.get(user=ben, kind="moot_changed")
    assert lost.occasion.startswith("seat_lost:")  # the seat went with the capacity
    page = _text(client_for(ben).get(f"/moots/{moot.pk}/"))
    assert "You are number 1 on the waiting list" in page
    assert "fewer seats now" in _text(client_for(ben).get("/notifications/"))

    # The reminder follows the moot to its new day.
    with time_machine.travel(moot.starts_at - timedelta(hours=2), tick=False):
        assert remind(moot.starts_at - timedelta(hours=2)) == 1
        assert remind(moot.starts_at - timedelta(hours=2)) == 0

    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        late = client_for(harmony.secretary).get(url)
    assert late.status_code == 403 and "The moot has started." in _text(late)


def test_the_api_changes_the_plan_and_stops_a_series(harmony: Harmony) -> None:
    moot = _call(harmony, repeats="weekly")
    url = f"/api/v1/moots/{moot.pk}/plan"
    body = {
        "title": "Spring planning",
        "starts_at": moot.starts_at.isoformat(),
        "ends_at": (moot.ends_at + timedelta(minutes=30)).isoformat(),
        "place": "Library, room 2",
        "repeats": "",
    }

    def put(payload: object, who: Any) -> Any:
        return Client().put(
            url, json.dumps(payload), content_type="application/json", **bearer(who)
        )

    refused = put(body, harmony.members[0])
    assert refused.status_code == 403
    invalid = put({**body, "place": "", "online_link": ""}, harmony.secretary)
    assert invalid.status_code == 422 and "place" in invalid.content.decode()
    done = put(body, harmony.secretary)
    assert done.status_code == 200, done.content
    assert done.json()["repeats"] == "" and done.json()["next_id"] is None
    moot.refresh_from_db()
    assert moot.repeats == "" and moot.ends_at == moot.starts_at + timedelta(hours=2, minutes=30)
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        assert continue_series(moot.starts_at + timedelta(minutes=1)) == 0  # the series stopped
