"""FOR-6: nobody floods the people they write to. A person sends at most
PRIVATE_MESSAGES_PER_MINUTE messages in any minute, new conversations included; past it the
page and the API refuse in words, say when to send again, and keep nothing; a minute later
they write again. Only what is sent counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Message
from tests.forums.conftest import Red15m

from .conftest import Api, reply_on_page, start_on_page, started, text_of

TOO_FAST = "You are sending private messages too fast: at most 3 a minute."


@pytest.fixture
def three_a_minute(settings: Any) -> None:
    settings.PRIVATE_MESSAGES_PER_MINUTE = 3


@pytest.mark.usefixtures("three_a_minute")
def test_past_the_limit_the_page_refuses_keeps_the_text_and_a_minute_later_it_goes(
    red: Red15m, zoe: User
) -> None:
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        conversation = started(red.citizen, [zoe], "One")  # a new conversation counts
        assert reply_on_page(red.citizen, conversation, "Two").status_code == 302
    with time_machine.travel(now + timedelta(seconds=20), tick=False):
        assert reply_on_page(red.citizen, conversation, "Three").status_code == 302
        refused = reply_on_page(red.citizen, conversation, "Four, too soon")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "40"
        page = text_of(refused)
        assert f"{TOO_FAST} Send it again in 40 s." in page
        assert "Four, too soon" in page  # kept in the form
        assert not Message.objects.filter(body="Four, too soon").exists()
        # A new conversation is refused alike, its text kept in the form.
        new = start_on_page(red.citizen, [red.coordinator], "A new one, too soon")
        assert new.status_code == 429
        assert f"{TOO_FAST} Send it again in 40 s." in text_of(new)
        assert "A new one, too soon" in text_of(new)
        assert not Message.objects.filter(body="A new one, too soon").exists()
        # Someone else is not slowed down by it.
        assert reply_on_page(zoe, conversation, "Calm down").status_code == 302
    with time_machine.travel(now + timedelta(seconds=61), tick=False):
        # The first two messages are more than a minute old: two more may go, not three.
        assert reply_on_page(red.citizen, conversation, "Four").status_code == 302
        assert reply_on_page(red.citizen, conversation, "Five").status_code == 302
        assert reply_on_page(red.citizen, conversation, "Six").status_code == 429
    assert Message.objects.filter(author=red.citizen).count() == 5


@pytest.mark.usefixtures("three_a_minute")
def test_the_api_answers_429_with_retry_after_and_the_reason(red: Red15m, zoe: User) -> None:
    api = Api(red.citizen)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        pk = api.post("/conversations", {"to": [zoe.public_id], "body": "One"}).json()["id"]
        assert api.post(f"/conversations/{pk}/messages", {"body": "Two"}).status_code == 201
        assert api.post(f"/conversations/{pk}/messages", {"body": "Three"}).status_code == 201
        refused = api.post(f"/conversations/{pk}/messages", {"body": "Four"})
        assert refused.status_code == 429
        assert refused["Retry-After"] == "60"
        body = refused.json()
        assert body["reasons"] == [
            {"code": "too_fast", "message": f"{TOO_FAST} Send it again in 60 s."}
        ]
        assert body["detail"] == body["reasons"][0]["message"]
        # Starting another conversation is sending too.
        another = api.post("/conversations", {"to": [red.coordinator.public_id], "body": "Hi"})
        assert another.status_code == 429
        assert Message.objects.count() == 3
        # So is writing to the holders of an office.
        office = api.post("/assemblies/red15m/offices/coordinator/conversations", {"body": "Hi"})
        assert office.status_code == 429
        assert Message.objects.count() == 3


@pytest.mark.usefixtures("three_a_minute")
def test_a_refused_message_takes_no_place(red: Red15m, zoe: User) -> None:
    """Bad input changes nothing, the count included: an empty text, or one to someone who
    does not take messages from the writer, is refused for that reason and counts for
    nothing."""
    conversation = started(red.citizen, [zoe], "One")
    for _ in range(5):
        assert reply_on_page(red.citizen, conversation, "   ").status_code == 400
    assert start_on_page(red.citizen, [], "Nobody to read it").status_code == 400
    assert reply_on_page(red.citizen, conversation, "Two").status_code == 302
    assert reply_on_page(red.citizen, conversation, "Three").status_code == 302
    assert reply_on_page(red.citizen, conversation, "Four").status_code == 429


def test_the_limit_is_a_setting_and_none_when_zero(red: Red15m, zoe: User, settings: Any) -> None:
    settings.PRIVATE_MESSAGES_PER_MINUTE = 0
    conversation = started(red.citizen, [zoe], "One")
    for i in range(25):
        assert reply_on_page(red.citizen, conversation, f"Burst {i}").status_code == 302
    settings.PRIVATE_MESSAGES_PER_MINUTE = 1
    assert reply_on_page(zoe, conversation, "One from me").status_code == 302
    refused = reply_on_page(zoe, conversation, "And another")
    assert refused.status_code == 429
    assert "at most 1 a minute" in text_of(refused)
