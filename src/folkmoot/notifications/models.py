from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """Something a person should know about, shown on the site. The text is composed when
    shown, in the reader's language, from the kind and what it is about."""

    KINDS = [
        ("mention", "mention"),
        ("vote_opened", "vote opened"),
        ("vote_closing", "vote closing"),
        ("result", "result"),
        ("withdrawn", "withdrawn"),
        ("election", "election"),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=KINDS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the worker dealt with its email (sent, or not wanted); None: not yet. Pages only
    # write notifications; the worker claims and mails them, so none is mailed twice.
    mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

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
            models.UniqueConstraint(fields=["user", "kind", "post"], name="notify_once_per_post"),
            models.UniqueConstraint(fields=["user", "kind", "vote"], name="notify_once_per_vote"),
            models.UniqueConstraint(
                fields=["user", "kind", "proposal"], name="notify_once_per_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class EmailPreference(models.Model):
    """Which notifications a person also wants by email; everything is on the site anyway.
    No row: the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    vote_opened = models.BooleanField(default=True)
    vote_closing = models.BooleanField(default=True)
    result = models.BooleanField(default=True)
    election = models.BooleanField(default=True)
    withdrawn = models.BooleanField(default=True)
    mention = models.BooleanField(default=False)
    # A secret for the person's own calendar feed URL (BEY-5): readers of calendars carry no
    # session, and the feed shows which votes the person may vote in.
    feed_key = models.CharField(max_length=32, unique=True, null=True, blank=True)

    def __str__(self) -> str:
        return f"email preferences of {self.user_id}"
