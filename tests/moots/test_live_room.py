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
from django.test import Client
from django.utils import timezone

from folkmoot.governance.moots import RaisedHand, speaking_order
from folkmoot.moots.models import Attendance, Hand, Moot
from tests.conftest import client_for
from tests.decisions.conftest import Harmony, build_harmony
from tests.moots.test_moots import _call, _local


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


def test_the_api_runs_the_live_room_as_the_page_does(harmony: Harmony) -> None:
    import json

    from django.test import Client

    from tests.api.test_assemblies_api import bearer

    def post(url: str, body: object, who: Any) -> Any:
        return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))

    moot = _call(harmony)
    client_for(harmony.secretary).post(f"/moots/{moot.pk}/points/", {"title": "Budget"})
    point = moot.points.get()
    ann = harmony.members[0]
    url = f"/api/v1/moots/{moot.pk}/room"
    early = post(url + "/hand", {"kind": "new"}, ann)
    assert early.status_code == 403 and early.json()["reasons"][0]["code"] == "moot_upcoming"
    with time_machine.travel(moot.starts_at + timedelta(minutes=2), tick=False):
        assert post(url + "/point", {"point": point.pk}, ann).status_code == 403
        taken = post(url + "/point", {"point": point.pk}, harmony.secretary).json()
        assert taken["point"]["title"] == "Budget" and taken["minutes_left"] == 10
        queue = post(url + "/hand", {"kind": "direct"}, ann).json()["queue"]
        assert [(h["person_id"], h["kind"]) for h in queue] == [(ann.public_id, "direct")]
        room = post(url + "/floor", {"hand": queue[0]["id"]}, harmony.secretary).json()
        assert room["speaking"]["person_id"] == ann.public_id and room["queue"] == []
        present = post(url + "/presence", {"mode": "online"}, ann).json()["present"]
        assert present == [{"person": "Ann", "person_id": ann.public_id, "mode": "online"}]
        assert Client().get(url).json()["quorum_met"] is True


def test_a_consensus_check_in_the_room_moves_proposals_on(
    harmony: Harmony, django_capture_on_commit_callbacks: Any
) -> None:
    """The issue's bar, in part: live, one proposal reaches consensus and goes to the
    register; one is blocked, and the second block opens the STAR vote (VOTE-1)."""
    from folkmoot.decisions.actions import check_propose, decision_context
    from folkmoot.decisions.models import RegisterEntry, Vote
    from folkmoot.moots.models import ConsensusCheck

    ann, ben, cat, dev = harmony.members
    ctx = decision_context(ann, harmony.assembly)
    trees = check_propose(ctx, ann, "consensus_proposal", title="Plant trees", body="Oaks.")
    fees = check_propose(ctx, ann, "consensus_proposal", title="Raise fees", body="By 10%.")
    # Tomorrow: within the proposals' first round (Harmony: seven days each).
    moot = _call(harmony, starts_at=_local(1, 19), ends_at=_local(1, 21))
    facilitator = client_for(harmony.secretary)
    for proposal in (trees, fees):
        facilitator.post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk})
    room = f"/moots/{moot.pk}/room/"

    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        facilitator.post(room + "take-up/", {"point": "next"})
        assert "Open a consensus check on this point" in _text(facilitator.get(room))
        facilitator.post(room + "check/", {"do": "open"})
        for person in (ann, ben, cat, dev):
            client_for(person).post(room + "respond/", {"response": "agree"})
        assert "Agree 4 · Stand aside 0 · Block 0" in _text(client_for(ann).get(room))
        with django_capture_on_commit_callbacks(execute=True):
            done = _text(facilitator.post(room + "check/", {"do": "close"}, follow=True))
        assert "The check is closed: Consensus reached." in done
        entry = RegisterEntry.objects.get(proposal=trees)
        assert entry.outcome == "consensus"

        facilitator.post(room + "take-up/", {"point": "next"})
        facilitator.post(room + "check/", {"do": "open"})
        no_reason = _text(
            client_for(ben).post(room + "respond/", {"response": "block"}, follow=True)
        )
        assert "A block needs its reason." in no_reason
        client_for(ben).post(room + "respond/", {"response": "block", "reason": "Too much"})
        assert "Ben</strong>: Too much" in _text(client_for(ann).get(room))
        with django_capture_on_commit_callbacks(execute=True):
            facilitator.post(room + "check/", {"do": "close"})
        first = ConsensusCheck.objects.get(proposal=fees)
        assert first.outcome == "another_round"
        # Round 2 at once, in the same moot: blocked again, it goes to the STAR vote.
        facilitator.post(room + "check/", {"do": "open"})
        client_for(ben).post(room + "respond/", {"response": "block", "reason": "Still too much"})
        with django_capture_on_commit_callbacks(execute=True):
            facilitator.post(room + "check/", {"do": "close"})
        assert ConsensusCheck.objects.filter(proposal=fees).last().outcome == "vote"
        vote = Vote.objects.get(proposal=fees)
        assert vote.method == "star"
    assert not RegisterEntry.objects.filter(proposal=fees).exists()


def test_the_api_opens_answers_and_closes_a_consensus_check(
    harmony: Harmony, django_capture_on_commit_callbacks: Any
) -> None:
    import json

    from django.test import Client

    from folkmoot.decisions.actions import check_propose, decision_context
    from tests.api.test_assemblies_api import bearer

    def post(url: str, body: object, who: Any) -> Any:
        return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))

    ann = harmony.members[0]
    proposal = check_propose(
        decision_context(ann, harmony.assembly), ann, "consensus_proposal", title="Bins", body="B."
    )
    moot = _call(harmony, starts_at=_local(1, 19), ends_at=_local(1, 21))
    client_for(harmony.secretary).post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk})
    url = f"/api/v1/moots/{moot.pk}/room"
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        post(url + "/point", {"point": moot.points.get().pk}, harmony.secretary)
        assert post(url + "/check", {"action": "open"}, ann).status_code == 403
        assert post(url + "/check", {"action": "open"}, harmony.secretary).json()["open"]
        bad = post(url + "/response", {"response": "block"}, ann)
        assert bad.status_code == 403 and bad.json()["reasons"][0]["code"] == "block_reason"
        counted = post(url + "/response", {"response": "stand_aside"}, ann).json()
        assert counted["stand_aside"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            closed = post(url + "/check", {"action": "close"}, harmony.secretary).json()
        assert closed["open"] is False and closed["outcome"] == "reached"


def test_the_minute_taker_writes_the_minutes_of_each_point_and_nothing_is_lost(
    harmony: Harmony,
) -> None:
    from folkmoot.moots.models import MinutesRevision, PointMinutes

    ann, ben = harmony.members[0], harmony.members[1]
    moot = _call(harmony, minute_taker=ben.public_id)
    client_for(harmony.secretary).post(f"/moots/{moot.pk}/points/", {"title": "Budget"})
    point = moot.points.get()
    url = f"/moots/{moot.pk}/room/minutes/{point.pk}/"
    early = _text(client_for(ben).post(url, {"body": "Too soon"}, follow=True))
    assert "Minutes are written once the moot meets." in early
    with time_machine.travel(moot.starts_at + timedelta(minutes=3), tick=False):
        client_for(harmony.secretary).post(f"/moots/{moot.pk}/room/take-up/", {"point": "next"})
        page = _text(client_for(ben).get(f"/moots/{moot.pk}/room/"))
        assert "Minutes of “Budget” (Markdown; saved as you type)" in page
        assert "Minutes of" not in _text(client_for(ann).get(f"/moots/{moot.pk}/room/"))
        client_for(ben).post(url, {"body": "We **agree** on <script>alert(1)</script>the budget."})
        refused = client_for(ann).post(url, {"body": "Rewritten"}, HTTP_HX_REQUEST="true")
        assert refused.status_code == 400
    with time_machine.travel(moot.starts_at + timedelta(minutes=30), tick=False):
        saved = client_for(ben).post(
            url, {"body": "We agree on the budget, with one change."}, HTTP_HX_REQUEST="true"
        )
        assert saved.status_code == 204
        room = _text(client_for(ann).get(f"/moots/{moot.pk}/room/"))
        assert "We agree on the budget, with one change." in room
    minutes = PointMinutes.objects.get(point=point)
    assert [r.body for r in MinutesRevision.objects.filter(minutes=minutes)] == [
        "We **agree** on <script>alert(1)</script>the budget."
    ]
    with time_machine.travel(moot.ends_at + timedelta(minutes=5), tick=False):
        draft = client_for(ann).get(f"/moots/{moot.pk}/").content.decode()
        assert "with one change" not in draft  # a draft until published
        moot_page = client_for(ben).get(f"/moots/{moot.pk}/").content.decode()
    assert "with one change" in moot_page and "<script>alert(1)" not in moot_page


def test_published_minutes_give_each_point_its_outcome_the_register_links_them_and_deferred_points_carry_over(
    harmony: Harmony, django_capture_on_commit_callbacks: Any
) -> None:
    """The issue's first bar, its end: minutes published; the register shows the consensus
    with a link to the minutes; a deferred point goes to the next moot's draft agenda."""
    from folkmoot.decisions.actions import check_propose, decision_context
    from folkmoot.notifications.models import Notification

    ann = harmony.members[0]
    trees = check_propose(
        decision_context(ann, harmony.assembly), ann, "consensus_proposal", title="Trees", body="."
    )
    moot = _call(harmony, starts_at=_local(1, 19), ends_at=_local(1, 21))
    facilitator = client_for(harmony.secretary)
    facilitator.post(f"/moots/{moot.pk}/points/", {"proposal": trees.pk})
    facilitator.post(f"/moots/{moot.pk}/points/", {"title": "Bins"})
    room = f"/moots/{moot.pk}/room/"
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        client_for(ann).post(room + "presence/", {"mode": "in_person"})
        facilitator.post(room + "take-up/", {"point": "next"})
        facilitator.post(room + "check/", {"do": "open"})
        client_for(ann).post(room + "respond/", {"response": "agree"})
        with django_capture_on_commit_callbacks(execute=True):
            facilitator.post(room + "check/", {"do": "close"})
        client_for(harmony.secretary).post(
            f"/moots/{moot.pk}/room/minutes/{moot.points.get(title='Trees').pk}/",
            {"body": "Everyone agreed: **twenty oaks**."},
        )
        early = _text(facilitator.post(f"/moots/{moot.pk}/minutes/publish/", follow=True))
        assert "The minutes are published once it is over." in early
    assert client_for(ann).get(f"/moots/{moot.pk}/minutes/").status_code == 404  # a draft
    later = _call(harmony, title="Next moot", starts_at=_local(9, 19), ends_at=_local(9, 21))
    bins = moot.points.get(title="Bins")
    with time_machine.travel(moot.ends_at + timedelta(minutes=10), tick=False):
        draft = _text(facilitator.get(f"/moots/{moot.pk}/minutes/"))
        assert "Defer to the next moot" in draft
        facilitator.post(f"/moots/{moot.pk}/minutes/publish/", {"deferred": [bins.pk]})
        minutes = _text(client_for(ann).get(f"/moots/{moot.pk}/minutes/"))
        assert "Consensus reached" in minutes and "twenty oaks" in minutes
        assert "Deferred to the next moot" in minutes and "Next moot" in minutes
        assert "Ann (In person)" in minutes
        register = _text(Client().get("/register/"))
    assert f"/moots/{moot.pk}/minutes/" in register and "Reached at the moot" in register
    carried = later.points.get(title="Bins")
    assert carried.state == "proposed" and carried.added_by == harmony.secretary
    assert Notification.objects.filter(user=ann, kind="moot_minutes").exists()


def test_the_api_writes_and_publishes_minutes(harmony: Harmony) -> None:
    import json

    from tests.api.test_assemblies_api import bearer

    def post(url: str, body: object, who: Any) -> Any:
        return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))

    moot = _call(harmony)
    client_for(harmony.secretary).post(f"/moots/{moot.pk}/points/", {"title": "Budget"})
    point = moot.points.get()
    url = f"/api/v1/moots/{moot.pk}"
    with time_machine.travel(moot.starts_at + timedelta(minutes=5), tick=False):
        written = post(f"{url}/points/{point.pk}/minutes", {"body": "Agreed."}, harmony.secretary)
        assert written.json() == {"body": "Agreed."}
        assert (
            post(f"{url}/points/{point.pk}/minutes", {"body": "x"}, harmony.members[0]).status_code
            == 403
        )
    assert Client().get(f"{url}/minutes").status_code == 404
    with time_machine.travel(moot.ends_at + timedelta(minutes=5), tick=False):
        published = post(f"{url}/minutes/publication", {"deferred": [point.pk]}, harmony.secretary)
        assert published.status_code == 200, published.content
        assert published.json()["points"][0]["outcome"] == "deferred"
        assert Client().get(f"{url}/minutes").json()["points"][0]["minutes"] == "Agreed."


def test_a_check_closed_with_too_few_responses_leaves_the_round_running(
    harmony: Harmony, django_capture_on_commit_callbacks: Any
) -> None:
    """Closing a check cannot fail a round on numbers alone (a facilitator could otherwise
    push any proposal to a vote in seconds)."""
    from folkmoot.decisions.actions import check_propose, decision_context
    from folkmoot.decisions.models import Proposal
    from folkmoot.moots.models import ConsensusCheck

    ann = harmony.members[0]
    proposal = check_propose(
        decision_context(ann, harmony.assembly), ann, "consensus_proposal", title="Q", body="."
    )
    moot = _call(harmony, starts_at=_local(1, 19), ends_at=_local(1, 21))
    facilitator = client_for(harmony.secretary)
    facilitator.post(f"/moots/{moot.pk}/points/", {"proposal": proposal.pk})
    room = f"/moots/{moot.pk}/room/"
    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        facilitator.post(room + "take-up/", {"point": "next"})
        facilitator.post(room + "check/", {"do": "open"})
        with django_capture_on_commit_callbacks(execute=True):
            facilitator.post(room + "check/", {"do": "close"})
    assert ConsensusCheck.objects.get().outcome == "too_few"
    assert Proposal.objects.get(pk=proposal.pk).rounds_closed_early == {}
    # A check left open to the end lapses when the minutes are published.
    with time_machine.travel(moot.starts_at + timedelta(minutes=2), tick=False):
        facilitator.post(room + "check/", {"do": "open"})
    with time_machine.travel(moot.ends_at + timedelta(minutes=2), tick=False):
        facilitator.post(f"/moots/{moot.pk}/minutes/publish/")
    assert ConsensusCheck.objects.latest("pk").outcome == "lapsed"
