"""The paying-member roll (MEM-1, issue 13): imports and the invitations they send."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assembly import Assembly


class RollImport(models.Model):
    """MEM-1, issue 13: a paying-member roll a general secretary uploaded. Checked and
    previewed first (nothing changes); once confirmed, a background task applies it in
    batches, counting its progress, and keeps what it changed as the record."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    federation = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="roll_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREVIEWED)
    rows = models.JSONField(default=list)  # the valid rows: [email, name, since, birth, attrs]
    problems = models.JSONField(default=list)  # [line, reason] for each bad row
    preview = models.JSONField(default=dict)  # counts and examples, when checked
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)  # what it changed, when applied
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or 'roll'} → {self.federation}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class Invitation(models.Model):
    """Someone on a roll who has no account yet (issue 13): invited by email; when they sign
    up and confirm that address, they join the federation as a member from `member_since`."""

    federation = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=80)
    member_since = models.DateField()
    birth_date = models.DateField(null=True, blank=True)
    attributes = models.JSONField(default=list, blank=True)
    roll = models.ForeignKey(RollImport, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["federation", "email"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.federation}"
