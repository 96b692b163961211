"""FOR-6 in a browser, without JavaScript's help (the pages are plain forms): a citizen
writes to the coordinators of RED15M from the offices page on a desktop; the coordinator,
on a 390 px phone, sees the unread count in the menu, reads and replies; neither page
scrolls sideways. Then the citizen blocks and the coordinator is told they cannot write."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from folkmoot.conversations.models import Conversation
from tests.forums.conftest import build_red15m

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In", exact=True).click()


def width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_a_citizen_writes_to_the_coordinators_who_reply_from_a_phone(
    live_server: Any, browser: Browser
) -> None:
    red = build_red15m()
    base = live_server.url

    citizen = browser.new_context(viewport=DESKTOP, locale="en-GB").new_page()
    sign_in(citizen, base, red.citizen.email)
    citizen.goto(base + "/assemblies/red15m/offices/")
    citizen.get_by_role("link", name="Write to the holders (Coordinator)").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("Write to the coordinators")
    citizen.get_by_label("Subject (optional)").fill("Street art")
    citizen.get_by_label("Message").fill("Could we vote on **murals**?")
    citizen.get_by_role("button", name="Send").click()
    expect(citizen.locator(".post-body strong")).to_have_text("murals")
    assert width(citizen) <= DESKTOP["width"]
    conversation = Conversation.objects.get()

    coordinator = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    sign_in(coordinator, base, red.coordinator.email)
    coordinator.goto(base + "/")
    coordinator.locator(".menu > summary").click()
    messages_link = coordinator.get_by_role("link", name="Messages")
    expect(messages_link).to_contain_text("1")
    messages_link.click()
    expect(coordinator.get_by_text("1 unread", exact=True)).to_be_visible()
    coordinator.get_by_role("link", name="Street art").click()
    assert coordinator.url.endswith(f"/messages/{conversation.pk}/")
    expect(coordinator.get_by_text("Could we vote on")).to_be_visible()
    assert width(coordinator) <= PHONE["width"]
    for path in ("/messages/", "/messages/new/", "/messages/blocks/"):
        coordinator.goto(base + path)
        assert width(coordinator) <= PHONE["width"], path
    coordinator.goto(base + f"/messages/{conversation.pk}/")
    coordinator.get_by_label("Your reply").fill("Open a poll in Votes.")
    coordinator.get_by_role("button", name="Send").click()
    expect(coordinator.get_by_text("Open a poll in Votes.")).to_be_visible()

    citizen.reload()
    expect(citizen.get_by_text("Open a poll in Votes.")).to_be_visible()
    citizen.get_by_role("button", name="Block Coco").click()
    expect(citizen.get_by_role("button", name="Unblock Coco")).to_be_visible()

    coordinator.reload()
    expect(coordinator.locator("#reply")).to_contain_text(
        "Not taking private messages from you: Cita."
    )
    expect(coordinator.get_by_label("Your reply")).to_have_count(0)
