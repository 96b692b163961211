from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from folkmoot.federation.views import assembly_or_404
from folkmoot.http import Request
from folkmoot.refusals import NotFound, Refused, reasons_text

from . import actions
from .models import ChatMessage

PAGE = 50


def _ctx(request: Request, slug: str, room: str) -> actions.RoomContext:
    assembly = assembly_or_404(request, slug)
    try:
        return actions.room_context(request.user, assembly, room)
    except NotFound as missing:
        raise Http404(_("No such chat room.")) from missing


def room_page(request: Request, slug: str, room: str) -> HttpResponse:
    return _room(request, _ctx(request, slug, room), room)


def _room(
    request: Request,
    ctx: actions.RoomContext,
    room: str,
    *,
    draft: str = "",
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The room; `draft` and `errors`: a refused message, shown again with its reasons so
    nothing its author wrote is lost (issue 12)."""
    may_read = ctx.may("read")
    if not may_read:
        return render(
            request,
            "forums/refused.html",
            {"assembly": ctx.assembly, "reasons": reasons_text(may_read)},
            status=403,
        )
    recent = list(
        ChatMessage.objects.filter(assembly=ctx.assembly, room=room)
        .select_related("author")
        .order_by("-id")[:PAGE]
    )[::-1]
    if request.htmx:
        # The polling fallback: the latest messages, replacing the list (so messages that
        # also arrived over the WebSocket are never shown twice).
        return render(request, "chat/_messages.html", {"chat_messages": recent})
    may_write = ctx.may("write")
    spec = ctx.protocol.chat_rooms[room]
    return render(
        request,
        "chat/room.html",
        {
            "assembly": ctx.assembly,
            "room": room,
            "name": spec.name.get(get_language() or "en"),
            "chat_messages": recent,
            "may_write": may_write.allowed,
            "write_reasons": reasons_text(may_write),
            "max_length": spec.max_length,
            "htmx_extensions": "hx-ws",  # live updates; the page works without them
            "draft": draft,
            "errors": errors or [],
        },
        status=status,
    )


@login_required
@require_POST
def room_post(request: Request, slug: str, room: str) -> HttpResponse:
    ctx = _ctx(request, slug, room)
    body = request.POST.get("body", "")
    try:
        actions.check_post_message(ctx, request.user, body)
    except Refused as refused:
        return _room(request, ctx, room, draft=body, errors=refused.messages, status=400)
    return redirect("chat-room", slug, room)
