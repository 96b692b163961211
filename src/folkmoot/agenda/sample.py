"""A busy person's agenda, for the home page's benchmark (bench/forums.py) and its query-bound
test: `assemblies` assemblies they belong to, each with `votes` open votes they may cast and
have not, all made with bulk inserts. Not used by the product itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from folkmoot.decisions.models import Eligible, Vote
from folkmoot.federation.actions import do_save_assembly
from folkmoot.federation.models import Assembly, AssemblyType, Membership


def give_agenda(person: Any, parent: Assembly, *, assemblies: int, votes: int, tag: str) -> int:
    """Returns how many open votes now wait for `person`."""
    now = timezone.now()
    made = [
        do_save_assembly(
            assembly=Assembly(
                slug=f"{tag}-{i}",
                title=f"Agenda assembly {tag} {i}",
                parent=parent,
                assembly_type=AssemblyType.OPERATIONAL,
                created_at=now,
            ),
            actor=None,
        )
        for i in range(assemblies)
    ]
    Membership.objects.bulk_create(
        [Membership(user=person, assembly=a, status="member", started_at=now) for a in made]
    )
    open_votes = Vote.objects.bulk_create(
        [
            Vote(
                assembly=a,
                kind="star_vote",
                title=f"Question {j} of {a.title}",
                method="star",
                options=["Yes", "No", "Later"],
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=2 + j),
                created_at=now,
            )
            for a in made
            for j in range(votes)
        ]
    )
    Eligible.objects.bulk_create([Eligible(vote=v, person=person) for v in open_votes])
    return len(open_votes)
