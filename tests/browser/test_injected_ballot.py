"""Issue 10 part 1 ("Stored injection that casts ballots"), in Chromium: a proposal whose text
is only markup the sanitiser strips — an htmx element that posts a ballot on load, and a
script — is launched into a vote, both by a coordinator (RED15M) and by a Harmony consensus
that fails twice and opens its STAR vote by itself. An elector who merely opens the vote page
casts nothing, and the page sends no request of its own (VOTE-11, BEY-2)."""

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, Request, expect

from folkmoot.accounts.models import User
from folkmoot.decisions import models as decision_models
from folkmoot.decisions.models import Ballot, Participation, Proposal, Vote
from tests.decisions.conftest import build_harmony, build_red_voting
from tests.forums.conftest import Red15m

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def payload(values: str) -> str:
    """The attack: `ballot/` is relative, so on /votes/N/ it is that very vote's ballot URL;
    hx-include borrows the ballot form's CSRF token, hx-vals chooses the proposer's marks."""
    return (
        f'<div hx-post="ballot/" hx-trigger="load" hx-include="form.ballot" '
        f"hx-vals='{values}'>"
        '<script>fetch("ballot/", {method: "POST", body: "stolen"})</script></div>'
    )


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Outgoing:
    """Every request the page makes from the moment it is attached."""

    def __init__(self, page: Page) -> None:
        self.seen: list[tuple[str, str]] = []
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.seen.append((request.method, request.url))

    def foreign(self, document: str) -> list[tuple[str, str]]:
        """Requests other than the document itself and GETs of the site's static files."""

        def own(method: str, url: str) -> bool:
            path = urlsplit(url).path
            static = path.startswith("/static/") or path == "/favicon.ico"
            return method == "GET" and (url == document or static)

        return [(m, u) for m, u in self.seen if not own(m, u)]


def settle_page(page: Page) -> None:
    """Give htmx's `load` trigger (and any script) every chance to fire. Not "networkidle":
    an injected element that re-posts itself from every response would never let it come."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(1500)


def stored_ballots(vote: Vote) -> int:
    """Ballots of the vote wherever they wait: counted, or (a secret vote while it is open)
    in the box, when the models have one (issue 10 part 2)."""
    tables = [Ballot, getattr(decision_models, "BoxedBallot", None)]
    return sum(t.objects.filter(vote=vote).count() for t in tables if t is not None)


def assert_nothing_cast(page: Page, vote: Vote, outgoing: Outgoing, document: str) -> None:
    # What the elector (and the proposer) would notice: no "has voted", no ballot...
    assert not Participation.objects.filter(vote=vote).exists()
    assert stored_ballots(vote) == 0
    # ...because nothing left the page but the page itself and its static files...
    assert not [u for _, u in outgoing.seen if u.endswith(f"/votes/{vote.pk}/ballot/")]
    assert outgoing.foreign(document) == []
    # ...and none of the injected markup reached it.
    html = page.content()
    assert "hx-post" not in html and "hx-vals" not in html
    assert 'fetch("ballot/"' not in html and "stolen" not in html


def ready_injected_referendum() -> tuple[Red15m, list[User], Proposal]:
    """A citizen proposes the payload; three coordinators support it and a drafter approves
    the text: ready for a coordinator to launch (the RED15M path, VOTE-3..5)."""
    red, coordinators = build_red_voting()
    created = _client(red.citizen).post(
        f"/assemblies/{red.assembly.slug}/decisions/new/",
        {
            "kind": "referendum",
            "title": "Open a library?",
            "body": payload('{"choice": "0", "valid": "1"}'),
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    proposal = Proposal.objects.get()
    for coordinator in coordinators[:3]:
        _client(coordinator).post(f"/decisions/{proposal.pk}/support/", {"office": "coordinator"})
    _client(red.drafter).post(f"/decisions/{proposal.pk}/approve/")
    return red, coordinators, proposal


def test_an_injected_referendum_text_casts_no_ballot(live_server, browser: Browser) -> None:
    red, coordinators, proposal = ready_injected_referendum()
    # The coordinator launches in the browser: the launch announces the vote in chat over
    # the channel layer, which Django refuses from this thread (Playwright's event loop).
    coordinator = browser.new_context(locale="en-GB").new_page()
    sign_in(coordinator, live_server.url, coordinators[0].email)
    coordinator.goto(f"{live_server.url}/decisions/{proposal.pk}/")
    coordinator.get_by_role("button", name="Launch").click()
    expect(coordinator).to_have_url(re.compile(r"/votes/\d+/$"))
    vote = Vote.objects.get(proposal=proposal)
    coordinator.context.close()

    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server.url, red.citizen.email)
    document = f"{live_server.url}/votes/{vote.pk}/"
    outgoing = Outgoing(page)
    page.goto(document)
    expect(page.get_by_role("button", name="Cast my ballot")).to_be_visible()
    settle_page(page)
    assert_nothing_cast(page, vote, outgoing, document)
    page.context.close()


def _harmony_consensus_fails_twice(
    members: list[User], body: str, at: Callable[[int], datetime]
) -> Proposal:
    ann, ben = members[0], members[1]
    created = _client(ann).post(
        "/assemblies/harmony-town/decisions/new/",
        {"kind": "consensus_proposal", "title": "Meet on Thursdays", "body": body},
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    proposal = Proposal.objects.get()
    respond = f"/decisions/{proposal.pk}/respond/"
    _client(ben).post(respond, {"response": "block", "reason": "I work Thursdays"})
    with time_machine.travel(at(7)):
        assert "Round 2" in _client(ann).get(f"/decisions/{proposal.pk}/").content.decode()
        _client(ben).post(respond, {"response": "block", "reason": "Still Thursdays"})
    return proposal


def test_an_injected_consensus_text_casts_no_ballot_in_the_star_vote_it_opens(
    live_server, page: Page
) -> None:
    harmony = build_harmony()
    start = timezone.now()

    def at(days: int) -> datetime:
        return start + timedelta(days=days, hours=1)

    proposal = _harmony_consensus_fails_twice(
        harmony.members, payload('{"score-0": "5", "score-1": "5"}'), at
    )
    assert not Vote.objects.exists()

    cat = harmony.members[2]
    with time_machine.travel(at(14)):
        sign_in(page, live_server.url, cat.email)
        # Cat reads the proposal: the failed consensus opens its STAR vote by itself.
        page.goto(f"{live_server.url}/decisions/{proposal.pk}/")
        go = page.get_by_role("link", name="Go to the vote")
        expect(go).to_be_visible()
        vote = Vote.objects.get(proposal=proposal)
        assert vote.method == "star"
        document = f"{live_server.url}/votes/{vote.pk}/"
        outgoing = Outgoing(page)
        go.click()
        expect(page.get_by_role("button", name="Cast my ballot")).to_be_visible()
        assert page.url == document
        settle_page(page)
        assert_nothing_cast(page, vote, outgoing, document)
