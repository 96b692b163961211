"""Issue 11: a signed-in reader's forum page keeps its list of threads, and never shows a kept
list that a write has made out of date: a new thread, a reply, a +1 or a moved thread shows at
once. What is above the list (whether the reader may open a thread) stays their own."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from folkmoot.forums.actions import do_react, do_reply
from folkmoot.forums.models import Post, Thread
from tests.conftest import client_for

from .conftest import Red15m, a_debate

FORUM = "/assemblies/red15m/forums/debates/"


def row_of(page: str, title: str) -> str:
    start = page.index(title)
    return page[start : page.index("</tr>", start)]


def test_a_kept_list_reads_no_thread_and_every_write_shows_at_once(red: Red15m) -> None:
    thread = a_debate(red, "Street art")
    reader = client_for(red.citizen)
    assert "Street art" in reader.get(FORUM).content.decode()
    with CaptureQueriesContext(connection) as kept:
        page = reader.get(FORUM).content.decode()
    assert "Street art" in page
    assert not [q for q in kept.captured_queries if 'FROM "forums_thread"' in q["sql"]]
    # A new thread, by anyone.
    a_debate(red, "Bike racks")
    assert "Bike racks" in reader.get(FORUM).content.decode()
    # A reply: the replies column.
    do_reply(thread=thread, author=red.coordinator, body="Yes.")
    assert "<td>1</td>" in row_of(reader.get(FORUM).content.decode(), "Street art")
    # A +1 on the opening post: the ± column.
    do_react(post=Post.objects.filter(thread=thread).earliest("pk"), user=red.drafter, value=1)
    assert "+1 / −0" in row_of(reader.get(FORUM).content.decode(), "Street art")
    # A thread moved elsewhere (a queryset's update(), as moderation does it).
    Thread.objects.filter(pk=thread.pk).update(moved_to="trash")
    assert "Street art" not in reader.get(FORUM).content.decode()


def test_what_is_above_the_list_stays_the_readers_own(red: Red15m) -> None:
    a_debate(red, "Street art")
    citizen = client_for(red.citizen).get(FORUM).content.decode()
    sanctioned = client_for(red.sanctioned).get(FORUM).content.decode()
    assert "Street art" in citizen and "Street art" in sanctioned
    assert "Open a thread" in citizen
    assert "Open a thread" not in sanctioned


def test_each_language_keeps_its_own_list(red: Red15m) -> None:
    a_debate(red, "Street art")
    reader = client_for(red.citizen)
    english = reader.get(FORUM, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = reader.get(FORUM, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Last activity" in english
    assert "Last activity" not in spanish and "Street art" in spanish


def test_only_the_forums_own_addresses_are_kept(red: Red15m) -> None:
    """Made-up query strings and tags the forum does not have are answered, never kept: they
    could otherwise fill the cache (and push out what else it holds)."""
    a_debate(red, "Street art")
    reader = client_for(red.citizen)

    def reads_threads(address: str) -> bool:
        reader.get(address)  # the first visit
        with CaptureQueriesContext(connection) as again:
            assert reader.get(address).status_code == 200
        return any('FROM "forums_thread"' in q["sql"] for q in again.captured_queries)

    assert not reads_threads(FORUM + "?tag=[DEBATE]")
    assert not reads_threads(FORUM + "?page=1")
    assert reads_threads(FORUM + "?tag=made-up")
    assert reads_threads(FORUM + "?page=1&x=1")
    assert reads_threads(FORUM + "?page=" + "9" * 20)
    # One spelling per page: no leading zeros, no other scripts' digits.
    assert reads_threads(FORUM + "?page=01")
    assert reads_threads(FORUM + "?page=\u0661")
