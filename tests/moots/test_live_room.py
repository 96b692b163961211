"""Issue 14, "During" (MEET-3), first part: in the live room the facilitator moves through the
agenda and everyone sees the current point and its time left; people raise hands (new point,
direct response, point of process) and the facilitator gives the floor, with progressive
ordering as an option; attendance is taken and the quorum shown. A sanctioned person attends
but cannot speak (SAN-6). Every act works by reloading the page."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from folkmoot.governance.moots import RaisedHand, speaking_order
from folkmoot.moots.models import Attendance, Hand, Moot
from tests.conftest import client_for
from tests.decisions.conftest import Harmony, build_harmony
from tests.moots.test_moots import _call


@pytest.fixture
def harmony(db: None) -> Harmony:
    return build_harmony()


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_process_goes_first_then_direct_responses_and_progressive_puts_newcomers_ahead() -> None:
    t = timezone.now()
    hands = [
        RaisedHand(1, 10, "new", t),
        RaisedHand(2, 11, "new", t + timedelta(seconds=1)),
        RaisedHand(3, 12, "direct", t + timedelta(seconds=2)),
        RaisedHand(4, 13, "process", t + timedelta(seconds=3)),
    ]
    plain = speaking_order(hands, progressive=False, spoken=frozenset({10}))
    assert [h.id for h in plain] == [4, 3, 1, 2]
    progressive = speaking_order(hands, progressive=True, spoken=frozenset({10}))
    assert [h.id for h in progressive] == [4, 3, 2, 1]  # 10 spoke already: 11 goes first


def test_the_facilitator_runs_the_agenda_and_the_queue_while_the_moot_meets(
    harmony: Harmony,
) -> None:
    moot = _call(harmony)
    facilitator = client_for(harmony.secretary)
    for title, minutes in (("Budget", 20), ("Trees", 15)):
        facilitator.post(f"/moots/{moot.pk}/points/", {"title": title, "minutes": minutes})
    ann, ben, cat, _dev = harmony.members
    room = f"/moots/{moot.pk}/room/"
    early = _text(client_for(ann).post(room + "hand/", {"kind": "new"}, follow=True))
    assert "The moot has not started yet." in early

    with time_machine.travel(moot.starts_at + timedelta(minutes=5), tick=False):
        page = _text(facilitator.get(room))
        assert "Next point: Budget" in page and "No point is under discussion." in page
        facilitator.post(room + "take-up/", {"point": "next"})
        for person, kind in ((ann, "new"), (ben, "new"), (cat, "process")):
            client_for(person).post(room + "hand/", {"kind": kind})
        again = _text(client_for(ann).post(room + "hand/", {"kind": "direct"}, follow=True))
        assert "Your hand is up already." in again
        seen = _text(client_for(ben).get(room))
        assert "Budget" in seen and "20 minutes left on this point." in seen
        queue = seen.split("Speakers' queue")[1]
        assert queue.index("Cat") < queue.index("Ann") < queue.index("Ben")
        assert "Give the floor" not in seen  # only the facilitator gives it
        first = Hand.objects.get(person=cat)
        facilitator.post(room + "floor/", {"hand": first.pk})
        assert "Cat has the floor." in _text(client_for(ann).get(room))
        # Ben tries to give himself the floor: refused, nothing changes.
        client_for(ben).post(room + "floor/", {"hand": Hand.objects.get(person=ben).pk})
        assert Hand.objects.get(person=ben).floor_at is None
        facilitator.post(room + "floor/", {"hand": Hand.objects.get(person=ann).pk})
        cat_hand = Hand.objects.get(pk=first.pk)
        assert cat_hand.ended_at is not None  # her turn ended when Ann got the floor

    with time_machine.travel(moot.starts_at + timedelta(minutes=30), tick=False):
        over = _text(client_for(ann).get(room))
        assert "This point is over its time." in over
        facilitator.post(room + "take-up/", {"point": "next"})
        moot.refresh_from_db()
        assert moot.current_point is not None and moot.current_point.title == "Trees"
        assert not Hand.objects.filter(moot=moot, ended_at__isnull=True).exists()
        assert Hand.objects.filter(moot=moot).count() == 3  # kept on the record

    with time_machine.travel(moot.ends_at + timedelta(minutes=1), tick=False):
        facilitator.post(room + "take-up/", {"point": ""})
        moot.refresh_from_db()
        assert moot.current_point.title == "Trees"  # over: nothing moves


def test_attendance_is_taken_and_the_quorum_shown(harmony: Harmony) -> None:
    moot = _call(harmony)
    ann, ben, _cat, _dev = harmony.members
    client_for(ben).post(f"/moots/{moot.pk}/register/", {"mode": "in_person"})
    room = f"/moots/{moot.pk}/room/"
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        client_for(ann).post(room + "presence/", {"mode": "online"})
        page = _text(client_for(harmony.secretary).get(room))
        assert "1 person present" in page and "Ann (Online)" in page
        client_for(harmony.secretary).post(
            room + "presence/", {"person": ben.public_id, "mode": "in_person"}
        )
        # Someone who neither facilitates nor takes minutes marks nobody.
        client_for(ann).post(room + "presence/", {"person": ben.public_id, "mode": "online"})
    assert dict(Attendance.objects.values_list("person__display_name", "mode")) == {
        "Ann": "online",
        "Ben": "in_person",
    }


def test_a_sanctioned_person_attends_but_does_not_speak(db: None) -> None:
    from tests.forums.conftest import build_red15m

    red = build_red15m()
    starts = timezone.localtime() + timedelta(hours=2)  # within the 24 h sanction
    client_for(red.coordinator).post(
        "/assemblies/red15m/moots/new/",
        {
            "title": "Asamblea semanal",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "online_link": "https://meet.example.org/red15m",
        },
    )
    moot = Moot.objects.get()
    room = f"/moots/{moot.pk}/room/"
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        refused = _text(
            client_for(red.sanctioned).post(room + "hand/", {"kind": "new"}, follow=True)
        )
        assert "You are sanctioned in this assembly" in refused
        assert not Hand.objects.exists()
        assert client_for(red.sanctioned).get(room).status_code == 200  # attends, reads
        client_for(red.citizen).post(room + "hand/", {"kind": "new"})
        assert Hand.objects.get().person == red.citizen


def test_the_quorum_is_the_protocols() -> None:
    from folkmoot.governance.moots import quorum
    from folkmoot.governance.presets import PRESET_DIR
    from folkmoot.governance.protocol import load_protocol

    text = (PRESET_DIR / "harmony.yaml").read_text()
    with_quorum = load_protocol(
        text.replace("  add_points: participant\n", "  add_points: participant\n  quorum: 3\n", 1)
    )
    assert not quorum(with_quorum, 2).met and quorum(with_quorum, 3).met
    assert quorum(load_protocol(text), 0).met  # none set: always met
