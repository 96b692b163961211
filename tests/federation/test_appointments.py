"""Issue 13, "Offices": seed 002's "secretary elected?" drives the protocol. Where it is "no",
the general secretaries appoint the secretary, with a person picker, for a term or until
replaced; where it is "yes", there are elections. One page never says "not elected" while
another announces the next election (ASM-4, OFF-1, OFF-3, OFF-6)."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.audit.models import AuditEvent
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly
from folkmoot.notifications.models import Notification
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.models import Tenure
from folkmoot.protocols.actions import do_adopt_preset
from folkmoot.protocols.facts import viewer_for
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory, make_assembly


@dataclass
class Harmony:
    root: Assembly
    resolutions: Assembly  # secretary not elected
    owg: Assembly  # secretary elected
    general: Any  # general secretary: appoints
    alice: Any
    bob: Any
    stranger: Any  # takes no part in the federation


@pytest.fixture
def hp(db: None) -> Harmony:
    root = make_assembly("hp", title="Harmony Party", reference_prefix="HPUK")
    do_adopt_preset(assembly=root, preset="harmony", actor=None)
    resolutions = make_assembly(
        "committee-for-resolutions", parent=root, title="Resolutions", secretary_elected=False
    )
    owg = make_assembly("owg", parent=root, title="Working Group", secretary_elected=True)
    general, alice, bob, stranger = (
        UserFactory(display_name=n) for n in ("Grace", "Alice Moreno", "Bob", "Sam")
    )
    for person in (general, alice, bob):
        actions.do_join(user=person, assembly=root)
        actions.do_join(user=person, assembly=owg)
    do_appoint(assembly=root, office_slug="secretary", holder=general, actor=None)
    return Harmony(root, resolutions, owg, general, alice, bob, stranger)


def _page(person: Any, url: str) -> str:
    return html.unescape(client_for(person).get(url).content.decode())


def test_an_appointed_secretary_has_no_election_and_an_elected_one_has(hp: Harmony) -> None:
    appointed = _page(hp.alice, "/assemblies/committee-for-resolutions/offices/")
    assert "Not elected here: the Secretary of Harmony Party appoints to it." in appointed
    assert "Next election" not in appointed and "Stand for this office" not in appointed
    assert "The secretary is not elected." in _page(
        hp.alice, "/assemblies/committee-for-resolutions/"
    )
    elected = _page(hp.alice, "/assemblies/owg/offices/")
    # Elected here, and its seat vacant: a by-election comes before the yearly election.
    assert "By-election for the vacant seat" in elected and "Not elected here" not in elected
    assert "Stand for this office" in elected
    api = Client().get("/api/v1/assemblies/committee-for-resolutions/offices").json()
    secretary = next(o for o in api if o["key"] == "secretary")
    assert secretary["elected"] is False and secretary["election"] is None
    assert secretary["appointed_by"] == "hp"
    # Nobody stands for an appointed office, through the page or the API.
    refused = Client().post(
        "/api/v1/assemblies/committee-for-resolutions/offices/secretary/candidacies",
        json.dumps({}),
        content_type="application/json",
        **bearer(hp.alice),
    )
    assert refused.status_code == 403 and "appointed here" in refused.json()["detail"]


def test_the_general_secretary_picks_a_person_by_name_and_appoints_them_for_a_term(
    hp: Harmony,
) -> None:
    url = "/assemblies/committee-for-resolutions/offices/"
    assert "Appoint someone" not in _page(hp.alice, url)  # only the appointing office
    picker = _page(hp.general, f"{url}?office=secretary&find=alic")
    assert "Alice Moreno" in picker and "Sam" not in picker
    assert "Nobody taking part in the federation has that name." in _page(
        hp.general,
        f"{url}?office=secretary&find=sam",  # Sam takes no part in Harmony
    )
    last_day = timezone.localdate() + timedelta(days=30)
    response = client_for(hp.general).post(
        f"{url}secretary/appoint/",
        {"person": hp.alice.public_id, "until": last_day.isoformat()},
        follow=True,
    )
    assert "Alice Moreno is appointed." in html.unescape(response.content.decode())
    tenure = Tenure.objects.get(holder=hp.alice, office__assembly=hp.resolutions)
    assert tenure.appointed_by == hp.general
    assert timezone.localtime(tenure.until).date() == last_day + timedelta(days=1)
    assert "secretary" in viewer_for(hp.alice, hp.resolutions).offices
    assert Notification.objects.filter(user=hp.alice, kind="appointed").exists()
    assert AuditEvent.objects.filter(verb="office.appoint", actor=hp.general).exists()
    page = _page(hp.alice, url)
    assert "Alice Moreno" in page and "until" in page
    # The term ends by itself: the day after its last day she no longer holds it.
    with time_machine.travel(timezone.now() + timedelta(days=32)):
        assert "secretary" not in viewer_for(hp.alice, hp.resolutions).offices
        assert "Alice Moreno" not in _page(hp.bob, url)


def test_a_full_office_needs_whom_the_new_holder_replaces(hp: Harmony) -> None:
    url = "/assemblies/committee-for-resolutions/offices/secretary/appoint/"
    general = client_for(hp.general)
    general.post(url, {"person": hp.alice.public_id, "until_replaced": "1"})
    alice = Tenure.objects.get(holder=hp.alice, ended_at__isnull=True)
    assert alice.until is None
    full = general.post(url, {"person": hp.bob.public_id}, follow=True)
    assert "choose whom the new holder replaces" in html.unescape(full.content.decode())
    general.post(url, {"person": hp.bob.public_id, "replacing": alice.pk})
    alice.refresh_from_db()
    assert alice.ended_at is not None
    # A second replacement of the same holder (a double click, or another secretary at
    # once) finds her gone and appoints nobody.
    stranger = UserFactory(display_name="Carla")
    actions.do_join(user=stranger, assembly=hp.root)
    again = general.post(url, {"person": stranger.public_id, "replacing": alice.pk}, follow=True)
    assert not Tenure.objects.filter(holder=stranger).exists()
    assert again.status_code in (200, 404)
    assert Tenure.objects.in_office(timezone.now()).filter(holder=hp.bob).exists()
    assert Notification.objects.filter(user=hp.alice, kind="appointment_ended").exists()


def test_bad_appointments_change_nothing_and_say_why(hp: Harmony) -> None:
    url = "/assemblies/committee-for-resolutions/offices/secretary/appoint/"

    def refused(person: Any, data: dict[str, str]) -> str:
        text = client_for(person).post(url, data, follow=True).content.decode()
        return html.unescape(text)

    assert "Only the office the protocol names appoints to this one." in refused(
        hp.alice, {"person": hp.bob.public_id}
    )
    assert "Only someone who takes part in the federation can be appointed." in refused(
        hp.general, {"person": hp.stranger.public_id}
    )
    assert "Choose the person to appoint." in refused(hp.general, {"person": "nobody"})
    assert "Give the last day of the term as a date." in refused(
        hp.general, {"person": hp.bob.public_id, "until": "2026-02-30"}
    )
    assert "cannot be in the past" in refused(
        hp.general, {"person": hp.bob.public_id, "until": "2020-01-01"}
    )
    elected = client_for(hp.general).post(
        "/assemblies/owg/offices/secretary/appoint/", {"person": hp.bob.public_id}, follow=True
    )
    assert "This office is elected here" in html.unescape(elected.content.decode())
    assert not Tenure.objects.filter(holder__in=[hp.bob, hp.stranger]).exists()


def test_appointing_and_ending_through_the_api_by_public_id(hp: Harmony) -> None:
    base = "/api/v1/assemblies/committee-for-resolutions/offices/secretary/appointments"
    found = (
        Client().get("/api/v1/assemblies/owg/people", {"q": "alice"}, **bearer(hp.general)).json()
    )
    assert found == [{"id": hp.alice.public_id, "name": "Alice Moreno"}]
    made = Client().post(
        base,
        json.dumps({"person": found[0]["id"]}),
        content_type="application/json",
        **bearer(hp.general),
    )
    assert made.status_code == 201 and made.json()["person_id"] == hp.alice.public_id
    assert made.json()["until"] is not None  # Harmony's secretary serves a 365-day term
    offices = Client().get("/api/v1/assemblies/committee-for-resolutions/offices").json()
    [holder] = next(o for o in offices if o["key"] == "secretary")["holders"]
    assert holder["person_id"] == hp.alice.public_id
    assert holder["appointed_by"] == hp.general.public_id
    unknown = Client().post(
        base, json.dumps({"person": "x"}), content_type="application/json", **bearer(hp.general)
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "person"
    ended = Client().post(f"{base}/{hp.alice.public_id}/end", **bearer(hp.general))
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert Client().get("/api/v1/me", **bearer(hp.alice)).json()["id"] == hp.alice.public_id


def test_a_vacant_elected_seat_gets_a_by_election_in_the_next_window(hp: Harmony) -> None:
    """OFF-3, issue 13: a vacant seat is filled in the next weekly window (a week to stand
    first), not at the yearly calendar; with nobody standing it is not held."""
    from folkmoot.decisions.models import Vote
    from folkmoot.offices.elections import elections_now
    from folkmoot.protocols.selectors import protocol_in_force

    protocol = protocol_in_force(hp.owg).protocol  # type: ignore[union-attr]
    offices = Client().get("/api/v1/assemblies/owg/offices").json()
    election = next(o for o in offices if o["key"] == "secretary")["election"]
    assert election["by_election"] is True
    opens = timezone.datetime.fromisoformat(election["opens_at"])
    assert opens - timezone.now() < timedelta(days=8)  # not the yearly one
    # Nobody stood: once the window opens, no election is held and the race moves on.
    with time_machine.travel(opens + timedelta(hours=1)):
        assert not [v for v in elections_now(hp.owg, protocol, timezone.now()) if v]
        assert not Vote.objects.filter(office__assembly=hp.owg).exists()
        later = Client().get("/api/v1/assemblies/owg/offices").json()
        moved = next(o for o in later if o["key"] == "secretary")["election"]
        assert timezone.datetime.fromisoformat(moved["opens_at"]) > opens
    # Someone stands before it opens: it is held, and the winner takes the seat.
    stood = Client().post(
        "/api/v1/assemblies/owg/offices/secretary/candidacies",
        json.dumps({}),
        content_type="application/json",
        **bearer(hp.bob),
    )
    assert stood.status_code == 201
    assert stood.json()["election_opens_at"].startswith(election["opens_at"][:16])
    with time_machine.travel(opens + timedelta(hours=1)):
        [vote] = [v for v in elections_now(hp.owg, protocol, timezone.now()) if v]
        assert vote.options == ["Bob"]


def test_a_by_election_fills_the_vacant_seat_and_unseats_nobody(db: None) -> None:
    """OFF-3: a by-election's winner joins the holders; a calendar election replaces them."""
    from types import SimpleNamespace

    from folkmoot.decisions.models import Vote
    from folkmoot.governance.schedule import election_window
    from folkmoot.offices.models import Office
    from folkmoot.offices.tenures import take_office
    from folkmoot.protocols.selectors import protocol_in_force
    from tests.forums.conftest import build_red15m

    red = build_red15m()
    office = Office.objects.get(assembly=red.assembly, slug="coordinator")
    rule = protocol_in_force(red.assembly).protocol.offices["coordinator"]  # type: ignore[union-attr]
    calendar = election_window(rule.election, "Europe/Madrid", timezone.now())  # type: ignore[arg-type]

    def elect(opens_at: object, by_election: bool) -> None:
        vote = Vote.objects.create(
            by_election=by_election or None,
            assembly=red.assembly,
            office=office,
            title="Election",
            method="top-n",
            options=["Cita"],
            subjects=[red.citizen.pk],
            opens_at=opens_at,
            closes_at=timezone.now(),
        )
        take_office(vote, SimpleNamespace(winners=["Cita"]))

    elect(calendar.opens_at - timedelta(days=3, hours=5), True)  # a by-election
    holders = set(
        Tenure.objects.in_office(timezone.now())
        .filter(office=office)
        .values_list("holder__display_name", flat=True)
    )
    assert holders == {"Coco", "Cita"}
    Tenure.objects.filter(holder=red.citizen).update(ended_at=timezone.now())
    elect(calendar.opens_at, False)  # a calendar election: its winners are the holders
    holders = set(
        Tenure.objects.in_office(timezone.now())
        .filter(office=office)
        .values_list("holder__display_name", flat=True)
    )
    assert holders == {"Cita"}
