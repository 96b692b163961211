"""Issue 5's browser test: a coordinator moves a reply to the trash; its author sees the
sanction and cannot reply until it expires (time travelled), then can (SAN-1, SAN-6)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from folkmoot.forums.actions import do_reply
from folkmoot.forums.models import Post
from tests.forums.conftest import a_debate, build_red15m

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In", exact=True).click()


def test_coordinator_moderates_and_the_author_waits_out_the_sanction(live_server, browser: Browser):
    red = build_red15m()
    thread = a_debate(red, body="Ideas?")
    rude = do_reply(thread=thread, author=red.citizen, body="Only idiots like street art")
    url = f"{live_server.url}/assemblies/red15m/threads/{thread.pk}/"

    coordinator = browser.new_context(locale="en-GB").new_page()
    sign_in(coordinator, live_server.url, red.coordinator.email)
    coordinator.goto(url)
    post = coordinator.locator(f"#post-{rude.pk}")
    post.get_by_text("Moderate").click()
    post.get_by_label("Reason (public)").fill("Insults (art. 18.1)")
    post.get_by_label("Sanction in minutes").fill("30")
    post.get_by_role("button", name="Move this reply to the trash").click()
    expect(coordinator.get_by_text("Moved to the trash. Nothing was deleted.")).to_be_visible()
    expect(coordinator.locator(f"#post-{rude.pk}")).to_contain_text(
        "Moved to the trash by moderation: Insults (art. 18.1)"
    )

    author = browser.new_context(locale="en-GB").new_page()
    sign_in(author, live_server.url, red.citizen.email)
    author.goto(url)
    expect(author.locator("#reply")).to_contain_text("You are sanctioned in this assembly until")
    expect(author.locator("#reply")).to_contain_text("Insults (art. 18.1)")
    expect(author.get_by_role("button", name="Reply")).to_have_count(0)
    assert Post.objects.filter(pk=rude.pk).exists()  # nothing deleted

    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        author.reload()
        author.get_by_label("Text (Markdown)").fill("I apologise.")
        author.get_by_role("button", name="Reply").click()
        expect(author.get_by_text("I apologise.")).to_be_visible()
