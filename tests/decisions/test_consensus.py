"""Harmony consensus (VOTE-1): agree, stand aside or block with a reason; a failed round opens
another ("try harder"); a second failure turns the proposal into a STAR vote with every
option gathered. And through the API (UI-5)."""

from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.decisions.models import Proposal, RegisterEntry, Vote
from folkmoot.forums.models import Thread
from tests.decisions.conftest import Harmony


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _api(user: object) -> dict[str, str]:
    _token, raw = do_create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _propose(harmony: Harmony) -> Proposal:
    ann = _client(harmony.members[0])
    response = ann.post(
        f"/assemblies/{harmony.assembly.slug}/decisions/new/",
        {
            "kind": "consensus_proposal",
            "title": "Meet on Thursdays",
            "body": "Move the weekly meeting to Thursday.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    return Proposal.objects.get()


def test_a_consensus_that_fails_twice_becomes_a_star_vote(harmony: Harmony) -> None:
    start = timezone.now()
    proposal = _propose(harmony)
    ann, ben, cat, dev = (_client(p) for p in harmony.members)
    page = ann.get(f"/decisions/{proposal.pk}/").content.decode()
    assert 'data-stage="consensus"' in page and "Round 1" in page

    # A block needs its reason; one with it is public (Harmony blocks_public).
    no_reason = ben.post(f"/decisions/{proposal.pk}/respond/", {"response": "block"}, follow=True)
    assert "A block needs its reason." in no_reason.content.decode()
    ben.post(
        f"/decisions/{proposal.pk}/respond/", {"response": "block", "reason": "I work Thursdays"}
    )
    ann.post(f"/decisions/{proposal.pk}/respond/", {"response": "agree"})
    cat.post(f"/decisions/{proposal.pk}/option/", {"label": "Meet on Wednesdays"})
    page = dev.get(f"/decisions/{proposal.pk}/").content.decode()
    # Each person's response and reason, like a Loomio proposal (Harmony: public).
    assert (
        '<strong>Ben</strong> · <span class="tag response-block">Block</span>: I work Thursdays'
        in page
    )
    assert '<strong>Ann</strong> · <span class="tag response-agree">Agree</span>' in page
    detail = Client().get(f"/api/v1/proposals/{proposal.pk}", **_api(harmony.members[3])).json()
    ben, ann = harmony.members[1], harmony.members[0]
    assert detail["consensus_rounds"][0]["responses"] == [
        {
            "person": "Ben",
            "person_id": ben.public_id,
            "response": "block",
            "reason": "I work Thursdays",
        },
        {"person": "Ann", "person_id": ann.public_id, "response": "agree", "reason": ""},
    ]
    assert "1 agree · 0 stand aside · 1 block" in page

    # Round 2 ("try harder") once round 1 is over.
    with time_machine.travel(start + timedelta(days=7, hours=1)):
        ann, ben, cat, dev = (_client(p) for p in harmony.members)
        page = ann.get(f"/decisions/{proposal.pk}/").content.decode()
        assert "No consensus in round 1: 1 block." in page
        assert "Round 2" in page and 'data-stage="consensus"' in page
        ben.post(
            f"/decisions/{proposal.pk}/respond/", {"response": "block", "reason": "Still Thursdays"}
        )
        dev.post(f"/decisions/{proposal.pk}/option/", {"label": "Meet online"})

    # After the second failure: a STAR vote with the options gathered, opened by itself.
    with time_machine.travel(start + timedelta(days=14, hours=1)):
        ann, ben, cat, dev = (_client(p) for p in harmony.members)
        page = ann.get(f"/decisions/{proposal.pk}/").content.decode()
        assert 'data-stage="voting"' in page
        vote = Vote.objects.get(proposal=proposal)
        assert vote.method == "star"
        assert set(vote.options) == {
            "Meet on Thursdays",
            "No change",
            "Meet on Wednesdays",
            "Meet online",
        }
        ballots = {
            ann: {"Meet on Thursdays": 5, "Meet on Wednesdays": 3},
            ben: {"Meet on Wednesdays": 5, "Meet online": 2},
            cat: {"Meet on Wednesdays": 5, "Meet on Thursdays": 4},
            dev: {"Meet online": 5, "Meet on Wednesdays": 4},
        }
        for client, scores in ballots.items():
            form = {f"score-{vote.options.index(name)}": str(s) for name, s in scores.items()}
            assert (
                "Your ballot is cast."
                in client.post(f"/votes/{vote.pk}/ballot/", form).content.decode()
            )

    with time_machine.travel(start + timedelta(days=21, hours=2)):
        page = Client().get(f"/votes/{vote.pk}/").content.decode()
        assert "Winners: Meet on Wednesdays" in page
        assert 'data-kind="scoring"' in page and 'data-kind="runoff"' in page
        entry = RegisterEntry.objects.get(proposal=proposal)
        assert entry.winners == ["Meet on Wednesdays"]
        # Harmony publishes decisions in Announcements.
        assert Thread.objects.filter(forum_key="announcements", title="Meet on Thursdays").exists()


def test_consensus_reached_is_registered_without_a_vote(harmony: Harmony) -> None:
    start = timezone.now()
    proposal = _propose(harmony)
    for person in harmony.members:
        _client(person).post(f"/decisions/{proposal.pk}/respond/", {"response": "agree"})
    _client(harmony.secretary).post(
        f"/decisions/{proposal.pk}/respond/", {"response": "stand_aside"}
    )
    with time_machine.travel(start + timedelta(days=7, minutes=5)):
        page = Client().get(f"/decisions/{proposal.pk}/").content.decode()
        assert 'data-stage="decided"' in page
        assert "Consensus reached in round 1: nobody blocks." in page
        assert not Vote.objects.exists()
        entry = RegisterEntry.objects.get()
        assert entry.outcome == "consensus"
        assert "consensus reached" in Client().get("/register/").content.decode()


def test_consensus_through_the_api(harmony: Harmony) -> None:
    ann = Client()
    created = ann.post(
        f"/api/v1/assemblies/{harmony.assembly.slug}/proposals",
        {"kind": "consensus_proposal", "title": "Plant trees", "body": "Ten of them."},
        content_type="application/json",
        **_api(harmony.members[0]),
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["stage"], data["consensus_round"]) == ("consensus", 1)
    bad = Client().post(
        f"/api/v1/proposals/{data['id']}/respond",
        {"response": "block"},
        content_type="application/json",
        **_api(harmony.members[1]),
    )
    assert bad.status_code == 403
    assert [r["code"] for r in bad.json()["reasons"]] == ["block_reason"]
    good = Client().post(
        f"/api/v1/proposals/{data['id']}/respond",
        {"response": "block", "reason": "Not here"},
        content_type="application/json",
        **_api(harmony.members[1]),
    )
    assert good.status_code == 200
    unknown = Client().post(
        f"/api/v1/proposals/{data['id']}/respond",
        {"response": "maybe"},
        content_type="application/json",
        **_api(harmony.members[1]),
    )
    assert unknown.status_code == 422
    launch = Client().post(
        f"/api/v1/proposals/{data['id']}/launch",
        {},
        content_type="application/json",
        **_api(harmony.secretary),
    )
    assert launch.status_code == 403
    assert "consensus_first" in [r["code"] for r in launch.json()["reasons"]]
    # What the page shows, the API reads: the rounds, the public block and its reason, and
    # the options gathered.
    Client().post(
        f"/api/v1/proposals/{data['id']}/options",
        {"label": "Plant fruit trees"},
        content_type="application/json",
        **_api(harmony.members[2]),
    )
    read = Client().get(f"/api/v1/proposals/{data['id']}").json()
    assert read["gathered_options"] == ["Plant fruit trees"]
    ben = next(m.public_id for m in harmony.members if m.display_name == "Ben")
    assert read["consensus_rounds"] == [
        {
            "number": 1,
            "outcome": "",
            "agree": 0,
            "stand_aside": 0,
            "block": 1,
            "blocks": [{"person": "Ben", "person_id": ben, "reason": "Not here"}],
            "responses": [
                {"person": "Ben", "person_id": ben, "response": "block", "reason": "Not here"}
            ],
        }
    ]


def test_who_blocks_stays_hidden_where_the_protocol_hides_blocks(harmony: Harmony) -> None:
    """VOTE-1: `blocks_public: false` hides who blocked even where responses are shown, and
    a protocol that says nothing of `responses_public` shows them as openly as its blocks."""
    from dataclasses import replace

    from folkmoot.decisions.actions import decision_context, state_of
    from folkmoot.decisions.selectors import consensus_view

    proposal = _propose(harmony)
    ann, ben = (_client(p) for p in harmony.members[:2])
    ben.post(f"/decisions/{proposal.pk}/respond/", {"response": "block", "reason": "No"})
    ann.post(f"/decisions/{proposal.pk}/respond/", {"response": "agree", "reason": "Yes"})
    ctx = decision_context(None, harmony.assembly)
    kind = ctx.protocol.decision_kinds[proposal.kind]
    assert kind.consensus is not None

    def view(**rules: object) -> dict:  # type: ignore[type-arg]
        consensus = kind.consensus.model_copy(update=rules)  # type: ignore[union-attr]
        kinds = {
            **ctx.protocol.decision_kinds,
            proposal.kind: kind.model_copy(update={"consensus": consensus}),
        }
        changed = replace(ctx, protocol=ctx.protocol.model_copy(update={"decision_kinds": kinds}))
        shown = consensus_view(changed, proposal, state_of(changed, proposal), None)
        assert shown is not None
        return shown

    hidden = view(blocks_public=False)
    assert hidden["responses_public"] is False
    opened = view(blocks_public=False, responses_public=True)
    assert [r.response for r in opened["rounds"][0]["responses"]] == ["agree"]
    public = view(blocks_public=True)
    assert {r.response for r in public["rounds"][0]["responses"]} == {"agree", "block"}


def test_the_protocol_page_says_responses_are_public(harmony: Harmony) -> None:
    """BEY-1: what the protocol page promises is what the proposal page does."""
    page = Client().get(f"/assemblies/{harmony.assembly.slug}/protocol/").content.decode()
    assert "Each response and its reason are public" in page
