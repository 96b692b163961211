"""Issue 12, "Notifications for everything that asks something of someone": each event that
the home page lists also tells the person it concerns, once, on the notifications page and
through `GET /api/v1/me/notifications`, and opening the thing marks it read. Events are
driven through the pages where a page does them; the worker's watch for what changes with
time alone runs as `folkmoot settle` runs it."""

import html
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from folkmoot.agenda.items import agenda_of
from folkmoot.decisions import notify
from folkmoot.decisions.models import Proposal, Vote, VoteResult
from folkmoot.federation import actions as federation
from folkmoot.federation.models import JoinRequest
from folkmoot.forums.actions import do_open_thread, do_reply, forum_context
from folkmoot.forums.models import Post, Thread
from folkmoot.moderation.actions import check_sanction
from folkmoot.moderation.models import Sanction
from folkmoot.notifications.models import EmailPreference, Notification
from folkmoot.notifications.watch import watch
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.models import Office, Tenure
from tests.api.test_assemblies_api import bearer
from tests.conftest import World, client_for
from tests.decisions.conftest import Harmony, RedVoting, build_harmony, build_red_voting
from tests.factories import UserFactory, make_assembly
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


@pytest.fixture
def harmony(db: None) -> Harmony:
    return build_harmony()


@pytest.fixture
def voting(db: None) -> RedVoting:
    red, coordinators = build_red_voting()
    return RedVoting(red, coordinators, [red.citizen])


def page_of(person: Any) -> str:
    return html.unescape(client_for(person).get("/notifications/").content.decode())


def api_of(person: Any) -> list[dict[str, Any]]:
    response = Client().get("/api/v1/me/notifications", **bearer(person))
    assert response.status_code == 200
    return list(response.json())


def kinds_of(person: Any) -> list[str]:
    return sorted(Notification.objects.shown().filter(user=person).values_list("kind", flat=True))


# Joining (MEM-2)


def test_a_request_to_join_tells_the_secretary_and_the_decision_tells_the_requester(
    world: World,
) -> None:
    central = make_assembly(
        "central", title="Central", parent=world.federation, join_policy="approval"
    )
    federation.do_appoint_secretary(assembly=central, holder=world.sam, actor=None)
    client_for(world.bob).post(reverse("assembly-join", args=[central.slug]), {"message": "Hi"})
    assert f"{world.bob} asks to join Central." in page_of(world.sam)
    [row] = api_of(world.sam)
    assert (row["kind"], row["url"], row["assembly"]) == (
        "join_request",
        "/assemblies/central/requests/",
        "central",
    )
    assert kinds_of(world.bob) == []  # never told of their own doing
    # Opening the queue is reading it.
    client_for(world.sam).get(reverse("assembly-requests", args=[central.slug]))
    assert Notification.objects.get(user=world.sam).read_at is not None

    request = JoinRequest.objects.get(user=world.bob)
    client_for(world.sam).post(
        reverse("join-request-decide", args=[request.pk]), {"decision": "approve"}
    )
    assert "Your request to join Central was accepted: you are a member." in page_of(world.bob)
    assert api_of(world.bob)[0]["kind"] == "join_decided"


def test_a_declined_request_says_so(world: World) -> None:
    central = make_assembly(
        "central", title="Central", parent=world.federation, join_policy="approval"
    )
    federation.do_appoint_secretary(assembly=central, holder=world.sam, actor=None)
    client_for(world.bob).post(reverse("assembly-join", args=[central.slug]))
    request = JoinRequest.objects.get(user=world.bob)
    client_for(world.sam).post(
        reverse("join-request-decide", args=[request.pk]), {"decision": "reject"}
    )
    assert "Your request to join Central was declined." in page_of(world.bob)


# Forums: replies and quotes


def test_a_reply_tells_the_threads_author_and_a_quote_the_quoted_once(red: Red15m) -> None:
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Street art",
        tag="[DEBATE]",
        body="Murals?",
    )
    first = do_reply(thread=thread, author=red.drafter, body="Yes, murals.")
    reply_url = reverse("thread-reply", args=[red.assembly.slug, thread.pk])
    response = client_for(red.citizen).post(reply_url, {"body": "Agreed.", "quote": first.pk})
    assert response.status_code == 302
    # The coordinator: two replies in their thread; the drafter: one quote, not also a reply.
    assert kinds_of(red.coordinator) == ["reply", "reply"]
    assert kinds_of(red.drafter) == ["quote"]
    assert kinds_of(red.citizen) == []
    assert "Cita quoted your post in “Street art”." in page_of(red.drafter)
    assert "Cita replied in your thread “Street art”." in page_of(red.coordinator)
    # Quoting the thread's author in their own thread: one notice, the quote.
    opening = Post.objects.filter(thread=thread).order_by("pk").first()
    client_for(red.citizen).post(reply_url, {"body": "Murals, yes.", "quote": opening.pk})
    assert kinds_of(red.coordinator) == ["quote", "reply", "reply"]
    # Reading the thread marks them read.
    client_for(red.coordinator).get(reverse("thread", args=[red.assembly.slug, thread.pk]))
    assert not Notification.objects.filter(user=red.coordinator, read_at__isnull=True).exists()


# Moderation: reports, sanctions (SAN-4/5)


def test_a_report_tells_coordination_without_naming_the_reporter(red: Red15m) -> None:
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.drafter,
        title="Noise",
        tag="[DEBATE]",
        body="Spam spam.",
    )
    post = Post.objects.get(thread=thread)
    client_for(red.citizen).post(
        reverse("post-report", args=[red.assembly.slug, post.pk]), {"kind": "spam"}
    )
    [row] = api_of(red.coordinator)
    assert row["kind"] == "report" and row["actor"] is None
    assert row["url"] == f"/assemblies/{red.assembly.slug}/moderation/"
    assert "A post was reported in Asamblea RED15M." in page_of(red.coordinator)
    assert kinds_of(red.citizen) == [] and kinds_of(red.drafter) == []
    client_for(red.coordinator).get(row["url"])
    assert Notification.objects.get(user=red.coordinator).read_at is not None


def test_a_rescue_request_tells_coordination(red: Red15m) -> None:
    from folkmoot.forums.actions import check_request_rescue

    ctx = forum_context(red.citizen, red.assembly)
    archival = ctx.protocol.archival
    assert archival is not None
    thread = Thread.objects.create(
        assembly=red.assembly,
        forum_key=archival.history_forum,
        title="Old",
        author=red.citizen,
    )
    check_request_rescue(ctx, red.citizen, thread, archival.history_forum, text="Still relevant")
    assert kinds_of(red.coordinator) == ["rescue"]
    assert "Cita asks to bring back an archived thread in Asamblea RED15M." in page_of(
        red.coordinator
    )


def _reported(red: Red15m) -> Post:
    """A reply by Drea that Cita reports (FOR-3)."""
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Budget",
        tag="[DEBATE]",
        body="Let us talk.",
    )
    post = do_reply(thread=thread, author=red.drafter, body="Rude words.")
    client_for(red.citizen).post(
        reverse("post-report", args=[red.assembly.slug, post.pk]), {"kind": "offensive"}
    )
    return post


def test_keeping_a_reported_post_tells_the_reporter_and_leaves_the_author_alone(
    red: Red15m,
) -> None:
    post = _reported(red)
    queue = reverse("moderation", args=[red.assembly.slug])
    assert "Keep the post" in client_for(red.coordinator).get(queue).content.decode()
    # Only coordination may keep it: the reporter's own try changes nothing.
    client_for(red.citizen).post(reverse("post-keep", args=[red.assembly.slug, post.pk]))
    assert kinds_of(red.citizen) == []
    response = client_for(red.coordinator).post(
        reverse("post-keep", args=[red.assembly.slug, post.pk]), follow=True
    )
    assert "those who reported it are told" in response.content.decode()
    assert "Nothing to moderate." in response.content.decode()
    [row] = api_of(red.citizen)
    assert row["kind"] == "report_handled"
    assert "The moderators read the post you reported in “Budget” and kept it." in page_of(
        red.citizen
    )
    assert "report_handled" not in kinds_of(red.drafter)
    post.refresh_from_db()
    assert post.trashed_at is None
    # Again, through the API: nothing waits any more, and it says so.
    again = Client().post(f"/api/v1/posts/{post.pk}/reports/keep", **bearer(red.coordinator))
    assert again.status_code >= 400
    assert "No report on this post is waiting." in again.content.decode()


def test_keeping_through_the_api_closes_the_reports(red: Red15m) -> None:
    post = _reported(red)
    refused = Client().post(f"/api/v1/posts/{post.pk}/reports/keep", **bearer(red.citizen))
    assert refused.status_code == 403
    response = Client().post(f"/api/v1/posts/{post.pk}/reports/keep", **bearer(red.coordinator))
    assert response.status_code == 200 and response.json() == {"closed": 1}
    assert kinds_of(red.citizen) == ["report_handled"]


def test_moving_a_post_to_the_trash_tells_its_author_why_and_its_reporters(red: Red15m) -> None:
    post = _reported(red)
    client_for(red.coordinator).post(
        reverse("post-trash", args=[red.assembly.slug, post.pk]),
        {"reason": "Insults", "minutes": "45"},
    )
    assert kinds_of(red.drafter) == ["trashed"]
    text = page_of(red.drafter)
    assert "A moderator moved your post in “Budget” to the trash" in text and "Insults" in text
    [row] = api_of(red.drafter)
    assert row["url"] == f"/assemblies/{red.assembly.slug}/sanctions/"
    assert "The post you reported in “Budget” was moved to the trash." in page_of(red.citizen)


def test_a_rescue_decision_tells_the_requester(red: Red15m) -> None:
    from folkmoot.forums.actions import check_decide_rescue, check_request_rescue

    ctx = forum_context(red.citizen, red.assembly)
    archival = ctx.protocol.archival
    assert archival is not None
    thread = Thread.objects.create(
        assembly=red.assembly, forum_key=archival.history_forum, title="Old", author=red.drafter
    )
    rescue = check_request_rescue(ctx, red.citizen, thread, archival.history_forum, text="Still")
    check_decide_rescue(
        forum_context(red.coordinator, red.assembly), red.coordinator, rescue, accept=False
    )
    assert kinds_of(red.citizen) == ["rescue_decided"]
    [row] = api_of(red.citizen)
    assert row["url"] == f"/assemblies/{red.assembly.slug}/threads/{thread.pk}/"
    assert "Your request to bring back “Old” was declined: it stays archived." in page_of(
        red.citizen
    )


@pytest.fixture
def second(red: Red15m) -> Any:
    """Two more coordinators: RED15M's serious sanctions need two others' backing (SAN-4)."""
    people = [UserFactory(display_name=name) for name in ("Segunda", "Tercera")]
    for person in people:
        federation.do_join(user=person, assembly=red.assembly)
        do_appoint(
            assembly=red.assembly, office_slug="coordinator", holder=person, actor=None, seats=5
        )
    return people[0]


def test_a_sanction_tells_its_person_asks_the_others_to_back_it_then_tells_it_stands(
    red: Red15m, second: Any
) -> None:
    ctx = forum_context(red.coordinator, red.assembly)
    sanction = check_sanction(ctx, red.coordinator, red.citizen, level="serious", reason="Insults")
    assert kinds_of(red.citizen) == ["sanctioned"]
    assert kinds_of(second) == ["sanction_to_back"]
    assert kinds_of(red.coordinator) == []  # the imposer is not asked to back their own
    assert (
        "Coco sanctioned Cita in Asamblea RED15M; it lapses unless another coordinator backs it."
        in page_of(second)
    )
    third = Tenure.objects.get(holder__display_name="Tercera").holder
    for backer in (second, third):
        client_for(backer).post(reverse("sanction-endorse", args=[red.assembly.slug, sanction.pk]))
    assert Sanction.objects.get(pk=sanction.pk).endorsements.count() == 2
    assert "sanction_upheld" in kinds_of(red.citizen)
    assert "sanction_upheld" in kinds_of(red.coordinator)
    assert "The sanction on Cita in Asamblea RED15M is backed and stands." in page_of(red.citizen)


def test_a_sanction_nobody_backs_lapses_and_its_person_and_imposer_hear(
    red: Red15m, second: Any
) -> None:
    ctx = forum_context(red.coordinator, red.assembly)
    check_sanction(ctx, red.coordinator, red.citizen, level="serious", reason="Insults")
    assert watch(timezone.now()) == 0
    later = timezone.now() + timedelta(days=3)  # the 48 hours to back it are over
    assert watch(later) == 2
    assert watch(later) == 0  # a second pass, or worker, adds nothing
    assert "sanction_lapsed" in kinds_of(red.citizen)
    assert "sanction_lapsed" in kinds_of(red.coordinator)
    assert "lapsed: nobody backed it in time" in page_of(red.citizen)


# Decisions: office stages, consensus rounds


def test_a_proposal_asks_coordinators_for_support_then_drafters_for_approval(
    voting: RedVoting,
) -> None:
    response = client_for(voting.red.citizen).post(
        f"/assemblies/{voting.assembly.slug}/decisions/new/",
        {"kind": "referendum", "title": "Open a library?", "body": "A public library."},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    watch(timezone.now())
    for coordinator in voting.coordinators:
        assert kinds_of(coordinator) == ["office_action"]
    assert kinds_of(voting.red.drafter) == []
    assert "“Open a library?” waits for your office's support." in page_of(voting.coordinators[0])
    # The home page asks the same of them, until they have given their +1.
    first = voting.coordinators[0]
    assert [i.kind for i in agenda_of(first).items] == ["proposal_support"]
    home = html.unescape(client_for(first).get("/").content.decode())
    assert "A proposal waits for your office's support" in home and "Open a library?" in home
    for coordinator in voting.coordinators[:3]:
        client_for(coordinator).post(
            f"/decisions/{proposal.pk}/support/", {"office": "coordinator"}
        )
    assert "proposal_support" not in [i.kind for i in agenda_of(first).items]
    watch(timezone.now())
    assert kinds_of(voting.red.drafter) == ["office_action"]
    assert [i.kind for i in agenda_of(voting.red.drafter).items] == ["proposal_approval"]
    assert "“Open a library?” waits for your approval of its text." in page_of(voting.red.drafter)
    # Opening the proposal marks it read.
    client_for(voting.red.drafter).get(f"/decisions/{proposal.pk}/")
    assert not Notification.objects.filter(user=voting.red.drafter, read_at__isnull=True).exists()


def test_a_consensus_round_asks_those_who_may_respond_once_per_round(harmony: Harmony) -> None:
    ann = harmony.members[0]
    client_for(ann).post(
        f"/assemblies/{harmony.assembly.slug}/decisions/new/",
        {"kind": "consensus_proposal", "title": "Meet on Thursdays", "body": "Thursday."},
    )
    told = watch(timezone.now())
    # Everyone who may respond, the secretary and Ann who proposed it included.
    assert told == len(harmony.members) + 1
    assert kinds_of(ann) == ["consensus"]
    ben = harmony.members[1]
    assert "A consensus round is open on “Meet on Thursdays”: say whether you agree." in page_of(
        ben
    )
    assert watch(timezone.now()) == 0
    # On Ben's home page until he responds; the round's end is its deadline.
    [item] = [i for i in agenda_of(ben).items if i.kind == "consensus"]
    assert item.deadline is not None and item.title == "Meet on Thursdays"
    proposal = Proposal.objects.get()
    client_for(ben).post(f"/decisions/{proposal.pk}/respond/", {"response": "agree"})
    assert "consensus" not in [i.kind for i in agenda_of(ben).items]


# Votes and elections


def test_an_election_tells_each_candidate_the_outcome(red: Red15m) -> None:
    office = Office.objects.get(assembly=red.assembly, slug="coordinator")
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=red.assembly,
        office=office,
        title="Coordinators",
        method="star",
        options=["Cita", "Parti"],
        subjects=[red.citizen.pk, red.participant.pk],
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(hours=1),
    )
    VoteResult.objects.create(vote=vote, outcome="elected", winners=["Cita"])
    notify.result_published(Vote.objects.get(pk=vote.pk))
    assert "You were elected in Asamblea RED15M." in page_of(red.citizen)
    assert "You were not elected in Asamblea RED15M this time." in page_of(red.participant)
    assert api_of(red.citizen)[0]["url"] == f"/assemblies/{red.assembly.slug}/offices/"


def test_a_term_ending_within_two_weeks_tells_its_holder_once(red: Red15m) -> None:
    # RED15M coordinators serve 28 days (OFF-2).
    Tenure.objects.filter(holder=red.coordinator).update(
        started_at=timezone.now() - timedelta(days=20)
    )
    watch(timezone.now())
    assert "term_ending" in kinds_of(red.coordinator)
    assert "Your term of office in Asamblea RED15M ends on" in page_of(red.coordinator)
    [item] = [i for i in agenda_of(red.coordinator).items if i.kind == "term_ending"]
    assert item.deadline is not None and (item.deadline - timezone.now()).days in (7, 8)
    before = Notification.objects.count()
    watch(timezone.now() + timedelta(days=1))
    assert Notification.objects.count() == before


# Preferences apply to every kind


def test_a_kind_turned_off_is_not_written_at_all(red: Red15m) -> None:
    EmailPreference.objects.create(user=red.coordinator, channels={"reply": "off"})
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Quiet",
        tag="[DEBATE]",
        body="Hm.",
    )
    do_reply(thread=thread, author=red.citizen, body="Yes.")
    assert kinds_of(red.coordinator) == []


@pytest.mark.django_db
def test_the_demo_gives_a_newcomer_signing_in_as_alice_her_news() -> None:
    import io

    from django.core.management import call_command

    from folkmoot.accounts.models import User

    call_command("demo", stdout=io.StringIO())
    alice = User.objects.get(email="alice@folkmoot.example")
    page = page_of(alice)
    assert "asks to join Manchester Central." in page
    assert "Voting is open: “Theme of the spring campaign”." in page
    assert "replied in your thread" in page
    erin = User.objects.get(email="erin@folkmoot.example")
    assert "waits for your office's support." in page_of(erin)
    before = Notification.objects.count()
    call_command("demo", stdout=io.StringIO())  # loading it again tells nobody twice
    assert Notification.objects.count() == before


def test_the_home_page_and_agenda_show_unread_news_per_assembly(red: Red15m) -> None:
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Murals",
        tag="[DEBATE]",
        body="Where?",
    )
    do_reply(thread=thread, author=red.citizen, body="Here.")
    do_reply(thread=thread, author=red.drafter, body="There.")
    home = client_for(red.coordinator).get("/").content.decode()
    assert "2 unread notifications" in home
    agenda = Client().get("/api/v1/me/agenda", **bearer(red.coordinator)).json()
    [mine] = [a for a in agenda["assemblies"] if a["assembly"] == red.assembly.slug]
    assert mine["unread"] == 2
    client_for(red.coordinator).get(reverse("thread", args=[red.assembly.slug, thread.pk]))
    assert "unread notification" not in client_for(red.coordinator).get("/").content.decode()


def test_the_notifications_page_costs_the_same_queries_for_few_or_many_notices(
    red: Red15m, second: Any
) -> None:
    """Every kind's sentence comes from what `with_context` loads (one query per kind of
    subject at most): the page's query count does not grow with the number of notices."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        client = client_for(red.coordinator)
        client.get("/notifications/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        return len(queries)

    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Counting",
        tag="[DEBATE]",
        body="One.",
    )
    ctx = forum_context(second, red.assembly)

    def round_of_news(person: Any) -> None:
        """A sanction waiting for backing, a reply in the thread, a report: three kinds."""
        check_sanction(ctx, second, person, level="serious", reason="Insults")
        post = do_reply(thread=thread, author=person, body="More.")
        client_for(red.platform).post(
            reverse("post-report", args=[red.assembly.slug, post.pk]), {"kind": "spam"}
        )

    round_of_news(red.citizen)
    few = count()
    round_of_news(red.drafter)
    round_of_news(red.participant)
    assert Notification.objects.shown().filter(user=red.coordinator).count() >= 9
    assert count() == few
