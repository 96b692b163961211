"""FOR-2..4 as people meet them: tags, order, archival by time, supports in the capacity of
an office, editing with history, safe Markdown, quoting; query counts stay bounded."""

import json
from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from folkmoot.audit.models import AuditEvent
from folkmoot.forums.actions import do_open_thread, do_reply
from folkmoot.forums.models import Post, Reaction, Thread
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for


def open_votes_thread(red, title="Referendum on the logo", author=None):  # type: ignore[no-untyped-def]
    return do_open_thread(
        assembly=red.assembly,
        forum_key="votes",
        author=author or red.citizen,
        title=title,
        tag="[PROPUESTA-REFERENDUM]",
        body="Shall we adopt the new logo?",
    )


def test_a_thread_without_the_required_tag_is_refused_and_nothing_is_written(red):
    response = client_for(red.citizen).post(
        f"/assemblies/{red.assembly.slug}/forums/votes/new/", {"title": "No tag", "body": "x"}
    )
    html = response.content.decode()
    assert "Threads in Votes need a tag" in html or "need a tag" in html
    assert not Thread.objects.exists()
    api = Client().post(
        f"/api/v1/assemblies/{red.assembly.slug}/forums/votes/threads",
        json.dumps({"title": "No tag", "tag": "[NOPE]", "body": "x"}),
        content_type="application/json",
        **bearer(red.citizen),
    )
    assert api.status_code == 403 and api.json()["reasons"][0]["code"] == "tag_unknown"


def test_threads_list_pinned_first_then_by_last_activity_with_replies_and_votes(red):
    old = open_votes_thread(red, "Old")
    open_votes_thread(red, "New")
    pinned = open_votes_thread(red, "Pinned")
    Thread.objects.filter(pk=pinned.pk).update(
        pinned=True, last_activity_at=timezone.now() - timedelta(days=3)
    )
    do_reply(thread=old, author=red.coordinator, body="bump")
    first = old.posts.first()
    Reaction.objects.create(post=first, user=red.citizen, value=1)
    Reaction.objects.create(post=first, user=red.drafter, value=-1)
    html = client_for(None).get(f"/assemblies/{red.assembly.slug}/forums/votes/").content.decode()
    assert html.index("Pinned") < html.index(">Old<") < html.index(">New<")
    assert "+1 / −1" in html
    data = Client().get(f"/api/v1/assemblies/{red.assembly.slug}/forums/votes/threads").json()
    assert [t["title"] for t in data["items"]] == ["Pinned", "Old", "New"]
    old_row = data["items"][1]
    assert (old_row["replies"], old_row["plus"], old_row["minus"]) == (1, 1, 1)


def test_tag_filter(red):
    open_votes_thread(red, "Referendum")
    do_open_thread(
        assembly=red.assembly,
        forum_key="votes",
        author=red.citizen,
        title="Poll",
        tag="[PROPUESTA-SONDEO]",
        body="?",
    )
    html = (
        client_for(None)
        .get(f"/assemblies/{red.assembly.slug}/forums/votes/?tag=%5BPROPUESTA-SONDEO%5D")
        .content.decode()
    )
    assert ">Poll<" in html and ">Referendum<" not in html


def test_a_quiet_thread_moves_to_history_after_90_days_and_to_trash_when_old_and_quiet(red):
    """FOR-3, computed from time: no job needs to run."""
    thread = open_votes_thread(red, "Quiet one")
    slug = red.assembly.slug
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert (
            ">Quiet one<"
            not in client_for(None).get(f"/assemblies/{slug}/forums/votes/").content.decode()
        )
        assert (
            ">Quiet one<"
            in client_for(None).get(f"/assemblies/{slug}/forums/history/").content.decode()
        )
        page = (
            client_for(red.citizen).get(f"/assemblies/{slug}/threads/{thread.pk}/").content.decode()
        )
        assert "This thread is now in History." in page
        assert "only coordinators may reply there" in page  # History: coordination writes
    with time_machine.travel(timezone.now() + timedelta(days=181)):
        assert (
            ">Quiet one<"
            in client_for(None).get(f"/assemblies/{slug}/forums/trash/").content.decode()
        )


def test_plus_one_as_coordinator_counts_as_that_offices_support_and_is_shown(red):
    """FOR-4, VOTE-3: only "+1 as Coordinator" counts as coordination's support."""
    thread = open_votes_thread(red)
    post = thread.posts.first()
    slug = red.assembly.slug
    client_for(red.coordinator).post(
        f"/assemblies/{slug}/posts/{post.pk}/react/", {"value": "1", "as_office": "coordinator"}
    )
    client_for(red.coordinator).post(f"/assemblies/{slug}/posts/{post.pk}/react/", {"value": "1"})
    client_for(red.citizen).post(
        f"/assemblies/{slug}/posts/{post.pk}/react/", {"value": "1", "as_office": "coordinator"}
    )
    assert Reaction.objects.filter(post=post, as_office="coordinator").count() == 1
    assert Reaction.objects.filter(post=post, as_office="").count() == 1
    html = client_for(None).get(f"/assemblies/{slug}/threads/{thread.pk}/").content.decode()
    assert "1 +1 from coordinators" in html
    data = Client().get(f"/api/v1/threads/{thread.pk}").json()
    assert data["posts"][0]["office_support"] == {"coordinator": 1}
    refused = Client().post(
        f"/api/v1/posts/{post.pk}/reactions",
        json.dumps({"value": 1, "as_office": "coordinator"}),
        content_type="application/json",
        **bearer(red.citizen),
    )
    assert (
        refused.status_code == 403 and refused.json()["reasons"][0]["code"] == "not_office_holder"
    )


def test_the_same_reaction_again_takes_it_back(red):
    post = open_votes_thread(red).posts.first()
    headers = bearer(red.citizen)
    url = f"/api/v1/posts/{post.pk}/reactions"
    assert Client().post(
        url, json.dumps({"value": 1}), content_type="application/json", **headers
    ).json() == {"value": 1}
    assert Client().post(
        url, json.dumps({"value": -1}), content_type="application/json", **headers
    ).json() == {"value": -1}
    assert Client().post(
        url, json.dumps({"value": -1}), content_type="application/json", **headers
    ).json() == {"value": None}
    assert not Reaction.objects.exists()


def test_a_post_as_coordinator_says_so(red):
    thread = open_votes_thread(red)
    client_for(red.coordinator).post(
        f"/assemblies/{red.assembly.slug}/threads/{thread.pk}/reply/",
        {"body": "My +1 as Coordinator", "as_office": "coordinator"},
    )
    assert Post.objects.get(body="My +1 as Coordinator").as_office == "coordinator"
    html = (
        client_for(None)
        .get(f"/assemblies/{red.assembly.slug}/threads/{thread.pk}/")
        .content.decode()
    )
    assert "as Coordinador" in html or "as Coordinator" in html


def test_authors_edit_within_the_window_and_the_old_text_is_kept(red):
    post = open_votes_thread(red).posts.first()
    slug = red.assembly.slug
    client_for(red.drafter).post(f"/assemblies/{slug}/posts/{post.pk}/edit/", {"body": "hijack"})
    post.refresh_from_db()
    assert post.body == "Shall we adopt the new logo?"
    client_for(red.citizen).post(
        f"/assemblies/{slug}/posts/{post.pk}/edit/", {"body": "Shall we adopt the **new** logo?"}
    )
    post.refresh_from_db()
    assert "<strong>new</strong>" in post.body_html and post.edited_at is not None
    history = client_for(None).get(f"/assemblies/{slug}/posts/{post.pk}/history/").content.decode()
    assert "Shall we adopt the new logo?" in history
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        response = Client().patch(
            f"/api/v1/posts/{post.pk}",
            json.dumps({"body": "late"}),
            content_type="application/json",
            **bearer(red.citizen),
        )
        assert (
            response.status_code == 403
            and response.json()["reasons"][0]["code"] == "edit_window_closed"
        )


def test_markdown_is_sanitised(red):
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="XSS",
        tag="[DEBATE]",
        body="Hello <script>alert(1)</script> [link](javascript:alert(1)) **bold**",
    )
    html = thread.posts.first().body_html
    assert "<script>" not in html and "javascript:" not in html and "<strong>bold</strong>" in html


def test_quoting_prefills_the_reply_and_links_back(red):
    thread = open_votes_thread(red)
    first = thread.posts.first()
    client = client_for(red.citizen)
    page = client.get(
        f"/assemblies/{red.assembly.slug}/threads/{thread.pk}/?quote={first.pk}"
    ).content.decode()
    assert "&gt; **Cita**:" in page
    client.post(
        f"/assemblies/{red.assembly.slug}/threads/{thread.pk}/reply/",
        {"body": "> quoted\n\nI agree", "quote": first.pk},
    )
    assert Post.objects.latest("pk").quote_of_id == first.pk
    assert AuditEvent.objects.filter(verb="forum.reply", actor=red.citizen).exists()


def test_platform_citizens_may_reply_in_debates_but_not_open_threads(red):
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Open debate",
        tag="[DEBATE]",
        body="x",
    )
    page = (
        client_for(red.platform)
        .get(f"/assemblies/{red.assembly.slug}/forums/debates/")
        .content.decode()
    )
    assert (
        "You can&#x27;t open a thread in Debates" in page
        or "You can't open a thread in Debates" in page
    )
    client_for(red.platform).post(
        f"/assemblies/{red.assembly.slug}/threads/{thread.pk}/reply/", {"body": "from outside"}
    )
    assert Post.objects.filter(body="from outside").exists()


def test_anonymous_visitors_are_told_why_they_cannot_read(red):
    response = client_for(None).get(f"/assemblies/{red.assembly.slug}/forums/coordination/")
    assert response.status_code == 403
    assert "only citizens (members) of the assembly may read it" in response.content.decode()


def test_forum_and_thread_pages_query_counts_do_not_grow(red, django_assert_max_num_queries):
    thread = open_votes_thread(red)
    client = client_for(red.coordinator)
    slug = red.assembly.slug

    def grow(n: int) -> None:
        for i in range(n):
            t = open_votes_thread(red, f"t{i}")
            do_reply(thread=t, author=red.citizen, body="r")
            do_reply(thread=thread, author=red.citizen, body=f"reply {i}")

    for url in (f"/assemblies/{slug}/forums/votes/", f"/assemblies/{slug}/threads/{thread.pk}/"):
        grow(2)
        with django_assert_max_num_queries(30) as small:
            assert client.get(url).status_code == 200
        grow(30)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200


def test_search_finds_threads_in_readable_forums_only(red):
    """Search never leaks a thread from a forum the reader may not read (FOR-1)."""
    open_votes_thread(red, "Quarterly assembly in Madrid")
    do_open_thread(
        assembly=red.assembly,
        forum_key="coordination",
        author=red.coordinator,
        title="Madrid logistics (coordinators)",
        tag="",
        body="Internal",
    )
    do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.citizen,
        title="Housing",
        tag="[DEBATE]",
        body="Rents in Madrid keep rising",
    )
    anonymous = client_for(None).get("/assemblies/red15m/forums/search/?q=Madrid").content.decode()
    assert "Quarterly assembly in Madrid" in anonymous and "Housing" in anonymous
    assert "Madrid logistics" not in anonymous
    citizen = (
        Client()
        .get("/api/v1/assemblies/red15m/forums/search?q=Madrid", **bearer(red.citizen))
        .json()
    )
    assert {t["title"] for t in citizen["items"]} == {
        "Quarterly assembly in Madrid",
        "Madrid logistics (coordinators)",
        "Housing",
    }
    assert Client().get("/api/v1/assemblies/red15m/forums/search?q=").json()["count"] == 0


def test_an_archived_thread_comes_back_when_coordination_accepts_a_written_rescue(red):
    """FOR-3: "a rescue needs a written request"; coordination decides."""
    thread = open_votes_thread(red, "Old proposal")
    later = timezone.now() + timedelta(days=95)
    with time_machine.travel(later):
        asked = Client().post(
            f"/api/v1/threads/{thread.pk}/rescue",
            json.dumps({"text": "x"}),
            content_type="application/json",
            **bearer(red.citizen),
        )
        assert asked.status_code == 201  # it is in History by now
        page = client_for(red.coordinator).get("/assemblies/red15m/moderation/").content.decode()
        assert "Old proposal" in page
        rescue_id = asked.json()["id"]
        refused = Client().post(
            f"/api/v1/rescues/{rescue_id}/decision",
            json.dumps({"decision": "accept"}),
            content_type="application/json",
            **bearer(red.citizen),
        )
        assert refused.status_code == 403
        client_for(red.coordinator).post(
            f"/assemblies/red15m/rescues/{rescue_id}/decide/", {"decision": "accept"}
        )
        assert (
            ">Old proposal<"
            in client_for(None).get("/assemblies/red15m/forums/votes/").content.decode()
        )


def test_a_live_thread_cannot_be_rescued(red):
    thread = open_votes_thread(red)
    response = Client().post(
        f"/api/v1/threads/{thread.pk}/rescue",
        json.dumps({"text": "why"}),
        content_type="application/json",
        **bearer(red.citizen),
    )
    assert response.status_code == 403 and response.json()["reasons"][0]["code"] == "not_archived"


def test_the_archival_job_records_each_move_once_and_can_run_twice(red):
    """Safe to run twice, late, or on several workers: it only writes what time decided."""
    from django.core.management import call_command

    from folkmoot.audit.models import AuditEvent

    thread = open_votes_thread(red, "Fading")
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        call_command("archive_threads")
        call_command("archive_threads")
    thread.refresh_from_db()
    assert thread.archived_to == "history"
    assert AuditEvent.objects.filter(verb="forum.archived").count() == 1
