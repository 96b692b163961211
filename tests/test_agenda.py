"""Issue 12, "A home that is mine": a signed-in person's home page and `GET /api/v1/me/agenda`
list what needs them, soonest deadline first, each with one action that works; visitors keep
the page about the federations."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.agenda.items import agenda_of
from folkmoot.decisions.models import Eligible, Participation, Vote
from folkmoot.federation.models import JoinRequest
from folkmoot.forums.actions import do_open_thread, forum_context
from folkmoot.forums.models import Post
from folkmoot.moderation.actions import check_sanction
from folkmoot.moderation.models import Report
from folkmoot.offices.actions import do_appoint
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def open_vote(red: Red15m, title: str, closes_in: timedelta, voters: list[Any]) -> Vote:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=red.assembly,
        kind="referendum",
        title=title,
        method="choice",
        options=["Yes", "No"],
        ask_validity=True,
        opens_at=now - timedelta(hours=1),
        closes_at=now + closes_in,
    )
    Eligible.objects.bulk_create(Eligible(vote=vote, person=p) for p in voters)
    return vote


@pytest.mark.django_db
def test_alice_sees_her_vote_and_bobs_request_and_each_action_works() -> None:
    """The demo: Alice, secretary of Manchester Central with Bob's request waiting and an
    open vote she has not cast, is told about both; deciding and voting clear them."""
    call_command("demo", stdout=__import__("io").StringIO())
    alice = User.objects.get(email="alice@folkmoot.example")
    client = signed_in(alice)
    page = client.get("/").content.decode()
    assert "What needs you" in page
    assert "A vote you have not cast yet" in page
    assert "1 request to join waits for you as secretary" in page
    api = client.get("/api/v1/me/agenda").json()
    kinds = {item["kind"]: item for item in api["items"]}
    assert set(kinds) >= {"vote", "join_requests"}
    assert kinds["join_requests"]["url"].endswith("/assemblies/manchester-central/requests/")
    assert client.get(kinds["join_requests"]["url"]).status_code == 200
    vote_page = client.get(kinds["vote"]["url"])
    assert vote_page.status_code == 200
    assert {a["assembly"] for a in api["assemblies"]} >= {"manchester-central"}
    request = JoinRequest.objects.pending().get(assembly__slug="manchester-central")
    # Bob, who asked, is told his request waits; deciding it clears it for him too.
    bob = signed_in(request.user)
    assert "Your request to join waits for the secretary" in bob.get("/").content.decode()
    client.post(f"/requests/{request.pk}/decide/", {"decision": "approve", "note": ""})
    vote = Vote.objects.get(pk=int(kinds["vote"]["url"].rstrip("/").rsplit("/", 1)[1]))
    Participation.objects.create(vote=vote, person=alice)
    after = {item["kind"] for item in client.get("/api/v1/me/agenda").json()["items"]}
    assert "join_requests" not in after
    assert "my_request" not in {i["kind"] for i in bob.get("/api/v1/me/agenda").json()["items"]}
    assert not any(
        i["url"].endswith(f"/votes/{vote.pk}/")
        for i in client.get("/api/v1/me/agenda").json()["items"]
    )


@pytest.mark.django_db
def test_votes_are_listed_soonest_first_and_only_where_the_person_may_cast(red: Red15m) -> None:
    later = open_vote(red, "Library hours", timedelta(days=5), [red.citizen])
    soon = open_vote(red, "Room for Friday", timedelta(hours=3), [red.citizen])
    open_vote(red, "Not for me", timedelta(days=2), [red.drafter])  # another electorate
    cast = open_vote(red, "Already cast", timedelta(days=1), [red.citizen])
    Participation.objects.create(vote=cast, person=red.citizen)
    open_vote(red, "Sanctioned", timedelta(days=1), [red.sanctioned])
    items = agenda_of(red.citizen).items
    assert [i.title for i in items] == [soon.title, later.title]
    assert items[0].urgent and not items[1].urgent
    page = signed_in(red.citizen).get("/").content.decode()
    assert "Within 24 hours" in page
    # A sanction in force: the person may not cast (SAN-6), so nothing asks them to.
    assert agenda_of(red.sanctioned).items == [] or all(
        i.kind != "vote" for i in agenda_of(red.sanctioned).items
    )


@pytest.mark.django_db
def test_coordination_sees_reports_and_sanctions_waiting_for_backing(red: Red15m) -> None:
    """A report waits for those who moderate; a serious sanction waits for the backing of
    the other coordinators (SAN-4), not of the one who imposed it, nor of a citizen."""
    second: Any = User.objects.create_user(email="second@example.org", password="x" * 12)
    do_appoint(assembly=red.assembly, office_slug="coordinator", holder=second, actor=None, seats=5)
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Street art",
        tag="[DEBATE]",
        body="A first post.",
    )
    Report.objects.create(post=Post.objects.get(thread=thread), reporter=red.drafter, kind="spam")
    ctx = forum_context(red.coordinator, red.assembly)
    check_sanction(ctx, red.coordinator, red.drafter, level="serious", reason="Insults")
    mine = {i.kind: i for i in agenda_of(red.coordinator).items}
    theirs = {i.kind: i for i in agenda_of(second).items}
    assert mine["coordination"].count == 1
    assert "sanction_to_back" not in mine
    assert theirs["sanction_to_back"].deadline is not None
    assert theirs["sanction_to_back"].title == str(red.drafter)
    assert signed_in(second).get(theirs["sanction_to_back"].url).status_code == 200
    assert not {"coordination", "sanction_to_back"} & {i.kind for i in agenda_of(red.citizen).items}
    sanctioned = {i.kind for i in agenda_of(red.sanctioned).items}
    assert "my_sanction" in sanctioned


@pytest.mark.django_db
def test_the_agenda_costs_the_same_queries_for_two_votes_or_twelve(red: Red15m) -> None:
    for i in range(2):
        open_vote(red, f"Vote {i}", timedelta(days=1 + i), [red.coordinator])
    agenda_of(red.coordinator)  # first use: the parsed protocol is cached per process
    with CaptureQueriesContext(connection) as few:
        agenda_of(red.coordinator)
    for i in range(10):
        open_vote(red, f"More {i}", timedelta(days=3 + i), [red.coordinator])
    with CaptureQueriesContext(connection) as many:
        assert len(agenda_of(red.coordinator).items) == 12
    assert len(many) == len(few)


@pytest.mark.django_db
def test_visitors_keep_the_federations_page_and_the_api_asks_them_to_sign_in(red: Red15m) -> None:
    page = Client().get("/").content.decode()
    assert "Federations on this site" in page and "What needs you" not in page
    assert Client().get("/api/v1/me/agenda").status_code == 401


@pytest.mark.django_db
def test_the_home_page_costs_the_same_queries_for_two_items_or_two_hundred(red: Red15m) -> None:
    """Issue 12's bar: a person in 20 assemblies with 200 open votes gets their home page in
    as many queries as a person with two (bench/forums.py measures its speed)."""
    from folkmoot.agenda.sample import give_agenda

    few = User.objects.create_user(email="few@example.org", password="x" * 12)
    many = User.objects.create_user(email="many@example.org", password="x" * 12)
    assert give_agenda(few, red.assembly, assemblies=2, votes=1, tag="few") == 2
    assert give_agenda(many, red.assembly, assemblies=20, votes=10, tag="many") == 200
    signed_in(few).get("/")  # the parsed protocol is cached per process
    cache.clear()  # read afresh, not kept (agenda.kept)
    with CaptureQueriesContext(connection) as small:
        page = signed_in(few).get("/").content.decode()
    assert page.count('class="agenda-item') == 2
    with CaptureQueriesContext(connection) as large:
        page = signed_in(many).get("/").content.decode()
    assert len(large) == len(small), (len(small), len(large))
    # Kept (issue 11): the same page again in four queries for either person: the session,
    # the person, the header's counts with their own, and the unread counts per assembly.
    few_client, many_client = signed_in(few), signed_in(many)
    with CaptureQueriesContext(connection) as kept_small:
        assert few_client.get("/").content.decode().count('class="agenda-item') == 2
    with CaptureQueriesContext(connection) as kept_large:
        assert many_client.get("/").content.decode().count('class="agenda-item') == 20
    assert len(kept_small) == len(kept_large) == 4, (
        len(kept_small),
        len(kept_large),
        [q["sql"][:120] for q in kept_large],
    )
    # The soonest twenty, and the rest one click away.
    assert page.count('class="agenda-item') == 20
    assert "Show all 200 things that need you" in page
    every = signed_in(many).get("/?all").content.decode()
    assert every.count('class="agenda-item') == 200
