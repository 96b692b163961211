"""Images and files carried by posts, proposals and moots (FOR-7).

An attachment belongs to exactly one thing, and is as readable as that thing: its bytes are
served by a view that asks the thing's own `access_*` (never from a public media URL). What
is stored is what the platform made of the upload: an image re-encoded without metadata,
with a thumbnail; any other allowed file as it came, always served as a download.

Nothing is deleted: an author who removes their attachment hides it from readers (the bytes
are kept, as the text of an edited post is), and moderation hides a post's attachments with
the post — or one file alone (`hidden_at`, `moderating.check_hide`), which its uploader and
the moderators still see, marked hidden, until a moderator shows it again."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        FILE = "file", _("file")

    # What it is attached to: exactly one of the three (see the constraint).
    post = models.ForeignKey(
        "forums.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    proposal = models.ForeignKey(
        "decisions.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    moot = models.ForeignKey(
        "moots.Moot", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    # The name shown and offered on download: the uploader's, cleaned, with the extension of
    # what is stored (a GIF's first frame is stored as PNG).
    name = models.CharField(_("name"), max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Names in the "attachments" storage, chosen by the platform (random), never by the user.
    path = models.CharField(max_length=255, editable=False)
    thumbnail_path = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Hidden by moderation, this file alone: kept, served only to its uploader and to
    # moderators, until shown again (then all three are cleared).
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, proposal__isnull=True, moot__isnull=True)
                    | Q(post__isnull=True, proposal__isnull=False, moot__isnull=True)
                    | Q(post__isnull=True, proposal__isnull=True, moot__isnull=False)
                ),
                name="attachment_on_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # Whether the reader at hand may hide it or show it again: set by the selectors for the
    # page being shown (`selectors.shown_of`), never stored.
    moderated_here: bool = False

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    @property
    def reference(self) -> str:
        """What the author writes in the thing's Markdown: `![poster](attachment:12)`."""
        return f"attachment:{self.pk}"
