"""Adding, reading and removing images and files on posts, proposals and moots (FOR-7);
moderators hiding one of them, and showing it again."""

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
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop, written_reason
from folkmoot.notifications.send import notify
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
    if attachment.hidden_at is not None and not sees_hidden_file(user, thing, attachment):
        raise NotFound(attachment_id)
    return thing, attachment


def sees_hidden_file(user: Any, thing: Thing, attachment: Attachment) -> bool:
    """A file moderation hid is still seen, marked hidden, by whoever uploaded it and by the
    moderators; by nobody else."""
    return thing.moderates or attachment.uploader_id == getattr(user, "pk", None)


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


def may_moderate(thing: Thing) -> Answer:
    """Who may hide one file, and show it again: whoever may move a post to the trash, as
    moderation decides it (`moderation.actions.check_power`: the holders of the power to
    moderate in the thing's assembly, nobody in a closed one), on a thing they may read."""
    from folkmoot.moderation.actions import check_power  # moderation sits beside forums

    if thing.ctx is None or thing.ctx.protocol is None:
        # An assembly with no protocol in force has no offices, so nobody moderates there.
        return Answer.no(
            Reason(
                "no_power",
                gettext_noop("Only office holders with the power to %(power)s may do this."),
                {"power": Reason("power", gettext_noop("moderate"))},
            )
        )
    return check_power(thing.ctx, "moderate")


HIDE_REASON_LENGTH = 300


def check_hide(user: Any, thing: Thing, attachment: Attachment, *, reason: str) -> Attachment:
    """A moderator hides one file of a post, a proposal or a moot, the rest staying as they
    are: readers no longer get it (its address and its thumbnail are missing to them, as
    a file that never was), its uploader and the moderators still see it, marked hidden,
    with the reason. Nothing is deleted; `check_show` undoes it."""
    reason = reason.strip()
    answers = [
        may_moderate(thing),
        written_reason(
            reason,
            missing=Reason(
                "reason_needed",
                gettext_noop("Say why: its uploader and the moderators read the reason."),
            ),
            limit=HIDE_REASON_LENGTH,
        ),
    ]
    if attachment.hidden_at is not None:
        answers.append(Answer.no(_ALREADY_HIDDEN))
    require(combine(*answers))
    return do_hide(thing=thing, attachment=attachment, moderator=user, reason=reason)


_ALREADY_HIDDEN = Reason("hidden_already", gettext_noop("Moderation has already hidden this file."))


@transaction.atomic
def do_hide(*, thing: Thing, attachment: Attachment, moderator: Any, reason: str) -> Attachment:
    hidden = Attachment.objects.filter(pk=attachment.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_by=moderator, hidden_reason=reason
    )
    if not hidden:  # another moderator, a moment before
        raise Refused.because(_ALREADY_HIDDEN)
    attachment.refresh_from_db()
    _render_again(thing)  # the text no longer shows it where its author named it
    record(
        "attachment.hide",
        actor=moderator,
        assembly=thing.assembly,
        subject=attachment,
        on=thing.kind,
        on_id=thing.pk,
        reason=reason,
    )
    _tell_uploader(thing, attachment, moderator)
    return attachment


def check_show(user: Any, thing: Thing, attachment: Attachment) -> Attachment:
    """A moderator undoes the hiding: the file is back for every reader of the thing."""
    answers = [may_moderate(thing)]
    if attachment.hidden_at is None:
        answers.append(Answer.no(_NOT_HIDDEN))
    require(combine(*answers))
    return do_show(thing=thing, attachment=attachment, moderator=user)


def _tell_uploader(thing: Thing, attachment: Attachment, moderator: Any) -> None:
    """The uploader hears that their file was hidden, or shown again (as a post's author
    hears that it was trashed); each time, since hiding can be undone and done again."""
    notify(
        "attachment_hidden",
        [attachment.uploader_id],
        actor=moderator,
        assembly=thing.assembly.pk,
        subject=attachment,
        occasion=timezone.now().isoformat(),
    )


_NOT_HIDDEN = Reason("not_hidden", gettext_noop("This file is not hidden."))


@transaction.atomic
def do_show(*, thing: Thing, attachment: Attachment, moderator: Any) -> Attachment:
    shown = Attachment.objects.filter(pk=attachment.pk, hidden_at__isnull=False).update(
        hidden_at=None, hidden_by=None, hidden_reason=""
    )
    if not shown:
        raise Refused.because(_NOT_HIDDEN)
    attachment.refresh_from_db()
    _render_again(thing)
    record(
        "attachment.show",
        actor=moderator,
        assembly=thing.assembly,
        subject=attachment,
        on=thing.kind,
        on_id=thing.pk,
    )
    _tell_uploader(thing, attachment, moderator)
    return attachment
