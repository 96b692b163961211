"""Reports, sanctions and their endorsements (SAN-1..6). Whether a sanction is in force,
pending, endorsed or lapsed is computed from these facts when read, never by a job."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    KINDS = [("spam", _("Spam")), ("offensive", _("Offensive")), ("off_topic", _("Off topic"))]

    post = models.ForeignKey("forums.Post", on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("reason"), max_length=20, choices=KINDS)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="report_once")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class Sanction(models.Model):
    """One sanction on a person in an assembly. `level` is a key of the protocol's scale, or
    `moderation` (SAN-1, the sanction a moderation carries) or `off_protocol` (SAN-5)."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="sanctions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sanctions"
    )
    level = models.SlugField(max_length=40)
    duration = models.DurationField()
    repeat = models.PositiveSmallIntegerField(default=0)
    non_grata = models.BooleanField(default=False)
    needs_endorsement = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), max_length=2000)
    decision_reference = models.CharField(_("public decision"), max_length=300, blank=True)
    post = models.ForeignKey(
        "forums.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sanctions_imposed"
    )
    imposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imposed_at"]
        indexes = [models.Index(fields=["assembly", "person"], name="sanction_person")]

    def __str__(self) -> str:
        return f"{self.level} on {self.person_id}"


class Endorsement(models.Model):
    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    endorsed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sanction", "endorser"], name="endorse_once")
        ]

    def __str__(self) -> str:
        return f"{self.endorser_id} backs {self.sanction_id}"


class OfficeSuspension(models.Model):
    """OFF-6: an office holder who broke the protocol and would not resign is suspended from
    the office; `duration` None is indefinite. Their citizenship is untouched."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="suspensions"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suspensions"
    )
    office = models.SlugField(max_length=40)
    duration = models.DurationField(null=True, blank=True)
    repeat = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(max_length=2000)
    imposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imposed_at"]

    def __str__(self) -> str:
        return f"{self.holder_id} suspended from {self.office}"

    def in_force(self, now: datetime) -> bool:
        return self.imposed_at <= now and (
            self.duration is None or now < self.imposed_at + self.duration
        )


class OfficeMisconduct(models.Model):
    """Art. 7 (OFF-6): misconduct in an office, on top of any sanction earned as a citizen.
    It is served on the next election to the office (`serves_from`, fixed when imposed):
    for `duration` from then the person may not stand for it; `duration` None bars them for
    good (a repeat past `permanent_after`). They keep the seat they hold now."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="misconducts"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="misconducts"
    )
    office = models.SlugField(max_length=40)
    days = models.FloatField()  # as picked in the office's range, before repeats
    duration = models.DurationField(null=True, blank=True)
    repeat = models.PositiveSmallIntegerField(default=0)
    serves_from = models.DateTimeField()
    reason = models.TextField(max_length=2000)
    imposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imposed_at"]
        indexes = [models.Index(fields=["assembly", "holder", "office"])]

    def __str__(self) -> str:
        return f"{self.holder_id}'s misconduct as {self.office}"

    @property
    def ends_at(self) -> datetime | None:
        return None if self.duration is None else self.serves_from + self.duration


class MisconductEndorsement(models.Model):
    """SAN-4 (art. 19) for misconduct in office: another holder of the sanction power backs
    the finding within the window, or it lapses and bars nobody."""

    misconduct = models.ForeignKey(
        OfficeMisconduct, on_delete=models.CASCADE, related_name="endorsements"
    )
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    endorsed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["misconduct", "endorser"], name="back_misconduct_once")
        ]

    def __str__(self) -> str:
        return f"{self.endorser_id} backs misconduct {self.misconduct_id}"


class Lifting(models.Model):
    """SAN-3: a holder of the office the protocol names backs lifting a persona non grata,
    with a reason; enough of them lift it (`governance.sanctions.non_grata_lifted_at`)."""

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="liftings")
    backer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sanction", "backer"], name="one_lifting_per_backer")
        ]

    def __str__(self) -> str:
        return f"lifting {self.sanction_id} by {self.backer_id}"
