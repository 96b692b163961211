"""Official projects: a decision being carried out, and its progress (VOTE-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

STATUS_CHOICES = [
    ("planned", _("Planned")),
    ("in_progress", _("In progress")),
    ("done", _("Done")),
    ("abandoned", _("Abandoned")),
]


class Project(models.Model):
    """Written at the first act on a decision that `governance.projects.becomes_project`
    (until then it is shown as planned, with nobody in charge): its owner, and the status
    and progress of its latest update."""

    entry = models.OneToOneField(
        "decisions.RegisterEntry", on_delete=models.PROTECT, related_name="project"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_owned",
    )
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default="planned")
    progress = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="project_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return f"project of {self.entry_id}"


class ProjectUpdate(models.Model):
    """What was done: kept in order, never edited (nothing a user wrote is lost)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=STATUS_CHOICES)
    progress = models.PositiveSmallIntegerField()
    text = models.TextField()
    text_html = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.status} {self.progress}%"
