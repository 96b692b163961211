"""Reads of attachments: what a page shows under each thing, in one query per page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from folkmoot.statements import Ids, Statement

from .models import Attachment


def shown_of(
    kind: str, pks: Iterable[int], *, viewer_id: int | None = None, moderator: bool = False
) -> dict[int, list[Attachment]]:
    """The attachments the reader sees on each of the things `pks`, oldest first; one query
    whatever the number of things. Removed ones are not; one moderation hid only to its
    uploader (`viewer_id`) and to a `moderator`, who may hide or show them again
    (`Attachment.moderated_here`)."""
    return shown_on_page(kind, pks, viewer_id=viewer_id, moderator=moderator).shown


@dataclass(frozen=True)
class OnPage:
    shown: dict[int, list[Attachment]]  # as in shown_of
    # The things that have any attachment, hidden ones included, and their uploaders: a
    # page kept for every reader (forums/thread_posts.py) is not used for these things'
    # authors and these uploaders, who may see them otherwise.
    things: set[int]
    uploaders: set[int]


def shown_on_page(
    kind: str, pks: Iterable[int], *, viewer_id: int | None = None, moderator: bool = False
) -> OnPage:
    field = f"{kind}_id"
    on_page = OnPage(defaultdict(list), set(), set())
    ids = list(pks)
    if not ids:
        return on_page
    # A page's things (a thread page's posts): compiled once (issue 11).
    found_now = _OF_KIND.run(kind, ids=ids) if len(ids) <= PAGE else of_kind(kind, ids)
    for attachment in found_now:
        on_page.things.add(getattr(attachment, field))
        on_page.uploaders.add(attachment.uploader_id)
        if visible_to(attachment, viewer_id, moderator=moderator):
            attachment.moderated_here = moderator
            on_page.shown[getattr(attachment, field)].append(attachment)
    return on_page


def of_kind(kind: str, pks: list[int]) -> QuerySet[Attachment]:
    return Attachment.objects.filter(**{f"{kind}_id__in": pks}, removed_at__isnull=True).order_by(
        "created_at", "id"
    )


# As many things as a page shows: a thread page's posts.
PAGE = 20
_OF_KIND = Statement(Attachment, lambda kind, *, ids: of_kind(kind, ids), ids=Ids(PAGE))


def visible_to(attachment: Attachment, viewer_id: int | None, *, moderator: bool) -> bool:
    """A file moderation hid is seen by its uploader and by moderators only."""
    return attachment.hidden_at is None or moderator or attachment.uploader_id == viewer_id


def of_thing(kind: str, pk: int) -> QuerySet[Attachment]:
    """The thing's attachments that are not removed, hidden ones included (`visible_to`
    says who sees those)."""
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
    neither removed nor hidden by moderation (`forums.text.render`): the stored text is
    the same for every reader."""
    return {a.pk: (url_of(a), a.is_image) for a in of_thing(kind, pk).filter(hidden_at=None)}


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
            "hidden_by_moderation": a.hidden_at is not None,
        }
        for a in Attachment.objects.filter(uploader=user).order_by("created_at", "id")
    ]
