"""Moots, the assemblies' meetings (MEET-1, MEET-2, issue 14): when and where, who runs it,
its agenda, and who comes. Whether a moot is to come, live or over is computed from its
times when read (`governance.moots.phase`); so is who has a seat and who waits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Moot(models.Model):
    class Repeats(models.TextChoices):
        NEVER = "", _("Once")
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="moots"
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, max_length=5000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place (address)"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    private = models.BooleanField(_("private"), default=False)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    minute_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minute-taker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, max_length=2000)
    # The live room (MEET-3): the point under discussion, since when, and whether those who
    # have not spoken yet go first in the speakers' queue (the facilitator's option).
    current_point = models.ForeignKey(
        "AgendaPoint", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    point_started_at = models.DateTimeField(null=True, blank=True)
    progressive = models.BooleanField(_("those who have not spoken yet first"), default=False)
    # After (issue 14): the minutes, published by the facilitator or the minute-taker.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A series (issue 14): a recurring moot plans its next one once it meets
    # (`series.continue_series`), and its open points carry over to it.
    repeats = models.CharField(
        _("repeats"), max_length=12, choices=Repeats.choices, default="", blank=True
    )
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_in_series"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["assembly", "starts_at"], name="moots_by_assembly")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="moot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("moot", args=[self.pk])


class AgendaPoint(models.Model):
    """MEET-2: a point of the agenda, carrying a proposal of the assembly or not. A point
    someone adds waits for the facilitator, who accepts it, merges it into another, or
    declines it with a reason; nothing is deleted."""

    class Outcome(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus reached")
        BLOCKED = "blocked", _("Blocked: another round")
        VOTE = "vote", _("Sent to a vote")
        DEFERRED = "deferred", _("Deferred to the next moot")
        DISCUSSED = "discussed", _("Discussed")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for the facilitator")
        ACCEPTED = "accepted", _("On the agenda")
        MERGED = "merged", _("Merged into another point")
        DECLINED = "declined", _("Declined")

    moot = models.ForeignKey(Moot, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("point"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=10)
    proposal = models.ForeignKey(
        "decisions.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_points",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    # Set when the minutes are published: what became of the point, and for a deferred
    # point, the later moot whose draft agenda it went to.
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    carried_to = models.ForeignKey(
        Moot, null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_points"
    )

    class Meta:
        ordering = ["position", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["moot", "proposal"],
                condition=Q(proposal__isnull=False) & ~Q(state="declined"),
                name="proposal_once_per_agenda",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """Coming in person, online, or sending regrets (MEET-2). Seats go in the order of
    `since` (when the person last said they come); those beyond capacity wait."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        REGRETS = "regrets", _("Sending regrets")

    moot = models.ForeignKey(Moot, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moot_registrations"
    )
    mode = models.CharField(_("coming"), max_length=10, choices=Mode.choices)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["since", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["moot", "person"], name="one_registration_per_moot")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.moot} ({self.mode})"

    @property
    def attending(self) -> bool:
        return self.mode != self.Mode.REGRETS


class Hand(models.Model):
    """A raised hand in the live room's speakers' queue (MEET-3). The facilitator gives the
    floor; the hand ends when its turn ends, when it is lowered, or when the point changes.
    Kept: who spoke, when and on which point, is part of the moot's record."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("Point of process")
        DIRECT = "direct", _("Direct response")
        NEW = "new", _("New point")

    moot = models.ForeignKey(Moot, on_delete=models.CASCADE, related_name="hands")
    point = models.ForeignKey(
        AgendaPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="hands"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NEW)
    raised_at = models.DateTimeField(default=timezone.now)
    floor_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["moot", "person"],
                condition=Q(ended_at__isnull=True),
                name="one_hand_up_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.kind})"


class Attendance(models.Model):
    """Who is present at a live moot, in person or online (MEET-1): they check in, or the
    facilitator or minute-taker marks them."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    moot = models.ForeignKey(Moot, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["moot", "person"], name="present_once_per_moot")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.moot} ({self.mode})"


class ConsensusCheck(models.Model):
    """A consensus check in the live room on the current point's proposal (MEET-3): those
    present respond as in the proposal's consensus round — the responses are that round's —
    and closing the check closes the round then, so the proposal moves on (VOTE-1)."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Consensus reached")
        ANOTHER_ROUND = "another_round", _("No consensus: another round")
        VOTE = "vote", _("No consensus: sent to a vote")
        TOO_FEW = "too_few", _("Too few responses: the round goes on")
        LAPSED = "lapsed", _("The round had ended: nothing recorded")

    moot = models.ForeignKey(Moot, on_delete=models.CASCADE, related_name="checks")
    point = models.ForeignKey(AgendaPoint, on_delete=models.PROTECT, related_name="checks")
    proposal = models.ForeignKey(
        "decisions.Proposal", on_delete=models.PROTECT, related_name="moot_checks"
    )
    round = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["moot"], condition=Q(closed_at__isnull=True), name="one_open_check"
            )
        ]

    def __str__(self) -> str:
        return f"check on {self.proposal_id} round {self.round}"


class PointMinutes(models.Model):
    """The minutes of one point (MEET-3), written by the minute-taker in the room (plain
    Markdown, sanitised like posts when shown). Every earlier text is kept as a revision."""

    point = models.OneToOneField(AgendaPoint, on_delete=models.CASCADE, related_name="minutes_of")
    body = models.TextField(_("minutes"), blank=True, max_length=20_000)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"minutes of {self.point}"


class MinutesRevision(models.Model):
    """A text the minutes had before a change (autosaves within a minute of each other by
    the same person make one revision)."""

    minutes = models.ForeignKey(PointMinutes, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"revision of {self.minutes_id} at {self.saved_at}"
