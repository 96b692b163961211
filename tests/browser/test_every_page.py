"""Issue 12, "Any screen": every page type of the demo, as Alice and as a visitor, fits a
390 px phone without scrolling sideways (with the header's menu open too), and axe-core
(installed from the npm registry by `make node-deps`, run in Chromium) finds no WCAG 2 A/AA
violation on any of them, in each of the four languages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page

from folkmoot.decisions.models import Proposal, Vote
from folkmoot.federation.models import Assembly, FoundingRequest, JoinRequest
from folkmoot.moots.models import Moot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "moot-demo-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def signed_in_pages() -> dict[str, str]:
    """One address of each page type, from the demo."""
    hpuk = Assembly.objects.get(slug="harmony-party-uk")
    red = Assembly.objects.get(reference_prefix="RED15M", parent=None)
    central = JoinRequest.objects.get().assembly
    consensus = Proposal.objects.filter(assembly=hpuk, kind="consensus_proposal").first()
    poll = Proposal.objects.filter(assembly=red).first()
    assert consensus is not None and poll is not None and poll.thread_id
    open_vote = Vote.objects.get(title="Theme of the spring campaign")
    closed_vote = Vote.objects.get(title="Where should the autumn conference be held?")
    return {
        "home": "/",
        "assemblies": "/assemblies/",
        "assembly": f"/assemblies/{hpuk.slug}/",
        "members": f"/assemblies/{hpuk.slug}/members/",
        "join requests": f"/assemblies/{central.slug}/requests/",
        "protocol": f"/assemblies/{red.slug}/protocol/",
        "forums": f"/assemblies/{red.slug}/forums/",
        "forum": f"/assemblies/{red.slug}/forums/debates/",
        "thread": f"/assemblies/{red.slug}/threads/{poll.thread_id}/",
        "chat": f"/assemblies/{red.slug}/chat/plaza/",
        "decisions": f"/assemblies/{hpuk.slug}/decisions/",
        "new proposal": f"/assemblies/{hpuk.slug}/decisions/new/",
        "consensus proposal": f"/decisions/{consensus.pk}/",
        "poll proposal": f"/decisions/{poll.pk}/",
        "open vote": f"/votes/{open_vote.pk}/",
        "closed vote": f"/votes/{closed_vote.pk}/",
        "electorate": f"/votes/{closed_vote.pk}/electorate/",
        "register": "/register/",
        "offices": f"/assemblies/{hpuk.slug}/offices/",
        "sanctions": f"/assemblies/{red.slug}/sanctions/",
        "notifications": "/notifications/",
        "preferences": "/notifications/preferences/",
        "profile": "/profile/",
        "tokens": "/profile/tokens/",
        "help": "/help/voting/",
        # Issue 13
        "new assembly": "/assemblies/north-west-england/found/",
        "new assemblies": "/foundings/",
        "proposed assembly": f"/foundings/{FoundingRequest.objects.get().pk}/",
        "amend": f"/assemblies/{red.slug}/protocol/amend/",
        "two-step": "/accounts/2fa/",
        "delete account": "/profile/delete/",
        "federation page": f"/assemblies/{hpuk.slug}/pages/about/",
        "privacy": "/privacy/",
        "edit texts": f"/assemblies/{central.slug}/edit/",
        "move, merge or close": "/assemblies/manchester-central/reshape/",
        # Issue 14
        "moots": f"/assemblies/{hpuk.slug}/moots/",
        "moot": f"/moots/{Moot.objects.get().pk}/",
        "call a moot": f"/assemblies/{hpuk.slug}/moots/new/",
        "moot room": f"/moots/{Moot.objects.get().pk}/room/",
        "change a moot's plan": f"/moots/{Moot.objects.get().pk}/edit/",
    }


VISITOR_PAGES = {
    "visitor home": "/",
    "sign in": "/accounts/login/",
    "register": "/accounts/signup/",
}


def sign_in(context: BrowserContext, base: str, email: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(base + "/")
    return page


def too_wide(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def axe_violations(page: Page) -> list[str]:
    page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        })).violations.map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [f"{v['id']} at {', '.join(v['nodes'])}" for v in found]


@pytest.fixture
def demo() -> None:
    call_command("demo", stdout=io.StringIO())


def test_no_page_scrolls_sideways_on_a_phone(demo: None, live_server: Any, browser: Browser):
    base = live_server.url
    wide: list[str] = []
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    for name, path in VISITOR_PAGES.items():
        page = context.new_page()
        page.goto(base + path)
        if too_wide(page) > PHONE["width"]:
            wide.append(f"{name} ({path}): {too_wide(page)} px")
        page.close()
    context.close()
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = sign_in(context, base, "alice@folkmoot.example")
    for name, path in signed_in_pages().items():
        page.goto(base + path)
        if too_wide(page) > PHONE["width"]:
            wide.append(f"{name} ({path}): {too_wide(page)} px")
    # Each STAR row keeps its 0–5 on one line.
    page.goto(base + signed_in_pages()["open vote"])
    lines = page.evaluate(
        """Array.from(document.querySelectorAll('.score-row')).map(row =>
            new Set(Array.from(row.querySelectorAll('label')).map(
                label => Math.round(label.getBoundingClientRect().top))).size)"""
    )
    assert lines and set(lines) == {1}, lines
    # The header's menu works without JavaScript, and open it fits too.
    page.goto(base + "/")
    page.locator(".menu > summary").click()
    assert page.locator(".menu").get_by_role("link", name="Notifications").is_visible()
    assert too_wide(page) <= PHONE["width"]
    context.close()
    assert not wide, "pages wider than the phone:\n" + "\n".join(wide)


@pytest.mark.parametrize("language", ["en", "es", "fr", "ja"])
def test_axe_finds_no_violation_on_any_page_type(
    demo: None, live_server: Any, browser: Browser, language: str
):
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` installs it (make node-deps).")
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale=language)
    problems: list[str] = []
    for name, path in VISITOR_PAGES.items():
        page = context.new_page()
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        problems += [f"{name} ({path}): {v}" for v in axe_violations(page)]
        page.close()
    page = sign_in(context, base, "alice@folkmoot.example")
    # The person's own language: the switcher in the header, as a person would.
    page.select_option("#language-select", language)
    page.locator(".language-switcher button").click()
    for name, path in signed_in_pages().items():
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == language
        problems += [f"{name} ({path}): {v}" for v in axe_violations(page)]
    context.close()
    assert not problems, f"axe in {language}:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_the_axe_check_sees_a_violation_when_there_is_one(browser: Browser):
    """The check above can fail: an image without a text alternative is reported."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    assert any(v.startswith("image-alt") for v in axe_violations(page))
    context.close()
