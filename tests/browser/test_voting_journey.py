"""Issue 6's browser test: a member casts a STAR ballot with the keyboard alone (Tab,
Shift+Tab, the arrow keys, Enter), gets its check and change codes, and after the close reads the result and
its charts (VOTE-12, BEY-2, BEY-3)."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from folkmoot.decisions.ballots import do_cast
from folkmoot.decisions.models import Ballot, BoxedBallot, Eligible, Vote
from tests.decisions.conftest import build_harmony

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPTIONS = ["Library", "Park", "Town hall"]
# Ann's scores, typed with the keyboard below; then the others', cast through the ORM. The
# Library has the highest total but loses the runoff to the Park, preferred on 3 ballots of 4.
ANN = {"Library": 3, "Park": 5, "Town hall": 1}
OTHERS = {"Ben": "505", "Cat": "340", "Dev": "450"}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            return {
                tag: e.tagName.toLowerCase(), name: e.getAttribute("name"), value: e.value,
                checked: !!e.checked, text: (e.textContent || "").trim(),
                visible: e.matches(":focus-visible"),
                group: e.closest("fieldset")?.querySelector("legend")?.textContent.trim(),
            };
        }"""
    )


def tab_until_radio_group(page: Page, name: str, limit: int = 15) -> dict[str, Any]:
    """Press Tab until the focus is in the radio group `name`; each stop must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["visible"], f"focus not visible on {now}"
        if now["name"] == name:
            return now
    raise AssertionError(f"{limit} Tabs never reached the radio group {name!r}")


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def assert_focus_on(page: Page, group: str, score: int) -> None:
    """The focus, visibly, on the checked radio `score` of the option `group`."""
    now = focused(page)
    assert (now["group"], now["value"], now["checked"], now["visible"]) == (
        group,
        str(score),
        True,
        True,
    ), now


def chart_rows(chart: Locator) -> dict[str, str]:
    rows = {}
    for row in chart.locator("tbody tr").all():
        rows[row.locator("th").inner_text().strip()] = row.locator("td.value").inner_text()
    return rows


def star_count(ballots: list[str]) -> tuple[dict[str, int], dict[str, int], str]:
    """The expected count, by hand: totals, the two finalists' runoff, the winner."""
    totals = {o: sum(int(b[i]) for b in ballots) for i, o in enumerate(OPTIONS)}
    a, b = sorted(OPTIONS, key=lambda o: -totals[o])[:2]
    ia, ib = OPTIONS.index(a), OPTIONS.index(b)
    runoff = {a: sum(m[ia] > m[ib] for m in ballots), b: sum(m[ib] > m[ia] for m in ballots)}
    return totals, runoff, max(runoff, key=lambda o: runoff[o])


def test_member_casts_a_star_ballot_by_keyboard_and_reads_the_result(
    live_server, page: Page, time_machine: Any
):
    harmony = build_harmony()
    by_name = {m.display_name: m for m in harmony.members}
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=harmony.assembly,
        kind="star_vote",
        title="Where do we meet?",
        method="star",
        options=OPTIONS,
        secret=True,
        ask_validity=False,
        validity={"ask_validity": False},
        random_order=False,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    Eligible.objects.bulk_create(Eligible(vote=vote, person=m) for m in harmony.members)
    url = f"{live_server.url}/votes/{vote.pk}/"

    sign_in(page, live_server.url, by_name["Ann"].email)
    page.goto(url)
    expect(page.get_by_role("heading", name="Where do we meet?")).to_be_visible()

    # The skip link is the first stop; Enter on it takes the focus past the header and the
    # cookie banner to <main>.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Tab enters each option's group on its checked radio (0); ArrowRight scores it.
    first = tab_until_radio_group(page, "score-0")
    assert (first["group"], first["value"], first["checked"]) == ("Library", "0", True)
    press(page, "ArrowRight", ANN["Library"])  # in a group, ArrowRight moves one score up
    assert_focus_on(page, "Library", ANN["Library"])
    press(page, "Tab")
    assert_focus_on(page, "Park", 0)
    press(page, "ArrowRight", ANN["Park"])
    assert_focus_on(page, "Park", ANN["Park"])
    press(page, "Tab")
    press(page, "ArrowRight", 2)
    press(page, "ArrowLeft")  # and one back down
    assert_focus_on(page, "Town hall", ANN["Town hall"])
    # Shift+Tab goes back to the previous group, on the score chosen there, and Tab returns.
    press(page, "Shift+Tab")
    assert_focus_on(page, "Park", ANN["Park"])
    press(page, "Tab")
    assert_focus_on(page, "Town hall", ANN["Town hall"])
    press(page, "Tab")
    button = focused(page)
    assert (button["tag"], button["text"], button["visible"]) == ("button", "Cast my ballot", True)
    for group, score in ANN.items():
        expect(
            page.get_by_role("group", name=group).get_by_role("radio", name=str(score))
        ).to_be_checked()

    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Your ballot is cast.")).to_be_visible()
    # Issue 10 §3: what was scored, the public check code and the private change code.
    check = page.locator("[data-check-code]")
    expect(check).to_have_text(re.compile(r"^\s*[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\s*$"))
    code = check.inner_text().strip()
    change = page.locator("[data-change-code]").inner_text().strip()
    assert re.fullmatch(r"([A-Z0-9]{4}-){3}[A-Z0-9]{4}", change)
    expect(page.locator(".ballot-marked")).to_contain_text("Town hall")
    expect(page.get_by_role("link", name="Download the codes as a text file")).to_have_attribute(
        "download", f"vote-{vote.pk}-codes.txt"
    )
    ann_marks = "".join(str(ANN[o]) for o in OPTIONS)
    boxed = BoxedBallot.objects.get(vote=vote, check_code=code.replace("-", ""))
    assert boxed.marks == ann_marks == "351"
    # A reload keeps the way to change the ballot, in this browser only; the check code,
    # which would tell the next person here how Ann voted, is not kept.
    page.goto(url)
    expect(page.get_by_role("heading", name="Change your ballot")).to_be_visible()
    expect(page.locator("#change-code")).to_have_value(change)
    kept = page.evaluate("JSON.stringify(window.localStorage)")
    assert change in kept and code not in kept

    for name, marks in OTHERS.items():
        do_cast(vote=vote, person=by_name[name], marks=marks, valid=None)
    # The vote's times are fixed once it opens (issue 10): the clock moves past the close.
    assert vote.closes_at is not None
    time_machine.move_to(vote.closes_at + timedelta(seconds=1), tick=True)
    assert sorted(BoxedBallot.objects.filter(vote=vote).values_list("marks", flat=True)) == sorted(
        [ann_marks, *OTHERS.values()]
    )

    totals, runoff, winner = star_count([ann_marks, *OTHERS.values()])
    assert totals == {"Library": 15, "Park": 14, "Town hall": 6}
    assert runoff == {"Library": 1, "Park": 3} and winner == "Park"

    page.goto(url)  # not reload(): that would post the ballot again
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.locator("[data-outcome]")).to_have_text(f"Winners: {winner}")
    expect(page.get_by_text("4 of 4 have voted.")).to_be_visible()
    # The box was opened at the close. Ann's check code finds her ballot, sent in the form's
    # body, never in the address.
    assert sorted(Ballot.objects.filter(vote=vote).values_list("marks", flat=True)) == sorted(
        [ann_marks, *OTHERS.values()]
    )
    # After the close the change code is forgotten by the browser too.
    assert change not in page.evaluate("JSON.stringify(window.localStorage)")
    page.locator("#code").fill(code)
    with page.expect_navigation():
        page.locator("form[action$='/check/'] button").click()
    expect(page.get_by_text(f"The ballot with check code {code} was counted")).to_be_visible()
    assert code not in page.url
    page.goto(url)

    scoring = page.locator('figure.chart[data-kind="scoring"]')
    expect(scoring).to_have_count(1)
    scored = chart_rows(scoring)
    assert list(scored) == OPTIONS
    for option, total in totals.items():
        assert scored[option].split()[0] == str(total), scored
        goes_on = option in runoff
        assert ("✓" in scored[option]) is goes_on, scored

    run = page.locator('figure.chart[data-kind="runoff"]')
    expect(run).to_have_count(1)
    ran = chart_rows(run)
    assert set(ran) == set(runoff)
    for option, preferred in runoff.items():
        assert ran[option].split()[0] == str(preferred), ran
        assert ("✓" in ran[option]) is (option == winner), ran
