"""A RED15M assembly with one person of each kind the permission matrix needs (FOR-2)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from folkmoot.accounts.models import User
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly, Membership
from folkmoot.forums.actions import do_open_thread
from folkmoot.forums.models import Thread
from folkmoot.moderation.models import Sanction
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.actions import do_adopt_preset
from tests.factories import UserFactory, make_assembly


@dataclass
class Red15m:
    assembly: Assembly
    platform: User  # signed in, not a member
    citizen: User
    coordinator: User
    drafter: User
    participant: User  # belongs, but is not a citizen (member status)
    sanctioned: User  # a citizen under a sanction in force


@pytest.fixture
def red(db: None) -> Red15m:
    return build_red15m()


def build_red15m() -> Red15m:
    assembly = make_assembly(
        "red15m", title="Asamblea RED15M", reference_prefix="RED15M", newcomer_status="member"
    )
    do_adopt_preset(assembly=assembly, preset="red15m", actor=None)
    platform, citizen, coordinator, drafter = (
        UserFactory(display_name=n) for n in ("Pat", "Cita", "Coco", "Drea")
    )
    for person in (citizen, coordinator, drafter):
        actions.do_join(user=person, assembly=assembly)
    do_appoint(
        assembly=assembly, office_slug="coordinator", holder=coordinator, actor=None, seats=5
    )
    do_appoint(assembly=assembly, office_slug="drafter", holder=drafter, actor=None, seats=3)
    participant, sanctioned = UserFactory(display_name="Parti"), UserFactory(display_name="Sanco")
    actions.do_join(user=participant, assembly=assembly)
    Membership.objects.filter(user=participant, assembly=assembly).update(status="participant")
    actions.do_join(user=sanctioned, assembly=assembly)
    Sanction.objects.create(
        assembly=assembly,
        person=sanctioned,
        level="minor",
        duration=timedelta(hours=24),
        reason="Trolling",
        imposed_by=coordinator,
    )
    return Red15m(assembly, platform, citizen, coordinator, drafter, participant, sanctioned)


def a_debate(
    red: Red15m, title: str = "Street art", body: str = "Murals on the market hall?"
) -> Thread:
    """A thread in the debates forum, as forum tests start from: the drafter opens it (FOR-2)."""
    return do_open_thread(
        assembly=red.assembly,
        forum_key="debates",
        author=red.drafter,
        title=title,
        tag="[DEBATE]",
        body=body,
    )
