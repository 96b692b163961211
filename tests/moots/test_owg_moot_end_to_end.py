"""Issue 14's first bar, end to end on the demo federation: Harmony's Operational Working
Group holds a moot that decides (MEET-1, MEET-2, MEET-3, VOTE-1, ASM-5).

David, the group's elected secretary, calls a moot for two seats with two proposals on the
agenda; three members register (the third waits, then moves up when a seat is freed); a
participant adds a point, which the facilitator accepts; live, one proposal reaches consensus
and the other is blocked twice, which opens its STAR vote; the minutes are published, and
the register shows the consensus with a link to them. Pages and the API are both used, as
people would use them."""

from __future__ import annotations

import html
import io
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.decisions.models import Proposal, RegisterEntry, Vote
from folkmoot.moots.models import Moot
from folkmoot.notifications.models import Notification
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _person(name: str) -> User:
    return User.objects.get(email=f"{name}@folkmoot.example")


def _local(days: int, hour: int) -> str:
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def test_the_operational_working_group_holds_a_moot_that_decides(
    django_capture_on_commit_callbacks: Any,
) -> None:
    call_command("demo", stdout=io.StringIO())
    david, alice, carol, dan, bob, grace = (
        _person(n) for n in ("david", "alice", "carol", "dan", "bob", "grace")
    )
    secretary = client_for(david)

    # Two proposals of the group, seeking consensus (Alice proposes them, as a member).
    for title in ("Move the wiki to our own server", "Rotate the admin passwords monthly"):
        made = client_for(alice).post(
            "/assemblies/operational-working-group/decisions/new/",
            {"kind": "consensus_proposal", "title": title, "body": "As discussed in the forum."},
        )
        assert made.status_code == 302, _text(made)
    wiki = Proposal.objects.get(title__startswith="Move the wiki")
    passwords = Proposal.objects.get(title__startswith="Rotate the admin")

    # Before: the secretary calls it (two seats at the office; Grace takes the minutes).
    called = secretary.post(
        "/assemblies/operational-working-group/moots/new/",
        {
            "title": "OWG moot: infrastructure",
            "purpose": "Decide the wiki and the passwords.",
            "starts_at": _local(2, 18),
            "ends_at": _local(2, 20),
            "place": "Party office, Leeds",
            "online_link": "",
            "capacity": "2",
            "minute_taker": grace.public_id,
        },
    )
    assert called.status_code == 302, _text(called)
    moot = Moot.objects.get(title="OWG moot: infrastructure")
    assert moot.assembly.slug == "operational-working-group" and moot.facilitator == david
    for proposal in (wiki, passwords):
        secretary.post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk})

    # Three register in person; the third waits for a seat (the API, as an app would).
    for person in (alice, carol):
        client_for(person).post(f"/moots/{moot.pk}/register/", {"mode": "in_person"})
    waiting = Client().post(
        f"/api/v1/moots/{moot.pk}/registration",
        json.dumps({"mode": "in_person"}),
        content_type="application/json",
        **bearer(dan),
    )
    assert waiting.status_code == 200 and waiting.json()["my_place_in_line"] == 1
    assert "You are number 1 on the waiting list" in _text(
        client_for(dan).get(f"/moots/{moot.pk}/")
    )
    # Carol sends regrets: Dan moves up by himself, and is told.
    client_for(carol).post(f"/moots/{moot.pk}/register/", {"mode": "regrets"})
    assert "You are coming in person." in _text(client_for(dan).get(f"/moots/{moot.pk}/"))
    assert Notification.objects.filter(user=dan, kind="moot_seat").exists()

    # A participant (Bob does not vote) adds a point; the facilitator accepts it.
    client_for(bob).post(f"/moots/{moot.pk}/points/", {"title": "Backups", "minutes": 10})
    backups = moot.points.get(title="Backups")
    assert backups.state == "proposed"
    secretary.post(f"/moots/{moot.pk}/points/{backups.pk}/decide/", {"decision": "accept"})
    agenda = _text(client_for(bob).get(f"/moots/{moot.pk}/"))
    assert (
        agenda.index("Move the wiki") < agenda.index("Rotate the admin") < agenda.index("Backups")
    )

    room = f"/moots/{moot.pk}/room/"
    with time_machine.travel(moot.starts_at + timedelta(minutes=2), tick=False):
        # Attendance: people check in; the secretary marks Alice, who has not yet.
        for person in (dan, bob, grace):
            client_for(person).post(room + "presence/", {"mode": "in_person"})
        secretary.post(room + "presence/", {"mode": "in_person"})
        secretary.post(room + "presence/", {"person": alice.public_id, "mode": "in_person"})
        assert "5 people present" in _text(client_for(bob).get(room))

        # The wiki: everyone who responds agrees, and the facilitator closes the check.
        secretary.post(room + "take-up/", {"point": "next"})
        secretary.post(room + "check/", {"do": "open"})
        for person in (alice, dan, grace, david):
            client_for(person).post(room + "respond/", {"response": "agree"})
        assert "Agree 4 · Stand aside 0 · Block 0" in _text(client_for(bob).get(room))
        with django_capture_on_commit_callbacks(execute=True):
            closed = _text(secretary.post(room + "check/", {"do": "close"}, follow=True))
        assert "The check is closed: Consensus reached." in closed
        client_for(grace).post(
            f"{room}minutes/{moot.points.get(proposal=wiki).pk}/",
            {"body": "Agreed: the wiki moves **in January**."},
        )

        # The passwords: Dan blocks, twice; the second block opens the STAR vote (VOTE-1).
        secretary.post(room + "take-up/", {"point": "next"})
        for round_, reason in ((1, "Monthly is too often."), (2, "Still too often.")):
            secretary.post(room + "check/", {"do": "open"})
            client_for(dan).post(room + "respond/", {"response": "block", "reason": reason})
            client_for(alice).post(room + "respond/", {"response": "agree"})
            assert f"Dan Reyes</strong>: {reason}" in _text(client_for(bob).get(room))
            with django_capture_on_commit_callbacks(execute=True):
                secretary.post(room + "check/", {"do": "close"})
            if round_ == 1:
                assert not Vote.objects.filter(proposal=passwords).exists()
        vote = Vote.objects.get(proposal=passwords)
        assert vote.method == "star"

    # After: the facilitator publishes the minutes; those present are told.
    with time_machine.travel(moot.ends_at + timedelta(minutes=15), tick=False):
        published = secretary.post(f"/moots/{moot.pk}/minutes/publish/", follow=True)
        assert published.status_code == 200
        minutes = _text(Client().get(f"/moots/{moot.pk}/minutes/"))
        register = _text(Client().get("/register/"))
    assert "Alice Moreno (In person)" in minutes and "Dan Reyes (In person)" in minutes
    assert (
        "Consensus reached" in minutes and "the wiki moves <strong>in January</strong>" in minutes
    )
    assert "Sent to a vote" in minutes
    assert Notification.objects.filter(user=bob, kind="moot_minutes").exists()
    entry = RegisterEntry.objects.get(proposal=wiki)
    assert entry.outcome == "consensus"
    assert not RegisterEntry.objects.filter(proposal=passwords).exists()
    row = register[register.index("Move the wiki") :][:600]
    assert f"/moots/{moot.pk}/minutes/" in row and "Reached at the moot" in row
