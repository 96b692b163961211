"""Issue 11: hot queries compiled once (folkmoot.statements) answer as their querysets do, for
every person and every value, and refuse what a compiled query cannot keep."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from folkmoot.accounts.actions import authenticate_token, do_create_api_token
from folkmoot.accounts.models import ApiToken, User
from folkmoot.decisions.ballots import access_vote, access_vote_to_cast
from folkmoot.decisions.models import Eligible, Vote
from folkmoot.federation.models import AccessMode, Membership
from folkmoot.governance.membership import Status
from folkmoot.refusals import NotFound
from folkmoot.statements import Statement
from tests.factories import UserFactory, make_assembly


@pytest.mark.django_db
def test_the_vote_to_cast_is_found_exactly_when_access_vote_finds_it() -> None:
    """A restricted assembly's vote, for a member, someone who left, an outsider and staff;
    an open assembly's vote for all of them; a vote that does not exist for nobody. The
    electorate and sanction facts come with it, converted (booleans on SQLite too)."""
    hidden = make_assembly("hidden", title="Hidden", access_mode=AccessMode.RESTRICTED)
    open_one = make_assembly("open-one", title="Open one")
    member, leaver, outsider = (UserFactory(display_name=n) for n in ("Mem", "Lea", "Out"))
    staff: Any = UserFactory(display_name="Staff", is_staff=True)
    Membership.objects.create(user=member, assembly=hidden, status=Status.MEMBER)
    Membership.objects.create(
        user=leaver,
        assembly=hidden,
        status=Status.MEMBER,
        ended_at=timezone.now() - timedelta(days=1),
    )
    now = timezone.now()
    votes = [
        Vote.objects.create(
            assembly=where,
            kind="referendum",
            title="Which room?",
            method="choice",
            options=["A", "B"],
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
        )
        for where in (hidden, open_one)
    ]
    Eligible.objects.create(vote=votes[0], person=member)
    for person in (member, leaver, outsider, staff):
        for vote_id in [v.pk for v in votes] + [10**9]:
            try:
                expected: Any = access_vote(person, vote_id).pk
            except NotFound:
                expected = None
            try:
                found: Any = access_vote_to_cast(person, vote_id)
            except NotFound:
                found = None
            assert (found.pk if found else None) == expected, (person, vote_id)
            if found:
                assert found.in_electorate is (person == member and vote_id == votes[0].pk)
                assert found.named_in_sanctions is False
                assert found.options == ["A", "B"]  # JSON converted as the field says


@pytest.mark.django_db
def test_a_token_finds_its_holder_until_revoked_or_the_holder_is_inactive() -> None:
    holder: Any = UserFactory(display_name="Holder")
    other: Any = UserFactory(display_name="Other")
    _token, raw = do_create_api_token(user=holder, name="cli")
    do_create_api_token(user=other, name="cli")
    found = authenticate_token(raw)
    assert found is not None and found.pk == holder.pk
    assert ApiToken.objects.get(user=holder).last_used_at is not None
    assert authenticate_token(raw[:-1] + ("x" if raw[-1] != "x" else "y")) is None
    User.objects.filter(pk=holder.pk).update(is_active=False)
    assert authenticate_token(raw) is None
    User.objects.filter(pk=holder.pk).update(is_active=True)
    ApiToken.objects.filter(user=holder).update(revoked_at=timezone.now())
    assert authenticate_token(raw) is None


@pytest.mark.django_db
def test_a_statement_refuses_what_it_cannot_keep() -> None:
    """A moment among the parameters would be the first request's forever; a pattern with a
    string slot would not escape the value bound later."""
    clock = Statement(
        Vote,
        lambda _v, *, vote: Vote.objects.filter(pk=vote, closes_at__gt=timezone.now()),
        vote=int,
    )
    with pytest.raises(ImproperlyConfigured):
        clock.run(vote=1)
    pattern = Statement(
        Vote, lambda _v, *, title: Vote.objects.filter(title__icontains=title), title=str
    )
    with pytest.raises(ImproperlyConfigured):
        pattern.run(title="50%")
    plain = Statement(Vote, lambda _v, *, vote: Vote.objects.filter(pk=vote), vote=int)
    with pytest.raises(TypeError):
        plain.run(person=1)


@pytest.mark.django_db
def test_a_plain_members_standing_is_one_query_and_nothing_is_missed() -> None:
    """viewer_for's first look (issue 11): a member with no office, suspension or sanction
    costs one query; a coordinator, someone suspended from that office and someone under a
    sanction still get every fact (SAN-6, OFF-6), read where the first look says so."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from folkmoot.moderation.models import OfficeSuspension
    from folkmoot.protocols.facts import viewer_for
    from tests.forums.conftest import build_red15m

    red = build_red15m()
    protocol = protocol_of(red.assembly)
    with CaptureQueriesContext(connection) as queries:
        plain = viewer_for(red.citizen, red.assembly, protocol)
    assert len(queries) == 1
    assert plain.status == "member" and plain.offices == frozenset()
    assert plain.sanctioned_until is None and plain.seniority_days == 0
    assert viewer_for(red.coordinator, red.assembly, protocol).offices == {"coordinator"}
    assert viewer_for(red.sanctioned, red.assembly, protocol).sanctioned_until is not None
    assert viewer_for(red.platform, red.assembly, protocol).status is None
    OfficeSuspension.objects.create(
        assembly=red.assembly,
        holder=red.coordinator,
        office="coordinator",
        duration=timedelta(days=1),
        reason="Test",
        imposed_by=red.drafter,
    )
    assert viewer_for(red.coordinator, red.assembly, protocol).offices == frozenset()


def protocol_of(assembly: Any) -> Any:
    from folkmoot.protocols.selectors import protocol_in_force

    in_force = protocol_in_force(assembly)
    assert in_force is not None
    return in_force.protocol


@pytest.mark.django_db
def test_a_statement_answers_as_its_queryset_with_related_models_and_values() -> None:
    """select_related models, annotations (converted: a boolean on SQLite too) and
    values_list rows come back as the queryset gives them, for each value bound."""
    from django.db import connection
    from django.db.models import Exists, OuterRef
    from django.test.utils import CaptureQueriesContext

    top = make_assembly("top", title="Top")
    first = make_assembly("first", title="First", parent=top)
    second = make_assembly("second", title="Second", parent=top)
    member: Any = UserFactory(display_name="Member")
    Membership.objects.create(user=member, assembly=second, status=Status.MEMBER)

    def build(_variant: None, *, assembly: int, person: int) -> Any:
        members = Membership.objects.filter(assembly=OuterRef("pk"), user_id=person)
        return (
            type(first)
            .objects.select_related("root")
            .filter(pk=assembly)
            .annotate(joined=Exists(members))
        )

    joined = Statement(type(first), build, assembly=int, person=int)
    for assembly, expected in ((first, False), (second, True)):
        with CaptureQueriesContext(connection) as queries:
            found = joined.run(assembly=assembly.pk, person=member.pk)[0]
            assert found.root.title == "Top"  # read with it: no second query
        assert len(queries) == 1
        assert (found.pk, found.title, found.joined) == (assembly.pk, assembly.title, expected)
    assert joined.run(assembly=10**9, person=member.pk) == []
    titles = Statement(
        type(first),
        lambda _v, *, assembly: (
            type(first).objects.filter(pk=assembly).values_list("slug", "title")
        ),
        assembly=int,
    )
    assert titles.run(assembly=second.pk) == [("second", "Second")]


@pytest.mark.django_db
def test_an_ids_slot_takes_one_to_its_capacity_of_keys() -> None:
    """An Ids slot (a page's posts, say) finds exactly the keys given, however few; an empty
    list or one over its capacity is refused rather than padded or cut."""
    from folkmoot.statements import Ids

    assemblies = [make_assembly(f"place-{i}", title=f"Place {i}") for i in range(4)]
    some = Statement(
        type(assemblies[0]),
        lambda _v, *, ids: type(assemblies[0]).objects.filter(pk__in=ids).order_by("pk"),
        ids=Ids(3),
    )
    keys = [a.pk for a in assemblies]
    assert [a.pk for a in some.run(ids=keys[:1])] == keys[:1]
    assert [a.pk for a in some.run(ids=[keys[2], keys[0]])] == [keys[0], keys[2]]
    assert [a.pk for a in some.run(ids=keys[1:4])] == keys[1:4]
    for wrong in ([], keys):
        with pytest.raises(ValueError):
            some.run(ids=wrong)


@pytest.mark.django_db(transaction=True)
def test_a_statement_keeps_no_connection_of_a_thread_that_ended() -> None:
    """Under ASGI each request's code runs in a thread of its own with its own connection:
    what a statement keeps per connection goes with the connection, or every request would
    leave an open one behind."""
    import gc
    import threading
    import weakref

    from django.db import connections

    holder: Any = UserFactory(display_name="Holder")
    seen: list[weakref.ref[Any]] = []

    def one_request() -> None:
        assert authenticate_token("no such token") is None
        seen.append(weakref.ref(connections["default"]))
        connections.close_all()

    for _ in range(3):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join()
    gc.collect()
    assert len(seen) == 3 and all(ref() is None for ref in seen)
    assert holder.pk


@pytest.mark.django_db
def test_a_key_past_64_bits_finds_nothing() -> None:
    """A URL may name a number no 64-bit column holds: the statement finds nothing, as the
    ORM does, where SQLite would refuse to bind it (a server error)."""
    plain = Statement(Vote, lambda _v, *, vote: Vote.objects.filter(pk=vote), vote=int)
    assert plain.run(vote=10**20) == [] and plain.run(vote=-(10**20)) == []
    assert Client().get("/assemblies/x/threads/99999999999999999999/").status_code == 404
