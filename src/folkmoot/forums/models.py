"""Threads and posts in the forums an assembly's protocol declares (FOR-1..5). A forum is
not a row: it is a key of the protocol in force, so amending the protocol changes the forums.

Nothing a person wrote is ever deleted: moderation and archival move threads and hide
replies into the Trash, where they stay readable (FOR-3, SAN-6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Thread(models.Model):
    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="threads"
    )
    forum_key = models.SlugField(_("forum"), max_length=40)
    # Where a person moved it (moderation, a rescue, an approval), overriding where time puts it.
    moved_to = models.SlugField(max_length=40, blank=True)
    moved_at = models.DateTimeField(null=True, blank=True)
    move_reason = models.CharField(max_length=300, blank=True)
    # Where time last placed it, written by the archival job for the record; readers never
    # depend on it (the placement is computed when read).
    archived_to = models.SlugField(max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    tag = models.CharField(_("tag"), max_length=44, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    as_office = models.SlugField(max_length=40, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["assembly", "forum_key", "-last_activity_at"], name="thread_forum_activity"
            ),
            models.Index(fields=["assembly", "moved_to"], name="thread_moved"),
            # A forum page's order (pinned first, then by last activity): read backwards, a
            # page of a large forum is its first rows, not a sort of every thread (5 ms →
            # 0.1 ms at 5,000 threads, issue 11). Small forums are still found by forum_key.
            models.Index(
                fields=["assembly", "pinned", "last_activity_at", "id"], name="thread_page_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    as_office = models.SlugField(max_length=40, blank=True)  # FOR-4: "My +1 as Coordinator"
    body = models.TextField(_("text"), max_length=20_000)
    body_html = models.TextField(editable=False)  # Markdown rendered and sanitised once, at writing
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    trashed_at = models.DateTimeField(null=True, blank=True)
    trash_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"], name="post_thread_time")]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.pk}"


class PostRevision(models.Model):
    """The text a post had before an edit: the edit history is kept."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"{self.post_id} before {self.replaced_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    """A +1 or −1 (FOR-4). Given in the capacity of an office, it counts as that office's
    support; a holder may also react as a citizen."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    as_office = models.SlugField(max_length=40, blank=True)
    value = models.SmallIntegerField(choices=[(1, "+1"), (-1, "−1")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "as_office"], name="one_reaction_per_capacity"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="reaction_is_plus_or_minus_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} {self.as_office or 'citizen'} on {self.post_id}"


class RescueRequest(models.Model):
    """FOR-3: a written request to bring an archived thread back; coordination decides."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="rescue_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("why it should come back"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "requester"],
                condition=Q(decided_at__isnull=True),
                name="one_open_rescue",
            ),
        ]

    def __str__(self) -> str:
        return f"rescue {self.thread_id}"
