"""FOR-6 through the pages: start a conversation, read it, reply, leave; the inbox with its
unread counts, newest first; the count in the site's navigation; Markdown rendered and
sanitised as forum posts are; a conversation is missing to whoever is not in it."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.core import mail
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Conversation, Message, Participant
from folkmoot.conversations.rules import MAX_PEOPLE
from folkmoot.notifications.mailing import mail_pending
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m

from .conftest import Api, reply_on_page, start_on_page, started, text_of

MILLISECOND = timedelta(milliseconds=1)


def test_a_person_writes_to_another_who_reads_and_replies(red: Red15m, zoe: User) -> None:
    """FOR-6: one-to-one between people of the platform (Zoe belongs to no assembly)."""
    conversation = started(red.citizen, [zoe], "Hello **Zoe**", subject="Street art")
    assert conversation.direct
    page = text_of(client_for(zoe).get(f"/messages/{conversation.pk}/"))
    assert "Street art" in page
    assert "Hello <strong>Zoe</strong>" in page
    response = reply_on_page(zoe, conversation, "Hi Cita")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#message-{Message.objects.latest('id').pk}")
    assert "Hi Cita" in text_of(client_for(red.citizen).get(f"/messages/{conversation.pk}/"))


def test_the_inbox_lists_conversations_newest_first_with_unread_counts(
    red: Red15m, zoe: User
) -> None:
    """FOR-6: the inbox, newest first, and how many messages wait in each."""
    older = started(red.citizen, [zoe], "First", subject="Older")
    newer = started(red.coordinator, [zoe], "Second", subject="Newer")
    reply_on_page(red.coordinator, newer, "And a third")
    page = text_of(client_for(zoe).get("/messages/"))
    assert page.index("Newer") < page.index("Older")
    assert "2 unread" in page and "1 unread" in page
    # Reading one clears its count and leaves the other.
    client_for(zoe).get(f"/messages/{newer.pk}/")
    page = text_of(client_for(zoe).get("/messages/"))
    assert "2 unread" not in page and "1 unread" in page
    assert page.index("Newer") < page.index("Older")  # reading moves nothing
    # A new message brings the older one to the top.
    reply_on_page(red.citizen, older, "Back up")
    page = text_of(client_for(zoe).get("/messages/"))
    assert page.index("Older") < page.index("Newer")


def test_the_navigation_shows_the_unread_count(red: Red15m, zoe: User) -> None:
    """FOR-6: the unread count in the site's navigation, as notifications show theirs."""
    conversation = started(red.citizen, [zoe], "One")
    reply_on_page(red.citizen, conversation, "Two")
    home = text_of(client_for(zoe).get("/messages/"))
    assert "2 unread messages" in home
    client_for(zoe).get(f"/messages/{conversation.pk}/")
    assert "unread message" not in text_of(client_for(zoe).get("/messages/"))
    # The writer has nothing unread from their own messages.
    assert "unread message" not in text_of(client_for(red.citizen).get("/messages/"))


def test_whoever_is_not_in_a_conversation_finds_nothing_as_if_it_did_not_exist(
    red: Red15m, zoe: User, staff: User
) -> None:
    """FOR-6: a conversation is private: not found, the same answer as a missing one, even
    for the platform's staff."""
    conversation = started(red.citizen, [zoe], "Private words")
    for outsider in (red.coordinator, staff):
        response = client_for(outsider).get(f"/messages/{conversation.pk}/")
        assert response.status_code == 404
        assert "Private words" not in text_of(response)
        missing = client_for(outsider).get(f"/messages/{conversation.pk + 1000}/")
        assert missing.status_code == 404
        assert reply_on_page(outsider, conversation, "Let me in").status_code == 404
    assert client_for(None).get(f"/messages/{conversation.pk}/").status_code == 302  # sign in
    assert Message.objects.count() == 1


def test_a_group_holds_at_most_the_limit_and_a_larger_one_is_refused_in_words(
    red: Red15m,
) -> None:
    """FOR-6: small groups, at most MAX_PEOPLE people, the writer included."""
    people = [UserFactory(display_name=f"Member {i}") for i in range(MAX_PEOPLE)]
    response = start_on_page(red.citizen, people, "Too many of us")
    assert response.status_code == 400
    page = text_of(response)
    assert f"A conversation has at most {MAX_PEOPLE} people, you included" in page
    assert "Too many of us" in page  # the text is kept to send again
    assert not Conversation.objects.exists()
    group = started(red.citizen, people[: MAX_PEOPLE - 1], "Just right")
    assert not group.direct
    assert group.participants.count() == MAX_PEOPLE


def test_an_empty_message_or_nobody_chosen_is_refused_in_words(red: Red15m, zoe: User) -> None:
    response = start_on_page(red.citizen, [], "")
    page = text_of(response)
    assert response.status_code == 400
    assert "Choose at least one person to write to." in page
    assert "Write the message." in page
    assert not Conversation.objects.exists()


def test_the_person_picker_finds_people_of_the_platform_and_keeps_the_draft(
    red: Red15m, zoe: User
) -> None:
    """Without JavaScript: "Find" posts the form back, people found become choices, the
    people already ticked and the text stay."""
    response = client_for(red.citizen).post(
        "/messages/new/",
        {"action": "find", "find": "zo", "to": [red.coordinator.public_id], "body": "Draft"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert f'value="{zoe.public_id}"' in page
    assert f'value="{red.coordinator.public_id}" checked' in page
    assert "Draft" in page
    assert not Conversation.objects.exists()


def test_markdown_is_rendered_and_sanitised_like_forum_posts(red: Red15m, zoe: User) -> None:
    """FOR-6 with issue 10: never trust user HTML; the message sits in an hx-disable
    container."""
    body = '<script>alert(1)</script><a href="javascript:x()" hx-post="/x">link</a> *fine*'
    conversation = started(red.citizen, [zoe], body)
    page = text_of(client_for(zoe).get(f"/messages/{conversation.pk}/"))
    assert "<script>" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "javascript:" not in page
    assert 'hx-post="/x"' not in page
    assert "<em>fine</em>" in page
    message = Message.objects.get()
    assert f'<li class="post" id="message-{message.pk}" hx-disable>' in page


def test_leaving_stops_new_messages_and_keeps_what_was_written(red: Red15m, zoe: User) -> None:
    """FOR-6: leave a conversation; the others keep reading what was written."""
    conversation = started(red.citizen, [zoe, red.coordinator], "Before")
    response = client_for(zoe).post(f"/messages/{conversation.pk}/leave/")
    assert response.status_code == 302
    reply_on_page(red.citizen, conversation, "After")
    page = text_of(client_for(zoe).get(f"/messages/{conversation.pk}/"))
    assert "Before" in page and "After" not in page
    assert "You left this conversation: you no longer write in it." in page
    assert reply_on_page(zoe, conversation, "Back?").status_code == 400
    assert "left" in text_of(client_for(red.citizen).get(f"/messages/{conversation.pk}/"))
    assert Participant.objects.get(conversation=conversation, person=zoe).left_at is not None
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_when_everyone_else_left_writing_is_refused(red: Red15m, zoe: User) -> None:
    conversation = started(red.citizen, [zoe], "Anyone?")
    client_for(zoe).post(f"/messages/{conversation.pk}/leave/")
    response = reply_on_page(red.citizen, conversation, "Hello?")
    assert response.status_code == 400
    assert "Everyone else has left this conversation" in text_of(response)
    assert "Hello?" in text_of(response)  # kept in the form


def test_the_inbox_costs_the_same_queries_for_few_or_many_conversations(
    red: Red15m, zoe: User, django_assert_max_num_queries
) -> None:
    """DESIGN.md: every page has a query-count bound that holds as data grows."""
    started(red.citizen, [zoe], "One")
    reader = client_for(zoe)
    reader.get("/messages/")  # the session settles
    with django_assert_max_num_queries(8):
        reader.get("/messages/")
    for i in range(8):
        started(UserFactory(display_name=f"Writer {i}"), [zoe, red.citizen], "More")
    with django_assert_max_num_queries(8):
        response = reader.get("/messages/")
    assert text_of(response).count("1 unread") == 9
    # Group conversations count each message once in the navigation, whoever else is in them.
    assert "9 unread messages" in text_of(response)


def test_a_conversation_page_costs_the_same_queries_for_few_or_many_messages(
    red: Red15m, zoe: User, django_assert_max_num_queries
) -> None:
    """DESIGN.md: a bound that holds as the conversation grows."""
    group = started(red.citizen, [zoe, red.coordinator], "One")
    reader = client_for(zoe)
    reader.get(f"/messages/{group.pk}/")  # the session settles
    reply_on_page(red.citizen, group, "Two")
    with django_assert_max_num_queries(16) as few:
        reader.get(f"/messages/{group.pk}/")
    bound = len(few.captured_queries)  # now: the query log is a bounded queue
    for i in range(20):
        reply_on_page(red.coordinator if i % 2 else red.citizen, group, f"More {i}")
    with django_assert_max_num_queries(bound):
        response = reader.get(f"/messages/{group.pk}/")
    assert "More 19" in text_of(response)


def test_naming_more_people_than_a_conversation_holds_is_refused_before_anyone_is_looked_up(
    red: Red15m, zoe: User, django_assert_max_num_queries
) -> None:
    """FOR-6: small groups. A form naming more people than a conversation can hold is
    refused in words, the text kept, and nothing is created; whoever they are, they are
    not looked up (a form with thousands of ids costs no more than one with too many)."""
    named = [zoe.public_id] + [f"id-{i}" for i in range(MAX_PEOPLE)]
    writer = client_for(red.citizen)
    writer.get("/messages/new/")  # the session settles
    for action in ("send", "find"):
        with django_assert_max_num_queries(6):
            response = writer.post(
                "/messages/new/", {"action": action, "to": named, "body": "Hello all"}
            )
        assert response.status_code == 400
        page = text_of(response)
        assert (
            f"A conversation has at most {MAX_PEOPLE} people, you included: you named "
            f"{MAX_PEOPLE + 1}." in page
        )
        assert "Hello all" in page
    many = writer.post("/messages/new/", {"action": "send", "to": named * 50, "body": "Hi"})
    assert many.status_code == 400
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_a_conversation_one_left_stays_put_in_the_inbox_and_tells_nothing_more(
    red: Red15m, zoe: User
) -> None:
    """FOR-6: whoever leaves receives nothing more. What the others write afterwards
    neither brings the conversation back up the inbox nor changes its time there, and the
    notice still waiting from it is neither counted as unread nor emailed."""
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3), tick=False):
        left = started(red.citizen, [zoe, red.coordinator], "Before", subject="Left behind")
    with time_machine.travel(now - timedelta(days=2), tick=False):
        started(zoe, [red.coordinator], "Hello", subject="Still here")
    with time_machine.travel(now - timedelta(days=1), tick=False):
        assert client_for(zoe).post(f"/messages/{left.pk}/leave/").status_code == 302
    before = Api(zoe).get("/conversations").json()
    mail.outbox.clear()
    reply_on_page(red.citizen, left, "After you left")
    reply_on_page(red.coordinator, left, "And again")

    page = text_of(client_for(zoe).get("/messages/"))
    assert page.index("Still here") < page.index("Left behind")
    assert "unread" not in page  # neither messages nor notifications
    after = Api(zoe).get("/conversations").json()
    assert after == before
    assert [row["subject"] for row in after] == ["Still here", "Left behind"]
    # When "Before" was written (the JSON keeps milliseconds): not when she left.
    written = Message.objects.get(body="Before").created_at
    assert abs(datetime.fromisoformat(after[1]["last_message_at"]) - written) < MILLISECOND
    read = Api(zoe).get(f"/conversations/{left.pk}").json()
    assert abs(datetime.fromisoformat(read["last_message_at"]) - written) < MILLISECOND
    # The notice of "Before", waiting when she left, is not mailed to her.
    mail_pending(timezone.now())
    assert [m for m in mail.outbox if zoe.email in m.to] == []
    assert [m for m in mail.outbox if red.coordinator.email in m.to]  # the others are told
