"""Issue 2's browser test: register, confirm the email, join an assembly, switch to Japanese
— with the keyboard-reachable forms a person would use."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from folkmoot.federation.models import Membership
from tests.factories import make_assembly

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_newcomer_registers_confirms_joins_and_switches_to_japanese(live_server, page: Page):
    federation = make_assembly("harmony", title="Harmony Party UK", reference_prefix="HPUK")
    base = live_server.url

    page.goto(base + "/")
    page.get_by_role("button", name="Only essential").click()
    expect(page.locator(".cookie-banner")).to_have_count(0)

    page.get_by_role("link", name="Register").click()
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Display name").fill("Nia")
    page.get_by_label("Password:", exact=True).fill("too-short")
    page.get_by_label("Password (again):").fill("too-short")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_text("This password is too short")).to_be_visible()

    page.get_by_label("Password:", exact=True).fill("lanterns-over-the-moot")
    page.get_by_label("Password (again):").fill("lanterns-over-the-moot")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    link = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(base + link.group(1))
    page.get_by_role("button", name="Confirm").click()

    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password:", exact=True).fill("lanterns-over-the-moot")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("link", name="Nia")).to_be_visible()

    page.goto(base + "/assemblies/")
    page.get_by_role("link", name="Harmony Party UK").click()
    expect(page.get_by_text(f"HPUK-ASSE-2025-09-{federation.pk}")).to_be_visible()
    page.get_by_role("button", name="Join this assembly").click()
    expect(page.get_by_text("Welcome to Harmony Party UK.")).to_be_visible()
    assert (
        Membership.objects.active()
        .filter(user__email="nia@example.org", assembly=federation)
        .exists()
    )

    page.get_by_label("Language").select_option("ja")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", name="参加", exact=True)).to_be_visible()
    page.screenshot(path="test-results/newcomer-ja.png", full_page=True)


def test_type_filter_updates_the_tree_in_place_without_csp_errors(live_server, page: Page):
    federation = make_assembly("harmony", title="Harmony Party UK", reference_prefix="HPUK")
    make_assembly("manchester", parent=federation, title="Manchester", assembly_type="city")
    make_assembly("youth", parent=federation, title="Youth Assembly", assembly_type="youth")
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    page.goto(live_server.url + "/assemblies/")
    expect(page.get_by_role("link", name="Youth Assembly")).to_be_visible()
    page.get_by_label("Type").select_option("city")  # htmx swaps the tree on change
    expect(page.get_by_role("link", name="Youth Assembly")).to_have_count(0)
    expect(page.get_by_role("link", name="Manchester")).to_be_visible()
    assert page.url.endswith("?type=city")
    assert not problems, problems
