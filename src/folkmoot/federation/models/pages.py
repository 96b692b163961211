"""A federation's own pages (issue 13)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .assembly import Assembly, translated


class FederationPage(models.Model):
    """A federation's own pages (issue 13): "What is Harmony Party UK?", its privacy notice
    and terms, in its language and translated into the others; written by its secretaries.
    `privacy` and `terms` are linked from the footer and the sign-up form."""

    SPECIAL = ("privacy", "terms")

    federation = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="pages")
    slug = models.SlugField(_("address"), max_length=60)
    language = models.CharField(
        _("language of the texts"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary (shown before “Read more”)"), blank=True, max_length=2000)
    body = models.TextField(_("text (Markdown)"), blank=True, max_length=50_000)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "slug"], name="one_page_per_slug")
        ]

    def __str__(self) -> str:
        return f"{self.federation}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("federation-page", args=[self.federation.slug, self.slug])

    def in_language(self, language: str) -> dict[str, Any]:
        """title, summary, body in `language` where translated, else the original, and
        whether the reader gets the original in another language."""
        values, given = translated(self, language, ("title", "summary", "body"))
        return {
            **values,
            "untranslated": language[:2] != self.language and not given,
            "original": self.get_language_display(),
        }
