"""Issue 11: the counts pages show (members and participants of an assembly, a vote's
electorate and turnout) are kept by database triggers (folkmoot.tallies), so they read a few
tally rows at any size, and stay right whichever way the counted rows are written: actions,
bulk inserts, queryset updates, deletions in any order."""

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from folkmoot.accounts.models import User
from folkmoot.decisions.models import Eligible, Participation, Vote, VoteTally
from folkmoot.decisions.selectors import vote_counts
from folkmoot.federation.models import Assembly, Membership, MembershipTally
from folkmoot.federation.selectors import membership_counts
from folkmoot.governance.membership import Status
from tests.factories import make_assembly


def people(prefix: str, n: int) -> list[Any]:
    return list(
        User.objects.bulk_create(
            User(email=f"{prefix}{i}@tally.invalid", display_name=f"{prefix} {i}", password="!")
            for i in range(n)
        )
    )


def truth(assembly: Assembly) -> tuple[int, int]:
    """What the page showed before issue 11: a count over the active memberships."""
    counted = Membership.objects.filter(assembly=assembly, ended_at__isnull=True).aggregate(
        members=Count("id", filter=Q(status=Status.MEMBER)),
        participants=Count("id", filter=Q(status=Status.PARTICIPANT)),
    )
    return counted["members"], counted["participants"]


def shown(assembly: Assembly) -> tuple[int, int]:
    counts = membership_counts([assembly])[assembly.pk]
    return counts.members, counts.participants


@pytest.mark.django_db(transaction=True)
def test_membership_counts_follow_every_kind_of_write() -> None:
    """Joins one by one and in bulk, status changes, leaving, moving to another assembly and
    deleting: after each step the page's counts equal a count over the rows."""
    rng = random.Random(11)
    one, two = make_assembly("one", title="One"), make_assembly("two", title="Two")
    crowd = people("crowd", 40)
    Membership.objects.bulk_create(
        Membership(user=p, assembly=one, status=rng.choice([Status.MEMBER, Status.PARTICIPANT]))
        for p in crowd[:25]
    )
    assert shown(one) == truth(one) and sum(truth(one)) == 25
    for person in crowd[25:]:
        Membership.objects.create(user=person, assembly=two, status=Status.PARTICIPANT)
    assert shown(two) == truth(two) == (0, 15)
    now = timezone.now()
    for _ in range(60):
        row = rng.choice(list(Membership.objects.filter(ended_at__isnull=True)))
        step = rng.choice(["promote", "demote", "leave", "move"])
        if step == "promote":
            Membership.objects.filter(pk=row.pk).update(status=Status.MEMBER)
        elif step == "demote":
            row.status = Status.PARTICIPANT
            row.save()
        elif step == "leave":
            Membership.objects.filter(pk=row.pk).update(ended_at=now - timedelta(minutes=1))
        elif not Membership.objects.filter(
            assembly=two if row.assembly_id == one.pk else one, user=row.user, ended_at=None
        ).exists():
            row.assembly = two if row.assembly_id == one.pk else one
            row.save()
        assert (shown(one), shown(two)) == (truth(one), truth(two)), step
    Membership.objects.filter(assembly=one, status=Status.MEMBER).delete()
    assert shown(one) == truth(one)
    assert shown(one)[0] == 0


@pytest.mark.django_db(transaction=True)
def test_membership_counts_read_no_membership_rows() -> None:
    """The count is a sum over at most 16 tally rows per assembly, whatever its size."""
    big = make_assembly("big", title="Big")
    Membership.objects.bulk_create(
        Membership(user=p, assembly=big, status=Status.MEMBER) for p in people("big", 300)
    )
    with CaptureQueriesContext(connection) as queries:
        assert shown(big) == (300, 0)
    assert len(queries) == 1
    assert 'federation_membership"' not in queries[0]["sql"].replace("membershiptally", "")
    assert MembershipTally.objects.filter(assembly=big).count() <= 16


def open_vote(assembly: Assembly) -> Vote:
    now = timezone.now()
    return Vote.objects.create(
        assembly=assembly,
        kind="referendum",
        title="Which room first?",
        method="choice",
        options=["Library", "Garden"],
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )


@pytest.mark.django_db(transaction=True)
def test_electorate_and_turnout_counts_follow_their_rows() -> None:
    assembly = make_assembly("counted", title="Counted")
    vote, other = open_vote(assembly), open_vote(assembly)
    voters = people("voter", 30)
    Eligible.objects.bulk_create(Eligible(vote=vote, person=p) for p in voters)
    Eligible.objects.create(vote=other, person=voters[0])
    for person in voters[:12]:
        Participation.objects.create(vote=vote, person=person)
    assert vote_counts(vote) == {"electorate": 30, "voted": 12}
    assert vote_counts(other) == {"electorate": 1, "voted": 0}
    Eligible.objects.filter(vote=vote, person__in=voters[20:]).delete()
    Participation.objects.filter(vote=vote, person=voters[0]).delete()
    assert vote_counts(vote) == {"electorate": 20, "voted": 11}


@pytest.mark.django_db(transaction=True)
def test_deleting_a_vote_or_an_assembly_leaves_no_tally_behind() -> None:
    """Whichever order the rows go in (Django's cascade deletes the counted rows first; a
    raw delete may take the parent first), no tally row outlives what it counts, so a later
    vote or assembly never starts from a stale count."""
    assembly = make_assembly("gone", title="Gone")
    voters = people("gone", 5)
    Membership.objects.bulk_create(
        Membership(user=p, assembly=assembly, status=Status.MEMBER) for p in voters
    )
    vote = open_vote(assembly)
    Eligible.objects.bulk_create(Eligible(vote=vote, person=p) for p in voters)
    Participation.objects.create(vote=vote, person=voters[0])
    vote.delete()  # the cascade: participations and the electorate, then the vote
    assert not VoteTally.objects.exists()
    kept = open_vote(assembly)
    Eligible.objects.create(vote=kept, person=voters[1])
    # The parent first, then its rows, foreign keys checked at the commit.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        cursor.execute("DELETE FROM decisions_vote WHERE id = %s", [kept.pk])
        cursor.execute("DELETE FROM decisions_eligible WHERE vote_id = %s", [kept.pk])
    assert not VoteTally.objects.exists()
    assembly.delete()
    assert not MembershipTally.objects.exists()
