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
