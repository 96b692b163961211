"""Moots in calendars (issue 14): one moot as an iCalendar invitation, and the moots in the
assembly's feed and in a person's own feed (those they are coming to). A cancelled moot
stays in the feed marked cancelled, so calendar programs take it off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from icalendar import Event, vText

from folkmoot.governance.moots import may_see

from .actions import moot_context
from .models import Moot, Registration


def moot_event(moot: Moot, absolute: Callable[[str], str], *, prefix: bool = True) -> Event:
    event = Event()
    event.add("uid", f"moot-{moot.pk}@folkmoot")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", moot.starts_at)
    event.add("dtend", moot.ends_at)
    summary = f"{moot.assembly.title}: {moot.title}" if prefix else moot.title
    event.add("summary", vText(summary))  # escaped: titles may hold , ; and line breaks
    event.add("url", absolute(moot.get_absolute_url()))
    if moot.place or moot.online_link:
        event.add("location", vText(moot.place or moot.online_link))
    if moot.cancelled_at is not None:
        event.add("status", "CANCELLED")
    return event


def assembly_moots(user: Any, assembly: Any, now: datetime) -> list[Moot]:
    """The assembly's moots still to end that `user` may see (a private one only to those
    who may attend it)."""
    moots = list(
        Moot.objects.filter(assembly=assembly, ends_at__gt=now).select_related("assembly")[:100]
    )
    if any(m.private for m in moots):
        ctx = moot_context(user, assembly)
        today = timezone.localdate()
        moots = [m for m in moots if may_see(ctx.protocol, ctx.viewer, today, private=m.private)]
    return moots


def person_moots(person: Any, now: datetime) -> list[Moot]:
    """The moots a person said they are coming to, still to end."""
    coming = Registration.objects.filter(person=person).exclude(mode=Registration.Mode.REGRETS)
    return list(
        Moot.objects.filter(pk__in=coming.values("moot_id"), ends_at__gt=now)
        .select_related("assembly")
        .order_by("starts_at")[:100]
    )
