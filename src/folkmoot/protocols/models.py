from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProtocolVersion(models.Model):
    """One adopted version of an assembly's written rules (PRO-1, PRO-3). Versions are never
    edited or deleted: a change is a new version, and every earlier one stays readable."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="protocol_versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    document = models.TextField(_("document (YAML)"))
    preset = models.CharField(_("preset"), max_length=40, blank=True)
    adopted_at = models.DateTimeField(_("adopted"), default=timezone.now)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reference = models.CharField(
        _("adopted by decision"),
        max_length=200,
        blank=True,
        help_text=_("The decision that adopted it, e.g. a referendum's reference."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["assembly", "-number"]
        verbose_name = _("protocol version")
        verbose_name_plural = _("protocol versions")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="protocol_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id} v{self.number}"
