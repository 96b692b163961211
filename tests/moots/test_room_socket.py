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


def test_people_in_the_room_share_its_state_but_each_gets_their_own_controls_and_token() -> None:
    """With many connected, the room is read once per act and rendered once per set of
    controls (consumers.py); the facilitator's controls and each person's CSRF token still
    reach only them."""
    from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]

    harmony: Harmony = build_harmony()
    moot = _call(harmony)
    ann, ben, cat = harmony.members[0], harmony.members[1], harmony.members[2]
    watchers = [client_for(p) for p in (harmony.secretary, ben, cat)]
    for watcher in watchers:
        watcher.get(f"/moots/{moot.pk}/room/")  # sets each browser's CSRF cookie

    def raise_hand() -> None:
        live.check_raise_hand(ann, moot_context(ann, moot.assembly), moot, kind="new")

    async def watch() -> list[str]:
        sockets = [_socket(w, moot) for w in watchers]
        for s in sockets:
            assert (await s.connect())[0]
        await sync_to_async(raise_hand)()
        frames = [await s.receive_from(timeout=5) for s in sockets]
        for s in sockets:
            await s.disconnect()
        return frames

    with time_machine.travel(moot.starts_at + timedelta(minutes=1), tick=False):
        facilitator, for_ben, for_cat = run_async(watch)
    assert "Give the floor" in facilitator and "Give the floor" not in for_ben
    assert for_ben.replace(_token(for_ben), "") == for_cat.replace(_token(for_cat), "")
    for frame, watcher in zip((facilitator, for_ben, for_cat), watchers, strict=True):
        secret = watcher.cookies["csrftoken"].value
        assert _unmask_cipher_token(_token(frame)) == secret


def _token(frame: str) -> str:
    import re

    found = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', frame)
    assert found and len(set(found)) == 1  # one token, the same in every form of the frame
    return found[0]
