"""OFF-1, OFF-2: offices from the protocol with holders, terms, vacancies and the election
calendar computed from time; BEY-5: an iCalendar feed of upcoming elections."""

from datetime import datetime, timedelta

import time_machine
from django.test import Client
from icalendar import Calendar

from folkmoot.moderation.models import OfficeSuspension
from tests.conftest import client_for
from tests.forums.conftest import build_red15m


def test_the_offices_page_shows_holders_terms_vacancies_and_the_next_election(db):
    build_red15m()
    page = client_for(None).get("/assemblies/red15m/offices/").content.decode()
    assert "Coco" in page and "Drea" in page
    assert "4 vacant seats" in page  # 5 coordinator seats, one held
    assert (
        "The protocol counts time in Europe/Madrid; times here are shown in Europe/London." in page
    )
    assert "Next election" in page or "Election open until" in page
    data = Client().get("/api/v1/assemblies/red15m/offices").json()
    coordinator = next(o for o in data if o["key"] == "coordinator")
    assert (coordinator["seats"], coordinator["vacancies"], coordinator["term_days"]) == (5, 4, 28)
    assert coordinator["holders"][0]["person"] == "Coco"
    opens = datetime.fromisoformat(coordinator["election"]["opens_at"])
    closes = datetime.fromisoformat(coordinator["election"]["closes_at"])
    assert closes - opens == timedelta(hours=48)
    assert (
        opens.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Madrid")).strftime("%A %H:%M")
        == "Monday 00:00"
    )


def test_an_election_window_is_shown_open_while_it_lasts(db):
    """Computed from time: no job opens or closes an election (DESIGN "Time")."""
    build_red15m()
    upcoming = next(
        o
        for o in Client().get("/api/v1/assemblies/red15m/offices").json()
        if o["key"] == "coordinator"
    )
    opens = datetime.fromisoformat(upcoming["election"]["opens_at"])
    with time_machine.travel(opens + timedelta(hours=1)):
        during = next(
            o
            for o in Client().get("/api/v1/assemblies/red15m/offices").json()
            if o["key"] == "coordinator"
        )
    assert (
        during["election"]["open"] is True
        and during["election"]["opens_at"] == upcoming["election"]["opens_at"]
    )


def test_a_suspended_holder_is_marked(db):
    red = build_red15m()
    OfficeSuspension.objects.create(
        assembly=red.assembly,
        holder=red.coordinator,
        office="coordinator",
        duration=timedelta(days=3),
        reason="x",
        imposed_by=red.drafter,
    )
    data = Client().get("/api/v1/assemblies/red15m/offices").json()
    assert next(o for o in data if o["key"] == "coordinator")["holders"][0]["suspended"] is True


def test_the_elections_calendar_is_valid_icalendar(db):
    build_red15m()
    response = Client().get("/assemblies/red15m/elections.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert events and all(e["dtend"].dt - e["dtstart"].dt == timedelta(hours=48) for e in events)
    assert any("Coordinator" in str(e["summary"]) for e in events)
    assert len({str(e["uid"]) for e in events}) == len(events)


def api_post(user, url, body):  # type: ignore[no-untyped-def]
    import json

    from tests.api.test_assemblies_api import bearer

    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(user))


def test_a_citizen_stands_for_the_next_coordinator_election_once(db):
    """OFF-3: during a declared race (an office with a calendar), anyone eligible may stand."""
    red = build_red15m()
    url = "/api/v1/assemblies/red15m/offices/coordinator/candidacies"
    made = api_post(red.citizen, url, {"statement": "I will answer every question."})
    assert made.status_code == 201 and made.json()["election_opens_at"] is not None
    again = api_post(red.citizen, url, {})
    assert again.status_code == 403 and again.json()["reasons"][0]["code"] == "already_standing"
    assert [c["person"] for c in Client().get(url).json()] == ["Cita"]
    page = client_for(red.citizen).get("/assemblies/red15m/offices/").content.decode()
    assert "Candidates" in page and "Withdraw my candidacy" in page


def test_one_person_may_stand_for_several_offices_and_withdraw(db):
    red = build_red15m()
    assert (
        api_post(
            red.citizen, "/api/v1/assemblies/red15m/offices/coordinator/candidacies", {}
        ).status_code
        == 201
    )
    assert (
        api_post(
            red.citizen, "/api/v1/assemblies/red15m/offices/drafter/candidacies", {}
        ).status_code
        == 201
    )
    from folkmoot.offices.models import Candidacy

    mine = Candidacy.objects.get(person=red.citizen, office__slug="drafter")
    client_for(red.citizen).post(f"/assemblies/red15m/candidacies/{mine.pk}/withdraw/")
    assert [
        c["person"]
        for c in Client().get("/api/v1/assemblies/red15m/offices/drafter/candidacies").json()
    ] == []


def test_outsiders_and_sanctioned_citizens_cannot_stand(db):
    """Candidates are the protocol's `candidates` audience (RED15M: citizens); SAN-6."""
    red = build_red15m()
    url = "/api/v1/assemblies/red15m/offices/coordinator/candidacies"
    outsider = api_post(red.platform, url, {})
    assert outsider.status_code == 403 and outsider.json()["reasons"][0]["code"] == "may_not_stand"
    sanctioned = api_post(red.sanctioned, url, {})
    assert sanctioned.status_code == 403 and sanctioned.json()["reasons"][0]["code"] == "sanctioned"


def test_an_office_without_elections_takes_candidates_only_for_a_vacant_seat():
    """OFF-3, Harmony: "if the position is already vacant"."""
    from datetime import date

    from folkmoot.governance.audience import Viewer, check_candidacy
    from folkmoot.governance.protocol import load_protocol
    from tests.governance.documents import DELETE, as_yaml, document

    protocol = load_protocol(
        as_yaml(
            document(
                **{"offices.coordinator.election": DELETE, "offices.coordinator.term_days": DELETE}
            )
        )
    )
    citizen = Viewer(authenticated=True, status="member")
    assert check_candidacy(protocol, "coordinator", citizen, date(2026, 11, 22), vacancies=1)
    refused = check_candidacy(protocol, "coordinator", citizen, date(2026, 11, 22), vacancies=0)
    assert refused.reasons[0].code == "no_vacancy"
