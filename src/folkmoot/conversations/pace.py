"""How fast one person may send private messages (FOR-6): at most
settings.PRIVATE_MESSAGES_PER_MINUTE in any sixty seconds (0: no limit), so that nobody
floods the people they write to. Asked by the actions (`check_start`, `check_send`), so the
pages and the API refuse alike; what the platform itself writes (`do_*`, the demo) is not
counted.

Counted in Django's cache, as sign-in limits are (ACCOUNT_RATE_LIMITS): the database cache
without Redis, so every worker shares it. Each message sent in the last minute holds one
of `limit` places, a cache key that expires sixty seconds after it was taken: a place is
taken with `cache.add`, which only one request can win, so two sends at once cannot both
take the last one. Only a message that is sent takes a place; a refused one (an empty text,
a block) takes none."""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from folkmoot.governance.reasons import Answer
from folkmoot.refusals import Refused

from . import rules

WINDOW = 60  # seconds


class TooFast(Refused):
    """A refusal that passes with time: the API answers 429 with Retry-After."""

    def __init__(self, answer: Answer, seconds: int) -> None:
        super().__init__(answer)
        self.seconds = seconds


def limit() -> int:
    return int(getattr(settings, "PRIVATE_MESSAGES_PER_MINUTE", 20))


def _places(user: Any, count: int) -> list[str]:
    return [f"folkmoot:private-messages:pace:{user.pk}:{i}" for i in range(count)]


def _refusal(taken: dict[str, Any], count: int, now: float) -> TooFast:
    """Every place is taken (`taken`: when each was): the first frees itself in `wait`."""
    oldest = min((float(t) for t in taken.values()), default=now)
    wait = max(math.ceil(oldest + WINDOW - now), 1)
    return TooFast(rules.check_pace(sent=count, limit=count, wait=wait), wait)


def check_pace(user: Any) -> Answer:
    """Whether `user` may send one more message now (one cache read); takes nothing."""
    count = limit()
    if count <= 0:
        return Answer.yes()
    taken = cache.get_many(_places(user, count))
    if len(taken) < count:
        return Answer.yes()
    return _refusal(taken, count, time.time()).answer


def take(user: Any) -> None:
    """Take a place for a message about to be sent; raises TooFast when none is free."""
    count = limit()
    if count <= 0:
        return
    now = time.time()
    places = _places(user, count)
    taken = cache.get_many(places)
    for place in places:
        if place not in taken and cache.add(place, now, timeout=WINDOW):
            return
    raise _refusal(cache.get_many(places), count, now)
