"""Issue 13, "Assemblies": a new assembly is proposed by whom the protocol says, with a form
for every ASM-1 field and a preview, and founded by the office it names (Harmony: the
Foundational Committee's secretary); RED15M founds none (ASM-2, MEM-2, ASM-4)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from folkmoot.agenda.items import agenda_of
from folkmoot.audit.models import AuditEvent
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, FoundingRequest, UmbrellaMembership
from folkmoot.governance.protocol import ProtocolInvalid, load_protocol
from folkmoot.governance.render import render_markdown
from folkmoot.notifications.models import Notification
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.models import Office
from folkmoot.protocols.actions import do_adopt_preset
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly


@dataclass
class Federation:
    root: Assembly
    committee: Assembly
    region: Assembly
    secretary: Any  # of the Foundational Committee: approves
    proposer: Any  # takes part in the region
    outsider: Any


@pytest.fixture
def hp(db: None) -> Federation:
    root = make_assembly("hp", title="Harmony Party", reference_prefix="HPUK")
    do_adopt_preset(assembly=root, preset="harmony", actor=None)
    committee = make_assembly("foundational-committee", parent=root, title="Foundational")
    region = make_assembly("north-west", parent=root, title="North West", assembly_type="region")
    secretary, proposer, outsider = (UserFactory(display_name=n) for n in ("Fiona", "Paul", "Olga"))
    for person in (secretary, proposer):
        actions.do_join(user=person, assembly=root)
    actions.do_join(user=proposer, assembly=region)
    actions.do_join(user=secretary, assembly=committee)
    do_appoint(assembly=committee, office_slug="secretary", holder=secretary, actor=None)
    return Federation(root, committee, region, secretary, proposer, outsider)


CITY = {
    "title": "Manchester",
    "subtitle": "The city assembly",
    "short_description": "Harmony in Manchester.",
    "description": "We meet on Thursdays.",
    "assembly_type": "city",
    "access_mode": "open",
    "join_policy": "approval",
    "min_age": "",
    "max_age": "",
    "required_attribute": "",
    "min_seniority_days": "",
}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_participant_proposes_a_city_with_a_preview_and_the_committee_founds_it(
    hp: Federation,
) -> None:
    client = client_for(hp.proposer)
    url = "/assemblies/north-west/found/"
    assert "Propose a new assembly inside this one" in _text(client.get("/assemblies/north-west/"))
    form = _text(client.get(url))
    assert "A new assembly inside North West" in form and "Foundational" in form
    preview = _text(client.post(url, {**CITY, "umbrella": hp.committee.pk, "preview": "1"}))
    assert "Preview" in preview and "The city assembly" in preview
    assert "/assemblies/manchester/" in preview and "Also a member of" in preview
    assert not FoundingRequest.objects.exists()  # a preview saves nothing

    response = client.post(url, {**CITY, "umbrella": hp.committee.pk})
    made = FoundingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/foundings/{made.pk}/"
    assert not Assembly.objects.filter(slug="manchester").exists()  # nothing before approval
    assert "Paul proposes a new assembly inside North West: “Manchester”." in _text(
        client_for(hp.secretary).get("/notifications/")
    )
    [item] = [i for i in agenda_of(hp.secretary).items if i.kind == "founding"]
    assert item.title == "Manchester" and item.url == f"/foundings/{made.pk}/"
    assert "Manchester" in _text(client_for(hp.secretary).get("/foundings/"))

    # The proposer may not decide their own proposal; the committee's secretary does.
    client.post(f"/foundings/{made.pk}/decide/", {"decision": "approve"})
    assert not Assembly.objects.filter(slug="manchester").exists()
    page = client_for(hp.secretary).post(
        f"/foundings/{made.pk}/decide/", {"decision": "approve"}, follow=True
    )
    city = Assembly.objects.get(slug="manchester")
    assert "The assembly is founded." in _text(page)
    assert (city.parent, city.root, city.assembly_type) == (hp.region, hp.root, "city")
    assert city.reference.startswith("HPUK-ASSE-") and city.reference in _text(page)
    assert city.join_policy == "approval" and city.description == "We meet on Thursdays."
    assert Office.objects.filter(assembly=city, slug="secretary").exists()  # ASM-4
    assert UmbrellaMembership.objects.filter(member=city, umbrella=hp.committee).exists()
    assert Notification.objects.get(user=hp.proposer, kind="founding_decided").occasion == (
        "approved"
    )
    assert set(
        AuditEvent.objects.filter(verb__startswith="assembly.found").values_list("verb", flat=True)
    ) == {"assembly.found_request", "assembly.found_approved"}
    # Decided once: the secretary's second click changes nothing.
    again = client_for(hp.secretary).post(
        f"/foundings/{made.pk}/decide/", {"decision": "decline", "reason": "x"}, follow=True
    )
    assert "already been decided" in _text(again)
    assert FoundingRequest.objects.get().approved is True


def test_every_bad_field_is_named_and_nothing_is_proposed(hp: Federation) -> None:
    make_assembly("taken", parent=hp.root)
    response = client_for(hp.proposer).post(
        "/assemblies/north-west/found/",
        {**CITY, "title": "", "slug": "taken", "min_age": "30", "max_age": "18"},
    )
    text = _text(response)
    assert response.status_code == 400
    assert "This field is required." in text
    assert "The address “taken” is taken: choose another." in text
    assert "The maximum age is below the minimum age." in text
    assert not FoundingRequest.objects.exists()
    federation = client_for(hp.proposer).post(
        "/assemblies/north-west/found/", {**CITY, "assembly_type": "federation"}
    )
    assert federation.status_code == 400 and not FoundingRequest.objects.exists()


def test_declining_needs_a_reason_that_the_proposer_reads(hp: Federation) -> None:
    client_for(hp.proposer).post("/assemblies/north-west/found/", CITY)
    made = FoundingRequest.objects.get()
    secretary = client_for(hp.secretary)
    no_reason = secretary.post(
        f"/foundings/{made.pk}/decide/", {"decision": "decline"}, follow=True
    )
    assert "Say why: the proposer reads the reason." in _text(no_reason)
    secretary.post(
        f"/foundings/{made.pk}/decide/",
        {"decision": "decline", "reason": "Manchester already has one."},
    )
    page = _text(client_for(hp.proposer).get(f"/foundings/{made.pk}/"))
    assert "Declined by Fiona" in page and "Manchester already has one." in page
    assert "was declined" in _text(client_for(hp.proposer).get("/notifications/"))
    assert not Assembly.objects.filter(slug="manchester").exists()
    # Someone else reads nothing of it.
    assert client_for(hp.outsider).get(f"/foundings/{made.pk}/").status_code == 404


def test_the_approving_office_founds_at_once_what_it_proposes(hp: Federation) -> None:
    response = client_for(hp.secretary).post("/assemblies/foundational-committee/found/", CITY)
    city = Assembly.objects.get(slug="manchester")
    assert response["Location"] == "/assemblies/manchester/"
    assert city.parent == hp.committee and FoundingRequest.objects.get().approved is True


def test_red15m_founds_no_assemblies_on_the_page_or_through_the_api(db: None) -> None:
    red = make_assembly("red15m", reference_prefix="RED15M")
    do_adopt_preset(assembly=red, preset="red15m", actor=None)
    citizen = UserFactory()
    actions.do_join(user=citizen, assembly=red)
    assert "Propose a new assembly" not in _text(client_for(citizen).get("/assemblies/red15m/"))
    page = client_for(citizen).get("/assemblies/red15m/found/")
    assert page.status_code == 403
    assert "provides for no new assemblies below it" in _text(page)
    api = Client().post(
        "/api/v1/assemblies/red15m/foundings",
        json.dumps({"title": "Sub", "assembly_type": "city"}),
        content_type="application/json",
        **bearer(citizen),
    )
    assert api.status_code == 403 and api.json()["reasons"][0]["code"] == "no_founding"


def test_only_those_taking_part_propose(hp: Federation) -> None:
    page = client_for(hp.outsider).get("/assemblies/north-west/found/")
    assert page.status_code == 403 and "may propose a new assembly here" in _text(page)


def test_the_api_proposes_names_bad_fields_and_decides(hp: Federation) -> None:
    def call(person: Any, url: str, body: dict[str, Any]) -> Any:
        return Client().post(
            url, json.dumps(body), content_type="application/json", **bearer(person)
        )

    bad = call(
        hp.proposer,
        "/api/v1/assemblies/north-west/foundings",
        {
            "title": "Leeds",
            "assembly_type": "city",
            "umbrella": "nowhere",
            "min_age": 40,
            "max_age": 20,
        },
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"umbrella", "max_age"} <= fields
    assert not FoundingRequest.objects.exists()

    made = call(
        hp.proposer,
        "/api/v1/assemblies/north-west/foundings",
        {"title": "Leeds", "assembly_type": "city", "umbrella": "foundational-committee"},
    )
    assert made.status_code == 201
    body = made.json()
    assert body["status"] == "waiting" and body["proposal"]["slug"] == "leeds"
    waiting = Client().get("/api/v1/foundings", **bearer(hp.secretary)).json()
    assert [m["id"] for m in waiting["to_decide"]] == [body["id"]]
    refused = call(hp.proposer, f"/api/v1/foundings/{body['id']}/decision", {"approve": True})
    assert refused.status_code == 403
    done = call(hp.secretary, f"/api/v1/foundings/{body['id']}/decision", {"approve": True})
    assert done.status_code == 200
    assert done.json()["status"] == "founded" and done.json()["assembly"] == "leeds"
    assert done.json()["reference"].startswith("HPUK-ASSE-")
    assert Client().get("/api/v1/foundings", **bearer(hp.secretary)).json()["to_decide"] == []


def test_the_protocol_checks_and_states_its_founding_rule() -> None:
    from folkmoot.governance.presets import preset_text

    text = preset_text("harmony").replace(
        "  approved_by:\n    assembly: foundational-committee\n    office: secretary",
        "  approved_by:\n    assembly: foundational-committee\n    office: treasurer",
    )
    with pytest.raises(ProtocolInvalid) as invalid:
        load_protocol(text)
    assert any(p.path == "founding.approved_by.office" for p in invalid.value.problems)
    rendered = render_markdown(load_protocol(preset_text("harmony")), "en")
    assert "## New assemblies" in rendered
    assert "Approved by: the Secretary of the assembly “foundational-committee”" in rendered
