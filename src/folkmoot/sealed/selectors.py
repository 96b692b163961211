"""Reading a sealed vote: who may see it (whoever may see its vote), and its stage, computed
from what has happened and the time (governance.sealing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from folkmoot.decisions.ballots import access_vote
from folkmoot.governance.sealing import Progress, Stage, stage
from folkmoot.refusals import NotFound

from .models import Guardian, SealedElection


def access_sealed(user: Any, vote_id: int) -> SealedElection:
    vote = access_vote(user, vote_id)
    # The archive (tens of megabytes once shuffled) is read only where it is used.
    election = SealedElection.objects.defer("archive").filter(vote=vote).first()
    # An election whose guardians made no key by its opening is held unsealed
    # (offices.elections): its sealed election is history, no longer a page.
    if election is None or not vote.sealed_ballots:
        raise NotFound(vote_id)
    election.vote = vote
    return election


def progress(election: SealedElection) -> Progress:
    counts = election.guardians.aggregate(
        n=Count("pk"),
        keyed=Count("pk", filter=~Q(decryption_key="")),
        shuffled=Count("pk", filter=Q(shuffled_at__isnull=False)),
        decrypted=Count("pk", filter=Q(decrypted_at__isnull=False)),
    )
    vote = election.vote
    return Progress(
        key_made=bool(election.threshold_params),
        opens_at=vote.opens_at,
        closes_at=vote.closes_at,
        guardians=counts["n"],
        shuffled=counts["shuffled"],
        decrypted=counts["decrypted"],
        threshold=election.threshold,
        counted=election.decrypted_at is not None,
        shuffle_by=(
            vote.closes_at + timedelta(hours=election.shuffle_hours) if vote.closes_at else None
        ),
    )


def stage_of(election: SealedElection, now: datetime | None = None) -> Stage:
    return stage(progress(election), now or timezone.now())


def guardian_of(election: SealedElection, user: Any) -> Guardian | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return election.guardians.filter(person=user).first()


# The key ceremony's rounds, in order: each step and the field that holds its file.
KEY_ROUNDS = {"certificate": "certificate", "polynomial": "polynomial", "share": "share_output"}


def round_of(guardian: Guardian) -> str:
    """The guardian's next part of the key ceremony: "certificate", "polynomial", "share",
    or "" when their part is done (or waits for the others: `waiting_for_others`)."""
    return next((step for step, field in KEY_ROUNDS.items() if not getattr(guardian, field)), "")


def waiting_for_others(election: SealedElection, step: str) -> bool:
    """Whether `step` cannot be taken yet because another guardian has not done the one
    before: every certificate before any polynomial, every polynomial before the shares."""
    guardians = list(election.guardians.all())
    if step == "polynomial":
        return any(not g.certificate for g in guardians)
    if step == "share":
        return any(not g.share_input for g in guardians)
    return False
