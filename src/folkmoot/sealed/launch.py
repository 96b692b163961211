"""Launching a sealed vote (issue 16): its guardians are the holders of the protocol's office
when the vote is launched; they are told to start the key, and the electorate to register
their voting keys before the vote opens."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from folkmoot.governance.protocol import Sealing
from folkmoot.governance.reasons import Answer
from folkmoot.governance.sealing import check_guardians, default_threshold, vector_width
from folkmoot.notifications.recipients import holders_of
from folkmoot.notifications.send import notify
from folkmoot.refusals import require

from .belenios import new_uuid
from .models import Guardian, SealedElection


def guardians_for(assembly: Any, rules: Sealing) -> tuple[list[Any], int, Answer]:
    """Who guards a sealed vote launched now (the office's holders able to act, in order),
    its threshold, and whether they are enough."""
    people = sorted(holders_of(assembly, rules.guardians), key=lambda p: p.pk)
    threshold = rules.threshold or default_threshold(len(people))
    return people, threshold, check_guardians(len(people), threshold)


def prepare_sealed(vote: Any, assembly: Any, rules: Sealing) -> SealedElection:
    people, threshold, enough = guardians_for(assembly, rules)
    require(enough)
    return seal(vote, assembly, people, threshold=threshold, shuffle_hours=rules.shuffle_hours)


def seal(
    vote: Any, assembly: Any, guardians: list[Any], *, threshold: int, shuffle_hours: float
) -> SealedElection:
    """The sealed election of `vote`, its guardians in order (their trustee ids 1…n), and the
    notices: each guardian to make their certificate, the electorate to register keys."""
    election = SealedElection.objects.create(
        vote=vote,
        uuid=new_uuid(),
        threshold=threshold,
        width=vector_width(len(vote.options), vote.ask_validity),
        shuffle_hours=shuffle_hours,
    )
    Guardian.objects.bulk_create(
        [Guardian(election=election, person=p, position=i) for i, p in enumerate(guardians, 1)]
    )

    def tell() -> None:
        notify("sealed_guardian", guardians, vote=vote, assembly=assembly, occasion="certificate")
        voters = list(vote.electorate.values_list("person_id", flat=True))
        notify("sealed_register", voters, vote=vote, assembly=assembly)

    transaction.on_commit(tell)
    return election
