"""The home page's agenda, kept per person and language (issue 11).

Reading an agenda afresh takes its fifteen sources, about thirty queries and most of the
home page's time; it changes far less often than it is read. A kept agenda is used again
while all three of these hold, and made afresh otherwise:
- nothing that many agendas read has been written since (agenda.changes: one token, renewed
  by the database connection on every such write, read here with the kept agenda in one
  round trip to the cache);
- the person's own counts are unchanged: their votes cast, consensus responses, proposal
  notices and voting keys (read in the header's own query, so they cost no query of their
  own);
- the clock has not reached the agenda's `changes_at` (a vote opens or closes, a deadline
  comes within a day, a term's notice begins, an appointment lapses, a suspension from an
  office begins or ends), nor its age MAX_AGE: a safety net for a rule
  of time the sources do not name, such as a launch allowed from a given day.
The unread counts per assembly are read on every visit, never kept."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from folkmoot.accounts.models import User
from folkmoot.decisions.models import ConsensusResponse, Participation
from folkmoot.notifications.models import Notification
from folkmoot.notifications.reading import count_of, header_row, keep_counts
from folkmoot.sealed.models import VoterKey
from folkmoot.statements import Statement

from . import changes
from .items import Agenda, lasting_agenda, with_unread

MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class _Kept:
    token: str
    mine: tuple[int, ...]
    until: datetime
    agenda: Agenda
    shown: str  # what `show` made of the agenda (the home page's list), "" without one


def _mine(_variant: None, *, person: int) -> Any:
    """The header's counts and the person's own: what only their agenda reads."""
    return header_row(
        person,
        votes_cast=count_of(Participation.objects.filter(person_id=person)),
        responses=count_of(ConsensusResponse.objects.filter(person_id=person)),
        asked=count_of(
            Notification.objects.filter(user_id=person, kind__in=("consensus", "office_action"))
        ),
        keys=count_of(VoterKey.objects.filter(person_id=person)),
    )


_MINE = Statement(User, _mine, person=int)


def agenda_for(request: HttpRequest, now: datetime | None = None) -> Agenda:
    """The signed-in person's agenda, kept or made afresh; also sets the header's counts."""
    return kept_agenda(request, now)[0]


def kept_agenda(
    request: HttpRequest,
    now: datetime | None = None,
    show: Callable[[Agenda], str] | None = None,
) -> tuple[Agenda, str]:
    """The agenda, and what `show` makes of it (the home page's rendered list), kept with
    it: in the person's language and time zone, as long as the agenda is."""
    user: Any = request.user
    now = now or timezone.now()
    zone = timezone.get_current_timezone_name()
    key = f"folkmoot:agenda:{user.pk}:{get_language() or 'en'}:{zone}:{show is not None}"
    token, kept = changes.AGENDAS.read(key)
    notes, messages, *mine = _MINE.run(person=user.pk)[0]
    keep_counts(request, notes, messages)
    if (
        isinstance(kept, _Kept)
        and kept.token == token
        and kept.mine == tuple(mine)
        and now < kept.until
    ):
        agenda, shown = kept.agenda, kept.shown
    else:
        # The token and the counts were read before the agenda: a write that lands while it
        # is being read renews them, and what is kept here is not used again.
        agenda = lasting_agenda(user, now)
        shown = show(agenda) if show is not None else ""
        until = min(agenda.changes_at or now + MAX_AGE, now + MAX_AGE)
        seconds = math.ceil((until - now).total_seconds())
        if seconds > 0:
            cache.set(key, _Kept(token, tuple(mine), until, agenda, shown), seconds)
    with_unread(agenda, user)
    return agenda, shown
