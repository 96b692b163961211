"""Attachments' pages: serving the bytes to those who may read the thing they are on, and the
plain forms (multipart, no JavaScript) that add and remove them, and with which moderators
hide one and show it again. Parse → access → action."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from folkmoot.http import AuthedRequest, Request
from folkmoot.refusals import NotFound, Refused

from . import actions
from .models import Attachment
from .things import KINDS, Thing, access_thing


def _attachment_or_404(request: Request, pk: int) -> tuple[Thing, Attachment]:
    try:
        return actions.access_attachment(request.user, pk)
    except NotFound as missing:
        raise Http404(_("No such file.")) from missing


def serve(attachment: Attachment, path: str, content_type: str) -> FileResponse:
    """The stored bytes. An image shows in the page (it was remade from its pixels); any
    other file is only ever a download, of the type we decided, never sniffed, never run: a
    PDF or a text cannot become a page of this site."""
    try:
        handle = actions.storage().open(path, "rb")
    except OSError as gone:
        raise Http404(_("No such file.")) from gone
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser open it as a document anyway, it has no script, no form, no origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Whether it may be read depends on who asks, and moderation may hide it at any time;
    # one it hid, seen by its uploader or a moderator, is not kept at all.
    response["Cache-Control"] = (
        "private, no-store" if attachment.hidden_at is not None else "private, max-age=300"
    )
    return response


@require_safe
def attachment_file(request: Request, pk: int, name: str) -> HttpResponseBase:
    _thing, attachment = _attachment_or_404(request, pk)
    return serve(attachment, attachment.path, attachment.content_type)


@require_safe
def attachment_thumbnail(request: Request, pk: int) -> HttpResponseBase:
    _thing, attachment = _attachment_or_404(request, pk)
    if not attachment.thumbnail_path:
        raise Http404(_("No such file."))
    return serve(attachment, attachment.thumbnail_path, attachment.content_type)


def _back(request: Request, thing: Thing) -> HttpResponse:
    """To the page the form was on (the post's edit page, the proposal's, the moot's)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = thing.page_url()
    return redirect(target)


def _thing_or_404(request: Request, kind: str, pk: int) -> Thing:
    if kind not in KINDS:
        raise Http404(_("No such page."))
    try:
        return access_thing(request.user, kind, pk)
    except NotFound as missing:
        raise Http404(_("No such page.")) from missing


@login_required
@require_POST
def attach(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    thing = _thing_or_404(request, kind, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an image or a file to attach."))
        return _back(request, thing)
    try:
        attachment = actions.check_attach(
            request.user, thing, name=upload.name or "", size=upload.size or 0, read=upload.read
        )
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        if attachment.is_image:
            text = _(
                "“%(name)s” is attached. To show it within the text, write ![%(name)s](%(ref)s)."
            )
        else:
            text = _(
                "“%(name)s” is attached. To link to it from the text, write [%(name)s](%(ref)s)."
            )
        messages.success(request, text % {"name": attachment.name, "ref": attachment.reference})
    return _back(request, thing)


def _act(request: AuthedRequest, pk: int, act: Callable[[Thing, Attachment], str]) -> HttpResponse:
    """Every button on an attachment: the action, then back to its thing with what it did,
    or with the core's reasons when it refuses (nothing changed)."""
    thing, attachment = _attachment_or_404(request, pk)
    try:
        done = act(thing, attachment)
    except Refused as refused:
        for text in refused.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return _back(request, thing)


@login_required
@require_POST
def remove(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(thing: Thing, attachment: Attachment) -> str:
        actions.check_remove(request.user, thing, attachment)
        return _("“%(name)s” is removed: readers no longer see it.") % {"name": attachment.name}

    return _act(request, pk, act)


@login_required
@require_POST
def hide(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(thing: Thing, attachment: Attachment) -> str:
        actions.check_hide(request.user, thing, attachment, reason=request.POST.get("reason", ""))
        return _(
            "“%(name)s” is hidden: only its uploader and the moderators see it now. Nothing "
            "was deleted."
        ) % {"name": attachment.name}

    return _act(request, pk, act)


@login_required
@require_POST
def show(request: AuthedRequest, pk: int) -> HttpResponse:
    def act(thing: Thing, attachment: Attachment) -> str:
        actions.check_show(request.user, thing, attachment)
        return _("“%(name)s” is shown again to everyone.") % {"name": attachment.name}

    return _act(request, pk, act)
