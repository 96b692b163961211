"""Chat under the protocol: who reads and writes comes from the core (FOR-1, SAN-6), for the
page, the API and the WebSocket alike. New messages are pushed to the room's group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from folkmoot.audit.log import record
from folkmoot.federation.actions import access_assembly
from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import Viewer, check_chat
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.reasons import Answer, Reason, combine, gettext_noop
from folkmoot.groups import send_to_group
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force
from folkmoot.refusals import NotFound, require

from .models import ChatMessage


@dataclass
class RoomContext:
    assembly: Assembly
    protocol: Protocol
    room: str
    viewer: Viewer

    def may(self, action: str) -> Answer:
        return check_chat(self.protocol, self.room, action, self.viewer, timezone.localdate())  # type: ignore[arg-type]


def room_context(user: Any, assembly: Assembly, room: str) -> RoomContext:
    in_force = protocol_in_force(assembly)
    if in_force is None or room not in in_force.protocol.chat_rooms:
        raise NotFound(room)
    return RoomContext(
        assembly, in_force.protocol, room, viewer_for(user, assembly, in_force.protocol)
    )


def readable_rooms(user: Any, assembly: Assembly, protocol: Protocol) -> list[tuple[str, Any]]:
    """The protocol's chat rooms this person may read now, to offer on the assembly's page
    (issue 12: a link to a room that only refuses is not offered). The reader's facts are
    read once for all rooms."""
    if not protocol.chat_rooms:
        return []
    viewer = viewer_for(user, assembly, protocol)
    today = timezone.localdate()
    return [
        (key, room)
        for key, room in protocol.chat_rooms.items()
        if check_chat(protocol, key, "read", viewer, today)
    ]


def access_room(user: Any, slug: str, room: str) -> RoomContext:
    """The room, if this person may read it now: the same question the page asks (a
    restricted assembly they no longer belong to is missing, a room they may not read is
    refused). The WebSocket asks it at connect and again before every delivered message."""
    ctx = room_context(user, access_assembly(user, slug), room)
    require(ctx.may("read"))
    return ctx


def group_name(assembly_id: int, room: str) -> str:
    return f"chat.{assembly_id}.{room}"


def check_post_message(ctx: RoomContext, user: Any, body: str) -> ChatMessage:
    body = body.strip()
    limit = ctx.protocol.chat_rooms[ctx.room].max_length
    length = (
        Answer.yes()
        if 0 < len(body) <= limit
        else Answer.no(
            Reason(
                "chat_length",
                gettext_noop("A message has 1 to %(limit)s characters."),
                {"limit": limit},
            )
        )
    )
    require(combine(ctx.may("write"), length))
    return do_post_message(assembly=ctx.assembly, room=ctx.room, author=user, body=body)


@transaction.atomic
def do_post_message(*, assembly: Assembly, room: str, author: Any, body: str) -> ChatMessage:
    message = ChatMessage.objects.create(assembly=assembly, room=room, author=author, body=body)
    if author is not None:
        record("chat.message", actor=author, assembly=assembly, subject=message, room=room)
    transaction.on_commit(lambda: broadcast(message))
    return message


def post_system_message(assembly: Assembly, text: str) -> list[ChatMessage]:
    """Announce something to every chat room of the assembly (sanctions, votes, elections)."""
    in_force = protocol_in_force(assembly)
    rooms = list(in_force.protocol.chat_rooms) if in_force else []
    return [do_post_message(assembly=assembly, room=room, author=None, body=text) for room in rooms]


def broadcast(message: ChatMessage) -> None:
    html = render_to_string("chat/_message.html", {"m": message})
    send_to_group(
        group_name(message.assembly_id, message.room),
        {"type": "chat.message", "html": html, "id": message.pk},
    )
