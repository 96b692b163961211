from django.conf import settings
from django.db import models
from django.utils import timezone


class ChatMessage(models.Model):
    """A message in one of the chat rooms an assembly's protocol declares. System messages
    (no author) announce sanctions, votes and elections. Messages are kept."""

    assembly = models.ForeignKey(
        "federation.Assembly", on_delete=models.PROTECT, related_name="chat_messages"
    )
    room = models.SlugField(max_length=40)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["assembly", "room", "id"], name="chat_room_order")]

    def __str__(self) -> str:
        return f"{self.room}#{self.pk}"
