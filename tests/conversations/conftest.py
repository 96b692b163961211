"""Private messages (FOR-6) in a RED15M assembly: its personas (tests.forums.conftest) plus
people of the platform who belong to nothing, and helpers that act as a person would, through
the pages or the API."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from folkmoot.accounts.models import User
from folkmoot.conversations.models import Conversation
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture(autouse=True)
def fresh_minute() -> Iterator[None]:
    """Each test starts with nobody having sent a private message this minute: the pace of
    sending (conversations.pace) is counted in the cache, which the suite keeps per process
    and which ids rolled back in the database would otherwise find again."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


@pytest.fixture
def zoe(db: None) -> User:
    """Someone of the platform who belongs to no assembly."""
    return UserFactory(display_name="Zoe")


@pytest.fixture
def staff(db: None) -> User:
    return UserFactory(display_name="Stella", is_staff=True)


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def start_on_page(author: User, people: list[User], body: str, subject: str = "") -> Any:
    return client_for(author).post(
        "/messages/new/",
        {"action": "send", "to": [p.public_id for p in people], "subject": subject, "body": body},
    )


def started(
    author: User, people: list[User], body: str = "Hello", subject: str = ""
) -> Conversation:
    response = start_on_page(author, people, body, subject)
    assert response.status_code == 302, text_of(response)
    return Conversation.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def reply_on_page(author: User, conversation: Conversation, body: str) -> Any:
    return client_for(author).post(f"/messages/{conversation.pk}/reply/", {"body": body})


def add_on_page(adder: User, conversation: Conversation, people: list[User]) -> Any:
    """The "Add people" form, its people ticked; follows to where it goes."""
    return client_for(adder).post(
        f"/messages/{conversation.pk}/people/",
        {"action": "add", "to": [p.public_id for p in people]},
        follow=True,
    )


class Api:
    """A person's API client, with their bearer token."""

    def __init__(self, user: User) -> None:
        self.client = Client()
        self.headers = bearer(user)

    def get(self, path: str) -> Any:
        return self.client.get("/api/v1" + path, **self.headers)

    def post(self, path: str, body: object = None) -> Any:
        return self.client.post(
            "/api/v1" + path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            **self.headers,
        )

    def delete(self, path: str) -> Any:
        return self.client.delete("/api/v1" + path, **self.headers)
