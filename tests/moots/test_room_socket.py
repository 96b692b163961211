"""Issue 14: the live room over WebSockets. Every act in the room reaches each connected
person at once, as they may see it (with the page's own checks, asked again each time), and
someone who may not see the moot is not connected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from folkmoot.config.asgi import application
from folkmoot.moots import live
from folkmoot.moots.actions import moot_context
from folkmoot.moots.models import Moot
from tests.conftest import client_for
from tests.decisions.conftest import Harmony, build_harmony
from tests.factories import UserFactory
from tests.forums.test_chat import run_async
from tests.moots.test_moots import _call

pytestmark = pytest.mark.django_db(transaction=True)


def _socket(client: Client, moot: Moot) -> WebsocketCommunicator:
    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    return WebsocketCommunicator(
        application,
        f"/ws/moots/{moot.pk}/room/",
        headers=[(b"origin", b"http://localhost"), (b"cookie", cookies.encode())],
    )


def test_a_raised_hand_reaches_everyone_in_the_room_at_once() -> None:
    harmony: Harmony = build_harmony()
    moot = _call(harmony)
    ann, ben = harmony.members[0], harmony.members[1]
    watcher = client_for(ben)
    watcher.get(f"/moots/{moot.pk}/room/")  # sets the CSRF cookie, as a browser would

    def raise_hand() -> None:
        live.check_raise_hand(ann, moot_context(ann, moot.assembly), moot, kind="process")

    async def watch() -> str:
        communicator = _socket(watcher, moot)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(raise_hand)()
        html = await communicator.receive_from(timeout=5)
        await communicator.disconnect()
        return html

    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        html: Any = run_async(watch)
    assert html.startswith('<div id="room" hx-swap-oob="innerHTML">')
    assert "Ann" in html and "Point of process" in html
    assert (
        'name="csrfmiddlewaretoken" value="' in html
        and 'value=""' not in html.split("csrfmiddlewaretoken")[1][:10]
    )


def test_someone_who_may_not_see_a_private_moot_is_not_connected() -> None:
    harmony: Harmony = build_harmony()
    moot = _call(harmony, private="on")
    outsider = client_for(UserFactory())

    async def try_it() -> bool:
        communicator = _socket(outsider, moot)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return bool(connected)

    assert run_async(try_it) is False
