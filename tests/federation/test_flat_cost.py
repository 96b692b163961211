"""Issue 11 ("Cost grows with members"): who may see an assembly is decided by the person's own
membership, not by a join over every membership of the federation, so a read costs the same
number of queries, and no query grows with the number of members."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.decisions.ballots import access_vote
from folkmoot.decisions.models import Eligible, Vote
from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import AccessMode, Assembly, Membership
from folkmoot.forums.actions import access_thread, do_open_thread
from folkmoot.governance.membership import Status
from tests.factories import UserFactory, make_assembly
from tests.forums.conftest import Red15m, build_red15m

SMALL, LARGE = 20, 2000


def grow(assembly: Assembly, prefix: str, n: int) -> None:
    """n more members of `assembly`, and as many who left it (rows the old join also read)."""
    now = timezone.now()
    people = User.objects.bulk_create(
        User(email=f"{prefix}{i}@flat.invalid", display_name=f"{prefix} {i}", password="!")
        for i in range(2 * n)
    )
    Membership.objects.bulk_create(
        Membership(
            user=person,
            assembly=assembly,
            status=Status.MEMBER,
            started_at=now - timedelta(days=30),
            ended_at=None if i < n else now - timedelta(days=1),
        )
        for i, person in enumerate(people)
    )


def restricted_red15m() -> tuple[Red15m, Vote, Any, list[Any]]:
    """RED15M made restricted (only its members see it), with an open vote, a thread and
    three voters: one to warm up, one for each size."""
    red = build_red15m()
    Assembly.objects.filter(pk=red.assembly.pk).update(access_mode=AccessMode.RESTRICTED)
    red.assembly.refresh_from_db()
    voters: list[Any] = [UserFactory(display_name=f"Voter {i}") for i in range(3)]
    from folkmoot.federation.actions import do_join

    for person in voters:
        do_join(user=person, assembly=red.assembly)
    now = timezone.now()
    vote = Vote.objects.create(
        assembly=red.assembly,
        kind="referendum",
        title="Which room first?",
        method="choice",
        options=["Library", "Garden"],
        ask_validity=True,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    Eligible.objects.bulk_create(Eligible(vote=vote, person=p) for p in [red.citizen, *voters])
    thread = do_open_thread(
        assembly=red.assembly,
        forum_key="votes",
        author=red.citizen,
        title="Referendum on the room",
        tag="[PROPUESTA-REFERENDUM]",
        body="Which room do we open first?",
    )
    return red, vote, thread, voters


def count(run: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def measure(red: Red15m, vote: Vote, thread: Any, voter: Any) -> dict[str, int]:
    """The queries of each read, for a member of the restricted assembly."""
    member = red.citizen
    reader = Client()
    reader.force_login(member)
    casting = Client()
    casting.force_login(voter)
    slug = red.assembly.slug

    def page(path: str) -> Any:
        def get() -> None:
            assert reader.get(path).status_code == 200, path

        return get

    def cast() -> None:
        response = casting.post(f"/votes/{vote.pk}/ballot/", {"choice": "0", "valid": "1"})
        assert response.status_code == 200
        assert "Your ballot is cast." in response.content.decode()

    return {
        "visible_to": count(lambda: list(Assembly.objects.visible_to(member))),
        "access_vote": count(lambda: access_vote(member, vote.pk)),
        "access_assembly": count(lambda: access_assembly(member, slug)),
        "access_thread": count(lambda: access_thread(member, thread.pk)),
        "vote page": count(page(f"/votes/{vote.pk}/")),
        "assembly page": count(page(f"/assemblies/{slug}/")),
        "forum page": count(page(f"/assemblies/{slug}/forums/votes/")),
        "thread page": count(page(f"/assemblies/{slug}/threads/{thread.pk}/")),
        "ballot POST": count(cast),
    }


@pytest.mark.django_db
def test_reads_of_a_restricted_assembly_cost_the_same_queries_at_any_size() -> None:
    """Issue 11: the access checks and the vote, assembly, forum and thread pages, and casting
    a ballot, make as many queries with 2,000 more members (and 2,000 who left) as with 20."""
    red, vote, thread, (warm, first, second) = restricted_red15m()
    measure(red, vote, thread, warm)  # first-use caches (sessions, content types) filled
    grow(red.assembly, "small", SMALL)
    small = measure(red, vote, thread, first)
    grow(red.assembly, "large", LARGE - SMALL)
    large = measure(red, vote, thread, second)
    assert small == large


@pytest.mark.django_db
def test_visible_to_neither_joins_the_memberships_nor_deduplicates() -> None:
    """Issue 11: the visibility rule reads the person's own membership (an EXISTS on the
    (assembly, user) index), never a join over all memberships followed by DISTINCT."""
    red = build_red15m()
    sql = str(Assembly.objects.visible_to(red.citizen).query).upper()
    assert "DISTINCT" not in sql
    assert not re.search(r"\bJOIN\b", sql)  # (the join_policy column is no join)
    assert "EXISTS" in sql
    # Used as a subquery by access_vote and the like, it still adds no join of its own.
    nested = str(
        Vote.objects.filter(assembly__in=Assembly.objects.visible_to(red.citizen)).query
    ).upper()
    assert "DISTINCT" not in nested and not re.search(r"\bJOIN\b", nested)


@pytest.mark.django_db
def test_visibility_is_unchanged_for_members_leavers_outsiders_staff_and_anonymous() -> None:
    """ASM-1 as before issue 11: a restricted assembly is listed once for each of its current
    members and for staff, and not for someone who left, an outsider or an anonymous visitor;
    open and transparent assemblies are listed for everyone."""
    from django.contrib.auth.models import AnonymousUser

    hidden = make_assembly("hidden", title="Hidden", access_mode=AccessMode.RESTRICTED)
    open_one = make_assembly("open-one", title="Open one")
    seen = make_assembly("seen", title="Seen", access_mode=AccessMode.TRANSPARENT)
    people: list[Any] = [UserFactory(display_name=n) for n in ("Mem", "Lea", "Out")]
    member, leaver, outsider = people
    staff: Any = UserFactory(display_name="Staff", is_staff=True)
    grow(hidden, "crowd", 30)
    now = timezone.now()
    Membership.objects.create(user=member, assembly=hidden, status=Status.MEMBER)
    Membership.objects.create(
        user=leaver, assembly=hidden, status=Status.MEMBER, ended_at=now - timedelta(days=1)
    )
    Membership.objects.create(user=member, assembly=open_one, status=Status.MEMBER)

    def visible(user: Any) -> list[str]:
        return list(
            Assembly.objects.visible_to(user).order_by("slug").values_list("slug", flat=True)
        )

    everyone = sorted([open_one.slug, seen.slug])
    assert visible(member) == sorted([hidden.slug, *everyone])
    assert visible(staff) == sorted([hidden.slug, *everyone])
    assert visible(leaver) == everyone
    assert visible(outsider) == everyone
    assert visible(AnonymousUser()) == everyone
