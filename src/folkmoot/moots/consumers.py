"""The live room over WebSockets (MEET-3, issue 14): every act in the room tells the moot's
group that the room changed, and each socket sends its person the room as they may see it
now, rendered with the page's own template and checks — so whoever loses the right to see
the moot (signed out, a private moot they may no longer attend) gets nothing more, and a
sanctioned person's controls change at once. Acting stays a plain form post (or the API):
the socket only shows."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.middleware import csrf
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.template.loader import render_to_string
from django.utils import timezone, translation

from folkmoot.chat.consumers import CLOSE_FORBIDDEN, session_user
from folkmoot.refusals import NotFound

from . import actions


def group_name(moot_id: int) -> str:
    return f"moot.{moot_id}"


def room_changed(moot_id: int) -> None:
    """Once the act is committed, every socket of the room re-reads it."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group_name(moot_id), {"type": "room.changed"})

    transaction.on_commit(send)


class MootRoomConsumer(WebsocketConsumer):
    def connect(self) -> None:
        self.moot_id = int(self.scope["url_route"]["kwargs"]["pk"])
        user = self.scope.get("user")
        try:
            actions.access_moot(user, self.moot_id)
        except NotFound:
            self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = getattr(user, "pk", None)
        self.group = group_name(self.moot_id)
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def room_changed(self, event: dict[str, Any]) -> None:
        user = session_user(self.scope)
        if getattr(user, "pk", None) != self.user_id:
            self.close(code=CLOSE_FORBIDDEN)  # signed out, or someone else signed in
            return
        try:
            ctx, moot = actions.access_moot(user, self.moot_id)
        except NotFound:
            self.close(code=CLOSE_FORBIDDEN)
            return
        from .room_views import room_context

        context = room_context(user, ctx, moot)
        cookies = self.scope.get("cookies", {})
        secret = str(cookies.get(settings.CSRF_COOKIE_NAME, ""))
        # The page's forms post as on the page, with the browser's own CSRF secret, masked
        # afresh for each frame as Django masks it in each response: the secret itself never
        # travels beside text others wrote.
        context["csrf_token"] = (
            csrf._mask_cipher_secret(secret)  # type: ignore[attr-defined]  # not in the stubs
            if len(secret) == CSRF_SECRET_LENGTH and secret.isalnum()
            else ""
        )
        # The page's language: the person's choice, else the language cookie, else the
        # site's (what LocaleMiddleware would have picked from them).
        chosen = getattr(user, "language", "") or str(
            cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
        )
        known = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in known else settings.LANGUAGE_CODE
        with translation.override(language), timezone.override(actions.zone_of(ctx)):
            html = render_to_string("moots/_room.html", context)
        # htmx's ws extension swaps it in out of band: the room's state, in place.
        self.send(text_data=f'<div id="room" hx-swap-oob="innerHTML">{html}</div>')
