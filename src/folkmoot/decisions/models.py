"""Votes and their ballots. The decisions capability (issue 6) adds proposals, stages and
participation; the storage of ballots is fixed here because counting is built on it."""

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

METHODS = [
    ("star", _("STAR")),
    ("bloc-star", _("Bloc STAR")),
    ("allocated-score", _("Allocated Score")),
    ("choice", _("Single choice")),
    ("approval", _("Approval")),
    ("top-n", _("Most votes")),
]


def new_lot_seed() -> str:
    return secrets.token_hex(8)


class Vote(models.Model):
    assembly = models.ForeignKey(
        "federation.Assembly", null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    title = models.CharField(_("question"), max_length=300)
    method = models.CharField(_("method"), max_length=20, choices=METHODS)
    options = models.JSONField(_("options"), default=list)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    max_score = models.PositiveSmallIntegerField(default=5)
    # Published when the vote opens, fixed before any ballot: the lot that breaks a tie
    # nothing else can break is drawn from it (VOTE-12), so anyone can redo the draw.
    lot_seed = models.CharField(max_length=32, default=new_lot_seed, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="vote_has_a_seat"),
            models.CheckConstraint(
                condition=models.Q(max_score__lte=9), name="vote_scores_fit_a_digit"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """A secret ballot (VOTE-11, DESIGN.md "Ballots"): no voter, no timestamp, and a random
    key, so neither the row nor its id can be linked to a voter or ordered by time.

    `marks` holds one digit per option, in the vote's option order: a score 0–9 (STAR, Bloc
    STAR, Allocated Score), 0/1 (approval, top-N); for a choice vote, the chosen option's
    number, or empty for a blank vote. `valid` is the voter's answer to the validity question
    (VOTE-8), when asked. Counting groups identical ballots in the database."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots")
    marks = models.CharField(max_length=64, blank=True)
    valid = models.BooleanField(null=True)

    class Meta:
        # Covers the counting query (GROUP BY marks, valid for one vote): the database reads
        # the index alone, never the rows.
        indexes = [models.Index(fields=["vote", "marks", "valid"], name="ballot_count")]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.marks}"
