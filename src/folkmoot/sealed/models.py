"""A sealed vote (issue 16, VOTE-11): a `decisions.Vote` whose ballots are sealed on the
voter's device in the Belenios 2.0 format, guarded by guardians who alone, together, can
open them, after each has shuffled them. The server stores only what is public: the
guardians' certificates and the files the key ceremony exchanges (each guardian's private
part stays on their device; what the server keeps for a guardian is encrypted to them), the
voters' public credentials, the sealed ballots and the Belenios archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SealedElection(models.Model):
    vote = models.OneToOneField(
        "decisions.Vote", on_delete=models.PROTECT, related_name="sealed", editable=False
    )
    # The Belenios election's uuid: fixed when the vote is launched, because a voter's public
    # credential is derived from it (their key is registered before the vote opens).
    uuid = models.CharField(max_length=40, unique=True, editable=False)
    threshold = models.PositiveSmallIntegerField(editable=False)
    # The vector's width: one grade per option, and one more for the validity answer
    # (VOTE-8) when the vote asks it (0: none, 1: valid, 2: null).
    width = models.PositiveSmallIntegerField(editable=False)
    # The public outcome of the key ceremony: the tool's threshold.json.
    threshold_params = models.TextField(blank=True, editable=False)
    # The Belenios archive (a tar file, §"Public data"); empty until the vote opens.
    archive = models.BinaryField(default=b"", editable=False)
    election_json = models.TextField(blank=True, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    # After the close, every guardian shuffles; once `shuffle_hours` have passed, decryption
    # may go ahead with the shuffles of at least `threshold` guardians, so one absent
    # guardian cannot hold the count back for ever (each shuffle alone hides who voted what).
    shuffle_hours = models.FloatField(default=72, editable=False)
    shuffles_ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    decrypted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Decrypted vectors outside the method's scale (no range proof in the format): counted
    # as spoiled, and said.
    spoiled = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("sealed vote")
        verbose_name_plural = _("sealed votes")

    def __str__(self) -> str:
        return f"sealed {self.vote_id}"


class Guardian(models.Model):
    """One who holds a share of the key (a Belenios trustee). `position` is their trustee id
    (1…n, the order of the certificates). The ceremony's files are public or encrypted to
    this guardian (`decryption_key`: the tool's .dkey, which only their private key opens)."""

    election = models.ForeignKey(SealedElection, on_delete=models.CASCADE, related_name="guardians")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    certificate = models.TextField(blank=True)
    polynomial = models.TextField(blank=True)
    share_input = models.TextField(blank=True)  # the tool's .vinput, computed by the server
    share_output = models.TextField(blank=True)
    decryption_key = models.TextField(blank=True)
    shuffled_at = models.DateTimeField(null=True, blank=True)
    decrypted_at = models.DateTimeField(null=True, blank=True)
    # Why the last shuffle or partial decryption handed in was refused (sealed.handing):
    # each reason's code, message and values, so the page says it in the reader's language.
    refused = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="guardian_once"),
            models.UniqueConstraint(fields=["election", "position"], name="guardian_position"),
        ]

    def __str__(self) -> str:
        return f"guardian {self.position} of {self.election_id}"


class HandedIn(models.Model):
    """A guardian's shuffle or partial decryption, handed in and not yet checked:
    belenios-tool verifies the whole archive with it, minutes for thousands of ballots, so
    the worker does it (sealed.handing), not the request. Apart from `Guardian`, so that the
    file (tens of megabytes for a large shuffle) is read only by the check."""

    guardian = models.OneToOneField(Guardian, on_delete=models.CASCADE, related_name="handed_in")
    step = models.CharField(max_length=12)
    content = models.TextField()
    handed_at = models.DateTimeField(default=timezone.now)
    # When its check was last asked of the task worker; empty while the queue could not be
    # reached. The decisions worker asks again for one never asked, or asked long ago (a
    # worker stopped during the check): sealed.handing.ask_again.
    asked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.step} of {self.guardian_id}"


class VoterKey(models.Model):
    """A voter's public credential, registered before the vote opens. The voter's device made
    the secret it derives from; the server never sees that secret, so it cannot sign a
    ballot for anyone (docs/secrecy.md "Sealed votes")."""

    election = models.ForeignKey(SealedElection, on_delete=models.CASCADE, related_name="keys")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    public_credential = models.CharField(max_length=700)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "person"], name="voter_key_once"),
            models.UniqueConstraint(
                fields=["election", "public_credential"], name="voter_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"key of {self.person_id} in {self.election_id}"


class SealedBallot(models.Model):
    """A sealed ballot as cast, public in the ballot box by its tracker. A later ballot with
    the same credential replaces it (§"Tallied ballots"): it stays in the box, marked."""

    election = models.ForeignKey(SealedElection, on_delete=models.CASCADE, related_name="ballots")
    credential = models.CharField(max_length=700)
    ballot = models.TextField()
    tracker = models.CharField(max_length=64)
    cast_at = models.DateTimeField(default=timezone.now)
    replaced = models.BooleanField(default=False)

    class Meta:
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "tracker"], name="sealed_tracker_once"),
            models.UniqueConstraint(
                fields=["election", "credential"],
                condition=Q(replaced=False),
                name="sealed_one_counted_per_key",
            ),
        ]

    def __str__(self) -> str:
        return self.tracker
