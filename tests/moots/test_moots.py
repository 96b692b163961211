"""Issue 14, "Before": a moot is called by whom the protocol says (Harmony: the secretary),
with a facilitator and a minute-taker picked by name; its agenda is built from the
assembly's open proposals and from points anyone taking part adds, which the facilitator
accepts, merges or declines with a reason (MEET-2); people register in person, online or
send regrets, and beyond capacity wait in line, moving up by themselves (MEET-1, MEET-2)."""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from folkmoot.audit.models import AuditEvent
from folkmoot.governance.moots import Plan, check_plan, phase, seating
from folkmoot.moots.models import AgendaPoint, Moot, Registration
from folkmoot.moots.reminders import remind
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.decisions.conftest import Harmony, build_harmony
from tests.factories import UserFactory


@pytest.fixture
def harmony(db: None) -> Harmony:
    return build_harmony()


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _local(days: int, hour: int) -> str:
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _call(harmony: Harmony, **changes: Any) -> Moot:
    fields = {
        "title": "Spring planning",
        "purpose": "Agree the spring campaign.",
        "starts_at": _local(7, 19),
        "ends_at": _local(7, 21),
        "place": "Library, room 2",
        "online_link": "",
        "capacity": "",
        **changes,
    }
    response = client_for(harmony.secretary).post("/assemblies/harmony-town/moots/new/", fields)
    assert response.status_code == 302, _text(response)
    return Moot.objects.latest("pk")


# --- the rules ---------------------------------------------------------------------------


def test_seats_go_in_order_and_the_rest_wait_in_line() -> None:
    assert seating(2, [5, 7, 9, 11]).seated == (5, 7)
    assert seating(2, [5, 7, 9, 11]).waiting == (9, 11)
    assert seating(None, [5, 7, 9]).waiting == ()
    assert seating(2, [7, 9, 11]).seated == (7, 9)  # 5 sent regrets: 9 moved up


def test_a_moot_is_planned_for_a_time_to_come_somewhere() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=timezone.UTC)
    good = Plan("Moot", now + timedelta(days=1), now + timedelta(days=1, hours=2), "Hall", "", 30)
    assert check_plan(good, now)
    bad = Plan("", now - timedelta(hours=1), now - timedelta(hours=2), "", "", 0)
    codes = {r.code for r in check_plan(bad, now).reasons}
    assert codes == {
        "moot_title",
        "moot_in_past",
        "moot_ends_first",
        "moot_nowhere",
        "moot_capacity",
    }
    long = Plan("Moot", now + timedelta(hours=1), now + timedelta(days=2), "Hall", "", None)
    assert [r.code for r in check_plan(long, now).reasons] == ["moot_too_long"]
    assert phase(good.starts_at, good.ends_at, now, False) == "upcoming"
    assert phase(good.starts_at, good.ends_at, good.starts_at, False) == "live"
    assert phase(good.starts_at, good.ends_at, good.ends_at, False) == "ended"
    assert phase(good.starts_at, good.ends_at, now, True) == "cancelled"


# --- calling a moot ------------------------------------------------------------------------


def test_the_secretary_calls_a_moot_picking_the_facilitator_by_name(harmony: Harmony) -> None:
    UserFactory(display_name="Annabel")  # not in the federation: never offered
    client = client_for(harmony.secretary)
    assert "Call a moot" in _text(client.get("/assemblies/harmony-town/moots/"))
    fields = {
        "title": "Spring planning",
        "starts_at": _local(7, 19),
        "ends_at": _local(7, 21),
        "place": "Library, room 2",
        "facilitator": "Nobody-like-this",
    }
    missing = client.post("/assemblies/harmony-town/moots/new/", fields)
    assert missing.status_code == 400
    assert "Nobody taking part in the federation is called “Nobody-like-this”." in _text(missing)
    ben, cat = harmony.members[1], harmony.members[2]
    ben.display_name, cat.display_name = "Ben Ash", "Cat Ash"
    ben.save()
    cat.save()
    several = client.post("/assemblies/harmony-town/moots/new/", {**fields, "facilitator": "Ash"})
    assert "Several people match: choose one." in _text(several)
    assert f'value="{cat.public_id}"' in _text(several)
    done = client.post(
        "/assemblies/harmony-town/moots/new/",
        {**fields, "facilitator": cat.public_id, "minute_taker": "Ben"},
    )
    moot = Moot.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/moots/{moot.pk}/"
    assert (moot.facilitator, moot.minute_taker, moot.called_by) == (cat, ben, harmony.secretary)
    assert Notification.objects.get(user=cat, kind="moot_role").occasion == "facilitator"
    called = Notification.objects.filter(kind="moot_called")
    assert set(called.values_list("user__display_name", flat=True)) == {
        "Ann",
        "Ben Ash",
        "Cat Ash",
        "Dev",
    }
    assert AuditEvent.objects.filter(verb="moot.call").exists()
    page = _text(Client().get(f"/moots/{moot.pk}/"))
    assert "Spring planning" in page and "Library, room 2" in page and "Cat Ash" in page


def test_only_whom_the_protocol_names_calls_a_moot_and_bad_plans_change_nothing(
    harmony: Harmony,
) -> None:
    member = client_for(harmony.members[0])
    refused = member.get("/assemblies/harmony-town/moots/new/")
    assert refused.status_code == 403 and "Only secretaries may call a moot here." in _text(refused)
    response = client_for(harmony.secretary).post(
        "/assemblies/harmony-town/moots/new/",
        {"title": "Oops", "starts_at": _local(7, 21), "ends_at": _local(7, 19)},
    )
    page = _text(response)
    assert response.status_code == 400 and "The moot must end after it starts." in page
    assert "Give a place, an online link, or both." in page
    assert not Moot.objects.exists()


# --- the agenda ----------------------------------------------------------------------------


def test_the_agenda_takes_open_proposals_in_one_click_and_points_wait_for_the_facilitator(
    harmony: Harmony,
) -> None:
    from folkmoot.decisions.actions import check_propose, decision_context

    ann = harmony.members[0]
    proposal = check_propose(
        decision_context(ann, harmony.assembly),
        ann,
        "consensus_proposal",
        title="Plant trees in the park",
        body="Twenty oaks.",
    )
    moot = _call(harmony)
    secretary = client_for(harmony.secretary)
    page = _text(secretary.get(f"/moots/{moot.pk}/"))
    assert "Plant trees in the park" in page and "Add to the agenda" in page
    secretary.post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk})
    [point] = moot.points.all()
    assert (point.state, point.proposal, point.title) == ("accepted", proposal, proposal.title)
    twice = secretary.post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk}, follow=True)
    assert "not one of the assembly's open proposals, or it is on the agenda already" in _text(
        twice
    )

    # A member suggests a point: it waits, and the facilitator hears of it.
    client_for(ann).post(f"/moots/{moot.pk}/points/", {"title": "Tidy the shed", "minutes": 5})
    suggested = moot.points.get(title="Tidy the shed")
    assert suggested.state == "proposed"
    assert Notification.objects.filter(user=harmony.secretary, kind="moot_point").exists()
    assert "Tidy the shed" not in _text(Client().get(f"/moots/{moot.pk}/"))  # not on it yet
    # Declining needs a reason; the member reads it.
    url = f"/moots/{moot.pk}/points/{suggested.pk}/decide/"
    again = _text(secretary.post(url, {"decision": "decline"}, follow=True))
    assert "Say why: whoever added it reads the reason." in again
    secretary.post(url, {"decision": "merge", "into": point.pk})
    suggested.refresh_from_db()
    assert suggested.state == "merged" and suggested.merged_into == point
    told = Notification.objects.get(user=ann, kind="moot_point_decided")
    assert told.occasion == "merged"
    assert "was merged into another of “Spring planning”" in _text(
        client_for(ann).get("/notifications/")
    )
    # Someone who is not the facilitator decides nothing.
    other = AgendaPoint.objects.create(moot=moot, title="Bins", added_by=ann, position=9)
    client_for(harmony.members[1]).post(
        f"/moots/{moot.pk}/points/{other.pk}/decide/", {"decision": "accept"}
    )
    other.refresh_from_db()
    assert other.state == "proposed"


def test_the_facilitator_orders_the_agenda(harmony: Harmony) -> None:
    moot = _call(harmony)
    secretary = client_for(harmony.secretary)
    for title in ("First", "Second", "Third"):
        secretary.post(f"/moots/{moot.pk}/points/", {"title": title, "minutes": 20})
    third = moot.points.get(title="Third")
    secretary.post(f"/moots/{moot.pk}/points/{third.pk}/move/", {"to": "up"})
    assert [p.title for p in moot.points.filter(state="accepted")] == ["First", "Third", "Second"]
    page = _text(secretary.get(f"/moots/{moot.pk}/"))
    assert "60 minutes planned of 120." in page


# --- coming --------------------------------------------------------------------------------


def test_capacity_makes_a_waiting_list_that_moves_up_by_itself(harmony: Harmony) -> None:
    moot = _call(harmony, capacity="2")
    ann, ben, cat, _dev = harmony.members
    for person, mode in ((ann, "in_person"), (ben, "in_person"), (cat, "in_person")):
        client_for(person).post(f"/moots/{moot.pk}/register/", {"mode": mode})
    page = _text(client_for(cat).get(f"/moots/{moot.pk}/"))
    assert "You are number 1 on the waiting list" in page and "2 of 2 seats taken" in page
    # The capacity is the room's: someone coming online never waits.
    client_for(_dev).post(f"/moots/{moot.pk}/register/", {"mode": "online"})
    assert "You are coming online." in _text(client_for(_dev).get(f"/moots/{moot.pk}/"))
    client_for(ann).post(f"/moots/{moot.pk}/register/", {"mode": "regrets"})
    assert "You are coming in person." in _text(client_for(cat).get(f"/moots/{moot.pk}/"))
    assert Notification.objects.filter(user=cat, kind="moot_seat").exists()
    # Coming back after regrets goes to the end of the line.
    client_for(ann).post(f"/moots/{moot.pk}/register/", {"mode": "in_person"})
    assert "You are number 1 on the waiting list" in _text(
        client_for(ann).get(f"/moots/{moot.pk}/")
    )
    assert Registration.objects.filter(moot=moot).count() == 4


def test_a_private_moot_is_missing_to_those_who_may_not_attend(harmony: Harmony) -> None:
    moot = _call(harmony, private="on")
    outsider = UserFactory()
    assert client_for(outsider).get(f"/moots/{moot.pk}/").status_code == 404
    assert Client().get(f"/api/v1/moots/{moot.pk}").status_code == 404
    assert client_for(harmony.members[0]).get(f"/moots/{moot.pk}/").status_code == 200
    listed = _text(client_for(outsider).get("/assemblies/harmony-town/moots/"))
    assert "Spring planning" not in listed


def test_a_cancelled_moot_takes_no_one_and_tells_those_coming(harmony: Harmony) -> None:
    moot = _call(harmony)
    ann = harmony.members[0]
    client_for(ann).post(f"/moots/{moot.pk}/register/", {"mode": "in_person"})
    secretary = client_for(harmony.secretary)
    secretary.post(f"/moots/{moot.pk}/cancel/", {"reason": "The library is closed."})
    moot.refresh_from_db()
    assert moot.cancelled_at is not None
    assert "is cancelled" in _text(client_for(ann).get("/notifications/"))
    refused = client_for(harmony.members[1]).post(
        f"/moots/{moot.pk}/register/", {"mode": "online"}, follow=True
    )
    assert "The moot was cancelled." in _text(refused)


def test_the_invitation_is_an_icalendar_event_and_the_worker_reminds_those_coming(
    harmony: Harmony,
) -> None:
    moot = _call(harmony)
    ics = Client().get(f"/moots/{moot.pk}.ics").content.decode()
    assert "BEGIN:VEVENT" in ics and "Library\\, room 2" in ics and "Spring planning" in ics
    client_for(harmony.members[0]).post(f"/moots/{moot.pk}/register/", {"mode": "online"})
    assert remind(timezone.now()) == 0  # a week ahead
    the_day_before = moot.starts_at - timedelta(hours=20)
    assert remind(the_day_before) == 1
    assert remind(the_day_before) == 0  # once


# --- the API -------------------------------------------------------------------------------


def _post(url: str, body: object, who: Any) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))


def test_the_api_calls_a_moot_takes_points_and_registrations(harmony: Harmony) -> None:
    starts = timezone.now() + timedelta(days=3)
    body = {
        "title": "Budget moot",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "online_link": "https://meet.example.org/harmony-budget",
        "capacity": 1,
        "facilitator": harmony.members[0].public_id,
    }
    bad = _post(
        "/api/v1/assemblies/harmony-town/moots", {**body, "online_link": ""}, harmony.secretary
    )
    assert bad.status_code == 422
    assert [e["message"] for e in bad.json()["errors"]] == [
        "Give a place, an online link, or both."
    ]
    refused = _post("/api/v1/assemblies/harmony-town/moots", body, harmony.members[1])
    assert refused.status_code == 403
    made = _post("/api/v1/assemblies/harmony-town/moots", body, harmony.secretary)
    assert made.status_code == 201, made.content
    moot = made.json()
    assert moot["facilitator_id"] == harmony.members[0].public_id and moot["phase"] == "upcoming"
    url = f"/api/v1/moots/{moot['id']}"
    assert (
        _post(url + "/registration", {"mode": "online"}, harmony.members[2]).json()["coming"] == 1
    )
    waiting = _post(url + "/registration", {"mode": "in_person"}, harmony.members[3]).json()
    assert waiting["waiting"] == 1 and waiting["my_place_in_line"] == 1
    point = _post(url + "/points", {"title": "Reserves", "minutes": 15}, harmony.members[2])
    assert point.status_code == 201 and point.json()["state"] == "proposed"
    decided = _post(
        url + f"/points/{point.json()['id']}/decision", {"decision": "accept"}, harmony.members[0]
    )
    assert [p["state"] for p in decided.json()["agenda"]] == ["accepted"]
    assert _post(url + "/cancellation", {"reason": ""}, harmony.secretary).status_code == 403
    assert (
        _post(url + "/cancellation", {"reason": "Budget moved."}, harmony.secretary).json()["phase"]
        == "cancelled"
    )
    listed = Client().get("/api/v1/assemblies/harmony-town/moots").json()
    assert [m["title"] for m in listed] == ["Budget moot"]


def test_moots_are_in_the_assembly_feed_and_in_the_feed_of_those_coming(
    harmony: Harmony,
) -> None:
    from folkmoot.notifications.models import EmailPreference

    moot = _call(harmony)
    private = _call(harmony, title="Strategy (private)", private="on")
    assembly_feed = Client().get("/assemblies/harmony-town/decisions.ics").content.decode()
    assert "Spring planning" in assembly_feed and "Strategy (private)" not in assembly_feed
    member_feed = client_for(harmony.members[0]).get("/assemblies/harmony-town/decisions.ics")
    assert "Strategy (private)" in member_feed.content.decode()

    ann = harmony.members[0]
    client_for(ann).post(f"/moots/{moot.pk}/register/", {"mode": "online"})
    preference, _ = EmailPreference.objects.get_or_create(user=ann)
    preference.feed_key = "k" * 32
    preference.save()
    mine = Client().get(f"/me/calendar/{preference.feed_key}.ics").content.decode()
    assert "Harmony Town: Spring planning" in mine and "Strategy" not in mine
    client_for(harmony.secretary).post(f"/moots/{moot.pk}/cancel/", {"reason": "Flooded."})
    assert (
        "STATUS:CANCELLED"
        in Client().get(f"/me/calendar/{preference.feed_key}.ics").content.decode()
    )
    assert private.private


# --- what the review of the first version found --------------------------------------------


def test_a_proposal_can_still_be_added_after_an_ordinary_point(harmony: Harmony) -> None:
    from folkmoot.decisions.actions import check_propose, decision_context

    ann = harmony.members[0]
    ctx = decision_context(ann, harmony.assembly)
    proposal = check_propose(ctx, ann, "consensus_proposal", title="Bike racks", body="Ten.")
    moot = _call(harmony)
    secretary = client_for(harmony.secretary)
    secretary.post(f"/moots/{moot.pk}/points/", {"title": "Welcome", "minutes": 5})
    secretary.post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk})
    assert moot.points.filter(proposal=proposal, state="accepted").exists()


def test_the_facilitator_hears_of_every_point_and_cancelling_tells_the_moots_people(
    harmony: Harmony,
) -> None:
    ann, ben, cat, _dev = harmony.members
    moot = _call(harmony, minute_taker=ben.public_id)
    for title in ("One", "Two", "Three"):
        client_for(ann).post(f"/moots/{moot.pk}/points/", {"title": title})
    assert Notification.objects.filter(user=harmony.secretary, kind="moot_point").count() == 3
    too_long = _text(
        client_for(cat).post(
            f"/moots/{moot.pk}/points/", {"title": "x", "notes": "n" * 2001}, follow=True
        )
    )
    assert "The notes are too long: at most 2000 characters (it has 2001)." in too_long
    client_for(harmony.secretary).post(f"/moots/{moot.pk}/cancel/", {"reason": "Storm."})
    assert Notification.objects.filter(user=ben, kind="moot_changed", occasion="cancelled").exists()


def test_an_erased_account_gives_up_its_seat_to_whoever_waits(harmony: Harmony) -> None:
    from folkmoot.accounts.personal_data import do_erase_account

    moot = _call(harmony, capacity="1")
    ann, ben, _cat, _dev = harmony.members
    for person in (ann, ben):
        client_for(person).post(f"/moots/{moot.pk}/register/", {"mode": "in_person"})
    do_erase_account(user=ann)
    assert "You are coming in person." in _text(client_for(ben).get(f"/moots/{moot.pk}/"))
    assert Notification.objects.filter(user=ben, kind="moot_seat").exists()


def test_times_are_the_assemblys_and_an_api_offset_is_kept(db: None) -> None:
    from zoneinfo import ZoneInfo

    from tests.forums.conftest import build_red15m

    red = build_red15m()
    client_for(red.coordinator).post(
        "/assemblies/red15m/moots/new/",
        {
            "title": "Asamblea",
            "starts_at": "2027-03-02T19:00",
            "ends_at": "2027-03-02T21:00",
            "place": "Plaza Mayor",
        },
    )
    moot = Moot.objects.get()
    assert moot.starts_at.astimezone(ZoneInfo("Europe/Madrid")).hour == 19
    assert "times in Europe/Madrid" in _text(Client().get(f"/moots/{moot.pk}/"))
    soon = timezone.now() + timedelta(minutes=30)
    body = {
        "title": "Pronto",
        "starts_at": soon.astimezone(ZoneInfo("Pacific/Honolulu")).isoformat(),
        "ends_at": (soon + timedelta(hours=1)).astimezone(ZoneInfo("Pacific/Honolulu")).isoformat(),
        "online_link": "https://meet.example.org/x",
    }
    made = _post("/api/v1/assemblies/red15m/moots", body, red.coordinator)
    assert made.status_code == 201, made.content


def test_nobody_runs_a_moot_in_a_closed_assembly(harmony: Harmony) -> None:
    from folkmoot.federation.models import Assembly

    moot = _call(harmony)
    Assembly.objects.filter(pk=harmony.assembly.pk).update(closed_at=timezone.now())
    secretary = client_for(harmony.secretary)
    page = _text(secretary.post(f"/moots/{moot.pk}/points/", {"title": "Late"}, follow=True))
    assert "This assembly was closed on" in page and not moot.points.exists()
    secretary.post(f"/moots/{moot.pk}/cancel/", {"reason": "Closed."})
    moot.refresh_from_db()
    assert moot.cancelled_at is None
