"""BEY-1: the protocol page shows each reader what the engine will let them do, with the
reason when not (FOR-1, FOR-2), from the facts the platform holds about them."""

from datetime import datetime, time, timedelta
from html import unescape

import pytest
from django.utils import timezone

from folkmoot.federation import actions
from folkmoot.federation.models import Membership
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.actions import do_adopt_preset
from folkmoot.protocols.facts import viewer_for
from tests.conftest import World, client_for
from tests.factories import make_assembly


@pytest.fixture
def red15m(world: World):  # type: ignore[no-untyped-def]
    assembly = make_assembly(
        "red15m", title="Asamblea RED15M", reference_prefix="RED15M", newcomer_status="member"
    )
    do_adopt_preset(assembly=assembly, preset="red15m", actor=None)
    return assembly


def row(html: str, forum: str) -> str:
    start = html.index(f'<th scope="row">{forum}</th>')
    return unescape(html[start : html.index("</tr>", start)])


def test_anonymous_reads_votes_but_not_announcements(red15m):
    html = client_for(None).get("/assemblies/red15m/protocol/").content.decode()
    assert "✓" in row(html, "Votes").split("<td>")[1]
    announcements = row(html, "Announcements")
    assert (
        "You can't read Announcements: only citizens (members) of the assembly may read it."
        in announcements
    )


def test_a_coordinator_may_write_announcements_and_a_citizen_is_told_why_not(world: World, red15m):
    actions.do_join(user=world.alice, assembly=red15m)
    actions.do_join(user=world.sam, assembly=red15m)
    do_appoint(assembly=red15m, office_slug="coordinator", holder=world.sam, actor=None, seats=5)
    coordinator = row(
        client_for(world.sam).get("/assemblies/red15m/protocol/").content.decode(), "Announcements"
    )
    assert "✗" not in coordinator
    citizen = row(
        client_for(world.alice).get("/assemblies/red15m/protocol/").content.decode(),
        "Announcements",
    )
    assert "You can't open a thread in Announcements: only coordinators may." in citizen


def test_viewer_facts_follow_membership_offices_and_seniority(world: World, red15m):
    assert viewer_for(world.charlie, red15m).status is None
    actions.do_join(user=world.alice, assembly=red15m)
    Membership.objects.filter(user=world.alice, assembly=red15m).update(
        # Noon, 61 local days ago: near midnight across a clock change, "now minus 61 × 24 h"
        # falls on another calendar day.
        started_at=timezone.make_aware(
            datetime.combine(timezone.localdate() - timedelta(days=61), time(12))
        )
    )
    facts = viewer_for(world.alice, red15m)
    assert (facts.status, facts.seniority_days, facts.offices) == ("member", 61, frozenset())
    do_appoint(assembly=red15m, office_slug="drafter", holder=world.alice, actor=None, seats=3)
    assert viewer_for(world.alice, red15m).offices == {"drafter"}
    assert viewer_for(None, red15m).authenticated is False


def test_a_child_assembly_shows_permissions_under_the_inherited_protocol(world: World, red15m):
    child = make_assembly("red15m-madrid", parent=red15m, title="Madrid")
    html = client_for(None).get(f"/assemblies/{child.slug}/protocol/").content.decode()
    assert "This assembly follows the protocol of Asamblea RED15M." in html
    assert '<th scope="row">Trash</th>' in html
