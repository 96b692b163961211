"""Fractal roll-up (BEY-4): a child assembly's decision goes before its parent, to be ratified
or decided there by the parent's own protocol; the consensus register shows where it went."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.accounts.models import User
from folkmoot.decisions.actions import do_propose
from folkmoot.decisions.models import Proposal, RegisterEntry
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly
from folkmoot.governance.presets import preset_text
from folkmoot.governance.protocol import load_protocol
from folkmoot.protocols.actions import do_adopt_preset
from tests.decisions.conftest import Harmony, RedVoting
from tests.factories import UserFactory, make_assembly


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _api(user: object) -> dict[str, str]:
    _token, raw = do_create_api_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _child(parent: Assembly, *people: User, preset: str = "harmony") -> Assembly:
    child = make_assembly("north", parent=parent, title="Harmony North", newcomer_status="member")
    do_adopt_preset(assembly=child, preset=preset, actor=None)
    for person in people:
        actions.do_join(user=person, assembly=child)
    return child


def _decided(child: Assembly, proposer: User, *, outcome: str, kind: str) -> RegisterEntry:
    """A decision the child has already taken (its own path is tested elsewhere)."""
    protocol = load_protocol(preset_text("harmony"))
    proposal = do_propose(
        assembly=child,
        protocol=protocol,
        kind_key=kind,
        proposer=proposer,
        title="Share the van",
        body="Lend the van to the other towns.",
        options=["Every week", "Every month", "Never"],
    )
    return RegisterEntry.objects.create(
        assembly=child, proposal=proposal, title=proposal.title, kind=kind, outcome=outcome
    )


def test_a_child_consensus_is_ratified_by_the_parent(harmony: Harmony) -> None:
    ann, ben = harmony.members[:2]
    eve = UserFactory(display_name="Eve")  # a member of the child only
    child = _child(harmony.assembly, ann, ben, eve)
    start = timezone.now()
    created = _client(ann).post(
        f"/assemblies/{child.slug}/decisions/new/",
        {"kind": "consensus_proposal", "title": "Share the van", "body": "Lend it out."},
    )
    assert created.status_code == 302
    decision = Proposal.objects.get(assembly=child)
    for person in (ann, ben, eve):
        _client(person).post(f"/decisions/{decision.pk}/respond/", {"response": "agree"})

    with time_machine.travel(start + timedelta(days=7, minutes=5)):
        page = _client(ann).get(f"/decisions/{decision.pk}/").content.decode()
        assert 'data-stage="decided"' in page
        entry = RegisterEntry.objects.get(proposal=decision)
        assert "Refer to Harmony Town…" in page
        register = _client(ann).get("/register/").content.decode()
        assert f"/register/{entry.pk}/refer/" in register
        # Outside the parent, Eve may not bring it there: the parent's protocol decides.
        form = _client(eve).get(f"/register/{entry.pk}/refer/").content.decode()
        assert "does not let you propose any kind of decision there" in form
        refused = _client(eve).post(
            f"/register/{entry.pk}/refer/", {"referral": "ratify", "kind": "consensus_proposal"}
        )
        assert refused.status_code == 400
        assert not Proposal.objects.filter(assembly=harmony.assembly).exists()

        form = _client(ann).get(f"/register/{entry.pk}/refer/").content.decode()
        assert "Ratify it: confirm the decision, or not" in form
        referred = _client(ann).post(
            f"/register/{entry.pk}/refer/",
            {"referral": "ratify", "kind": "consensus_proposal", "body": ""},
            follow=True,
        )
        shown = referred.content.decode()
        assert "The decision is now before Harmony Town." in shown
        assert "This proposal asks Harmony Town to ratify a decision of Harmony North." in shown
        referral = Proposal.objects.get(assembly=harmony.assembly)
        assert (referral.refers_to_id, referral.referral) == (entry.pk, "ratify")
        assert referral.body == "Lend it out."  # the child's text when none is added
        assert "Before Harmony Town for ratification" in Client().get("/register/").content.decode()
        again = _client(ben).post(
            f"/register/{entry.pk}/refer/", {"referral": "escalate", "kind": "consensus_proposal"}
        )
        assert "This decision has already been referred to the parent assembly." in (
            again.content.decode()
        )
        assert Proposal.objects.filter(assembly=harmony.assembly).count() == 1
        for person in (harmony.secretary, *harmony.members):
            _client(person).post(f"/decisions/{referral.pk}/respond/", {"response": "agree"})

    with time_machine.travel(start + timedelta(days=14, minutes=10)):
        Client().get(f"/decisions/{referral.pk}/")  # the parent's consensus is settled
        register = Client().get("/register/").content.decode()
        assert 'data-referral-status="ratified"' in register
        assert "Ratified by Harmony Town" in register
        assert "Ratification of a decision of Harmony North" in register
        child_page = Client().get(f"/decisions/{decision.pk}/").content.decode()
        assert "Ratified by Harmony Town" in child_page
        assert (
            "Refer to Harmony Town…"
            not in _client(ann).get(f"/decisions/{decision.pk}/").content.decode()
        )


def test_escalation_through_the_api_and_every_refusal(harmony: Harmony) -> None:
    ann = harmony.members[0]
    child = _child(harmony.assembly, ann)
    tied = _decided(child, ann, outcome="tie", kind="star_vote")
    headers = _api(ann)

    def refer(entry: RegisterEntry, **body: str) -> Any:
        return Client().post(
            f"/api/v1/register/{entry.pk}/refer",
            body,
            content_type="application/json",
            **headers,
        )

    # A tie adopted nothing: it cannot be ratified, only escalated.
    no = refer(tied, referral="ratify", kind="consensus_proposal")
    assert no.status_code == 403
    assert [r["code"] for r in no.json()["reasons"]] == ["nothing_to_ratify"]
    unknown = refer(tied, referral="escalate", kind="referendum")
    assert [r["code"] for r in unknown.json()["reasons"]] == ["unknown_kind"]
    assert not Proposal.objects.filter(assembly=harmony.assembly).exists()

    up = refer(tied, referral="escalate", kind="star_vote", text="The towns should decide.")
    assert up.status_code == 201
    data = up.json()
    assert (data["assembly"], data["referral"], data["refers_to"]) == (
        harmony.assembly.slug,
        "escalate",
        tied.pk,
    )
    assert data["options"] == ["Every week", "Every month", "Never"]  # the child's question
    items = {i["id"]: i for i in Client().get("/api/v1/register").json()["items"]}
    assert items[tied.pk]["referrals"] == [
        {
            "proposal": data["id"],
            "assembly": harmony.assembly.slug,
            "referral": "escalate",
            "status": "pending",
            "text": "Escalated to Harmony Town",
        }
    ]

    # A decision of the root has nowhere to go; an election is not referred.
    root_entry = _decided(harmony.assembly, ann, outcome="carried", kind="star_vote")
    election = RegisterEntry.objects.create(
        assembly=child, title="Secretary", kind="election:secretary", outcome="decided"
    )
    assert [
        r["code"] for r in refer(root_entry, referral="ratify", kind="star_vote").json()["reasons"]
    ] == ["no_parent"]
    assert [
        r["code"] for r in refer(election, referral="bump", kind="star_vote").json()["reasons"]
    ] == ["unknown_referral", "election_not_referred"]
    anonymous = Client().post(
        f"/api/v1/register/{tied.pk}/refer",
        {"referral": "escalate", "kind": "star_vote"},
        content_type="application/json",
    )
    assert anonymous.status_code == 401
    assert Proposal.objects.filter(refers_to__isnull=False).count() == 1


def test_a_withdrawn_referral_frees_the_decision(voting: RedVoting) -> None:
    """Under a RED15M parent: the escalation is a poll of the parent, debated there; the
    proposer withdraws it and the decision may go up again."""
    citizen = voting.red.citizen
    child = _child(voting.assembly, citizen)
    entry = _decided(child, citizen, outcome="carried", kind="consensus_proposal")
    headers = _api(citizen)
    up = Client().post(
        f"/api/v1/register/{entry.pk}/refer",
        {"referral": "ratify", "kind": "poll"},
        content_type="application/json",
        **headers,
    )
    assert up.status_code == 201, up.content
    referral = up.json()
    assert referral["stage"] == "debate" and referral["options"] == ["Yes", "No"]
    Client().post(
        f"/api/v1/proposals/{referral['id']}/withdraw",
        {"reason": ""},
        content_type="application/json",
        **headers,
    )
    register = _client(citizen).get("/register/").content.decode()
    assert "Referral to Asamblea RED15M withdrawn" in register
    assert f"/register/{entry.pk}/refer/" in register
    again = _client(citizen).post(
        f"/register/{entry.pk}/refer/", {"referral": "escalate", "kind": "poll"}
    )
    assert again.status_code == 302
    assert Proposal.objects.filter(refers_to=entry, withdrawn_at__isnull=True).count() == 1


@pytest.mark.parametrize("outcome", ["not_carried", "void", "no_quorum"])
def test_the_refer_page_says_why_a_decision_cannot_be_ratified(
    harmony: Harmony, outcome: str
) -> None:
    ann = harmony.members[0]
    child = _child(harmony.assembly, ann)
    entry = _decided(child, ann, outcome=outcome, kind="star_vote")
    page = _client(ann).get(f"/register/{entry.pk}/refer/").content.decode()
    assert "Only a decision that was carried can be ratified; escalate it instead." in page
    assert 'value="escalate" checked' in page


@pytest.mark.parametrize("count", [2, 25])
def test_the_register_reads_referrals_in_bounded_queries(
    harmony: Harmony, count: int, django_assert_max_num_queries: Any
) -> None:
    ann = harmony.members[0]
    child = _child(harmony.assembly, ann)
    protocol = load_protocol(preset_text("harmony"))
    for n in range(count):
        entry = _decided(child, ann, outcome="carried", kind="star_vote")
        do_propose(
            assembly=harmony.assembly,
            protocol=protocol,
            kind_key="star_vote",
            proposer=ann,
            title=f"Share the van {n}",
            body="Ratify it.",
            options=["Yes", "No"],
            refers_to=entry,
            referral="ratify",
        )
    client = _client(ann)
    with django_assert_max_num_queries(9):
        page = client.get("/register/").content.decode()
    assert page.count("Before Harmony Town for ratification") == count


def test_a_restricted_parent_keeps_its_decisions_to_its_members(harmony: Harmony) -> None:
    """A restricted parent's verdict on a child's decision is not shown to those who cannot
    see the parent, on the page or in the API; nor may they refer anything to it."""
    from folkmoot.federation.models import AccessMode

    Assembly.objects.filter(pk=harmony.assembly.pk).update(access_mode=AccessMode.RESTRICTED)
    ann = harmony.members[0]
    outsider = UserFactory(display_name="Out")
    child = _child(harmony.assembly, ann, outsider)
    entry = _decided(child, ann, outcome="carried", kind="star_vote")
    up = Client().post(
        f"/api/v1/register/{entry.pk}/refer",
        {"referral": "ratify", "kind": "star_vote"},
        content_type="application/json",
        **_api(ann),
    )
    assert up.status_code == 201, up.content
    for reader in (Client(), _client(outsider)):
        page = reader.get("/register/").content.decode()
        assert "Share the van" in page  # the child's decision is public
        assert "Harmony Town" not in page
        items = reader.get("/api/v1/register").json()["items"]
        assert [i["referrals"] for i in items] == [[]]
    assert "Before Harmony Town for ratification" in _client(ann).get("/register/").content.decode()
    refused = Client().post(
        f"/api/v1/register/{entry.pk}/refer",
        {"referral": "escalate", "kind": "star_vote"},
        content_type="application/json",
        **_api(outsider),
    )
    assert [r["code"] for r in refused.json()["reasons"]] == ["parent_not_visible"]
