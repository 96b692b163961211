"""FOR-6: the inbox and a conversation are read a page at a time, so that a conversation of
thousands of messages opens as fast as one of ten: the newest messages last, an "Earlier
messages" link going back, the same through the API (`before`, `limit`; `page` for the
inbox)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.conversations.actions import do_start
from folkmoot.conversations.models import Conversation, Message
from folkmoot.conversations.selectors import INBOX_PAGE, MESSAGES_PAGE
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m

from .conftest import Api, add_on_page, started, text_of

LONG = 5000


def _long_conversation(a: User, b: User, count: int = LONG) -> Conversation:
    """`count` messages, written a second apart, the last one now: "Message 0" … ."""
    conversation = do_start(author=a, people=[b], subject="Long", body="Message 0")
    start = timezone.now() - timedelta(seconds=count)
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            author=a if i % 2 else b,
            body=f"Message {i}",
            body_html=f"<p>Message {i}</p>",
            created_at=start + timedelta(seconds=i),
        )
        for i in range(1, count)
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=timezone.now())
    return conversation


def _shown(page: str) -> list[int]:
    return [int(n) for n in re.findall(r"<p>Message (\d+)</p>", page)]


def test_a_conversation_of_thousands_opens_on_its_newest_messages_in_few_queries(
    red: Red15m, zoe: User, django_assert_max_num_queries
) -> None:
    """The page shows the newest messages, oldest of them first, and a link to the earlier
    ones; it costs the same queries as a conversation of two messages."""
    short = started(red.citizen, [zoe], "Hello")
    reader = client_for(zoe)
    reader.get(f"/messages/{short.pk}/")  # the session settles
    with django_assert_max_num_queries(20) as few:
        reader.get(f"/messages/{short.pk}/")
    long = _long_conversation(red.citizen, zoe)
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        response = reader.get(f"/messages/{long.pk}/")
    page = text_of(response)
    assert _shown(page) == list(range(LONG - MESSAGES_PAGE, LONG))
    earliest = Message.objects.get(body=f"Message {LONG - MESSAGES_PAGE}")
    assert f'href="?before={earliest.pk}"' in page
    assert "Earlier messages" in page
    assert "Latest messages" not in page
    # Opening it read everything.
    assert "unread" not in text_of(reader.get("/messages/"))


def test_earlier_messages_go_back_a_page_at_a_time_to_the_first(red: Red15m, zoe: User) -> None:
    conversation = _long_conversation(red.citizen, zoe, count=120)
    reader = client_for(zoe)
    link = re.search(r'href="\?before=(\d+)"', text_of(reader.get(f"/messages/{conversation.pk}/")))
    assert link is not None
    second = text_of(reader.get(f"/messages/{conversation.pk}/?before={link[1]}"))
    assert _shown(second) == list(range(20, 70))
    assert "Latest messages" in second
    link = re.search(r'href="\?before=(\d+)"', second)
    assert link is not None
    first = text_of(reader.get(f"/messages/{conversation.pk}/?before={link[1]}"))
    assert _shown(first) == list(range(20))
    assert "Earlier messages" not in first
    # A cursor that is not a message id shows the newest, as the plain address does.
    assert _shown(text_of(reader.get(f"/messages/{conversation.pk}/?before=x²"))) == list(
        range(70, 120)
    )


def test_reading_earlier_messages_marks_nothing_read(red: Red15m, zoe: User) -> None:
    conversation = _long_conversation(red.citizen, zoe, count=60)
    first = Message.objects.filter(conversation=conversation).order_by("id")[1]
    client_for(zoe).get(f"/messages/{conversation.pk}/?before={first.pk + 5}")
    inbox = text_of(client_for(zoe).get("/messages/"))
    assert re.search(r"\d+ unread", inbox)
    api = Api(zoe).get(f"/conversations/{conversation.pk}?before={first.pk + 5}").json()
    assert api["latest"] is False and api["unread"] > 0


def test_the_api_reads_a_conversation_with_limit_and_before(red: Red15m, zoe: User) -> None:
    conversation = _long_conversation(red.citizen, zoe, count=LONG)
    api = Api(zoe)
    newest = api.get(f"/conversations/{conversation.pk}?limit=20").json()
    assert [m["body"] for m in newest["messages"]] == [f"Message {i}" for i in range(4980, 5000)]
    assert newest["latest"] is True and newest["unread"] == 0
    before = api.get(f"/conversations/{conversation.pk}?limit=20&before={newest['earlier']}")
    older = before.json()
    assert [m["body"] for m in older["messages"]] == [f"Message {i}" for i in range(4960, 4980)]
    assert older["latest"] is False
    default = api.get(f"/conversations/{conversation.pk}").json()
    assert len(default["messages"]) == MESSAGES_PAGE
    # Walking back reaches the first message, then says there is nothing earlier.
    first = Message.objects.filter(conversation=conversation).order_by("id")[:3]
    start = api.get(f"/conversations/{conversation.pk}?limit=5&before={first[2].pk}").json()
    assert [m["body"] for m in start["messages"]] == ["Message 0", "Message 1"]
    assert start["earlier"] is None
    for bad in ("limit=0", "limit=100000", "before=0", "before=abc"):
        assert api.get(f"/conversations/{conversation.pk}?{bad}").status_code == 422


def test_someone_added_shows_where_it_happened_on_the_page_it_belongs_to(
    red: Red15m, zoe: User
) -> None:
    """ "X added Y" sits between the messages written before and after, on that page only."""
    group = do_start(author=red.citizen, people=[zoe, red.coordinator], subject="", body="M 0")
    now = timezone.now()

    def write(i: int, at: timedelta) -> None:
        Message.objects.create(
            conversation=group,
            author=red.citizen,
            body=f"M {i}",
            body_html=f"<p>Message {i}</p>",
            created_at=now + at,
        )

    for i in range(1, 31):
        write(i, timedelta(hours=-1, seconds=i))
    add_on_page(zoe, group, [red.drafter])  # between 30 and 31
    for i in range(31, 91):
        write(i, timedelta(minutes=1, seconds=i))
    reader = client_for(red.coordinator)
    latest = text_of(reader.get(f"/messages/{group.pk}/"))
    assert _shown(latest) == list(range(41, 91))
    assert "Zoe added Drea" not in latest
    before = re.search(r'href="\?before=(\d+)"', latest)
    assert before is not None
    earlier = text_of(reader.get(f"/messages/{group.pk}/?before={before[1]}"))
    assert "Zoe added Drea" in earlier
    between = earlier.split("Zoe added Drea")
    assert _shown(between[0])[-1] == 30 and _shown(between[1])[0] == 31
    # The newcomer's first page starts with their arrival, nothing before it.
    newcomer = text_of(client_for(red.drafter).get(f"/messages/{group.pk}/"))
    assert _shown(newcomer)[0] == 41
    found = re.search(r'href="\?before=(\d+)"', newcomer)
    assert found is not None
    first = text_of(client_for(red.drafter).get(f"/messages/{group.pk}/?before={found[1]}"))
    assert _shown(first) == list(range(31, 41))
    assert "Zoe added you" in first and "Earlier messages" not in first


def test_the_inbox_pages_its_conversations(
    red: Red15m, zoe: User, django_assert_max_num_queries
) -> None:
    writers = [UserFactory(display_name=f"Writer {i:02}") for i in range(INBOX_PAGE + 5)]
    for i, writer in enumerate(writers):
        do_start(author=writer, people=[zoe], subject=f"Subject {i:02}", body="Hi")
    reader = client_for(zoe)
    reader.get("/messages/")  # the session settles
    with django_assert_max_num_queries(9):
        first = text_of(reader.get("/messages/"))
    assert first.count("1 unread") == INBOX_PAGE
    assert "Subject 54" in first and "Subject 04" not in first  # newest first
    assert 'href="?page=2"' in first
    second = text_of(reader.get("/messages/?page=2"))
    assert second.count("1 unread") == 5 and "Subject 00" in second
    api = Api(zoe)
    assert len(api.get("/conversations").json()) == INBOX_PAGE
    assert [r["subject"] for r in api.get("/conversations?page=2").json()] == [
        f"Subject {i:02}" for i in range(4, -1, -1)
    ]
    assert api.get("/conversations?page=3").json() == []
    assert api.get("/conversations?page=0").status_code == 422
