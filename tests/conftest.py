"""Personas (healthchecks' hc/test.py style): a federation with one of each kind of person.

- alice: a member of the federation (pays, votes)
- bob: a participant of the federation (takes part, does not vote)
- charlie: an outsider (signed up, belongs to nothing)
- sam: the federation's general secretary
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from folkmoot.accounts.models import User
from folkmoot.federation import actions
from folkmoot.federation.models import Assembly
from folkmoot.governance.membership import Status

from .factories import UserFactory, make_assembly

# Property tests judge behaviour, not speed: on a busy two-core CI machine Hypothesis's
# timing checks (a slow draw, a slow example) failed tests whose properties held. The
# number of examples stays Hypothesis's default.
settings.register_profile("folkmoot", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("folkmoot")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The suite's cache lives in the process (settings/test.py) and its databases are rolled
    back between tests, so keys repeat: nothing one test kept (an agenda, a rate count) may
    reach the next."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class World:
    federation: Assembly
    working_group: Assembly
    alice: User
    bob: User
    charlie: User
    sam: User


@pytest.fixture
def world(db: None) -> World:
    federation = make_assembly("harmony", title="Harmony", reference_prefix="HPUK")
    working_group = make_assembly("working-group", parent=federation, title="Working Group")
    alice = UserFactory(display_name="Alice", birth_date=date(1990, 6, 15))
    bob = UserFactory(display_name="Bob")
    charlie = UserFactory(display_name="Charlie")
    sam = UserFactory(display_name="Sam")
    for person in (alice, bob, sam):
        actions.do_join(user=person, assembly=federation)
    for person in (alice, sam):
        membership = federation.memberships.get(user=person)
        actions.do_set_status(membership=membership, status=Status.MEMBER, actor=None)
    actions.do_appoint_secretary(assembly=federation, holder=sam, actor=None)
    return World(federation, working_group, alice, bob, charlie, sam)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in its
    thread for the whole session (the browser fixture is session-wide), and a test that
    calls async_to_sync afterwards in the same worker (the chat's) would find it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
