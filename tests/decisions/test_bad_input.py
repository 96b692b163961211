"""Bad input on the decision pages gets a translated reason naming what is wrong, changes
nothing, and keeps what the person typed or marked; never a server error."""

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.decisions.models import BoxedBallot, Eligible, Participation, Proposal, Vote
from tests.decisions.conftest import Harmony, RedVoting


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _vote(harmony: Harmony, method: str, options: list[str], **extra: Any) -> Vote:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=harmony.assembly,
        kind="star_vote",
        title="Where do we meet?",
        method=method,
        options=options,
        secret=True,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        **extra,
    )
    Eligible.objects.bulk_create([Eligible(vote=vote, person=p) for p in harmony.members])
    return vote


def test_a_digit_that_is_no_number_is_refused_not_a_crash(harmony: Harmony) -> None:
    choice = _vote(harmony, "choice", ["Library", "Park"], validity={"ask_validity": False})
    ann = _client(harmony.members[0])
    page = ann.post(f"/votes/{choice.pk}/ballot/", {"choice": "²"})
    assert page.status_code == 400
    assert "“²” is not an option of this vote." in page.content.decode()
    approval = _vote(harmony, "approval", ["Library", "Park"], validity={"ask_validity": False})
    for bad in ("²", "9"):
        page = ann.post(f"/votes/{approval.pk}/ballot/", {"approve": ["0", bad]})
        assert page.status_code == 400
        assert f"“{bad}” is not an option of this vote." in page.content.decode()
    assert not BoxedBallot.objects.exists() and not Participation.objects.exists()


def test_a_validity_answer_other_than_valid_or_null_is_refused(harmony: Harmony) -> None:
    vote = _vote(
        harmony, "choice", ["Library", "Park"], validity={"ask_validity": True}, ask_validity=True
    )
    page = _client(harmony.members[0]).post(
        f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "yes"}
    )
    assert page.status_code == 400
    assert "Answer the validity question with valid or null." in page.content.decode()
    assert not BoxedBallot.objects.exists() and not Participation.objects.exists()


def test_a_refused_star_ballot_comes_back_with_its_scores(harmony: Harmony) -> None:
    vote = _vote(harmony, "star", ["Library", "Park", "Town hall"], validity={})
    page = _client(harmony.members[0]).post(
        f"/votes/{vote.pk}/ballot/", {"score-0": "4", "score-1": "9", "score-2": "2"}
    )
    text = page.content.decode()
    assert page.status_code == 400 and 'role="alert"' in text
    assert 'name="score-0" value="4" checked' in text
    assert 'name="score-2" value="2" checked' in text
    assert not BoxedBallot.objects.exists() and not Participation.objects.exists()


def test_an_impossible_event_date_is_named_and_nothing_is_stored(voting: RedVoting) -> None:
    for when in ("2026-13-01T10:00", "next tuesday"):
        page = _client(voting.red.citizen).post(
            f"/assemblies/{voting.assembly.slug}/decisions/new/",
            {
                "kind": "poll",
                "title": "Party?",
                "body": "A party.",
                "urgent": "1",
                "event_at": when,
            },
        )
        assert page.status_code == 400
        text = page.content.decode()
        assert "Give the date and time of the event, such as 2026-05-01 18:30." in text
        assert 'value="Party?"' in text  # what was typed stays
    assert not Proposal.objects.exists()


def test_an_api_event_without_a_time_zone_is_read_as_local_time(voting: RedVoting) -> None:
    _token, raw = do_create_api_token(user=voting.red.citizen, name="t")
    event = (timezone.localtime() + timedelta(hours=100)).replace(tzinfo=None)
    answer = Client().post(
        f"/api/v1/assemblies/{voting.assembly.slug}/proposals",
        {
            "kind": "poll",
            "title": "Party?",
            "body": "A party.",
            "urgent": True,
            "event_at": event.isoformat(),
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 403  # refused in words (more than 72 hours away), not a 500
    assert [r["code"] for r in answer.json()["reasons"]] == ["not_urgent"]


def test_the_page_keeps_the_apis_length_limits(voting: RedVoting) -> None:
    page = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "poll", "title": "Q" * 301, "body": "B" * 20_001},
    )
    text = page.content.decode()
    assert page.status_code == 400
    assert "The question is too long: at most 300 characters (it has 301)." in text
    assert "The text is too long: at most 20000 characters (it has 20001)." in text
    assert not Proposal.objects.exists()


def test_a_secret_by_default_kind_can_be_launched_public(voting: RedVoting) -> None:
    """The unticked "Secret ballot" box means public (a hidden 0 goes before it)."""
    from folkmoot.decisions.actions import do_propose
    from folkmoot.governance.presets import preset_text
    from folkmoot.governance.protocol import load_protocol
    from folkmoot.protocols.actions import do_adopt_protocol_version

    text = preset_text("red15m").replace(
        'secret: false                 # art. 10.4 "serán públicos"', "secret: true", 1
    )
    do_adopt_protocol_version(assembly=voting.assembly, document=text, actor=None)
    proposal = do_propose(
        assembly=voting.assembly,
        protocol=load_protocol(text),
        kind_key="poll",
        proposer=voting.red.citizen,
        title="Which evening?",
        body="Pick one.",
        options=["Monday", "Friday"],
        simple_question=True,
        created_at=timezone.now() - timedelta(days=6),
    )
    for person in voting.coordinators[:3]:
        _client(person).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    coordinator = _client(voting.coordinators[0])
    form = coordinator.get(f"/decisions/{proposal.pk}/").content.decode()
    assert 'name="secret" value="0"' in form and 'name="secret" value="1" checked' in form
    coordinator.post(f"/decisions/{proposal.pk}/launch/", {"days": "7", "secret": "0"})
    assert Vote.objects.get(proposal=proposal).secret is False


def test_a_proposal_whose_kind_was_amended_away_is_kept_and_cannot_move_on(
    voting: RedVoting,
) -> None:
    """PRO-3: adopting a protocol without the referendum kind keeps its proposals readable
    in the page and the API; every action on them says why it cannot be done."""
    from folkmoot.protocols.actions import do_adopt_preset

    created = _client(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "referendum", "title": "Open a library?", "body": "A public library."},
    )
    assert created.status_code == 302
    proposal = Proposal.objects.get()
    do_adopt_preset(assembly=voting.assembly, preset="harmony", actor=None)
    page = _client(voting.red.citizen).get(f"/decisions/{proposal.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "A public library." in text
    assert "This kind of decision is no longer in the protocol" in text
    acted = _client(voting.coordinators[0]).post(
        f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}, follow=True
    )
    assert "the proposal can no longer move on" in acted.content.decode()
    _token, raw = do_create_api_token(user=voting.red.citizen, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    read = Client().get(f"/api/v1/proposals/{proposal.pk}", **auth)
    assert read.status_code == 200 and read.json()["stage"] == "retired"
    listed = Client().get(f"/api/v1/assemblies/{voting.assembly.slug}/proposals", **auth)
    assert [p["stage"] for p in listed.json()] == ["retired"]
    refused = Client().post(
        f"/api/v1/proposals/{proposal.pk}/withdraw",
        {"reason": ""},
        content_type="application/json",
        **auth,
    )
    assert [r["code"] for r in refused.json()["reasons"]] == ["kind_retired"]
