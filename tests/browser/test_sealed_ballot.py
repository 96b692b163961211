"""Issue 16's browser test: a voter who is not a guardian makes their voting key in Chromium
and, once the vote opens, seals and casts a STAR ballot there, with the keyboard alone (Tab,
the arrow keys, Enter); the browser sends only the sealed ballot, never the clear grades nor
the key, and the voter then finds the ballot's tracker in the public ballot box."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus

import pytest
from playwright.sync_api import Page, Request, expect

from folkmoot.sealed import belenios as bel
from folkmoot.sealed.models import SealedBallot, SealedElection, VoterKey
from tests.browser.test_voting_journey import focused, press, sign_in, tab_until_radio_group
from tests.sealed.conftest import GuardianDevice, build_sealed_world
from tests.sealed.test_sealed_vote import OPTIONS, launch, make_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCORES = {"Library": 5, "Park": 0, "Town hall": 3}
CRYPTO_TIMEOUT = 60_000  # ms: making the key and sealing run in the page's JavaScript
PHONE = 390  # px: a narrow phone's width


def tab_until(page: Page, tag: str, text: str, limit: int = 60) -> None:
    """Press Tab until the focus is on the `tag` reading `text`; each stop must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["visible"], f"focus not visible on {now}"
        if now["tag"] == tag and now["text"] == text:
            return
    raise AssertionError(f"{limit} Tabs never reached the {tag} {text!r}")


def skip_to_main(page: Page) -> None:
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_voter_seals_a_star_ballot_by_keyboard_and_finds_it_in_the_box(
    live_server: Any, page: Page, time_machine: Any, tmp_path: Path
) -> None:
    world = build_sealed_world(5)
    vote = launch(world)
    election = SealedElection.objects.get(vote=vote)
    devices = [GuardianDevice(tmp_path / f"guardian-{i}") for i in range(3)]
    for device in devices:
        device.directory.mkdir()
    make_key(world, vote, devices)
    voter = world.voters[3]
    assert voter not in world.guardians
    url = f"{live_server.url}/votes/{vote.pk}/sealed/"
    store_key = f"folkmoot.sealed.{election.uuid}.{voter.pk}"

    # Registration is open: the voter makes their key here, by keyboard.
    sign_in(page, live_server.url, voter.email)
    page.goto(url)
    expect(page.locator("[data-stage]")).to_have_attribute("data-stage", "registering")
    expect(page.get_by_role("button", name="Make my voting key")).to_be_enabled()
    skip_to_main(page)
    tab_until(page, "button", "Make my voting key")
    with page.expect_navigation(timeout=CRYPTO_TIMEOUT):
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your voting key is registered.", exact=True)).to_be_visible()
    key = VoterKey.objects.get(election=election, person=voter)
    assert VoterKey.objects.filter(election=election).count() == 1
    shown = page.locator("[data-sealed-show-key]")
    expect(shown).to_be_visible()
    credential = shown.inner_text().strip()
    assert credential
    kept = page.evaluate("key => window.localStorage.getItem(key)", store_key)
    assert kept == credential
    # Only the public half was sent, and it is the one derived from the key kept here.
    assert str(bel.derive_credential(credential, election.uuid)[1]) == key.public_credential
    assert credential not in key.public_credential

    # Voting opens: the live server runs in a thread of this process, so it moves too.
    assert vote.opens_at is not None
    time_machine.move_to(vote.opens_at + timedelta(minutes=1), tick=True)
    page.goto(url)
    expect(page.locator("[data-stage]")).to_have_attribute("data-stage", "open")
    form = page.locator("form[data-sealed-cast]")
    cast_button = form.get_by_role("button", name="Seal and cast my ballot")
    expect(cast_button).to_be_enabled()
    expect(form.get_by_label("Your voting key")).to_have_value(credential)

    # On a narrow phone the ballot fits: no sideways scrolling.
    page.set_viewport_size({"width": PHONE, "height": 844})
    expect(form).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.set_viewport_size({"width": 1280, "height": 720})

    sent: list[Request] = []

    def watch(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/votes/{vote.pk}/sealed/ballot/"):
            sent.append(request)

    page.on("request", watch)
    skip_to_main(page)
    assert list(SCORES) == vote.options == OPTIONS
    for index, (option, score) in enumerate(SCORES.items()):
        # Tab enters each option's group on its checked radio (0); ArrowRight scores it.
        entered = tab_until_radio_group(page, f"score-{index}", limit=1 if index else 30)
        assert (entered["group"], entered["value"], entered["checked"]) == (option, "0", True)
        press(page, "ArrowRight", score)
        now = focused(page)
        assert (now["group"], now["value"], now["checked"], now["visible"]) == (
            option,
            str(score),
            True,
            True,
        ), now
    tab_until(page, "button", "Seal and cast my ballot")
    with page.expect_navigation(timeout=CRYPTO_TIMEOUT):
        page.keyboard.press("Enter")
    tracker_el = page.locator("[data-tracker]")
    expect(tracker_el).to_be_visible()
    tracker = tracker_el.inner_text().strip()
    assert tracker

    stored = SealedBallot.objects.get(election=election)
    assert stored.tracker == tracker and stored.credential == key.public_credential
    assert bel.tracker(stored.ballot) == tracker
    assert page.evaluate("key => window.localStorage.getItem(key)", f"{store_key}.tracker") == (
        tracker
    )
    election.refresh_from_db()
    assert bel.check_ballot(election.election_json, [key.public_credential], stored.ballot) == []
    # The POST carried the sealed ballot alone: no clear grade, no voting key.
    assert len(sent) == 1, [r.url for r in sent]
    body = sent[0].post_data or ""
    fields = parse_qs(body)
    assert "ballot=" in body and json.loads(fields["ballot"][0]) == json.loads(stored.ballot)
    assert "score-" not in body and not any(name.startswith("score-") for name in fields)
    assert credential not in body and credential not in unquote_plus(body)
    assert set(fields) == {"csrfmiddlewaretoken", "ballot"}, sorted(fields)

    # From the tracker to the public box, by keyboard.
    skip_to_main(page)
    tab_until(page, "a", "Find it in the ballot box")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[data-found]")).to_have_text("This ballot is in the box and counts.")
    expect(page.get_by_label("Find my ballot by its tracker")).to_have_value(tracker)
    marked = page.locator('[aria-current="true"]')
    expect(marked).to_have_count(1)
    expect(marked).to_have_text(tracker)
