"""What a sealed vote asks of a person, for their home page (issue 16): a voter's key to
register before voting opens (without it they cannot vote), and a guardian's step when it is
their turn."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from folkmoot.agenda.item import Item
from folkmoot.decisions.models import Eligible

from .casting import REGISTRATION
from .models import Guardian, SealedElection, VoterKey
from .selectors import stage_of
from .status import guardian_todo

STEP_ACTIONS = {
    "certificate": lambda: _("Make your certificate"),
    "polynomial": lambda: _("Make your polynomial"),
    "share": lambda: _("Answer your share's input"),
    "shuffle": lambda: _("Shuffle the ballots"),
    "decryption": lambda: _("Decrypt your share"),
}


def sealed_items(user: Any, now: datetime, moments: list[datetime] | None = None) -> list[Item]:
    """`moments` gets when the clock moves a guarded vote's stage: its opening and closing."""
    items = []
    moments = [] if moments is None else moments
    to_register = (
        SealedElection.objects.filter(
            vote__closes_at__gt=now,
            vote__assembly__isnull=False,
            vote__sealed_ballots=True,
            opened_at__isnull=True,
        )
        .defer("archive")
        .filter(Exists(Eligible.objects.filter(vote=OuterRef("vote"), person=user)))
        .exclude(Exists(VoterKey.objects.filter(election=OuterRef("pk"), person=user)))
        .select_related("vote__assembly")[:50]
    )
    for election in to_register:
        if stage_of(election, now) not in REGISTRATION:  # keys until the election is built
            continue
        vote = election.vote
        assert vote.assembly is not None
        items.append(
            Item(
                kind="sealed_key",
                summary=_("A sealed vote: register your voting key before it opens"),
                title=vote.title,
                assembly=vote.assembly,
                action=_("Make my voting key"),
                url=reverse("sealed_vote", args=[vote.pk]),
                deadline=vote.opens_at,
                deadline_label=_("Voting opens"),
            )
        )
    # The election's archive (megabytes once ballots are in) is not read for a home page.
    guarding = (
        Guardian.objects.filter(
            person=user, election__decrypted_at__isnull=True, election__vote__sealed_ballots=True
        )
        .select_related("election__vote__assembly")
        .defer("election__archive")[:50]
    )
    for guardian in guarding:
        election = guardian.election
        step, waiting = guardian_todo(election, guardian, stage_of(election, now))
        vote = election.vote
        moments += [m for m in (vote.opens_at, vote.closes_at) if m is not None]
        if not step or waiting or vote.assembly is None:
            continue
        items.append(
            Item(
                kind="sealed_guardian",
                summary=_("Your step as a guardian of a sealed vote"),
                title=vote.title,
                assembly=vote.assembly,
                action=STEP_ACTIONS[step](),
                url=reverse("sealed_vote", args=[vote.pk]),
                deadline=vote.opens_at if step in ("certificate", "polynomial", "share") else None,
                deadline_label=_("Voting opens"),
            )
        )
    return items
