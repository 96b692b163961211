from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .kinds import CHANNELS, DIGESTS, KIND_CHOICES


class NotificationQuerySet(models.QuerySet["Notification"]):
    def shown(self) -> "NotificationQuerySet":
        """What the person sees: not the kinds they turned off (kept for the home page)."""
        return self.exclude(channel="off")

    def mine(self, user: Any) -> "NotificationQuerySet":
        """`user`'s notifications that they see."""
        return self.shown().filter(user_id=user.pk)


class Notification(models.Model):
    """Something a person should know about, shown on the site. The text is composed when
    shown, in the reader's language, from the kind and what it is about (`kinds.describe`).

    Unique per (person, kind, what it is about, occasion): whichever worker or action writes
    it, and however many times, the person is told once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where it happened: the home page counts unread notifications per assembly.
    assembly = models.ForeignKey(
        "federation.Assembly", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        "forums.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    vote = models.ForeignKey(
        "decisions.Vote", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    proposal = models.ForeignKey(
        "decisions.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Anything else it is about (a join request, a report, a sanction, a term of office).
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # Tells apart two notices of one kind about one thing (the second consensus round; the
    # support a proposal needs from a second office).
    occasion = models.CharField(max_length=60, blank=True, default="")
    # How the person wanted to hear of it when it happened: site only, an email now, or in
    # their digest. Checked again when mailing, so changing one's mind stops what waits.
    channel = models.CharField(max_length=8, default="site", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the worker dealt with its email (sent, or not wanted); None: not yet. Pages only
    # write notifications; the worker claims and mails them, so none is mailed twice.
    mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="unread_notifications"
            ),
            models.Index(
                fields=["id"], condition=Q(mailed_at__isnull=True), name="notifications_to_mail"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "post", "occasion"], name="notify_once_per_post"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "vote", "occasion"], name="notify_once_per_vote"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "proposal", "occasion"], name="notify_once_per_proposal"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "subject_type", "subject_id", "occasion"],
                name="notify_once_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class EmailPreference(models.Model):
    """How a person wants to hear of each kind of notification (`channels`: kind → site,
    email, digest or off; a kind left out: its default in `kinds.KINDS`), how often their
    digest comes, and their calendar feed's secret. No row: every default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    channels = models.JSONField(default=dict, blank=True)
    digest = models.CharField(max_length=8, choices=DIGESTS, default="daily")
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A secret for the person's own calendar feed URL (BEY-5): readers of calendars carry no
    # session, and the feed shows which votes the person may vote in.
    feed_key = models.CharField(max_length=32, unique=True, null=True, blank=True)

    def __str__(self) -> str:
        return f"email preferences of {self.user_id}"

    def channel(self, kind: str) -> str:
        from .kinds import KINDS

        chosen = (self.channels or {}).get(kind)
        return chosen if chosen in CHANNELS else KINDS[kind].default
