"""Issue 11: a signed-in reader's thread page keeps its posts (forums/thread_posts.py). What is
above each post's footer is kept for every reader; the footer stays each reader's own (which
buttons they pressed, whether they may edit, report or moderate), and no write is ever
missing from a kept page: a reply, a +1, an edit or moderation shows at once."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from folkmoot.forums.actions import do_edit_post, do_react, do_reply
from folkmoot.forums.models import Post, Thread
from tests.conftest import client_for

from .conftest import Red15m, a_debate


def a_thread(red: Red15m) -> Thread:
    thread = a_debate(red)
    do_reply(thread=thread, author=red.citizen, body="Yes, by local artists.")
    return thread


def address(thread: Thread) -> str:
    return f"/assemblies/red15m/threads/{thread.pk}/"


def posts_read(client: Any, thread: Thread) -> tuple[str, bool]:
    """The page, and whether it read the thread's posts (False: they were kept)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address(thread))
    assert response.status_code == 200
    return response.content.decode(), any(
        'FROM "forums_post"' in q["sql"] for q in queries.captured_queries
    )


def post_of(page: str, post: Post) -> str:
    start = page.index(f'id="post-{post.pk}"')
    return page[start : page.index("</li>", start)]


def pressed(page: str, post: Post) -> list[str]:
    return re.findall(r'aria-pressed="(true|false)">', post_of(page, post))


def test_a_second_reader_gets_the_kept_posts_with_their_own_buttons(red: Red15m) -> None:
    thread = a_thread(red)
    opening, reply = thread.posts.order_by("pk")
    do_react(post=reply, user=red.drafter, value=1)
    citizen, read = posts_read(client_for(red.citizen), thread)
    assert read and "Murals on the market hall?" in citizen
    drafter, read = posts_read(client_for(red.drafter), thread)
    assert not read  # kept: made for the citizen
    assert "Murals on the market hall?" in drafter and "Yes, by local artists." in drafter
    # The drafter's own +1 shows pressed on their page, not on the citizen's.
    assert "+1 / −0" in post_of(drafter, reply) and "+1 / −0" in post_of(citizen, reply)
    assert pressed(drafter, reply)[0] == "true" and pressed(citizen, reply)[0] == "false"
    # Edit is offered on one's own post only; report on others' only.
    assert "/edit/" in post_of(citizen, reply) and "/edit/" not in post_of(drafter, reply)
    assert "/edit/" in post_of(drafter, opening) and "/edit/" not in post_of(citizen, opening)
    assert "/report/" in post_of(drafter, reply) and "/report/" not in post_of(citizen, reply)


def test_a_member_who_may_not_reply_gets_no_buttons_from_a_kept_page(red: Red15m) -> None:
    thread = a_thread(red)
    opening = thread.posts.earliest("pk")
    posts_read(client_for(red.citizen), thread)
    page, read = posts_read(client_for(red.sanctioned), thread)
    assert not read and "Murals on the market hall?" in page
    assert not pressed(page, opening)  # no +1/−1 for someone under a sanction
    assert "Sign in to reply" not in page and 'id="form-react"' not in page


def test_every_write_shows_at_once(red: Red15m) -> None:
    thread = a_thread(red)
    opening, reply = thread.posts.order_by("pk")
    reader = client_for(red.citizen)
    posts_read(reader, thread)
    assert not posts_read(reader, thread)[1]
    do_reply(thread=thread, author=red.coordinator, body="Ask the neighbours first.")
    assert "Ask the neighbours first." in posts_read(reader, thread)[0]
    do_react(post=reply, user=red.drafter, value=-1)
    assert "+0 / −1" in post_of(posts_read(reader, thread)[0], reply)
    do_edit_post(post=opening, body="Murals on the old market hall?", actor=red.drafter)
    assert "Murals on the old market hall?" in posts_read(reader, thread)[0]
    # A bulk update, as the platform erases a person's name (no model signal).
    type(red.drafter).objects.filter(pk=red.drafter.pk).update(display_name="Someone else")
    assert "Someone else" in post_of(posts_read(reader, thread)[0], opening)


def test_a_moderator_never_gets_a_kept_page_and_moderation_shows_at_once(red: Red15m) -> None:
    thread = a_thread(red)
    reply = thread.posts.order_by("pk").last()
    assert reply is not None
    posts_read(client_for(red.citizen), thread)
    moderator = client_for(red.coordinator)
    posts_read(moderator, thread)
    page, read = posts_read(moderator, thread)
    assert read and "Move this reply to the trash" in page
    moved = moderator.post(
        f"/assemblies/red15m/posts/{reply.pk}/trash/", {"reason": "Spam", "minutes": "30"}
    )
    assert moved.status_code == 302
    citizen = posts_read(client_for(red.drafter), thread)[0]
    assert "Moved to the trash by moderation: Spam" in post_of(citizen, reply)


def test_a_thread_kept_under_one_address_is_not_kept_again_under_another(red: Red15m) -> None:
    """A thread's number spelt with leading zeros is the same page: it uses what is kept
    under the thread's own address, and adds nothing to the cache."""
    thread = a_thread(red)
    reader = client_for(red.citizen)
    posts_read(reader, thread)  # kept now, under the thread's own address
    with CaptureQueriesContext(connection) as queries:
        page = reader.get(f"/assemblies/red15m/threads/00{thread.pk}/")
    assert page.status_code == 200 and "Murals on the market hall?" in page.content.decode()
    assert not any('FROM "forums_post"' in q["sql"] for q in queries.captured_queries)
