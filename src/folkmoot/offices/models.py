from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECRETARY = "secretary"


class Office(models.Model):
    """An office of an assembly (OFF-1). Every assembly has a secretary office (ASM-4); a
    federation's secretary office holds its general secretaries."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.CASCADE, related_name="offices"
    )
    slug = models.SlugField(max_length=40)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assembly", "slug"], name="office_slug_per_assembly"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="office_has_a_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} @ {self.assembly_id}"


class TenureQuerySet(models.QuerySet["Tenure"]):
    def current(self) -> "TenureQuerySet":
        """Not ended. An appointment past its `until` is among these until someone reads it
        with the clock (`in_office`) or ends it (`offices.appointments.end_lapsed`)."""
        return self.filter(ended_at__isnull=True)

    def in_office(self, now: Any) -> "TenureQuerySet":
        """Holding the office at `now`: not ended, and not past an appointment's term."""
        return self.current().filter(Q(until__isnull=True) | Q(until__gt=now))


class Tenure(models.Model):
    """A person holding an office, from `started_at` until `ended_at` (open while current)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="tenures")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenures"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # An appointment for a term (issue 13) lapses by itself at `until`: the holder stops
    # holding the office then, read from the clock (`tenures`); None: until replaced, or,
    # for an elected office, until the next election seats its winners.
    until = models.DateTimeField(null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The holder's name, kept when they erase their account, where the protocol makes the
    # office a public record (`public_record`, issue 13); empty otherwise.
    holder_name = models.CharField(max_length=80, blank=True, editable=False)

    objects = TenureQuerySet.as_manager()

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "holder"],
                condition=Q(ended_at__isnull=True),
                name="one_current_tenure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} ({self.office})"

    @property
    def holder_shown(self) -> str:
        """The holder as the record names them: their name, or the one kept on the public
        record after their account was erased, or "a former member"."""
        return self.holder_name or str(self.holder)


class Candidacy(models.Model):
    """OFF-3: a person standing for an office, for the election that opens at `election_opens_at`
    (None: for a vacant seat of an office without elections)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="candidacies")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="candidacies"
    )
    election_opens_at = models.DateTimeField(null=True, blank=True)
    statement = models.TextField(_("statement"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "person", "election_opens_at"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_candidacy_per_race",
            ),
            # NULLs are distinct in the constraint above: a vacant seat's candidacy (no
            # election) needs its own, or a double click would stand twice.
            models.UniqueConstraint(
                fields=["office", "person"],
                condition=Q(withdrawn_at__isnull=True, election_opens_at__isnull=True),
                name="one_candidacy_per_vacancy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.office_id}"


class Absence(models.Model):
    """OFF-6 (RED15M art. 7.1): a holder who will be inactive tells the others, from a day to
    a day, with a reason their fellow holders read. Nothing is deleted: a notice given
    stays on the record."""

    tenure = models.ForeignKey(Tenure, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=300)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenure_id}: {self.starts_on}–{self.ends_on}"
