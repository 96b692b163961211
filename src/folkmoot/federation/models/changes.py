"""Proposals that change the federation's shape (ASM-2, issue 13), kept as the record of who
proposed what and who decided."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assembly import Assembly


class FoundingRequest(models.Model):
    """ASM-2, issue 13: a proposal to found a new assembly below `parent`, approved or
    declined by the office the parent's protocol names (`governance.founding`). What is
    proposed is kept as the form gave it (`proposal`), so nothing exists until approval, and
    the request stays as the record of who proposed what and who decided."""

    parent = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="founding_requests")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.JSONField()  # the assembly's fields, as `founding.FIELDS` lists them
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField(null=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    assembly = models.OneToOneField(
        Assembly, null=True, blank=True, on_delete=models.SET_NULL, related_name="founded_by"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.proposal.get('title', '?')} ⊂ {self.parent}"

    @property
    def title(self) -> str:
        return str(self.proposal.get("title", ""))


class ReshapeRequest(models.Model):
    """ASM-2, issue 13: a proposal to move an assembly under another parent, merge it into
    another, or close it, decided by the office the protocol of the assembly above names
    (`governance.reshaping`). Kept as the record; `previous_parent` says where a moved or
    closed assembly stood."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Move it under another assembly")
        MERGE = "merge", _("Merge it into another assembly")
        CLOSE = "close", _("Close it (its record stays readable)")

    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="reshape_requests"
    )
    kind = models.CharField(_("change"), max_length=8, choices=Kind.choices)
    target = models.ForeignKey(
        Assembly,
        verbose_name=_("other assembly"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    why = models.TextField(_("why"), max_length=2000)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField(null=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    previous_parent = models.ForeignKey(
        Assembly, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly"],
                condition=models.Q(decided_at__isnull=True),
                name="one_pending_reshape",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="close") | models.Q(target__isnull=False),
                name="reshape_target_unless_closing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.assembly}"
