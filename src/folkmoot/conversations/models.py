"""Private messages (FOR-6): conversations between people of the platform, one-to-one or a
small group, the messages written in them, who blocks whom and reports to the platform's
staff. Nothing a person wrote is deleted: a message the staff hide keeps its text, which its
author still finds in their data export."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import BODY_LENGTH, REASON_LENGTH, SUBJECT_LENGTH


class Conversation(models.Model):
    """Who takes part is chosen when it starts; in a group, those in it may add people
    later (`actions.check_add_people`), and anyone may leave. `direct`: started between two
    people, where a block stops the blocked one writing at all (FOR-6); nobody is added to
    it."""

    subject = models.CharField(_("subject"), max_length=SUBJECT_LENGTH, blank=True)
    direct = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The inbox is ordered by it (newest first) without reading every message.
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"conversation {self.pk}"


class Participant(models.Model):
    """One person in one conversation. `last_read_id`: the newest message they have seen,
    so unread counts are a comparison of ids. A person who left reads what was written
    until then and receives nothing more.

    Someone added to a group later (`added_by`) reads what is written from then on only:
    `reads_after` is the id of the last message written before they came (None for those
    there from the start, who read it all). See `actions.do_add_people` for why."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversation_seats"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_id = models.BigIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reads_after = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "person"], name="one_seat_each")
        ]
        indexes = [models.Index(fields=["person", "left_at"], name="seats_of_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.conversation_id}"


class Message(models.Model):
    """`body_html` is the body rendered and sanitised once, at writing, by the forums' one
    path for user text (forums.text.render); pages show it through `user_html` only."""

    # PROTECT: nothing a person wrote is deleted, not even with its conversation.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=BODY_LENGTH)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Hidden by the platform's staff after a report: kept, never deleted.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "id"], name="messages_in_order")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class MessageReport(models.Model):
    """A participant reports a message to the platform's staff. The author is never told
    who reported it."""

    class Outcome(models.TextChoices):
        HIDDEN = "hidden", _("hidden")
        DISMISSED = "dismissed", _("dismissed")

    # PROTECT: a report (what a person wrote to the staff) goes with no message.
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=REASON_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_message_once")
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(resolved_at__isnull=True), name="open_reports"
            )
        ]

    def __str__(self) -> str:
        return f"report on {self.message_id}"
