"""The chat over WebSockets: the same checks as the page and the API, asked again for every
message, so a sanction imposed while someone is connected stops them at once (SAN-6).

Reading is asked again too, before every delivered message (issue 10): a person who signs
out, changes their password elsewhere, leaves a restricted assembly or otherwise loses the
right to read the room receives nothing more, and their socket is closed."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import translation

from folkmoot.refusals import NotFound, Refused

from . import actions
from .models import ChatMessage

CLOSE_FORBIDDEN = 4403


def session_user(scope: dict[str, Any]) -> Any:
    """Who the socket's session belongs to now, read afresh from the session store: the
    copy in the scope was loaded at connect and would outlive a sign-out. Django's own
    check applies, so a password changed since then ends the session here too."""
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    if not key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return auth.get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]


class ChatConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        user = self.scope.get("user")
        try:
            ctx = actions.access_room(user, kwargs["slug"], kwargs["room"])
        except (NotFound, Refused):
            self.close(code=CLOSE_FORBIDDEN)
            return
        self.slug, self.assembly, self.room = kwargs["slug"], ctx.assembly, kwargs["room"]
        self.user_id = getattr(user, "pk", None)
        self.group = actions.group_name(ctx.assembly.pk, self.room)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def current_reader(self) -> Any | None:
        """The connected person if they may still read the room, else None. Costs a session
        read and the page's own permission check, once per delivered message."""
        user = session_user(self.scope)
        if getattr(user, "pk", None) != self.user_id:
            return None  # signed out, or someone else signed in on that browser
        try:
            ctx = actions.access_room(user, self.slug, self.room)
        except (NotFound, Refused):
            return None
        # Fresh each time: an assembly closed while the socket is open is read-only at once.
        self.assembly = ctx.assembly
        return user

    def shut(self) -> None:
        # Leave the group first, so nothing more is queued for this socket.
        async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)
        self.close(code=CLOSE_FORBIDDEN)

    def receive_json(self, content: Any, **kwargs: Any) -> None:
        user = self.current_reader()
        if user is None:
            self.shut()
            return
        language = getattr(user, "language", "") or "en"
        with translation.override(language):
            body = str(content.get("body", "")) if isinstance(content, dict) else ""
            ctx = None
            try:
                ctx = actions.room_context(user, self.assembly, self.room)
                actions.check_post_message(ctx, user, body)
            except Refused as refused:
                # The page emptied the field when it sent: put the text back with the reasons
                # (swapped in by id), so nothing written is lost (issue 12).
                context = {
                    "errors": refused.messages,
                    "draft": body,
                    "max_length": ctx.protocol.chat_rooms[self.room].max_length
                    if ctx
                    else ChatMessage._meta.get_field("body").max_length,
                    "oob": True,
                }
                self.send(
                    text_data=render_to_string("chat/_refused.html", context)
                    + render_to_string("chat/_body.html", context)
                )
                return

    def chat_message(self, event: dict[str, Any]) -> None:
        if self.current_reader() is None:
            self.shut()
            return
        # htmx's ws extension swaps incoming HTML out of band into the message list.
        self.send(text_data=f'<ol id="chat-messages" hx-swap-oob="beforeend">{event["html"]}</ol>')
