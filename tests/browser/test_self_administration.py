"""Issue 13's browser test: as Harmony's Foundational Committee secretary (also a general
secretary), found a city assembly under a region, appoint its secretary, import a roll of 50
members with 3 bad rows and see the new members able to vote; as a RED15M citizen, propose
a partial amendment through the form that changes who may reply in Debates, and see the
differences."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, Membership
from folkmoot.offices.actions import do_appoint
from folkmoot.offices.models import Tenure
from folkmoot.protocols.actions import do_adopt_preset
from tests.factories import UserFactory, make_assembly
from tests.forums.conftest import build_red15m

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In", exact=True).click()


def _harmony() -> tuple[Assembly, object, list[object]]:
    root = make_assembly("hp", title="Harmony Party UK", reference_prefix="HPUK", country="GB")
    do_adopt_preset(assembly=root, preset="harmony", actor=None)
    committee = make_assembly(
        "foundational-committee", parent=root, title="The Foundational Committee"
    )
    make_assembly("north-west", parent=root, title="North West", assembly_type="region")
    grace = UserFactory(display_name="Grace Okafor", email="grace@example.org")
    actions.do_join(user=grace, assembly=root)
    do_appoint(assembly=root, office_slug="secretary", holder=grace, actor=None)
    do_appoint(assembly=committee, office_slug="secretary", holder=grace, actor=None)
    people = [
        UserFactory(display_name=f"Person {i:02d}", email=f"p{i:02d}@example.org")
        for i in range(30)
    ]
    for person in people:
        actions.do_join(user=person, assembly=root)  # participants: they do not vote yet
    return root, grace, people


def _roll() -> bytes:
    rows = ["email,name,member_since"]
    rows += [f"p{i:02d}@example.org,Person {i:02d},2025-09-14" for i in range(30)]
    rows += [f"new{i:02d}@example.org,Newcomer {i:02d},2025-10-01" for i in range(20)]
    rows[5] = "not-an-email,Nobody,2025-09-14"
    rows[10] = "p09@example.org,Person 09,the ninth"  # rows[i + 1] is p{i}
    rows[12] = "p00@example.org,Person 00 again,2025-09-14"
    return ("\n".join(rows) + "\n").encode()


def test_a_committee_secretary_founds_appoints_and_imports_a_roll(
    live_server: object, browser: Browser
) -> None:
    root, grace, people = _harmony()
    base = live_server.url  # type: ignore[attr-defined]
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, grace.email)  # type: ignore[attr-defined]

    # Found a city inside the region, with a preview first.
    page.goto(base + "/assemblies/north-west/")
    page.get_by_role("link", name="Propose a new assembly inside this one").click()
    page.get_by_label("Title:", exact=True).fill("Salford")
    page.get_by_label("Subtitle:", exact=True).fill("City assembly")
    expect(page.get_by_label("Type:", exact=True)).to_have_value("city")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview")).to_contain_text("/assemblies/salford/")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_text("The assembly is founded.")).to_be_visible()
    expect(page.locator("body")).to_contain_text("HPUK-ASSE-")

    # Appoint its secretary: not elected here, the general secretaries appoint.
    page.goto(base + "/assemblies/salford/offices/")
    expect(page.locator("body")).to_contain_text("Not elected here")
    page.get_by_text("Appoint someone").click()
    page.get_by_label("Find a person by name").fill("Person 07")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Person 07").check()
    page.get_by_role("button", name="Appoint", exact=True).click()
    expect(page.get_by_text("Person 07 is appointed.")).to_be_visible()
    assert Tenure.objects.filter(office__assembly__slug="salford", holder=people[7]).exists()

    # Import a roll of 50 rows, 3 of them bad: checked, previewed, then applied.
    page.goto(base + "/assemblies/hp/members/")
    page.get_by_role("link", name="The member roll: import, export").click()
    page.set_input_files(
        "#roll-file", files=[{"name": "roll.csv", "mimeType": "text/csv", "buffer": _roll()}]
    )
    page.get_by_role("button", name="Check it").click()
    expect(page.locator("body")).to_contain_text("3 rows left out")
    expect(page.locator("body")).to_contain_text("“not-an-email” is not an email address")
    expect(page.locator("body")).to_contain_text("unknown emails: invited to sign up")
    page.get_by_role("button", name="Apply this roll").click()
    expect(page.locator("progress")).to_be_visible()
    call_command("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload")
    page.reload()
    expect(page.locator("body")).to_contain_text("participants became members")
    members = Membership.objects.filter(assembly=root, status="member", ended_at=None)
    assert members.filter(user=people[3]).exists() and not members.filter(user=people[9]).exists()

    # A new member may now vote, and the page says so.
    member = browser.new_context(locale="en-GB").new_page()
    sign_in(member, base, people[3].email)  # type: ignore[attr-defined]
    member.goto(base + "/assemblies/hp/")
    expect(member.locator("body")).to_contain_text("You are a member: you may vote.")


def test_a_citizen_amends_who_may_reply_in_debates_through_the_form(
    live_server: object, browser: Browser
) -> None:
    red = build_red15m()
    base = live_server.url  # type: ignore[attr-defined]
    page = browser.new_context(locale="en-GB").new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, red.citizen.email)
    page.goto(base + "/assemblies/red15m/protocol/")
    page.get_by_role("link", name="Propose an amendment").click()
    debates = page.locator("fieldset.panel", has_text="Debates").first
    replies = debates.locator("fieldset", has_text="Who may reply")
    replies.get_by_label("everyone signed in on the platform").uncheck()
    replies.get_by_label("citizens (members) of the assembly").check()
    page.get_by_role("button", name="Show what changes").click()
    diff = page.locator("table.diff")
    expect(diff).to_contain_text("Debates")
    expect(diff).to_contain_text("Reply: citizens (members) of the assembly")
    page.get_by_label("Question or title").fill("Only citizens reply in Debates")
    page.get_by_label("Why (Markdown)").fill("Debates are for citizens.")
    page.get_by_role("button", name="Propose this amendment").click()
    expect(page.get_by_text("Your amendment is open for debate.")).to_be_visible()
