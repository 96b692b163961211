"""Belonging to an assembly (MEM-1..3): memberships, their tallies and requests to join."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from folkmoot.governance.membership import Status

from .assembly import Assembly


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """A person's belonging to an assembly, from `started_at` (MEM-3). Leaving ends it; the
    row stays, so seniority and history remain measurable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[(Status.PARTICIPANT, _("Participant")), (Status.MEMBER, _("Member"))],
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_active_membership",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assembly", "status"],
                condition=Q(ended_at__isnull=True),
                name="active_members",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.assembly} ({self.status})"

    @property
    def started_on(self) -> date:
        return timezone.localtime(self.started_at).date()


class JoinRequestQuerySet(models.QuerySet["JoinRequest"]):
    def pending(self) -> JoinRequestQuerySet:
        return self.filter(decided_at__isnull=True)


class MembershipTally(models.Model):
    """How many active members and participants an assembly has, kept by database triggers
    on `Membership` (folkmoot.tallies, migration 0002_membership_tally): the assembly page
    and the tree read a sum over a few rows, not a count over every membership. Read it with
    `federation.selectors.membership_counts`."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    shard = models.PositiveSmallIntegerField()
    members = models.IntegerField(db_default=0)
    participants = models.IntegerField(db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "shard"], name="membership_tally_shard")
        ]

    def __str__(self) -> str:
        return f"assembly {self.assembly_id} shard {self.shard}: {self.members}+{self.participants}"


class JoinRequest(models.Model):
    """MEM-2: a request to join an assembly whose secretary approves newcomers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message to the secretary"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved = models.BooleanField(null=True)
    note = models.TextField(_("note to the applicant"), blank=True, max_length=2000)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "user"],
                condition=Q(decided_at__isnull=True),
                name="one_pending_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.assembly}"
