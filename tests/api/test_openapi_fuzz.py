"""Issue 10, part 5: schemathesis drives every operation of `/api/v1/openapi.json` through the
real WSGI application (no network), anonymously and with a member's bearer token, on the demo
federation. No call may end in a server error, and every status and body that comes back must
be the one the document promises for that operation (issue 10, part 4: "The OpenAPI schema
documents every status code each operation returns")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from folkmoot.accounts.actions import do_create_api_token
from folkmoot.accounts.models import User
from folkmoot.decisions.models import Eligible, Proposal, RegisterEntry, Vote
from folkmoot.demo.loader import load_demo
from folkmoot.federation.models import Assembly, JoinRequest
from folkmoot.forums.models import Post, Thread
from folkmoot.offices.models import Office

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The token is ours to send (or not): schemathesis makes up no Authorization header, so an
# invalid call is never made valid by the header we add.
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})

# Failures found by this run in files owned elsewhere, skipped (not run: a server error can
# leave PostgreSQL's test transaction unusable for the operations after it) until fixed.
# Remove each line once its operation is fixed; the reason names the input and the fault.
KNOWN_FAILURES: dict[str, str] = {}

# Bounded and repeatable: the same examples on every run, about a minute on one core.
# FOLKMOOT_FUZZ_EXAMPLES=200 digs deeper by hand.
BOUNDED = settings(
    max_examples=int(os.environ.get("FOLKMOOT_FUZZ_EXAMPLES", "12")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def demo(db: None) -> dict[str, list[Any]]:
    """The demo federation plus an open secret STAR vote and a proposal, and the real names
    of things, so that generated paths reach real objects and not only 404."""
    load_demo()
    harmony = Assembly.objects.get(slug="harmony-party-uk")
    alice = User.objects.get(email="alice@folkmoot.example")
    proposed = Client().post(
        f"/api/v1/assemblies/{harmony.slug}/proposals",
        {"kind": "consensus_proposal", "title": "Meet monthly", "body": "Once a month."},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_of(alice)}",
    )
    assert proposed.status_code == 201, proposed.content
    open_star_vote(harmony)
    return {
        "key": list(Assembly.objects.values_list("slug", flat=True)),
        "forum": ["announcements", "proposals", "discussion"],
        "room": ["rec"],
        "office": list(Office.objects.values_list("slug", flat=True).distinct()),
        "membership_id": list(harmony.memberships.values_list("pk", flat=True)),
        "request_id": list(JoinRequest.objects.values_list("pk", flat=True)),
        "thread_id": list(Thread.objects.values_list("pk", flat=True)),
        "post_id": list(Post.objects.values_list("pk", flat=True)),
        "proposal_id": list(Proposal.objects.values_list("pk", flat=True)),
        "vote_id": list(Vote.objects.values_list("pk", flat=True)),
        "entry_id": list(RegisterEntry.objects.values_list("pk", flat=True)),
    }


def open_star_vote(assembly: Assembly) -> Vote:
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=assembly,
        kind="star_vote",
        title="Where do we meet?",
        method="star",
        options=["Library", "Park", "Town hall"],
        secret=True,
        validity={"ask_validity": False},
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    Eligible.objects.bulk_create(
        [Eligible(vote=vote, person=m.user) for m in assembly.memberships.all()]
    )
    return vote


def token_of(user: User) -> str:
    _token, raw = do_create_api_token(user=user, name="fuzz")
    return raw


def member_token() -> str:
    """Alice of the demo: a voting member of Harmony Party UK and of Manchester Central."""
    return token_of(User.objects.get(email="alice@folkmoot.example"))


def fuzz(operation: Any, real: dict[str, list[Any]], headers: dict[str, str]) -> None:
    """Valid and invalid calls of one operation. Half the time a valid call's path parameter
    names something that exists, so it goes past the lookup and not only to a 404 (invalid
    calls keep theirs: it may be the part that makes them invalid)."""
    cases = st.one_of(
        st.tuples(st.just(True), operation.as_strategy(GenerationMode.POSITIVE)),
        st.tuples(st.just(False), operation.as_strategy(GenerationMode.NEGATIVE)),
    )

    @BOUNDED
    @given(drawn=cases, data=st.data())
    def run(drawn: tuple[bool, Any], data: st.DataObject) -> None:
        valid, case = drawn
        for name in list(case.path_parameters or {}) if valid else []:
            if real.get(name) and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(real[name]))
        case.call_and_validate(checks=CHECKS, headers=headers)

    run()


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which on
    PostgreSQL would end the test's transaction; Django's test client keeps it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz_every_operation(subtests: Any, real: dict[str, list[Any]], headers: dict[str, str]):
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
        )
        fuzz_each(schema, subtests, real, headers)


def fuzz_each(schema: Any, subtests: Any, real: dict[str, list[Any]], headers: dict[str, str]):
    results = list(schema.get_all_operations())
    assert [r.err() for r in results if not isinstance(r, Ok)] == []  # the document is valid
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) > 50
    for operation in operations:
        with subtests.test(msg=operation.label):
            if operation.label in KNOWN_FAILURES:
                pytest.skip(KNOWN_FAILURES[operation.label])
            fuzz(operation, real, headers)


def test_every_operation_anonymously(demo: dict[str, list[Any]], subtests: Any) -> None:
    """Issue 10: an anonymous caller gets no 5xx and only documented answers."""
    fuzz_every_operation(subtests, demo, headers={})


def test_every_operation_with_a_member_token(demo: dict[str, list[Any]], subtests: Any) -> None:
    """Issue 10: a signed-in member (bearer token) gets no 5xx and only documented answers."""
    headers = {"Authorization": f"Bearer {member_token()}"}
    fuzz_every_operation(subtests, demo, headers=headers)
