"""BEY-5: votes and elections in any calendar program, per assembly and per person, and the
consensus register as an Atom feed."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from folkmoot.decisions.feeds import protocols_in_force
from folkmoot.decisions.models import Eligible, Participation, Proposal, RegisterEntry, Vote
from folkmoot.federation.models import AccessMode
from folkmoot.notifications.models import EmailPreference
from folkmoot.protocols.selectors import protocol_in_force
from tests.conftest import client_for
from tests.decisions.conftest import RedVoting
from tests.factories import UserFactory, make_assembly

ATOM = "{http://www.w3.org/2005/Atom}"


def make_vote(assembly, title, *, opens_in=timedelta(hours=-1), lasts=timedelta(days=2)):  # type: ignore[no-untyped-def]
    opens = timezone.now().replace(microsecond=0) + opens_in
    return Vote.objects.create(
        assembly=assembly,
        kind="referendum",
        title=title,
        method="choice",
        options=["Yes", "No"],
        opens_at=opens,
        closes_at=opens + lasts,
    )


def events_of(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def summaries(events) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(e["summary"]) for e in events]


# The assembly's calendar


def test_the_assembly_calendar_lists_open_and_coming_votes_and_its_elections(
    voting: RedVoting, django_assert_max_num_queries
):
    open_now = make_vote(voting.assembly, "Open a library?")
    coming = make_vote(voting.assembly, "Plant trees?", opens_in=timedelta(days=3))
    make_vote(voting.assembly, "Paint the hall?", opens_in=timedelta(days=-10))  # closed
    for i in range(5):
        make_vote(voting.assembly, f"More {i}", opens_in=timedelta(days=i + 1))
    with django_assert_max_num_queries(7):  # the seventh: its moots (issue 14)
        response = Client().get("/assemblies/red15m/decisions.ics")
    events = events_of(response)
    by_title = {str(e["summary"]): e for e in events}
    assert "Open a library?" in by_title and "Plant trees?" in by_title
    assert "Paint the hall?" not in by_title
    library = by_title["Open a library?"]
    assert library["dtstart"].dt == open_now.opens_at
    assert library["dtend"].dt == open_now.closes_at
    assert str(library["url"]).endswith(f"/votes/{open_now.pk}/")
    assert by_title["Plant trees?"]["dtstart"].dt == coming.opens_at
    assert b"DTSTART" in response.content
    # Its coming elections, from the protocol's calendar.
    assert any("Coordinator" in s for s in summaries(events))
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_an_opened_election_is_listed_once(voting: RedVoting):
    """The election's Vote row stands for its window; the window is not listed again."""
    windows = [
        e
        for e in events_of(Client().get("/assemblies/red15m/decisions.ics"))
        if "Coordinator" in str(e["summary"])
    ]
    first = min(windows, key=lambda e: e["dtstart"].dt)
    office = voting.assembly.offices.get(slug="coordinator")
    Vote.objects.create(
        assembly=voting.assembly,
        office=office,
        kind="election",
        title="Coordinator election",
        method="star",
        opens_at=first["dtstart"].dt,
        closes_at=first["dtend"].dt,
    )
    events = events_of(Client().get("/assemblies/red15m/decisions.ics"))
    at_that_time = [e for e in events if e["dtstart"].dt == first["dtstart"].dt]
    assert summaries(at_that_time) == ["Coordinator election"]


def test_a_restricted_assembly_has_no_calendar_for_outsiders(db):
    make_assembly("hidden", title="Hidden", access_mode=AccessMode.RESTRICTED)
    assert Client().get("/assemblies/hidden/decisions.ics").status_code == 404
    assert Client().get("/assemblies/nowhere/decisions.ics").status_code == 404


# A person's calendar


def feed_key_of(user, key: str = "s3cret-key-for-tests") -> str:  # type: ignore[no-untyped-def]
    EmailPreference.objects.update_or_create(user=user, defaults={"feed_key": key})
    return key


def test_an_unknown_calendar_key_is_not_found(voting: RedVoting):
    feed_key_of(voting.red.citizen)
    assert Client().get("/me/calendar/not-the-key.ics").status_code == 404
    EmailPreference.objects.create(user=voting.citizens[1])  # a row without a key
    assert Client().get("/me/calendar/None.ics").status_code == 404
    assert Client().get("/me/calendar/.ics").status_code == 404


def test_a_person_sees_the_votes_they_may_vote_in_marked_once_voted(
    voting: RedVoting, django_assert_max_num_queries
):
    me, other = voting.citizens[0], voting.citizens[1]
    voted = make_vote(voting.assembly, "Open a library?")
    waiting = make_vote(voting.assembly, "Plant trees?", opens_in=timedelta(hours=2))
    not_mine = make_vote(voting.assembly, "Coordinators only?")
    over = make_vote(voting.assembly, "Paint the hall?", opens_in=timedelta(days=-10))
    for vote in (voted, waiting, over):
        Eligible.objects.create(vote=vote, person=me)
    Eligible.objects.create(vote=not_mine, person=other)
    Participation.objects.create(vote=voted, person=me)
    key = feed_key_of(me)
    with django_assert_max_num_queries(7):  # the seventh: the moots they come to (issue 14)
        response = Client().get(f"/me/calendar/{key}.ics")
    events = events_of(response)
    titles = summaries(events)
    assert "Open a library? (voted)" in titles
    assert "Plant trees?" in titles
    assert not any("Coordinators only?" in t or "Paint the hall?" in t for t in titles)
    plant = next(e for e in events if str(e["summary"]) == "Plant trees?")
    assert plant["dtstart"].dt == waiting.opens_at
    # The elections of the assemblies they belong to, named with the assembly.
    assert any(t.startswith("Asamblea RED15M: Election: Coordinator") for t in titles)
    assert response["Cache-Control"].startswith("private")


def test_elections_of_every_assembly_of_a_person_in_a_bounded_number_of_queries(
    voting: RedVoting, django_assert_max_num_queries
):
    """Assemblies below RED15M inherit its protocol, so they hold coordinator elections too."""
    me = voting.citizens[0]
    for name in ("North", "South", "East", "West"):
        child = make_assembly(name.lower(), parent=voting.assembly, title=name)
        child.memberships.create(user=me, status="member")
    key = feed_key_of(me)
    with django_assert_max_num_queries(7):  # the seventh: the moots they come to (issue 14)
        titles = summaries(events_of(Client().get(f"/me/calendar/{key}.ics")))
    for name in ("Asamblea RED15M", "North", "South", "East", "West"):
        assert any(t.startswith(f"{name}: Election: Coordinator") for t in titles), name
    # The same protocols as protocol_in_force finds one by one, including none at all.
    loose = make_assembly("loose", title="Loose")
    assemblies = [voting.assembly, *voting.assembly.children.all(), loose]
    in_bulk = protocols_in_force(assemblies, timezone.now())
    for assembly in assemblies:
        one = protocol_in_force(assembly)
        assert in_bulk.get(assembly.pk) == (one.protocol if one else None)


def test_a_person_who_belongs_nowhere_has_an_empty_calendar(db):
    loner = UserFactory()
    key = feed_key_of(loner)
    assert events_of(Client().get(f"/me/calendar/{key}.ics")) == []


# The register as Atom


def entries_of(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "link": e.find(f"{ATOM}link").get("href"),  # type: ignore[union-attr]
            "summary": e.findtext(f"{ATOM}summary"),
            "published": e.findtext(f"{ATOM}published"),
        }
        for e in root.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def register(voting: RedVoting) -> dict[str, object]:
    vote = make_vote(voting.assembly, "Open a library?", opens_in=timedelta(days=-10))
    carried = RegisterEntry.objects.create(
        assembly=voting.assembly,
        vote=vote,
        title="Open a library?",
        kind="referendum",
        outcome="carried",
        winners=["Yes"],
        decided_at=vote.closes_at,
    )
    proposal = Proposal.objects.create(
        assembly=voting.assembly,
        kind="consensus",
        title="Share the garden",
        body="Let us.",
        body_html="<p>Let us.</p>",
        proposer=voting.red.citizen,
    )
    consensus = RegisterEntry.objects.create(
        assembly=voting.assembly,
        proposal=proposal,
        title="Share the garden",
        outcome="consensus",
        binding=False,
    )
    hidden = make_assembly("hidden", title="Hidden", access_mode=AccessMode.RESTRICTED)
    secret = RegisterEntry.objects.create(assembly=hidden, title="A secret matter", outcome="tie")
    return {"vote": vote, "carried": carried, "consensus": consensus, "secret": secret}


def test_the_register_feed_lists_decisions_with_their_outcome(
    register, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = Client().get("/register/feed.atom")
    entries = {e["title"]: e for e in entries_of(response)}
    assert set(entries) == {"Open a library?", "Share the garden"}  # not the hidden one
    library = entries["Open a library?"]
    assert "Outcome: carried" in library["summary"] and "Winners: Yes" in library["summary"]
    assert library["link"].endswith(f"/votes/{register['vote'].pk}/")
    assert library["published"].startswith(f"{register['vote'].closes_at:%Y-%m-%d}")
    garden = entries["Share the garden"]
    assert "consensus reached" in garden["summary"] and "Not binding" in garden["summary"]
    assert garden["link"].endswith(f"/decisions/{register['consensus'].proposal_id}/")


def test_the_register_feed_shows_a_restricted_assembly_to_its_members(register):
    hidden = register["secret"].assembly
    insider = UserFactory()
    hidden.memberships.create(user=insider)
    titles = [e["title"] for e in entries_of(client_for(insider).get("/register/feed.atom"))]
    assert "A secret matter" in titles
    tie = next(
        e
        for e in entries_of(client_for(insider).get("/register/feed.atom"))
        if e["title"] == "A secret matter"
    )
    assert "Outcome: tie" in tie["summary"]


def test_the_register_feed_holds_the_latest_fifty(voting: RedVoting):
    now = timezone.now()
    RegisterEntry.objects.bulk_create(
        RegisterEntry(
            assembly=voting.assembly,
            title=f"Decision {i}",
            outcome="decided",
            decided_at=now - timedelta(hours=i),
        )
        for i in range(60)
    )
    entries = entries_of(Client().get("/register/feed.atom"))
    assert len(entries) == 50 and entries[0]["title"] == "Decision 0"


def test_an_assembly_register_feed_holds_only_its_decisions(
    register, django_assert_max_num_queries
):
    other = make_assembly("elsewhere", title="Elsewhere")
    RegisterEntry.objects.create(assembly=other, title="Elsewhere matter", outcome="no_quorum")
    with django_assert_max_num_queries(3):
        response = Client().get("/assemblies/red15m/register.atom")
    titles = [e["title"] for e in entries_of(response)]
    assert sorted(titles) == ["Open a library?", "Share the garden"]
    elsewhere = entries_of(Client().get("/assemblies/elsewhere/register.atom"))
    assert "Outcome: no quorum" in elsewhere[0]["summary"]
    assert Client().get("/assemblies/hidden/register.atom").status_code == 404


def test_names_people_typed_are_escaped_in_both_feeds(voting: RedVoting):
    from folkmoot.federation.models import Assembly

    Assembly.objects.filter(pk=voting.assembly.pk).update(title="Hackney, Leeds;\nNorth")
    calendar = Client().get(f"/assemblies/{voting.assembly.slug}/decisions.ics")
    assert calendar.status_code == 200
    assert b"X-WR-CALNAME:Hackney\\, Leeds\\; North" in calendar.content
    elections = Client().get(f"/assemblies/{voting.assembly.slug}/elections.ics")
    assert b"X-WR-CALNAME:Hackney\\, Leeds\\; North: Elections" in elections.content
    RegisterEntry.objects.create(
        assembly=voting.assembly,
        title="Who leads?",
        outcome="decided",
        winners=['<img src=x onerror="alert(1)">'],
    )
    feed = ElementTree.fromstring(Client().get("/register/feed.atom").content)
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Folkmoot"
    summary = feed.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<img" not in summary.text and "&lt;img src=x" in summary.text
