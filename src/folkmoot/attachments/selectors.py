"""Reads of attachments: what a page shows under each thing, in one query per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from .models import Attachment


def shown_of(kind: str, pks: Iterable[int]) -> dict[int, list[Attachment]]:
    """The attachments readers see on each of the things `pks` (removed ones are not),
    oldest first; one query whatever the number of things."""
    field = f"{kind}_id"
    found: dict[int, list[Attachment]] = defaultdict(list)
    ids = list(pks)
    if not ids:
        return found
    for attachment in Attachment.objects.filter(
        **{f"{field}__in": ids}, removed_at__isnull=True
    ).order_by("created_at", "id"):
        found[getattr(attachment, field)].append(attachment)
    return found


def of_thing(kind: str, pk: int) -> QuerySet[Attachment]:
    return Attachment.objects.filter(**{f"{kind}_id": pk}, removed_at__isnull=True).order_by(
        "created_at", "id"
    )


def url_of(attachment: Attachment) -> str:
    return reverse("attachment", args=[attachment.pk, attachment.name])


def thumbnail_url_of(attachment: Attachment) -> str:
    if not attachment.thumbnail_path:
        return ""
    return reverse("attachment-thumbnail", args=[attachment.pk])


def references(kind: str, pk: int) -> dict[int, tuple[str, bool]]:
    """What the thing's Markdown may name as `attachment:12`: its own attachments that are
    not removed (`forums.text.render`)."""
    return {a.pk: (url_of(a), a.is_image) for a in of_thing(kind, pk)}


def uploads_of(user: Any) -> list[dict[str, Any]]:
    """A person's uploads, for the export of their data (what, on what, when; not the bytes,
    which they can download from the thing's page)."""
    return [
        {
            "id": a.pk,
            "name": a.name,
            "type": a.content_type,
            "size": a.size,
            "on": {"post": a.post_id, "proposal": a.proposal_id, "moot": a.moot_id},
            "at": a.created_at.isoformat(),
            "removed_at": a.removed_at.isoformat() if a.removed_at else None,
        }
        for a in Attachment.objects.filter(uploader=user).order_by("created_at", "id")
    ]
