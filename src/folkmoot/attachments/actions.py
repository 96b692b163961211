"""Adding, reading and removing images and files on posts, proposals and moots (FOR-7)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.forums.text import render
from folkmoot.governance.reasons import Answer, Reason, gettext_noop
from folkmoot.refusals import NotFound, Refused, require

from . import selectors
from .files import Prepared, prepare, too_big
from .models import Attachment
from .things import Thing, access_thing


def storage() -> Storage:
    """The "attachments" storage of STORAGES: under the data directory, or a bucket."""
    return storages["attachments"]


def thing_of(attachment: Attachment) -> tuple[str, int]:
    for kind in ("post", "proposal", "moot"):
        pk = getattr(attachment, f"{kind}_id")
        if pk is not None:
            return kind, pk
    raise NotFound(attachment.pk)  # the constraint makes this impossible


def access_attachment(user: Any, attachment_id: int) -> tuple[Thing, Attachment]:
    """An attachment `user` may see: not removed, on a thing they may read, and not hidden
    with it by moderation (unless they may still see what moderation hid). Otherwise it is
    missing, as if it had never been (a file must not tell what a page would not)."""
    attachment = Attachment.objects.filter(pk=attachment_id, removed_at__isnull=True).first()
    if attachment is None:
        raise NotFound(attachment_id)
    thing = access_thing(user, *thing_of(attachment))
    if thing.hidden and not thing.sees_hidden:
        raise NotFound(attachment_id)
    return thing, attachment


def _count_answer(thing: Thing) -> Answer:
    # Removed attachments count too: their bytes are kept, so removing and adding again must
    # not grow the storage without end.
    limit = settings.ATTACHMENTS_PER_THING
    if Attachment.objects.filter(**{thing.kind: thing.obj}).count() < limit:
        return Answer.yes()
    return Answer.no(
        Reason(
            "too_many_files",
            gettext_noop("%(thing)s carries at most %(limit)s images and files."),
            {"thing": thing.label, "limit": limit},
        )
    )


def check_attach(user: Any, thing: Thing, *, name: str, size: int, read: Any) -> Attachment:
    """`read()` gives the upload's bytes; it is not called for a file already known to be
    too big, nor when the person may not attach here."""
    require(thing.may_attach)
    require(_count_answer(thing))
    if size > settings.ATTACHMENTS_MAX_BYTES:
        raise too_big(name, size)
    prepared = prepare(name, read())
    return do_attach(thing=thing, uploader=user, prepared=prepared)


@transaction.atomic
def do_attach(*, thing: Thing, uploader: Any, prepared: Prepared) -> Attachment:
    # The thing's row is locked, so two uploads at once cannot both take the last place.
    type(thing.obj).objects.select_for_update().filter(pk=thing.pk).first()
    require(_count_answer(thing))
    files = storage()
    base = f"{thing.kind}s/{uuid.uuid4().hex}"
    saved: list[str] = []
    try:
        saved.append(files.save(base + prepared.extension, ContentFile(prepared.content)))
        if prepared.thumbnail:
            saved.append(
                files.save(f"{base}-thumbnail{prepared.extension}", ContentFile(prepared.thumbnail))
            )
        attachment = Attachment.objects.create(
            **{thing.kind: thing.obj},
            uploader=uploader,
            kind=prepared.kind,
            name=prepared.name,
            content_type=prepared.content_type,
            size=len(prepared.content),
            width=prepared.width,
            height=prepared.height,
            path=saved[0],
            thumbnail_path=saved[1] if len(saved) > 1 else "",
        )
        _render_again(thing)
    except BaseException:
        for path in saved:  # nothing is kept of an upload that was not recorded
            files.delete(path)
        raise
    # Who, on what, how big and of what type; never the name or the contents.
    record(
        "attachment.upload",
        actor=uploader,
        assembly=thing.assembly,
        subject=attachment,
        on=thing.kind,
        on_id=thing.pk,
        size=attachment.size,
        type=attachment.content_type,
    )
    return attachment


def check_write_with_file[T](
    user: Any, upload: UploadedFile | None, write: Callable[[], T], post_of: Callable[[T], Any]
) -> T:
    """A post written with a file, from the reply and new-thread forms: the file is judged
    first, so a bad one saves neither it nor the post (the form comes back with the text as
    written); the post and its attachment are then saved together."""
    if upload is None:
        return write()
    name, size = upload.name or "", upload.size or 0
    if size > settings.ATTACHMENTS_MAX_BYTES:
        raise too_big(name, size)
    prepared = prepare(name, upload.read())
    with transaction.atomic():
        written = write()
        post = post_of(written)
        thing = access_thing(user, "post", post.pk)
        require(thing.may_attach)
        do_attach(thing=thing, uploader=user, prepared=prepared)
    return written


def check_remove(user: Any, thing: Thing, attachment: Attachment) -> Attachment:
    """An author takes their own attachment away while they may still edit what carries it."""
    if attachment.uploader_id != getattr(user, "pk", None):
        raise Refused.because(
            Reason("not_uploader", gettext_noop("Only whoever added a file may remove it."))
        )
    require(thing.may_attach)
    return do_remove(thing=thing, attachment=attachment, actor=user)


@transaction.atomic
def do_remove(*, thing: Thing, attachment: Attachment, actor: Any) -> Attachment:
    # Hidden from readers, the bytes kept: nothing a person put on the platform is deleted.
    Attachment.objects.filter(pk=attachment.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    attachment.refresh_from_db()
    _render_again(thing)
    record(
        "attachment.remove",
        actor=actor,
        assembly=thing.assembly,
        subject=attachment,
        on=thing.kind,
        on_id=thing.pk,
    )
    return attachment


def _render_again(thing: Thing) -> None:
    """The thing's stored HTML, rendered again with its attachments as they are now: a new
    one may be named in the text, a removed one's reference is dropped."""
    if thing.kind not in ("post", "proposal"):
        return  # a moot's purpose is plain text
    refs = selectors.references(thing.kind, thing.pk)
    html = render(thing.obj.body, refs)
    type(thing.obj).objects.filter(pk=thing.pk).update(body_html=html)
    thing.obj.body_html = html
