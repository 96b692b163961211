"""Issue 10 §4, VOTE-11: a live result of a secret vote would show, ballot by ballot, how
each one went (watch the count move as the turnout figure rises). A secret vote's result
stays hidden until the close, whatever was chosen; a public vote may show it live."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.decisions.ballots import do_cast
from folkmoot.decisions.models import Eligible, Vote
from tests.decisions.conftest import Harmony, RedVoting
from tests.decisions.test_referendum_path import _propose, _support_and_approve


def _live_vote(harmony: Harmony, *, secret: bool) -> Vote:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=harmony.assembly,
        title="Which park?",
        method="star",
        options=["North", "South"],
        secret=secret,
        results_live=True,  # as a vote launched before this rule might hold
        validity={"ask_validity": False},
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    Eligible.objects.bulk_create([Eligible(vote=vote, person=p) for p in harmony.members])
    do_cast(vote=vote, person=harmony.members[0], marks="50", valid=None)
    return vote


def test_a_secret_vote_shows_no_count_before_the_close(harmony: Harmony) -> None:
    vote = _live_vote(harmony, secret=True)
    page = Client().get(f"/votes/{vote.pk}/").content.decode()
    assert "Results so far" not in page and "Results are shown when voting closes." in page
    assert Client().get(f"/api/v1/votes/{vote.pk}").json()["result"] is None


def test_a_public_vote_may_show_its_count_live(harmony: Harmony) -> None:
    vote = _live_vote(harmony, secret=False)
    page = Client().get(f"/votes/{vote.pk}/").content.decode()
    assert "Results so far" in page
    assert Client().get(f"/api/v1/votes/{vote.pk}").json()["result"]["outcome"] == "open"


def test_launching_a_secret_vote_with_live_results_is_refused(voting: RedVoting) -> None:
    proposal = _propose(voting)
    _support_and_approve(voting, proposal)
    _token, raw = do_create_api_token(user=voting.coordinators[0], name="t")
    refused = Client().post(
        f"/api/v1/proposals/{proposal.pk}/launch",
        {"days": 7, "results_live": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert refused.status_code == 403
    assert [r["code"] for r in refused.json()["reasons"]] == ["results_secret"]
    assert not Vote.objects.exists()
