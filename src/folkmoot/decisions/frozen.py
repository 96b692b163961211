"""Once a vote has opened, what it asks and how it counts are fixed (issue 10, VOTE-5, VOTE-11):
its method, options (their order is what every ballot's marks refer to), secrecy, times,
seats, scores, validity rules and candidates. Reordering the options of an open vote would
silently reassign every ballot already cast.

Every writer asks `check_vote_change` before changing a vote (the admin does); the database
refuses the same change from any other path (migration 0007_open_vote_is_fixed installs a
trigger on SQLite and on PostgreSQL), so a forgotten check cannot slip through. Columns the
close legitimately writes (`announced_at` …) stay writable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from folkmoot.governance.reasons import Reason, gettext_noop
from folkmoot.refusals import Refused

from .models import Ballot, Participation, Vote

# Mirrored by the trigger of migration 0007_open_vote_is_fixed: change both together.
FIXED_FIELDS = (
    "method",
    "options",
    "subjects",
    "secret",
    "opens_at",
    "closes_at",
    "seats",
    "max_score",
    "validity",
    "ask_validity",
    "may_change_ballot",
    "random_order",
    # The published lot breaks ties nothing else can (VOTE-12), and the kind decides
    # whether the result binds: both are fixed before the first ballot.
    "lot_seed",
    "kind",
)

VOTE_IS_FIXED = Reason(
    "vote_is_fixed",
    gettext_noop(
        "This vote has opened: its method, options, secrecy, times, seats, scores, validity "
        "rules and candidates can no longer change."
    ),
)


def is_fixed(vote: Vote, now: datetime | None = None) -> bool:
    """Opened (its opening time has come), or someone has voted in it whatever its times say."""
    now = now or timezone.now()
    if vote.opens_at is not None and vote.opens_at <= now:
        return True
    if vote.pk is None:
        return False
    return (
        Participation.objects.filter(vote=vote).exists()
        or Ballot.objects.filter(vote=vote).exists()
    )


def check_vote_change(vote: Vote, changed: Iterable[str], now: datetime | None = None) -> None:
    """Refuses, with a reason, a change of any fixed field of a vote that is fixed."""
    if set(changed) & set(FIXED_FIELDS) and is_fixed(vote, now):
        raise Refused.because(VOTE_IS_FIXED)
