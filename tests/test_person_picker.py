"""Issue 13, "A person picker (type a name, choose; works without JavaScript as a search
form) wherever a person is chosen": no more "Person (number)". A coordinator sanctions a
post's author from the post, finds anyone else by name, and suspends a holder chosen from
the holders (SAN-2, OFF-6)."""

from __future__ import annotations

import html

import pytest

from folkmoot.forums.actions import do_open_thread, do_reply
from folkmoot.moderation.models import OfficeSuspension, Sanction
from tests.conftest import client_for
from tests.forums.conftest import Red15m, build_red15m


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_sanction_the_author_from_a_post_chooses_them_without_typing_a_number(red: Red15m) -> None:
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.coordinator,
        title="Budget",
        tag="[DEBATE]",
        body="Let us talk.",
    )
    do_reply(thread=thread, author=red.drafter, body="You are all fools.")
    coordinator = client_for(red.coordinator)
    page = _text(coordinator.get(f"/assemblies/red15m/threads/{thread.pk}/"))
    link = f"/assemblies/red15m/sanctions/?person={red.drafter.public_id}#impose-title"
    assert link in page
    form = _text(coordinator.get(link))
    assert "Person (number)" not in form
    assert f'value="{red.drafter.public_id}" checked' in form and "Drea" in form
    coordinator.post(
        "/assemblies/red15m/sanctions/impose/",
        {"person": red.drafter.public_id, "level": "minor", "reason": "Insults"},
    )
    assert Sanction.objects.filter(person=red.drafter, level="minor").exists()


def test_the_picker_finds_by_name_among_those_taking_part(red: Red15m) -> None:
    coordinator = client_for(red.coordinator)
    found = _text(coordinator.get("/assemblies/red15m/sanctions/?find=cit"))
    assert f'value="{red.citizen.public_id}"' in found and "Cita" in found
    assert "Pat" not in found  # signed in, but not part of RED15M
    nobody = _text(coordinator.get("/assemblies/red15m/sanctions/?find=zzz"))
    assert "Nobody taking part in the federation has that name." in nobody
    # A citizen sees the public list, and no picker.
    assert "Find a person by name" not in _text(
        client_for(red.citizen).get("/assemblies/red15m/sanctions/")
    )
    # A made-up id sanctions nobody, and says so.
    refused = coordinator.post(
        "/assemblies/red15m/sanctions/impose/",
        {"person": "made-up", "level": "minor", "reason": "x"},
        follow=True,
    )
    assert "Choose who is sanctioned." in _text(refused)
    assert not Sanction.objects.filter(reason="x").exists()


def test_a_suspension_chooses_among_the_office_holders(red: Red15m) -> None:
    from folkmoot.federation.actions import do_join
    from folkmoot.offices.actions import do_appoint
    from tests.factories import UserFactory

    other = UserFactory(display_name="Segunda")
    do_join(user=other, assembly=red.assembly)
    do_appoint(assembly=red.assembly, office_slug="coordinator", holder=other, actor=None, seats=5)
    coordinator = client_for(red.coordinator)
    page = _text(coordinator.get("/assemblies/red15m/sanctions/"))
    page = page.split('id="suspend-title"')[1].split("</form>")[0]  # the suspension's form
    # Coordinators may be suspended (art. 7.1); drafters hold no office that can be.
    assert f'<option value="{other.public_id}">Segunda</option>' in page
    assert f'<option value="{red.citizen.public_id}">' not in page
    assert f'<option value="{red.drafter.public_id}">' not in page
    coordinator.post(
        "/assemblies/red15m/suspensions/",
        {"person": other.public_id, "office": "coordinator", "reason": "Absent for weeks"},
    )
    assert OfficeSuspension.objects.filter(holder=other, office="coordinator").exists()
