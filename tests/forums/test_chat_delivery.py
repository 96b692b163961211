"""Issue 10 (part 4, FOR-1, ASM-1): the live chat asks whether a person may read the room
before every message it delivers, not only when the socket opens. Whoever signs out, leaves a
restricted assembly, has their password changed elsewhere or loses access while connected
receives nothing more, and their socket is closed."""

from collections.abc import Callable

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from folkmoot.accounts.models import User
from folkmoot.chat import actions as chat
from folkmoot.chat.consumers import CLOSE_FORBIDDEN
from folkmoot.federation.actions import check_leave
from folkmoot.federation.models import AccessMode, Assembly
from tests.conftest import client_for
from tests.forums.conftest import Red15m
from tests.forums.test_chat import run_async, socket

pytestmark = pytest.mark.django_db(transaction=True)


def say(red: Red15m, body: str) -> None:
    """The coordinator speaks in the square (a citizen, always allowed to write)."""
    ctx = chat.room_context(red.coordinator, red.assembly, "plaza")
    chat.check_post_message(ctx, red.coordinator, body)


def listen_while(red: Red15m, client: Client, change: Callable[[], None]) -> tuple[str, dict]:
    """Connect as `client`, receive a first message, apply `change`, send a second message.
    Returns the first message seen and what the socket got next."""

    async def run() -> tuple[str, dict]:
        communicator = socket(client)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(say)(red, "before")
        first = await communicator.receive_from(timeout=5)
        await sync_to_async(change)()
        await sync_to_async(say)(red, "after the change")
        after = await communicator.receive_output(timeout=5)
        await communicator.wait()
        return first, after

    return run_async(run)


def assert_cut_off(first: str, after: dict) -> None:
    assert "before" in first
    assert after == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}, after


def test_signing_out_stops_the_live_chat_at_once(red: Red15m) -> None:
    client = client_for(red.citizen)
    assert_cut_off(*listen_while(red, client, client.logout))


def test_leaving_a_restricted_assembly_stops_the_live_chat_at_once(red: Red15m) -> None:
    Assembly.objects.filter(pk=red.assembly.pk).update(access_mode=AccessMode.RESTRICTED)
    client = client_for(red.citizen)

    def leave() -> None:
        check_leave(red.citizen, Assembly.objects.get(pk=red.assembly.pk))

    assert_cut_off(*listen_while(red, client, leave))


def test_an_assembly_made_restricted_stops_outsiders_reading_at_once(red: Red15m) -> None:
    """A signed-in outsider reads the square until the assembly becomes members-only."""
    client = client_for(red.platform)

    def restrict() -> None:
        Assembly.objects.filter(pk=red.assembly.pk).update(access_mode=AccessMode.RESTRICTED)

    assert_cut_off(*listen_while(red, client, restrict))


def test_a_password_changed_elsewhere_ends_the_live_chat(red: Red15m) -> None:
    client = client_for(red.citizen)

    def change_password() -> None:
        person = User.objects.get(pk=red.citizen.pk)
        person.set_password("a-brand-new-long-secret")
        person.save()

    assert_cut_off(*listen_while(red, client, change_password))


def test_people_still_allowed_keep_receiving(red: Red15m) -> None:
    """The check cuts off only those who lost access: the others get every message."""
    client = client_for(red.citizen)

    async def run() -> list[str]:
        communicator = socket(client)
        connected, _ = await communicator.connect()
        assert connected
        seen = []
        for body in ("one", "two", "three"):
            await sync_to_async(say)(red, body)
            seen.append(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        return seen

    seen = run_async(run)
    assert all(body in html for body, html in zip(("one", "two", "three"), seen, strict=True))
