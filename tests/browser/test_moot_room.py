"""Issue 14's bar: the live room in two browsers at once, over WebSockets (an ASGI server in
this process: uvicorn, so the test database is shared). The member raises a hand and the
facilitator's screen shows it; the facilitator gives the floor and takes up the point, and
a consensus check updates both screens — none of them reloading."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from folkmoot.config.asgi import application
from folkmoot.decisions.actions import check_propose, decision_context
from folkmoot.moots.models import AgendaPoint, Moot
from tests.decisions.conftest import build_harmony


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[str]:
    """The ASGI application (pages and WebSockets) on a free loopback port, for one test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Static files as the live server serves them; everything else to the project's app.
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        ws="wsproto",
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the ASGI server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _signed_in(browser: Browser, base: str, person: Any) -> tuple[BrowserContext, Page]:
    client = Client()
    client.force_login(person)
    context = browser.new_context(locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _mark(page: Page) -> None:
    """A marker that a reload would lose."""
    page.evaluate("window.__noReload = true")


def _not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload === true"), "the page reloaded"


def test_two_people_see_the_room_change_without_reloading(
    asgi_server: str, browser: Browser
) -> None:
    harmony = build_harmony()
    ann = harmony.members[0]
    proposal = check_propose(
        decision_context(ann, harmony.assembly),
        ann,
        "consensus_proposal",
        title="Plant trees",
        body="Twenty oaks.",
    )
    now = timezone.now()
    moot = Moot.objects.create(  # meeting now: the room is live
        assembly=harmony.assembly,
        title="Tuesday moot",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        place="Library",
        called_by=harmony.secretary,
        facilitator=harmony.secretary,
    )
    AgendaPoint.objects.create(
        moot=moot, title="Plant trees", proposal=proposal, added_by=ann, state="accepted"
    )
    room = f"{asgi_server}/moots/{moot.pk}/room/"
    facilitator_context, facilitator = _signed_in(browser, asgi_server, harmony.secretary)
    member_context, member = _signed_in(browser, asgi_server, ann)
    try:
        facilitator.goto(room)
        member.goto(room)
        member.wait_for_timeout(500)  # both sockets connected
        _mark(facilitator)
        _mark(member)

        # The member raises a hand: the facilitator's screen shows it.
        member.get_by_role("button", name="Raise my hand: New point").click()
        expect(facilitator.get_by_role("button", name="Give the floor")).to_be_visible()
        _not_reloaded(facilitator)

        # The facilitator gives the floor: the member's screen says so.
        member.wait_for_timeout(300)
        _mark(member)
        facilitator.get_by_role("button", name="Give the floor").click()
        expect(member.get_by_text("Ann has the floor.")).to_be_visible()
        _not_reloaded(member)

        # The facilitator takes up the point and opens a consensus check.
        _mark(member)
        facilitator.get_by_role("button", name="Next point: Plant trees").click()
        expect(member.get_by_text("No consensus check is open.")).to_be_visible()
        facilitator.get_by_role("button", name="Open a consensus check on this point").click()
        expect(member.get_by_text("Agree 0 · Stand aside 0 · Block 0")).to_be_visible()
        _not_reloaded(member)

        # The member agrees: the facilitator's count moves.
        _mark(facilitator)
        member.get_by_role("button", name="Agree", exact=True).click()
        expect(facilitator.get_by_text("Agree 1 · Stand aside 0 · Block 0")).to_be_visible()
        _not_reloaded(facilitator)
    finally:
        facilitator_context.close()
        member_context.close()
