"""Weekly polls (VOTE-7, RED15M art. 12): a kind marked `weekly` is launched one a week, in
order of arrival, from a queue everyone can see. The rule is the core's
(`schedule.weekly_turn`); this reads the queue and the last opening from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Max

from folkmoot.governance.reasons import Answer
from folkmoot.governance.schedule import WEEK, weekly_turn

from .models import Proposal, Vote


@dataclass
class Queue:
    kind: str
    waiting: list[tuple[Proposal, Any]]  # (proposal, its state), oldest first
    last_opened_at: datetime | None

    @property
    def next_opens_at(self) -> datetime | None:
        return self.last_opened_at + WEEK if self.last_opened_at is not None else None


def queue_of(ctx: Any, kind_key: str, now: datetime) -> Queue:
    from .actions import state_of

    waiting = Proposal.objects.filter(
        assembly=ctx.assembly, kind=kind_key, withdrawn_at__isnull=True, vote__isnull=True
    ).order_by("created_at", "pk")
    last = Vote.objects.filter(
        proposal__assembly=ctx.assembly, proposal__kind=kind_key, opens_at__isnull=False
    ).aggregate(at=Max("opens_at"))["at"]
    return Queue(kind_key, [(p, state_of(ctx, p, now)) for p in waiting[:100]], last)


def queues(ctx: Any, now: datetime) -> list[Queue]:
    """The queue of each weekly kind of the protocol (RED15M: the weekly poll)."""
    return [queue_of(ctx, key, now) for key, k in ctx.protocol.decision_kinds.items() if k.weekly]


def turn_of(ctx: Any, proposal: Proposal, now: datetime) -> Answer:
    kind = ctx.kind_of(proposal)
    if not kind.weekly:
        return Answer.yes()
    queue = queue_of(ctx, proposal.kind, now)
    ahead = next(
        (
            p.title
            for p, state in queue.waiting
            if (p.created_at, p.pk) < (proposal.created_at, proposal.pk) and state.launchable
        ),
        None,
    )
    return weekly_turn(kind, first_in_line=ahead, last_opened_at=queue.last_opened_at, now=now)
