"""Chat rooms from the protocol (issue 5): read and write audiences from the core, live over
WebSockets, polling through the API, system announcements, sanctioned people refused."""

import asyncio
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from folkmoot.chat.models import ChatMessage
from folkmoot.config.asgi import application
from folkmoot.moderation.models import Sanction
from tests.api.test_assemblies_api import bearer
from tests.conftest import client_for


def api_post(user, url, body):  # type: ignore[no-untyped-def]
    return Client().post(url, json.dumps(body), content_type="application/json", **bearer(user))


def run_async(coroutine: Callable[[], Any]) -> Any:
    """async_to_sync, from a thread of its own when this one already runs an event loop (a
    session-wide browser fixture of an earlier test in this worker keeps one): the database
    is shared (transaction=True), so nothing else changes."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(coroutine)()
    done: list[Any] = []
    failed: list[BaseException] = []

    def own() -> None:
        try:
            done.append(async_to_sync(coroutine)())
        except BaseException as error:  # re-raised in the test's thread
            failed.append(error)

    worker = threading.Thread(target=own)
    worker.start()
    worker.join(timeout=60)
    if failed:
        raise failed[0]
    assert done, "the chat did not answer within 60 s"
    return done[0]


def test_the_square_is_for_signed_in_readers_and_citizen_writers(red):
    """RED15M's square: platform citizens read, assembly citizens write."""
    assert client_for(None).get("/assemblies/red15m/chat/plaza/").status_code == 403
    page = client_for(red.platform).get("/assemblies/red15m/chat/plaza/").content.decode()
    assert "You can&#x27;t write in The square" in page or "You can't write in The square" in page
    client_for(red.citizen).post("/assemblies/red15m/chat/plaza/post/", {"body": "Hola a todos"})
    assert ChatMessage.objects.get().body == "Hola a todos"
    assert (
        "Hola a todos"
        in client_for(red.platform).get("/assemblies/red15m/chat/plaza/").content.decode()
    )


def test_api_clients_poll_for_messages_after_the_last_one_seen(red):
    first = api_post(
        red.citizen, "/api/v1/assemblies/red15m/chat/plaza/messages", {"body": "one"}
    ).json()
    api_post(red.coordinator, "/api/v1/assemblies/red15m/chat/plaza/messages", {"body": "two"})
    newer = (
        Client()
        .get(
            f"/api/v1/assemblies/red15m/chat/plaza/messages?after={first['id']}",
            **bearer(red.platform),
        )
        .json()
    )
    assert [m["body"] for m in newer] == ["two"]
    refused = api_post(
        red.platform, "/api/v1/assemblies/red15m/chat/plaza/messages", {"body": "outsider"}
    )
    assert refused.status_code == 403 and refused.json()["reasons"][0]["code"] == "chat_write"


def test_messages_have_the_protocols_length_limit(red):
    response = api_post(
        red.citizen, "/api/v1/assemblies/red15m/chat/plaza/messages", {"body": "x" * 501}
    )
    assert response.status_code == 403 and "500" in response.json()["detail"]


def test_a_sanction_is_announced_and_the_sanctioned_person_cannot_chat(red):
    """SAN-6 covers chat; sanctions are announced by a system message."""
    api_post(
        red.coordinator,
        "/api/v1/assemblies/red15m/sanctions",
        {"person": red.citizen.pk, "level": "minor", "reason": "Spam"},
    )
    announcement = ChatMessage.objects.get(author=None)
    assert "Spam" in announcement.body and announcement.room == "plaza"
    response = api_post(
        red.citizen, "/api/v1/assemblies/red15m/chat/plaza/messages", {"body": "let me speak"}
    )
    assert response.status_code == 403 and response.json()["reasons"][0]["code"] == "sanctioned"


def socket(client: Client, room: str = "plaza") -> WebsocketCommunicator:
    cookie = (
        f"sessionid={client.cookies['sessionid'].value}" if "sessionid" in client.cookies else ""
    )
    return WebsocketCommunicator(
        application,
        f"/ws/assemblies/red15m/chat/{room}/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookie.encode())],
    )


@pytest.mark.django_db(transaction=True)
def test_a_citizen_chats_live_over_the_websocket(red):
    client = client_for(red.citizen)

    async def talk() -> str:
        communicator = socket(client)
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_json_to({"body": "¿Quedamos el sábado?"})
        html = await communicator.receive_from(timeout=5)
        await communicator.disconnect()
        return html

    html = run_async(talk)
    assert 'hx-swap-oob="beforeend"' in html and "¿Quedamos el sábado?" in html
    assert ChatMessage.objects.filter(author=red.citizen).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_websocket_refuses_anonymous_readers_and_sanctioned_writers(red):
    async def anonymous() -> tuple[bool, object]:
        communicator = socket(Client())
        return await communicator.connect()

    connected, code = run_async(anonymous)
    assert not connected and code == 4403

    Sanction.objects.create(
        assembly=red.assembly,
        person=red.citizen,
        level="minor",
        duration=timedelta(hours=24),
        reason="Trolling",
        imposed_by=red.coordinator,
    )
    client = client_for(red.citizen)

    async def blocked() -> str:
        communicator = socket(client)
        connected, _ = await communicator.connect()
        assert connected  # citizens may still read
        await communicator.send_json_to({"body": "still here"})
        reply = await communicator.receive_from(timeout=5)
        await communicator.disconnect()
        return str(reply)

    # The reasons, and the text given back to the field the page emptied (issue 12).
    reply = run_async(blocked)
    assert 'id="chat-refused"' in reply and "sanctioned" in reply
    assert 'id="chat-body"' in reply and 'value="still here"' in reply
    assert not ChatMessage.objects.filter(author=red.citizen).exists()


def test_a_message_over_the_limit_comes_back_with_the_reason(red):
    client = client_for(red.citizen)
    long = "x" * 5001
    response = client.post("/assemblies/red15m/chat/plaza/post/", {"body": long})
    page = response.content.decode()
    assert response.status_code == 400
    assert "A message has 1 to" in page and f'value="{long}"' in page
    assert not ChatMessage.objects.filter(author=red.citizen).exists()


def test_without_websockets_the_page_polls_for_the_latest_messages(red):
    """The message list asks for itself every few seconds; htmx requests get just the list."""
    api_post(red.citizen, "/api/v1/assemblies/red15m/chat/plaza/messages", {"body": "first"})
    page = client_for(red.platform).get("/assemblies/red15m/chat/plaza/").content.decode()
    assert 'hx-trigger="every 10s"' in page
    partial = (
        client_for(red.platform)
        .get("/assemblies/red15m/chat/plaza/", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "first" in partial and "<html" not in partial
