"""The worker's pass over moots (issue 14): those coming to a moot that starts within a day
are reminded, once (again if it moves). Safe to run twice or on several workers: a notice is written once per
person and moot."""

from __future__ import annotations

from datetime import datetime, timedelta

from folkmoot.notifications.send import notify

from .actions import seats_of
from .models import Moot

AHEAD = timedelta(hours=24)


def remind(now: datetime) -> int:
    told = 0
    starting = Moot.objects.filter(
        cancelled_at__isnull=True, starts_at__gt=now, starts_at__lte=now + AHEAD
    ).select_related("assembly")
    for moot in starting[:500]:  # bounded: a pass is a minute; the next takes the rest
        told += notify(  # once per time it meets: a moot moved to another day reminds again
            "moot_reminder",
            seats_of(moot).seated,
            assembly=moot.assembly,
            subject=moot,
            occasion=f"at:{moot.starts_at.isoformat()}",
        )
    return told
