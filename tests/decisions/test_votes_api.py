"""Votes through the API (UI-5), public polls (VOTE-11), live results (VOTE-5), recounts of
the published ballots (BEY-2) and the worker (`folkmoot settle`)."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.decisions.models import (
    Ballot,
    BoxedBallot,
    Eligible,
    Participation,
    RegisterEntry,
    Vote,
    VoteResult,
)
from folkmoot.notifications.models import Notification
from tests.decisions.conftest import Harmony, RedVoting


def _api(user: object) -> dict[str, str]:
    _token, raw = do_create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(path: str, user: object, data: dict[str, Any]) -> Any:
    return Client().post(path, data, content_type="application/json", **_api(user))


def _star_vote(harmony: Harmony, **extra: Any) -> Vote:
    now = timezone.now()
    fields: dict[str, Any] = {
        "assembly": harmony.assembly,
        "kind": "star_vote",
        "title": "Where do we meet?",
        "method": "star",
        "options": ["Library", "Park", "Town hall"],
        "secret": True,
        "validity": {"ask_validity": False},
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=1),
    }
    vote = Vote.objects.create(**{**fields, **extra})
    Eligible.objects.bulk_create(
        [Eligible(vote=vote, person=p) for p in [harmony.secretary, *harmony.members]]
    )
    return vote


def test_a_star_ballot_through_the_api_and_its_refusals(harmony: Harmony) -> None:
    vote = _star_vote(harmony)
    ann = harmony.members[0]
    bad = _post(f"/api/v1/votes/{vote.pk}/ballot", ann, {"scores": {"Library": 7, "Moon": 1}})
    # Issue 10: a malformed ballot is 422 naming each field, not a 403 refusal.
    assert bad.status_code == 422
    assert {(e["field"], e["type"]) for e in bad.json()["errors"]} == {
        ("scores.Library", "ballot_bad_score"),
        ("scores.Moon", "ballot_unknown_option"),
    }
    assert not BoxedBallot.objects.exists() and not Participation.objects.exists()
    typed = _post(f"/api/v1/votes/{vote.pk}/ballot", ann, {"scores": {"Library": "five"}})
    assert typed.status_code == 422
    cast = _post(f"/api/v1/votes/{vote.pk}/ballot", ann, {"scores": {"Library": 5, "Park": 2}})
    assert cast.status_code == 201
    codes = cast.json()
    assert codes["check_code"] and codes["change_code"] and codes["changed"] is False
    assert BoxedBallot.objects.get().marks == "520"
    again = _post(f"/api/v1/votes/{vote.pk}/ballot", ann, {"scores": {"Park": 5}})
    assert [r["code"] for r in again.json()["reasons"]] == ["change_code_needed"]
    # Issue 10 §3: the public check code changes nothing, and another voter holding the
    # change code cannot use it.
    with_check = _post(
        f"/api/v1/votes/{vote.pk}/ballot",
        ann,
        {"scores": {"Park": 5}, "change_code": codes["check_code"]},
    )
    assert with_check.status_code == 403
    assert [r["code"] for r in with_check.json()["reasons"]] == ["change_code_unknown"]
    bob = harmony.members[1]
    _post(f"/api/v1/votes/{vote.pk}/ballot", bob, {"scores": {}})
    stolen = _post(
        f"/api/v1/votes/{vote.pk}/ballot",
        bob,
        {"scores": {"Park": 1}, "change_code": codes["change_code"]},
    )
    assert stolen.status_code == 403
    assert [r["code"] for r in stolen.json()["reasons"]] == ["change_code_unknown"]
    assert sorted(BoxedBallot.objects.values_list("marks", flat=True)) == ["000", "520"]
    changed = _post(
        f"/api/v1/votes/{vote.pk}/ballot",
        ann,
        {"scores": {"Park": 5}, "change_code": codes["change_code"]},
    )
    assert changed.status_code == 200 and changed.json() == {
        "changed": True,
        "check_code": "",
        "change_code": "",
    }
    assert sorted(BoxedBallot.objects.values_list("marks", flat=True)) == ["000", "050"]
    outsider = _post(
        f"/api/v1/votes/{vote.pk}/ballot",
        harmony.secretary.__class__.objects.create_user(
            email="x@example.org", password="x", display_name="X"
        ),
        {"scores": {"Park": 5}},
    )
    assert outsider.status_code == 403
    # Hidden until the close.
    shown = Client().get(f"/api/v1/votes/{vote.pk}", **_api(ann)).json()
    assert shown["result"] is None and shown["has_voted"] is True and shown["voted"] == 2
    assert Client().get(f"/api/v1/votes/{vote.pk}/ballots").status_code == 404


def test_published_ballots_recount_to_the_same_result(harmony: Harmony, tmp_path: Path) -> None:
    vote = _star_vote(harmony)
    scores = [
        {"Library": 5, "Park": 3},
        {"Park": 5, "Town hall": 4},
        {"Library": 4, "Town hall": 5},
        {"Library": 5, "Park": 1, "Town hall": 2},
        {"Park": 4, "Library": 3},
    ]
    people = [harmony.secretary, *harmony.members]
    for person, ballot in zip(people, scores, strict=True):
        assert (
            _post(f"/api/v1/votes/{vote.pk}/ballot", person, {"scores": ballot}).status_code == 201
        )
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        result = Client().get(f"/api/v1/votes/{vote.pk}").json()["result"]
        data = Client().get(f"/api/v1/votes/{vote.pk}/ballots").json()
    assert len(data["ballots"]) == 5
    path = tmp_path / "ballots.json"
    path.write_text(json.dumps(data))
    recount = subprocess.run(
        [
            sys.executable,
            "-m",
            "folkmoot.cli",
            "tally",
            str(path),
            "--method",
            "star",
            "--seed",
            data["lot_seed"],
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(recount.stdout)["winners"] == result["winners"]


def test_a_public_poll_shows_who_voted_what_and_live_results(voting: RedVoting) -> None:
    citizen = Client()
    citizen.force_login(voting.red.citizen)
    response = citizen.post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {
            "kind": "poll",
            "title": "Favourite colour?",
            "body": "Just asking.",
            "options": "Red\nBlue",
            "simple_question": "1",
        },
    )
    assert response.status_code == 302
    proposal_id = int(response.headers["Location"].strip("/").split("/")[-1])
    for coordinator in voting.coordinators[:3]:
        _post(f"/api/v1/proposals/{proposal_id}/support", coordinator, {"office": "coordinator"})
    # A simple-question poll needs no drafting (VOTE-3); the launcher shows results live.
    launched = _post(
        f"/api/v1/proposals/{proposal_id}/launch", voting.coordinators[0], {"results_live": True}
    )
    assert launched.status_code == 201, launched.content
    vote_id = launched.json()["id"]
    assert launched.json()["secret"] is False
    # Polls are platform-wide (VOTE-2): the outsider votes too.
    assert (
        _post(
            f"/api/v1/votes/{vote_id}/ballot",
            voting.red.platform,
            {"choice": "Blue", "valid": True},
        ).status_code
        == 201
    )
    assert (
        _post(
            f"/api/v1/votes/{vote_id}/ballot", voting.red.citizen, {"choice": "Red", "valid": True}
        ).status_code
        == 201
    )
    page = Client().get(f"/votes/{vote_id}/").content.decode()
    assert "Who voted what" in page and "Pat" in page and "Results so far" in page
    live = Client().get(f"/api/v1/votes/{vote_id}").json()["result"]
    assert live["outcome"] == "open" and live["explained"]["details"]["votes"] == {
        "Red": 1,
        "Blue": 1,
    }


def test_the_worker_settles_once_and_notifies(
    harmony: Harmony, django_capture_on_commit_callbacks: Any
) -> None:
    vote = _star_vote(harmony)
    _post(f"/api/v1/votes/{vote.pk}/ballot", harmony.members[0], {"scores": {"Park": 5}})
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        call_command("settle")
        # Closes within 24 h: a reminder for those who have not voted, once.
        reminded = set(
            Notification.objects.filter(kind="vote_closing", vote=vote).values_list(
                "user_id", flat=True
            )
        )
        assert harmony.members[0].pk not in reminded and harmony.members[1].pk in reminded
        call_command("settle")
        assert Notification.objects.filter(kind="vote_closing", vote=vote).count() == len(reminded)
    with (
        time_machine.travel(timezone.now() + timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("settle")
        call_command("settle")
        assert VoteResult.objects.get(vote=vote).winners == ["Park"]
        assert RegisterEntry.objects.filter(vote=vote).count() == 1
    # Notified once the result is committed, once however often the worker runs.
    assert Notification.objects.filter(kind="result", vote=vote).count() == 5


@pytest.mark.parametrize("method", ["approval", "top-n"])
def test_marked_ballots(harmony: Harmony, method: str) -> None:
    vote = _star_vote(harmony, method=method, seats=1)
    answer = _post(
        f"/api/v1/votes/{vote.pk}/ballot", harmony.members[0], {"approve": ["Park", "Library"]}
    )
    if method == "top-n":
        assert answer.status_code == 422
        assert [(e["field"], e["type"]) for e in answer.json()["errors"]] == [
            ("approve", "ballot_too_many")
        ]
    else:
        assert answer.status_code == 201
        assert BoxedBallot.objects.get().marks == "110"


def test_the_decisions_page_lists_open_votes_and_recent_results(harmony: Harmony) -> None:
    vote = _star_vote(harmony)
    page = Client().get(f"/assemblies/{harmony.assembly.slug}/decisions/").content.decode()
    assert "Voting now" in page and f'href="/votes/{vote.pk}/"' in page
    _post(f"/api/v1/votes/{vote.pk}/ballot", harmony.members[0], {"scores": {"Park": 5}})
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        page = Client().get(f"/assemblies/{harmony.assembly.slug}/decisions/").content.decode()
        assert "No vote is open." in page and "Recent results" in page


def test_a_ballot_checked_before_the_close_but_written_after_it_is_refused(
    harmony: Harmony,
) -> None:
    """The count at the close and a late ballot never both win: the ballot is re-checked
    inside its own transaction, holding the vote row the count takes (VOTE-11)."""
    from folkmoot.decisions.ballots import check_may_cast, do_cast
    from folkmoot.decisions.models import Participation
    from folkmoot.decisions.settle import settle_vote
    from folkmoot.refusals import Refused

    vote = _star_vote(harmony)
    member = harmony.members[0]
    assert check_may_cast(member, vote).allowed
    assert vote.closes_at is not None
    with time_machine.travel(vote.closes_at + timedelta(seconds=1)):
        result = settle_vote(vote)
        assert result is not None and result.ballots == 0
        with pytest.raises(Refused) as refused:
            do_cast(vote=vote, person=member, marks="500", valid=None)
    assert refused.value.codes == ["vote_closed"]
    assert not Ballot.objects.filter(vote=vote).exists()
    assert not BoxedBallot.objects.filter(vote=vote).exists()
    assert not Participation.objects.filter(vote=vote).exists()


def test_the_api_reads_the_electorate_and_who_voted_what_in_a_public_vote(
    harmony: Harmony,
) -> None:
    vote = _star_vote(harmony, secret=False)
    ann = harmony.members[0]
    assert _post(f"/api/v1/votes/{vote.pk}/ballot", ann, {"scores": {"Park": 4}}).status_code == 201
    shown = Client().get(f"/api/v1/votes/{vote.pk}").json()
    ballot = {"Library": 0, "Park": 4, "Town hall": 0}
    assert shown["public_ballots"] == [
        {"voter": "Ann", "voter_id": ann.public_id, "ballot": ballot, "valid": None}
    ]
    electorate = Client().get(f"/api/v1/votes/{vote.pk}/electorate").json()
    assert [e["person"] for e in electorate] == ["Ann", "Ben", "Cat", "Dev", "Sec"]
    secret = _star_vote(harmony)
    _post(f"/api/v1/votes/{secret.pk}/ballot", ann, {"scores": {"Park": 4}})
    assert Client().get(f"/api/v1/votes/{secret.pk}").json()["public_ballots"] == []
    # Issue 13: an erased account's public ballot stays counted and names nobody.
    from folkmoot.accounts.personal_data import do_erase_account

    do_erase_account(user=ann)
    assert Client().get(f"/api/v1/votes/{vote.pk}").json()["public_ballots"] == [
        {"voter": "a former member", "voter_id": None, "ballot": ballot, "valid": None}
    ]


@pytest.mark.parametrize("count", [2, 12])
def test_the_api_lists_proposals_in_bounded_queries(
    harmony: Harmony, count: int, django_assert_max_num_queries: Any
) -> None:
    from folkmoot.decisions.actions import do_propose
    from folkmoot.protocols.selectors import protocol_in_force

    in_force = protocol_in_force(harmony.assembly)
    assert in_force is not None
    for n in range(count):
        do_propose(
            assembly=harmony.assembly,
            protocol=in_force.protocol,
            kind_key="star_vote",
            proposer=harmony.members[0],
            title=f"Idea {n}",
            body="Text.",
            options=["A", "B"],
        )
    with django_assert_max_num_queries(20):
        listed = Client().get(f"/api/v1/assemblies/{harmony.assembly.slug}/proposals")
    assert len(listed.json()) == count


@pytest.mark.parametrize("count", [2, 12])
def test_the_api_lists_votes_in_bounded_queries(
    harmony: Harmony, count: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        _star_vote(harmony)
    ann = harmony.members[0]
    headers = _api(ann)
    with django_assert_max_num_queries(16):
        listed = Client().get(f"/api/v1/assemblies/{harmony.assembly.slug}/votes", **headers)
    rows = listed.json()
    assert len(rows) == count
    assert all(r["may_vote"] and not r["has_voted"] and r["electorate"] == 5 for r in rows)
    _post(f"/api/v1/votes/{rows[0]['id']}/ballot", ann, {"scores": {"Park": 3}})
    again = Client().get(f"/api/v1/assemblies/{harmony.assembly.slug}/votes", **headers).json()
    assert [(r["has_voted"], r["voted"]) for r in again][:2] == [(True, 1), (False, 0)]


def test_a_check_code_finds_its_ballot_through_the_api_after_the_close(harmony: Harmony) -> None:
    """BEY-2, issue 10 §3: the check code goes in the body (never the address), finds its
    ballot only once the ballots are published, and changes nothing."""
    vote = _star_vote(harmony)
    cast = _post(f"/api/v1/votes/{vote.pk}/ballot", harmony.members[0], {"scores": {"Park": 3}})
    check = cast.json()["check_code"]
    early = Client().post(
        f"/api/v1/votes/{vote.pk}/check", {"code": check}, content_type="application/json"
    )
    assert early.status_code == 403
    assert [r["code"] for r in early.json()["reasons"]] == ["not_published"]
    assert Client().get(f"/api/v1/votes/{vote.pk}/receipts/{check}").status_code == 404
    assert vote.closes_at is not None
    with time_machine.travel(vote.closes_at + timedelta(minutes=1)):
        found = Client().post(
            f"/api/v1/votes/{vote.pk}/check",
            {"code": check.lower().replace("-", "")},
            content_type="application/json",
        )
        assert found.status_code == 200
        assert found.json() == {
            "check_code": check,
            "ballot": {"Library": 0, "Park": 3, "Town hall": 0},
            "valid": None,
        }
        unknown = Client().post(
            f"/api/v1/votes/{vote.pk}/check",
            {"code": "AAAA-BBBB-CCCC"},
            content_type="application/json",
        )
        assert unknown.status_code == 404
