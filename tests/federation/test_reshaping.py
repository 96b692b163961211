"""Issue 13, "Assemblies": moving, merging or closing an assembly is done "as the protocol
says" (Harmony: the secretary above it, or its own, proposes; the Foundational Committee's
secretary approves), from the page and the API; closing archives and never deletes (ASM-2,
MEM-2, OFF-3)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from folkmoot.agenda.items import agenda_of
from folkmoot.audit.models import AuditEvent
from folkmoot.decisions.models import Vote
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, JoinRequest, Membership, ReshapeRequest
from folkmoot.forums.actions import check_open_thread, do_open_thread, forum_context
from folkmoot.forums.models import Thread
from folkmoot.governance.presets import PRESET_DIR
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.governance.render import render_markdown
from folkmoot.governance.reshaping import ShapeFacts, check_change
from folkmoot.notifications.models import Notification
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.models import Tenure
from folkmoot.protocols.actions import do_adopt_preset
from folkmoot.refusals import Refused
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly


@dataclass
class Federation:
    root: Assembly
    committee: Assembly
    region: Assembly
    salford: Assembly  # a city with members, a secretary and a district inside it
    manchester: Assembly
    district: Assembly
    approver: Any  # the Foundational Committee's secretary
    region_secretary: Any
    city_secretary: Any  # Salford's
    member: Any  # of Salford
    participant: Any  # of the region, holding no office


@pytest.fixture
def hp(db: None) -> Federation:
    root = make_assembly("hp", title="Harmony Party", reference_prefix="HPUK")
    do_adopt_preset(assembly=root, preset="harmony", actor=None)
    committee = make_assembly("foundational-committee", parent=root, title="Foundational")
    region = make_assembly("north-west", parent=root, title="North West", assembly_type="region")
    salford = make_assembly("salford", parent=region, title="Salford", assembly_type="city")
    manchester = make_assembly(
        "manchester", parent=region, title="Manchester", assembly_type="city"
    )
    district = make_assembly(
        "salford-quays", parent=salford, title="Salford Quays", assembly_type="constituency"
    )
    names = ("Fiona", "Rhea", "Sam", "Mo", "Pat")
    approver, region_secretary, city_secretary, member, participant = (
        UserFactory(display_name=n) for n in names
    )
    for person in (approver, region_secretary, city_secretary, member, participant):
        actions.do_join(user=person, assembly=root)
    actions.do_join(user=approver, assembly=committee)
    for person in (region_secretary, participant):
        actions.do_join(user=person, assembly=region)
    for person in (city_secretary, member):
        actions.do_join(user=person, assembly=salford)
    do_appoint(assembly=committee, office_slug="secretary", holder=approver, actor=None)
    do_appoint(assembly=region, office_slug="secretary", holder=region_secretary, actor=None)
    do_appoint(assembly=salford, office_slug="secretary", holder=city_secretary, actor=None)
    return Federation(
        root,
        committee,
        region,
        salford,
        manchester,
        district,
        approver,
        region_secretary,
        city_secretary,
        member,
        participant,
    )


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _fresh(assembly: Assembly) -> Assembly:
    return Assembly.objects.get(pk=assembly.pk)


# --- the rules ---------------------------------------------------------------------------


def test_the_core_says_what_to_do_first() -> None:
    base = ShapeFacts(is_root=False, closed=False, open_children=0, open_votes=0)

    def why(kind: str, **changes: Any) -> str:
        answer = check_change(kind, ShapeFacts(**{**base.__dict__, **changes}))
        return answer.reasons[0].code if not answer else ""

    assert why("close") == ""
    assert why("close", is_root=True) == "federation_not_reshaped"
    assert why("close", closed=True) == "already_closed"
    assert why("close", open_children=2) == "open_children"
    assert why("merge", open_votes=1, target_given=True) == "open_votes"
    assert why("move", open_votes=1, target_given=True) == ""  # a move keeps its votes
    assert why("move") == "target_needed"
    assert why("merge", target_given=True, target_inside=True) == "target_inside"
    assert why("merge", target_given=True, target_elsewhere=True) == "target_elsewhere"
    assert why("merge", target_given=True, target_closed=True) == "target_closed"
    assert why("move", target_given=True, target_is_parent=True) == "already_there"
    assert why("merge", target_given=True, open_children=3) == ""  # they move with it
    assert why("split") == "unknown_change"


def test_the_protocol_names_who_proposes_and_approves_and_the_page_says_it(hp: Federation) -> None:
    text = (PRESET_DIR / "harmony.yaml").read_text()
    protocol = load_protocol(text)
    assert protocol.reshaping is not None
    assert protocol.reshaping.allows == ["move", "merge", "close"]
    rendered = render_markdown(protocol, "en")
    assert "Moving, merging and closing assemblies" in rendered
    assert "Approved by: the Secretary of the assembly “foundational-committee”" in rendered
    section = "reshaping:\n  proposers: office:secretary\n  approved_by:\n"
    assert section in text
    before, after = text.split(section)
    broken = before + section + after.replace("    office: secretary", "    office: nobody", 1)
    with pytest.raises(ProtocolInvalid) as problems:
        load_protocol(broken)
    assert "reshaping.approved_by.office" in str(problems.value.problems)


# --- merging, from the pages ---------------------------------------------------------------


def test_a_city_secretary_proposes_a_merge_with_a_preview_and_the_committee_approves_it(
    hp: Federation,
) -> None:
    applicant = UserFactory(display_name="Ann")
    actions.do_join(user=applicant, assembly=hp.root)
    hp.salford.join_policy = "approval"
    hp.salford.save()
    JoinRequest.objects.create(user=applicant, assembly=hp.salford)
    salford_since = Membership.objects.get(user=hp.member, assembly=hp.salford).started_at

    client = client_for(hp.city_secretary)
    page = _text(client.get("/assemblies/salford/"))
    assert "Move, merge or close this assembly" in page
    form = _text(client.get("/assemblies/salford/reshape/"))
    assert "The Secretary of Foundational approves it, as the protocol says." in form
    assert "Salford Quays" not in form.split('name="target"')[1].split("</select>")[0]

    why = "Two small cities share one organising team."
    choice = {"kind": "merge", "target": hp.manchester.pk, "why": why}
    preview = _text(client.post("/assemblies/salford/reshape/", {**choice, "preview": "1"}))
    assert "What happens on approval" in preview
    assert "2 people join Manchester, keeping the date they joined." in preview
    assert "These assemblies move under Manchester: Salford Quays" in preview
    assert "1 office holder leaves office." in preview
    assert "1 request to join is declined." in preview
    assert not ReshapeRequest.objects.exists()  # a preview changes nothing

    response = client.post("/assemblies/salford/reshape/", choice)
    made = ReshapeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reshaping/{made.pk}/"
    assert _fresh(hp.salford).closed_at is None  # nothing before approval
    assert "Sam proposes to merge Salford into “Manchester”." in _text(
        client_for(hp.approver).get("/notifications/")
    )
    [item] = [i for i in agenda_of(hp.approver).items if i.url == f"/reshaping/{made.pk}/"]
    assert item.summary == "Merging Salford into another assembly is proposed"
    assert "Merge Salford into Manchester" in _text(client_for(hp.approver).get("/foundings/"))
    # A second proposal for the same assembly waits for the first.
    again = _text(client.post("/assemblies/salford/reshape/", choice))
    assert "A change to this assembly is already waiting for a decision." in again

    # The proposer does not decide; the committee's secretary does.
    client.post(f"/reshaping/{made.pk}/decide/", {"decision": "approve"})
    assert _fresh(hp.salford).closed_at is None
    done = client_for(hp.approver).post(
        f"/reshaping/{made.pk}/decide/", {"decision": "approve"}, follow=True
    )
    assert "Merged: its members joined the other assembly" in _text(done)

    salford = _fresh(hp.salford)
    assert salford.closed_at is not None and salford.merged_into == hp.manchester
    moved = Membership.objects.active().get(user=hp.member, assembly=hp.manchester)
    assert moved.started_at == salford_since  # seniority is kept (MEM-3)
    assert Membership.objects.active().filter(assembly=salford).count() == 2  # the record
    assert _fresh(hp.district).parent == hp.manchester
    assert not Tenure.objects.current().filter(office__assembly=salford).exists()
    assert JoinRequest.objects.get(user=applicant).approved is False
    told = Notification.objects.filter(kind="assembly_reshaped")
    assert {(n.user.display_name, n.occasion) for n in told} == {
        ("Mo", "merge"),
        ("Ann", "merge_asked"),
    }
    assert "Salford was merged into “Manchester”: you are part of it now" in _text(
        client_for(hp.member).get("/notifications/")
    )
    assert "your request to join it is closed" in _text(
        client_for(applicant).get("/notifications/")
    )
    assert Notification.objects.get(user=hp.city_secretary, kind="reshape_decided").occasion == (
        "approved"
    )
    verbs = set(
        AuditEvent.objects.filter(verb__startswith="assembly.").values_list("verb", flat=True)
    )
    assert {"assembly.reshape_request", "assembly.merged", "assembly.merge_effects"} <= verbs

    # The archive: readable, with a note of where it went; nothing new is done in it.
    archive = _text(Client().get("/assemblies/salford/"))
    assert "Merged on" in archive and "This is its archive" in archive
    assert "Join this assembly" not in archive
    assert '/assemblies/salford/"' not in _text(Client().get("/assemblies/"))
    region_page = _text(Client().get("/assemblies/north-west/"))
    assert "Closed assemblies (archive)" in region_page and "Salford" in region_page
    assert "Salford Quays" in _text(Client().get("/assemblies/manchester/"))


def test_nothing_new_is_done_in_a_closed_assembly_and_what_it_wrote_stays(
    hp: Federation,
) -> None:
    thread = do_open_thread(
        assembly=hp.salford,
        forum_key="discussion",
        author=hp.member,
        title="Leaflets",
        tag="",
        body="Who has the leaflets?",
    )
    made = ReshapeRequest.objects.create(
        assembly=hp.salford, kind="close", why="Nobody meets any more.", proposed_by=hp.approver
    )
    from folkmoot.federation.reshaping import access_change, check_decide_change

    ctx, made = access_change(hp.approver, made.pk)
    with pytest.raises(Refused) as refused:  # its district is still open
        check_decide_change(hp.approver, ctx, made, approve=True, reason="")
    assert "Assemblies still open inside this one: 1." in refused.value.messages[0]
    hp.district.closed_at = timezone.now()
    hp.district.save()
    check_decide_change(hp.approver, ctx, made, approve=True, reason="")

    salford = _fresh(hp.salford)
    assert Thread.objects.filter(pk=thread.pk).exists()  # never deleted
    assert "Leaflets" in _text(Client().get("/assemblies/salford/forums/discussion/"))
    ctx = forum_context(hp.member, salford)
    with pytest.raises(Refused) as refused:
        check_open_thread(ctx, hp.member, "discussion", title="More", tag="", body="Hello")
    assert refused.value.messages[0].startswith("This assembly was closed on ")
    decision = actions.join_decision(UserFactory(), salford)
    assert not decision.answer.allowed
    assert decision.answer.reasons[0].code == "assembly_closed"
    response = client_for(hp.member).post("/assemblies/salford/join/", follow=True)
    assert "This assembly was closed on" in _text(response)
    # Nobody founds an assembly inside it.
    found = client_for(hp.member).get("/assemblies/salford/found/")
    assert found.status_code == 403 and "This assembly was closed on" in _text(found)
    assert "Closed on" in _text(client_for(hp.member).get("/assemblies/salford/"))


# --- moving, through the API ---------------------------------------------------------------


def _post(url: str, body: object, who: Any) -> Any:
    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(who))


def test_the_api_moves_an_assembly_after_approval_and_keeps_its_reference(
    hp: Federation,
) -> None:
    reference = hp.district.reference
    body = {"kind": "move", "target": "manchester", "why": "The ward moved to Manchester."}
    response = _post("/api/v1/assemblies/salford-quays/reshaping", body, hp.region_secretary)
    assert response.status_code == 403  # the region's secretary is not above the district
    response = _post("/api/v1/assemblies/salford-quays/reshaping", body, hp.city_secretary)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "waiting" and made["target"] == "manchester"
    assert made["proposed_by_id"] == hp.city_secretary.public_id
    assert _fresh(hp.district).parent == hp.salford

    listed = Client().get("/api/v1/reshaping", **bearer(hp.approver)).json()
    assert [m["id"] for m in listed["to_decide"]] == [made["id"]]
    assert Client().get(f"/api/v1/reshaping/{made['id']}", **bearer(hp.member)).status_code == 404

    url = f"/api/v1/reshaping/{made['id']}/decision"
    assert _post(url, {"approve": True}, hp.city_secretary).status_code == 403
    refused = _post(url, {"approve": False}, hp.approver)
    assert refused.status_code == 403 and "Say why" in refused.json()["reasons"][0]["message"]
    decided = _post(url, {"approve": True}, hp.approver)
    assert decided.status_code == 200 and decided.json()["status"] == "done"
    assert decided.json()["previous_parent"] == "salford"
    district = Assembly.objects.select_related("root").get(pk=hp.district.pk)
    assert district.parent == hp.manchester and district.reference == reference
    assert AuditEvent.objects.filter(verb="assembly.moved").exists()


def test_the_api_names_what_is_wrong_and_changes_nothing(hp: Federation) -> None:
    url = "/api/v1/assemblies/salford/reshaping"
    no_target = _post(url, {"kind": "merge", "why": "x"}, hp.city_secretary)
    assert no_target.status_code == 422
    assert no_target.json()["errors"] == [
        {
            "field": "target",
            "message": "Choose the assembly to merge it into.",
            "type": "invalid_field",
        }
    ]
    inside = _post(url, {"kind": "move", "target": "salford-quays", "why": "x"}, hp.city_secretary)
    assert inside.status_code == 422  # not among the choices offered
    unknown = _post(url, {"kind": "move", "target": "atlantis", "why": "x"}, hp.city_secretary)
    assert unknown.status_code == 422
    no_why = _post(url, {"kind": "close", "why": ""}, hp.city_secretary)
    assert no_why.status_code == 422
    open_children = _post(url, {"kind": "close", "why": "x"}, hp.city_secretary)
    assert open_children.status_code == 403
    assert "Move, merge or close them first." in open_children.json()["reasons"][0]["message"]
    root = _post("/api/v1/assemblies/hp/reshaping", {"kind": "close", "why": "x"}, hp.approver)
    assert root.status_code == 403
    assert root.json()["reasons"][0]["message"] == (
        "A federation is not moved, merged or closed from here."
    )
    # A participant holding no office is not among the proposers.
    pat = _post(
        "/api/v1/assemblies/manchester/reshaping",
        {"kind": "close", "why": "x"},
        hp.participant,
    )
    assert pat.status_code == 403 and "Only" in pat.json()["reasons"][0]["message"]
    assert not ReshapeRequest.objects.exists()


def test_open_votes_keep_an_assembly_open_and_the_approver_acts_at_once(hp: Federation) -> None:
    now = timezone.now()
    Vote.objects.create(
        assembly=hp.manchester,
        title="Venue",
        method="choice",
        options=["Hall", "Pub"],
        opens_at=now,
        closes_at=now + timedelta(days=3),
    )
    refused = _post(
        "/api/v1/assemblies/manchester/reshaping",
        {"kind": "close", "why": "Merged into the region."},
        hp.approver,
    )
    assert (
        refused.status_code == 403
        and "Votes still open in this assembly: 1." in refused.json()["reasons"][0]["message"]
    )
    Vote.objects.all().delete()
    done = _post(
        "/api/v1/assemblies/manchester/reshaping",
        {"kind": "close", "why": "Merged into the region."},
        hp.approver,
    )
    assert done.status_code == 201 and done.json()["status"] == "done"
    detail = Client().get("/api/v1/assemblies/manchester").json()
    assert detail["closed_at"] is not None and detail["merged_into"] is None
    assert Client().get("/api/v1/assemblies/north-west").json()["closed_children"] == ["manchester"]
    assert "manchester" not in [a["slug"] for a in Client().get("/api/v1/assemblies").json()]


def test_a_declined_change_tells_the_proposer_why(hp: Federation) -> None:
    client = client_for(hp.region_secretary)
    client.post(
        "/assemblies/manchester/reshape/",
        {"kind": "close", "why": "Too few members."},
    )
    made = ReshapeRequest.objects.get()
    approver = client_for(hp.approver)
    page = _text(
        approver.post(f"/reshaping/{made.pk}/decide/", {"decision": "decline"}, follow=True)
    )
    assert "Say why: the proposer reads the reason." in page
    approver.post(f"/reshaping/{made.pk}/decide/", {"decision": "decline", "reason": "Not yet."})
    assert _fresh(hp.manchester).closed_at is None
    assert "Your proposal to change Manchester was declined." in _text(
        client.get("/notifications/")
    )
    assert "Not yet." in _text(client.get(f"/reshaping/{made.pk}/"))


def test_red15m_reshapes_nothing_and_says_so(db: None) -> None:
    root = make_assembly("red", title="RED15M", reference_prefix="RED")
    do_adopt_preset(assembly=root, preset="red15m", actor=None)
    group = make_assembly("grupo", parent=root, title="Grupo")
    person = UserFactory(is_staff=True)
    page = client_for(person).get("/assemblies/grupo/reshape/")
    assert page.status_code == 403
    assert "provides for no moving, merging or closing" in _text(page)
    assert group.closed_at is None


# --- what the review of the first version found (issue 13) ---------------------------------


def _closed(assembly: Assembly) -> Assembly:
    Assembly.objects.filter(pk=assembly.pk).update(closed_at=timezone.now())
    return _fresh(assembly)


def test_no_power_is_used_and_nothing_written_is_changed_in_an_archive(hp: Federation) -> None:
    from folkmoot.decisions.actions import decision_context, withdraw_answer
    from folkmoot.decisions.models import Proposal
    from folkmoot.decisions.state import ProposalState
    from folkmoot.forums.actions import check_edit_post
    from folkmoot.moderation.actions import check_power, check_report
    from folkmoot.offices.appointments import appointment_context

    thread = do_open_thread(
        assembly=hp.salford,
        forum_key="discussion",
        author=hp.member,
        title="Leaflets",
        tag="",
        body="Who has the leaflets?",
    )
    post = thread.posts.get()
    proposal = Proposal.objects.create(
        assembly=hp.salford, kind="consensus_proposal", title="Q", body="B", proposer=hp.member
    )
    salford = _closed(hp.salford)
    secretary_ctx = forum_context(hp.city_secretary, salford)
    assert check_power(secretary_ctx, "moderate").reasons[0].code == "assembly_closed"
    member_ctx = forum_context(hp.member, salford)
    with pytest.raises(Refused):
        check_edit_post(member_ctx, hp.member, post, "discussion", body="Changed")
    with pytest.raises(Refused):
        check_report(member_ctx, hp.participant, post, "spam")
    decisions = decision_context(hp.member, salford)
    state = ProposalState("consensus", None, (), {})
    assert withdraw_answer(decisions, hp.member, proposal, state).reasons[0].code == (
        "assembly_closed"
    )
    appointing = appointment_context(salford, "secretary")
    assert appointing.may_appoint(hp.approver).reasons[0].code == "assembly_closed"
    assert not actions.may_edit_texts(UserFactory(is_staff=True), salford)
    post.refresh_from_db()
    assert post.body == "Who has the leaflets?"


def test_crossed_moves_cannot_make_a_loop(hp: Federation) -> None:
    from folkmoot.federation.reshaping import access_change, check_decide_change

    first = ReshapeRequest.objects.create(
        assembly=hp.manchester, kind="move", target=hp.salford, why="a", proposed_by=hp.approver
    )
    second = ReshapeRequest.objects.create(
        assembly=hp.salford, kind="move", target=hp.manchester, why="b", proposed_by=hp.approver
    )
    ctx, made = access_change(hp.approver, first.pk)
    check_decide_change(hp.approver, ctx, made, approve=True, reason="")
    ctx, made = access_change(hp.approver, second.pk)
    with pytest.raises(Refused) as refused:
        check_decide_change(hp.approver, ctx, made, approve=True, reason="")
    assert refused.value.codes == ["target_inside"]
    assert _fresh(hp.salford).parent == hp.region


def test_a_merge_into_a_restricted_assembly_names_it_to_nobody_else(hp: Federation) -> None:
    Assembly.objects.filter(pk=hp.manchester.pk).update(access_mode="restricted")
    done = _post(
        "/api/v1/assemblies/salford-quays/reshaping",
        {"kind": "merge", "target": "manchester", "why": "x"},
        hp.approver,
    )
    assert done.status_code == 422  # the approver does not see Manchester either
    staff = UserFactory(is_staff=True)
    actions.do_join(user=staff, assembly=hp.root)
    from folkmoot.federation.reshaping import check_propose_change, reshape_context

    check_propose_change(
        hp.approver,
        reshape_context(hp.district),
        kind="merge",
        target=_fresh(hp.manchester),
        why="One team.",
    )
    page = _text(Client().get("/assemblies/salford-quays/"))
    assert "Merged on" in page and "into another assembly." in page and "Manchester" not in page
    assert Client().get("/api/v1/assemblies/salford-quays").json()["merged_into"] is None
    assert client_for(staff).get("/api/v1/assemblies/salford-quays").json()["merged_into"] == (
        "manchester"
    )


def test_an_assembly_does_not_change_rules_under_an_open_vote(hp: Federation) -> None:
    do_adopt_preset(assembly=hp.region, preset="harmony", actor=None)  # its own version
    now = timezone.now()
    Vote.objects.create(
        assembly=hp.district,
        title="Venue",
        method="choice",
        options=["Hall", "Pub"],
        opens_at=now,
        closes_at=now + timedelta(days=3),
    )
    body = {"kind": "move", "target": "foundational-committee", "why": "x"}
    refused = _post("/api/v1/assemblies/salford-quays/reshaping", body, hp.approver)
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "rules_change_under_votes"
    Vote.objects.all().delete()
    preview = _text(
        client_for(hp.city_secretary).post(
            "/assemblies/salford-quays/reshape/",
            {"kind": "move", "target": hp.committee.pk, "why": "x", "preview": "1"},
        )
    )
    assert "It then follows the protocol" in preview and "adopted by Harmony Party" in preview


def test_a_change_the_protocol_does_not_allow_is_named_in_the_readers_words(
    hp: Federation,
) -> None:
    from folkmoot.governance.reshaping import check_kind

    protocol = load_protocol((PRESET_DIR / "harmony.yaml").read_text())
    assert protocol.reshaping is not None
    only_closing = protocol.reshaping.model_copy(update={"allows": ["close"]})
    answer = check_kind(only_closing, "merge")
    assert answer.reasons[0].render(None, "en") == (
        "The protocol does not allow this change here: merging an assembly into another."
    )


def test_a_closed_approving_assembly_approves_nothing_and_says_so(hp: Federation) -> None:
    _closed(hp.committee)
    refused = _post(
        "/api/v1/assemblies/manchester/reshaping",
        {"kind": "close", "why": "x"},
        hp.region_secretary,
    )
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "approver_missing"


def test_closing_declines_what_can_no_longer_happen_and_tells_the_proposers(
    hp: Federation,
) -> None:
    waiting = ReshapeRequest.objects.create(
        assembly=hp.district, kind="move", target=hp.manchester, why="a", proposed_by=hp.member
    )
    _post("/api/v1/assemblies/manchester/reshaping", {"kind": "close", "why": "x"}, hp.approver)
    waiting.refresh_from_db()
    assert waiting.approved is False and "“Manchester” was closed" in waiting.reason
    assert Notification.objects.get(user=hp.member, kind="reshape_decided").occasion == "declined"


def test_erasing_an_account_is_all_or_nothing(hp: Federation, monkeypatch: Any) -> None:
    from folkmoot.accounts import personal_data

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(personal_data, "record", broken)
    with pytest.raises(RuntimeError):
        personal_data.do_erase_account(user=hp.member)
    hp.member.refresh_from_db()
    assert hp.member.display_name == "Mo" and hp.member.erased_at is None
    assert Membership.objects.active().filter(user=hp.member).exists()
