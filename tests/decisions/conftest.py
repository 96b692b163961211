"""RED15M with five coordinators and a Harmony assembly, for the decision paths (issue 6)."""

from dataclasses import dataclass

import pytest

from folkmoot.accounts.models import User
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly
from folkmoot.offices.actions import do_appoint
from folkmoot.protocols.actions import do_adopt_preset
from tests.factories import UserFactory, make_assembly
from tests.forums.conftest import Red15m, build_red15m


@dataclass
class RedVoting:
    red: Red15m
    coordinators: list[User]
    citizens: list[User]

    @property
    def assembly(self) -> Assembly:
        return self.red.assembly


def build_red_voting() -> tuple[Red15m, list[User]]:
    """RED15M with four coordinators (enough "+1 as Coordinator" to end a debate early);
    also used by tests outside this folder (browser tests), which cannot see its fixtures."""
    red = build_red15m()
    extra = [UserFactory(display_name=f"Coord {i}") for i in range(2, 5)]
    for person in extra:
        actions.do_join(user=person, assembly=red.assembly)
        do_appoint(
            assembly=red.assembly, office_slug="coordinator", holder=person, actor=None, seats=5
        )
    return red, [red.coordinator, *extra]


@pytest.fixture
def voting(db: None) -> RedVoting:
    red, coordinators = build_red_voting()
    citizens = [UserFactory(display_name=f"Voter {i}") for i in range(6)]
    for person in citizens:
        actions.do_join(user=person, assembly=red.assembly)
    return RedVoting(red, coordinators, [red.citizen, *citizens])


@dataclass
class Harmony:
    assembly: Assembly
    secretary: User
    members: list[User]


@pytest.fixture
def harmony(db: None) -> Harmony:
    return build_harmony()


def build_harmony() -> Harmony:
    """A Harmony assembly with a secretary and four members (the `harmony` fixture)."""
    assembly = make_assembly("harmony-town", title="Harmony Town", newcomer_status="member")
    do_adopt_preset(assembly=assembly, preset="harmony", actor=None)
    secretary = UserFactory(display_name="Sec")
    members = [UserFactory(display_name=n) for n in ("Ann", "Ben", "Cat", "Dev")]
    for person in (secretary, *members):
        actions.do_join(user=person, assembly=assembly)
    do_appoint(assembly=assembly, office_slug="secretary", holder=secretary, actor=None)
    return Harmony(assembly, secretary, members)


def shown_code(page: str, which: str) -> str:
    """The check or change code a vote page shows once after a ballot (issue 10 §3)."""
    import re

    found = re.search(rf"data-{which}-code[^>]*>([A-Z0-9-]+)<", page)
    return found.group(1) if found else ""
