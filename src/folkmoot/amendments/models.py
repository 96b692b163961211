"""Amendments to a proposal's text while it is debated, and the text's versions (VOTE-14).

An amendment quotes a passage of the text as it was when written and says what should
replace it. Nothing here is ever deleted: a withdrawn amendment, a rejected one and its
reason stay readable beside the proposal, and every version of the text is kept."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TextAmendment(models.Model):
    proposal = models.ForeignKey(
        "decisions.Proposal", on_delete=models.PROTECT, related_name="text_amendments"
    )
    # Numbered within its proposal, in order of arrival: what people call it ("amendment 3").
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    passage = models.TextField(_("passage"), max_length=5_000)
    replacement = models.TextField(_("replacement"), max_length=5_000, blank=True)
    why = models.TextField(_("why"), max_length=2_000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The proposer's answer: accepted (True) or rejected (False), with their reason.
    accepted = models.BooleanField(null=True)
    answer = models.TextField(_("reason"), max_length=2_000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The option that offered the amended text on the ballot, once the vote opened with it
    # as a competing option: the result names the text adopted by this label.
    ballot_option = models.CharField(max_length=200, blank=True)
    # The whole text that option offered: the text put to the vote with this amendment
    # applied, fixed when the vote opened (what wins is this, whatever happens later).
    ballot_text = models.TextField(blank=True)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="amendment_number_once"),
            models.CheckConstraint(
                condition=Q(accepted__isnull=True) | Q(answered_at__isnull=False),
                name="an_answer_has_its_moment",
            ),
            models.CheckConstraint(
                condition=~Q(accepted=False) | ~Q(answer=""), name="a_rejection_says_why"
            ),
        ]

    def __str__(self) -> str:
        return f"amendment {self.number} of {self.proposal_id}"

    @property
    def pending(self) -> bool:
        return self.accepted is None and self.withdrawn_at is None


class AmendmentSupport(models.Model):
    """A member supports an amendment; a rejected amendment with the supports its kind asks
    goes to the vote as a competing option (VOTE-14)."""

    amendment = models.ForeignKey(TextAmendment, on_delete=models.CASCADE, related_name="supports")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["amendment", "person"], name="support_amendment_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} supports {self.amendment_id}"


class ProposalVersion(models.Model):
    """A proposal's text as it stood: version 1 as proposed, each later one made by an
    accepted amendment, or by the vote when an amended text competing on the ballot won. Written when the text first changes, so an unchanged proposal has
    none and its one version is the proposal itself."""

    proposal = models.ForeignKey(
        "decisions.Proposal", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=20_000)
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        TextAmendment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The vote adopted it: the text with a competing amendment won (VOTE-14).
    by_vote = models.BooleanField(default=False)

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="version_number_once")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.proposal_id}"
