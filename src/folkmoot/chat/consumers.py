"""The chat over WebSockets: the same checks as the page and the API, asked again for every
message, so a sanction imposed while someone is connected stops them at once (SAN-6)."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import JsonWebsocketConsumer
from django.utils import translation

from folkmoot.federation.models import Assembly
from folkmoot.refusals import NotFound, Refused

from . import actions

CLOSE_FORBIDDEN = 4403


class ChatConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        user = self.scope.get("user")
        assembly = Assembly.objects.visible_to(user).filter(slug=kwargs["slug"]).first()
        try:
            if assembly is None:
                raise NotFound(kwargs["slug"])
            ctx = actions.room_context(user, assembly, kwargs["room"])
        except NotFound:
            self.close(code=CLOSE_FORBIDDEN)
            return
        if not ctx.may("read"):
            self.close(code=CLOSE_FORBIDDEN)
            return
        self.assembly, self.room = assembly, kwargs["room"]
        self.group = actions.group_name(assembly.pk, self.room)
        self.channel_layer_add()
        self.accept()

    def channel_layer_add(self) -> None:
        from asgiref.sync import async_to_sync

        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)

    def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            from asgiref.sync import async_to_sync

            async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive_json(self, content: Any, **kwargs: Any) -> None:
        user = self.scope.get("user")
        language = getattr(user, "language", "") or "en"
        with translation.override(language):
            try:
                ctx = actions.room_context(user, self.assembly, self.room)
                actions.check_post_message(
                    ctx, user, str(content.get("body", "")) if isinstance(content, dict) else ""
                )
            except Refused as refused:
                self.send_json({"type": "refused", "reasons": refused.messages})

    def chat_message(self, event: dict[str, Any]) -> None:
        # htmx's ws extension swaps incoming HTML out of band into the message list.
        self.send(text_data=f'<ol id="chat-messages" hx-swap-oob="beforeend">{event["html"]}</ol>')
