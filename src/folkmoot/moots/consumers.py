"""The live room over WebSockets (MEET-3, issue 14): every act in the room tells the moot's
group that the room changed, and each socket sends its person the room as they may see it
now, rendered with the page's own template and checks — so whoever loses the right to see
the moot (signed out, a private moot they may no longer attend) gets nothing more, and a
sanctioned person's controls change at once. Acting stays a plain form post (or the API):
the socket only shows.

With hundreds in the room, each act would otherwise read and render the same room hundreds
of times. So the room's common state is read once per act in each server process (the
event carries the act's id), and the page is rendered once per set of controls (most people
have the same ones) and language; only each person's permission check, which must be
asked afresh, and their CSRF token stay theirs (bench/moot_room.py measures it)."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import WebsocketConsumer
from django.conf import settings
from django.db import transaction
from django.middleware import csrf
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.template.loader import render_to_string
from django.utils import timezone, translation

from folkmoot.chat.consumers import CLOSE_FORBIDDEN, session_user
from folkmoot.groups import send_to_group
from folkmoot.refusals import NotFound

from . import actions


def group_name(moot_id: int) -> str:
    return f"moot.{moot_id}"


def room_event() -> dict[str, str]:
    return {"type": "room.changed", "act": uuid.uuid4().hex}


def room_changed(moot_id: int) -> None:
    """Once the act is committed, every socket of the room re-reads it."""

    transaction.on_commit(lambda: send_to_group(group_name(moot_id), room_event()))


@dataclass
class _Act:
    """One act's room, shared by the sockets of this process."""

    act: str
    shared: dict[str, Any]
    pages: dict[tuple[Any, ...], str] = field(default_factory=dict)


# moot id -> its latest act here. The sync consumers of a process share a thread, but the
# lock keeps it right wherever they run.
_acts: dict[int, _Act] = {}
_acts_lock = threading.Lock()
# Stands for the person's CSRF token in a page shared by several people: random for each
# process, so no text anyone writes can contain it.
_TOKEN_MARK = secrets.token_hex(20)


_KEPT = 64  # moots whose latest act is kept: those meeting now


def _act_of(moot_id: int, act: str, build: Any) -> _Act:
    with _acts_lock:
        found = _acts.pop(moot_id, None)
        if found is None or found.act != act or not act:
            found = _Act(act, build())
        _acts[moot_id] = found  # the most recent last
        while len(_acts) > _KEPT:
            del _acts[next(iter(_acts))]
        return found


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
            # Asked afresh for each person and each act: a sanction or a lost right to see
            # a private moot takes effect at once.
            ctx, _moot = actions.access_moot(user, self.moot_id)
        except NotFound:
            self.close(code=CLOSE_FORBIDDEN)
            return
        from .room_views import personal_room, shared_room

        act = _act_of(self.moot_id, str(event.get("act", "")), lambda: shared_room(ctx, _moot))
        personal = personal_room(user, ctx, act.shared)
        cookies = self.scope.get("cookies", {})
        # The page's language: the person's choice, else the language cookie, else the
        # site's (what LocaleMiddleware would have picked from them).
        chosen = getattr(user, "language", "") or str(
            cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
        )
        known = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in known else settings.LANGUAGE_CODE
        # Those who take attendance see whom to mark: their page is theirs alone.
        shareable = not personal["not_yet_present"]
        key = (language, *sorted((k, v) for k, v in personal.items() if k != "not_yet_present"))
        page = act.pages.get(key) if shareable else None
        if page is None:
            context = {**act.shared, **personal, "csrf_token": _TOKEN_MARK}
            with translation.override(language), timezone.override(actions.zone_of(ctx)):
                page = render_to_string("moots/_room.html", context)
            if shareable:
                act.pages[key] = page
        secret = str(cookies.get(settings.CSRF_COOKIE_NAME, ""))
        # The page's forms post as on the page, with the browser's own CSRF secret, masked
        # afresh for each frame as Django masks it in each response: the secret itself never
        # travels beside text others wrote.
        token = (
            csrf._mask_cipher_secret(secret)  # type: ignore[attr-defined]  # not in the stubs
            if len(secret) == CSRF_SECRET_LENGTH and secret.isalnum()
            else ""
        )
        html = page.replace(_TOKEN_MARK, token)
        # htmx's ws extension swaps it in out of band: the room's state, in place.
        self.send(text_data=f'<div id="room" hx-swap-oob="innerHTML">{html}</div>')
