"""Issue 11 ("speed that holds as the federation grows"): a ballot through the API reads and
writes only what its rules need, and none of the rules gives way: the electorate fixed at
the opening (VOTE-5), sanctions (SAN-6), "still open" under the vote row's hold, the box and
its codes (issue 10, docs/secrecy.md), the audit row."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.accounts.models import ApiToken
from folkmoot.audit.models import AuditEvent
from folkmoot.decisions import ballots
from folkmoot.decisions.models import BoxedBallot, Eligible, Participation, Vote, VoteResult
from folkmoot.decisions.settle import settle_vote
from folkmoot.protocols import selectors
from folkmoot.refusals import Refused
from tests.decisions.conftest import RedVoting

BALLOT_STATEMENTS = 9


def _vote(voting: RedVoting, **extra: Any) -> Vote:
    """An open secret STAR vote of RED15M whose electorate holds everyone but the
    participant, the sanctioned member included (sanctioned after the opening)."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "assembly": voting.assembly,
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
    red = voting.red
    electorate = {*voting.coordinators, *voting.citizens, red.drafter, red.sanctioned}
    Eligible.objects.bulk_create([Eligible(vote=vote, person=p) for p in electorate])
    return vote


class Caller:
    """A member's API client with its bearer token."""

    def __init__(self, user: Any) -> None:
        self.user = user
        _token, raw = do_create_api_token(user=user, name="ballots")
        self.headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        self.client = Client()

    def ballot(self, vote: Vote, body: dict[str, Any]) -> Any:
        return self.client.post(
            f"/api/v1/votes/{vote.pk}/ballot", body, content_type="application/json", **self.headers
        )

    def token(self) -> ApiToken:
        return ApiToken.objects.get(user=self.user, name="ballots")


def _listing(ctx: CaptureQueriesContext) -> str:
    return "\n".join(f"{i}. {q['sql'][:400]}" for i, q in enumerate(ctx.captured_queries, 1))


def _reasons(response: Any) -> list[str]:
    return [r["code"] for r in response.json()["reasons"]]


def test_a_first_ballot_through_the_api_takes_at_most_nine_statements(voting: RedVoting) -> None:
    """Issue 11: a first ballot of a member with a bearer token (first use of the token,
    so its `last_used_at` is written) is at most nine statements, transaction included, and
    leaves the same trace as ever: a "has voted" row, a boxed ballot with its codes, and an
    audit row saying nothing of the ballot (issue 10)."""
    vote = _vote(voting)
    ann = Caller(voting.citizens[1])
    with CaptureQueriesContext(connection) as ctx:
        cast = ann.ballot(vote, {"scores": {"Library": 5, "Park": 2}})
    assert cast.status_code == 201, cast.content
    assert len(ctx.captured_queries) <= BALLOT_STATEMENTS, _listing(ctx)
    codes = cast.json()
    assert codes["check_code"] and codes["change_code"] and codes["changed"] is False
    assert Participation.objects.filter(vote=vote, person=ann.user).count() == 1
    boxed = BoxedBallot.objects.get(vote=vote)
    assert boxed.marks == "520" and boxed.check_code == codes["check_code"].replace("-", "")
    audit = AuditEvent.objects.get(verb="decision.cast")
    assert audit.actor_id == ann.user.pk and audit.data == {}


def test_the_sanctioned_and_those_outside_the_electorate_are_still_refused(
    voting: RedVoting,
) -> None:
    """SAN-6 and VOTE-5, unchanged by issue 11: a member under a sanction in force may not
    vote, nor may someone who was not in the electorate when the vote opened; neither
    leaves a trace."""
    vote = _vote(voting)
    sanctioned = Caller(voting.red.sanctioned).ballot(vote, {"scores": {"Library": 5}})
    assert sanctioned.status_code == 403 and _reasons(sanctioned) == ["sanctioned"]
    outside = Caller(voting.red.participant).ballot(vote, {"scores": {"Library": 5}})
    assert outside.status_code == 403
    assert _reasons(outside) == ["not_in_electorate_snapshot"]
    assert not Participation.objects.exists() and not BoxedBallot.objects.exists()
    # Whoever imposed the sanction is named in it too, and votes as any member.
    coordinator = Caller(voting.red.coordinator).ballot(vote, {"scores": {"Park": 5}})
    assert coordinator.status_code == 201


def test_a_changed_ballot_still_works_with_its_change_code(voting: RedVoting) -> None:
    """VOTE-11 and issue 10: the change code changes the voter's own ballot; a second
    ballot without it is refused and changes nothing."""
    vote = _vote(voting)
    ann = Caller(voting.citizens[1])
    codes = ann.ballot(vote, {"scores": {"Library": 5}}).json()
    again = ann.ballot(vote, {"scores": {"Park": 5}})
    assert _reasons(again) == ["change_code_needed"]
    changed = ann.ballot(vote, {"scores": {"Park": 5}, "change_code": codes["change_code"]})
    assert changed.status_code == 200 and changed.json()["changed"] is True
    assert BoxedBallot.objects.get().marks == "050"
    assert Participation.objects.count() == 1


def test_a_vote_closed_or_counted_after_it_was_read_refuses_the_ballot(
    voting: RedVoting,
) -> None:
    """Issue 11 keeps "still open" inside the ballot's transaction (docs/secrecy.md): a vote
    that closed after the ballot read it, or that another server (its clock ahead) has
    already counted, refuses the ballot and keeps nothing of it."""
    vote = _vote(voting)
    citizen = voting.citizens[1]
    read = Vote.objects.get(pk=vote.pk)
    assert vote.closes_at is not None
    with time_machine.travel(vote.closes_at + timedelta(seconds=1), tick=False):
        with pytest.raises(Refused) as refused:
            ballots.do_cast(vote=read, person=citizen, marks="500", valid=None)
        assert [r.code for r in refused.value.answer.reasons] == ["vote_closed"]
        settle_vote(Vote.objects.get(pk=vote.pk))
    assert VoteResult.objects.filter(vote=vote).exists()
    with pytest.raises(Refused) as refused:
        ballots.do_cast(vote=read, person=citizen, marks="500", valid=None)
    assert [r.code for r in refused.value.answer.reasons] == ["vote_closed"]
    assert not Participation.objects.exists() and not BoxedBallot.objects.exists()


def test_a_token_records_its_use_at_most_once_a_minute(voting: RedVoting) -> None:
    """Issue 11: `last_used_at` still tells the owner when a token was last used, to the
    minute, without a write on every request."""
    vote = _vote(voting)
    ann = Caller(voting.citizens[1])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ann.ballot(vote, {"scores": {"Library": 5}})
        assert ann.token().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            ann.ballot(vote, {"scores": {"Park": 5}})
        assert ann.token().last_used_at == start
        assert not [
            q for q in ctx.captured_queries if "UPDATE" in q["sql"] and "apitoken" in q["sql"]
        ]
    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        ann.ballot(vote, {"scores": {"Park": 5}})
        assert ann.token().last_used_at == later


def test_the_protocol_is_not_read_again_for_each_ballot(voting: RedVoting) -> None:
    """Issue 11: the protocol in force (tens of kilobytes of YAML) is read and parsed once
    per process and version, not on every request; the sanction check still reads it."""
    vote = _vote(voting)
    selectors.protocol_of_version.cache_clear()
    first, second = Caller(voting.red.coordinator), Caller(voting.coordinators[1])
    # Both are named in a sanction row (the coordinator imposed one): SAN-6 reads the rules.
    second_user = voting.coordinators[1]
    from folkmoot.moderation.models import Sanction

    Sanction.objects.create(
        assembly=voting.assembly,
        person=voting.red.participant,
        level="minor",
        duration=timedelta(hours=24),
        reason="Spam",
        imposed_by=second_user,
    )
    with mock.patch.object(selectors, "load_protocol", wraps=selectors.load_protocol) as load:
        assert first.ballot(vote, {"scores": {"Library": 5}}).status_code == 201
        with CaptureQueriesContext(connection) as ctx:
            assert second.ballot(vote, {"scores": {"Park": 5}}).status_code == 201
    assert load.call_count == 1
    assert not [q for q in ctx.captured_queries if '"document"' in q["sql"]], _listing(ctx)
