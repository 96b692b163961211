"""Attachments through the API (UI-5, FOR-7): the same actions as the pages. An upload is a
multipart request with one `file`; a bad file is a 422 naming it, a rule a 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from folkmoot.api.auth import OPTIONAL, REQUIRED

from . import actions, selectors
from .models import Attachment
from .things import Kind, access_thing

router = Router(tags=["attachments"])


class AttachmentOut(Schema):
    id: int
    kind: str = Field(description="image | file")
    name: str
    content_type: str
    size: int = Field(description="bytes, as stored (an image after re-encoding)")
    width: int | None
    height: int | None
    url: str = Field(description="the image, or the file as a download")
    thumbnail_url: str = Field(description="images only")
    reference: str = Field(description="what to write in the Markdown: ![name](attachment:12)")
    uploader: str = Field(description="the uploader's public id")
    created_at: datetime
    hidden: bool = Field(
        description="moderation hid this file: only its uploader and moderators see it"
    )
    hidden_reason: str | None = Field(description="why, when it is hidden")


class AttachmentHideIn(Schema):
    reason: str = Field(min_length=1, max_length=actions.HIDE_REASON_LENGTH)


def _out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": selectors.url_of(attachment),
        "thumbnail_url": selectors.thumbnail_url_of(attachment),
        "reference": attachment.reference,
        "uploader": attachment.uploader.public_id,
        "created_at": attachment.created_at,
        "hidden": attachment.hidden_at is not None,
        "hidden_reason": attachment.hidden_reason if attachment.hidden_at is not None else None,
    }


def _list(request: HttpRequest, kind: Kind, pk: int) -> list[dict[str, Any]]:
    thing = access_thing(request.user, kind, pk)
    if thing.hidden and not thing.sees_hidden:
        return []  # moderation hid them with the post
    return [
        _out(a)
        for a in selectors.of_thing(kind, pk).select_related("uploader")
        if selectors.visible_to(a, getattr(request.user, "pk", None), moderator=thing.moderates)
    ]


def _upload(request: HttpRequest, kind: Kind, pk: int, file: UploadedFile) -> Reply[Any]:
    thing = access_thing(request.user, kind, pk)
    attachment = actions.check_attach(
        request.user, thing, name=file.name or "", size=file.size or 0, read=file.read
    )
    return Reply(201, _out(attachment))


@router.get(
    "/posts/{post_id}/attachments",
    response=list[AttachmentOut],
    auth=OPTIONAL,
    summary="A post's images and files",
)
def post_attachments(request: HttpRequest, post_id: int) -> list[dict[str, Any]]:
    return _list(request, "post", post_id)


@router.post(
    "/posts/{post_id}/attachments",
    response={201: AttachmentOut},
    auth=REQUIRED,
    summary="Attach an image or a file to my post (while I may edit it)",
)
def attach_to_post(request: HttpRequest, post_id: int, file: File[UploadedFile]) -> Reply[Any]:
    return _upload(request, "post", post_id, file)


@router.get(
    "/proposals/{proposal_id}/attachments",
    response=list[AttachmentOut],
    auth=OPTIONAL,
    summary="A proposal's images and files",
)
def proposal_attachments(request: HttpRequest, proposal_id: int) -> list[dict[str, Any]]:
    return _list(request, "proposal", proposal_id)


@router.post(
    "/proposals/{proposal_id}/attachments",
    response={201: AttachmentOut},
    auth=REQUIRED,
    summary="Attach an image or a file to my proposal (before its vote)",
)
def attach_to_proposal(
    request: HttpRequest, proposal_id: int, file: File[UploadedFile]
) -> Reply[Any]:
    return _upload(request, "proposal", proposal_id, file)


@router.get(
    "/moots/{moot_id}/attachments",
    response=list[AttachmentOut],
    auth=OPTIONAL,
    summary="A moot's images and files",
)
def moot_attachments(request: HttpRequest, moot_id: int) -> list[dict[str, Any]]:
    return _list(request, "moot", moot_id)


@router.post(
    "/moots/{moot_id}/attachments",
    response={201: AttachmentOut},
    auth=REQUIRED,
    summary="Attach an image or a file to a moot I may change",
)
def attach_to_moot(request: HttpRequest, moot_id: int, file: File[UploadedFile]) -> Reply[Any]:
    return _upload(request, "moot", moot_id, file)


@router.delete(
    "/attachments/{attachment_id}",
    response={204: None},
    auth=REQUIRED,
    summary="Remove my attachment (readers no longer see it; it is kept)",
)
def remove_attachment(request: HttpRequest, attachment_id: int) -> Reply[None]:
    thing, attachment = actions.access_attachment(request.user, attachment_id)
    actions.check_remove(request.user, thing, attachment)
    return Reply(204, None)


@router.post(
    "/attachments/{attachment_id}/hide",
    response=AttachmentOut,
    auth=REQUIRED,
    summary="Hide one file from readers (moderators; it is kept, and may be shown again)",
)
def hide_attachment(
    request: HttpRequest, attachment_id: int, payload: AttachmentHideIn
) -> dict[str, Any]:
    thing, attachment = actions.access_attachment(request.user, attachment_id)
    return _out(actions.check_hide(request.user, thing, attachment, reason=payload.reason))


@router.post(
    "/attachments/{attachment_id}/show",
    response=AttachmentOut,
    auth=REQUIRED,
    summary="Show again a file moderation hid (moderators)",
)
def show_attachment(request: HttpRequest, attachment_id: int) -> dict[str, Any]:
    thing, attachment = actions.access_attachment(request.user, attachment_id)
    return _out(actions.check_show(request.user, thing, attachment))
