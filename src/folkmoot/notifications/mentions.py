"""Mentions in posts: `@[Display Name]`, or `@Name` for a one-word name, notify that member of
the assembly (once per post; never the author)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from folkmoot.federation.selectors import members_of

from .send import notify

MENTION = re.compile(r"@\[([^\]\n]{1,80})\]|(?<![\w@])@([\w.-]{2,40})")


def mentioned_names(body: str) -> set[str]:
    names = set()
    for bracketed, word in MENTION.findall(body):
        names.add((bracketed or word).strip().casefold())
    return names


def notify_mentions(post: Any) -> int:
    names = mentioned_names(post.body)
    if not names:
        return 0
    query = Q()
    for name in names:
        query |= Q(user__display_name__iexact=name)
    people = {
        m.user
        for m in members_of(post.thread.assembly).filter(query)
        if m.user_id != post.author_id
    }
    from folkmoot.forums.actions import readers

    return notify(
        "mention",
        readers(post.thread, sorted(people, key=lambda p: p.pk)),
        actor=post.author,
        post=post,
        assembly=post.thread.assembly_id,
    )
