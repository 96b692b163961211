"""Which election fills an elected office next (OFF-1..3, issue 13): the calendar's next
election, or, while a seat is vacant, a by-election in the next weekly window when that
comes first. The offices page, the candidacies and the worker all ask here, so they agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from folkmoot.federation.models import Assembly
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.schedule import (
    Window,
    ballot_fixed_at,
    by_election_windows,
    election_window,
    previous_election_window,
)

from .models import Candidacy, Tenure


@dataclass(frozen=True)
class Elections:
    current: Window  # open now, else the next to open
    last: Window | None  # the latest closed by now
    by_election: bool  # `current` is a by-election for a vacant seat


def vacant_since(assembly: Assembly, key: str, seats: int, now: datetime) -> datetime | None:
    """When the office fell short of its seats (the last holder's leaving, or the assembly's
    founding for a seat never filled); None while every seat is held."""
    tenures = Tenure.objects.filter(office__assembly=assembly, office__slug=key)
    if tenures.in_office(now).count() >= seats:
        return None
    left = tenures.filter(ended_at__isnull=False).aggregate(at=Max("ended_at"))["at"]
    # An appointment that ran its term (not one ended earlier, whose `until` never came).
    lapsed = tenures.filter(until__lte=now, ended_at__isnull=True).aggregate(at=Max("until"))["at"]
    moments = [m for m in (left, lapsed) if m is not None]
    return max(moments) if moments else assembly.created_at


def _stood(assembly: Assembly, key: str, window: Window) -> bool:
    """Someone stands in this race, or its vote is made (a candidate who withdrew after the
    ballot was fixed does not undo the election)."""
    from folkmoot.decisions.models import Vote

    return (
        Candidacy.objects.filter(
            office__assembly=assembly,
            office__slug=key,
            election_opens_at=window.opens_at,
            withdrawn_at__isnull=True,
        ).exists()
        or Vote.objects.filter(
            office__assembly=assembly, office__slug=key, opens_at=window.opens_at
        ).exists()
    )


def _counting(assembly: Assembly, key: str, now: datetime) -> bool:
    """The office's last closed election awaits its count: a sealed one, while its
    guardians shuffle and decrypt (issue 16). Its winners are not seated yet, so the seats
    they will fill are not vacant: no by-election is prepared for them meanwhile. Only the
    last: one its guardians never counted holds back the by-elections until the next."""
    from folkmoot.decisions.models import Vote

    last = (
        Vote.objects.filter(office__assembly=assembly, office__slug=key, closes_at__lte=now)
        .order_by("-closes_at")
        .values("sealed_ballots", "result")
        .first()
    )
    return last is not None and bool(last["sealed_ballots"]) and last["result"] is None


def elections_of(
    assembly: Assembly, key: str, rule: OfficeRule, tz: str, now: datetime
) -> Elections | None:
    """None for an office without a calendar."""
    if rule.election is None:
        return None
    regular = election_window(rule.election, tz, now)
    last = previous_election_window(rule.election, tz, now)
    since = None if regular.is_open(now) else vacant_since(assembly, key, rule.seats, now)
    if since is not None and _counting(assembly, key, now):
        since = None
    if since is not None:
        by_last, by_next = by_election_windows(rule.election, tz, since, now)
        fixed = ballot_fixed_at(rule, by_next)  # its opening, or a sealed one's preparing
        if fixed <= now < by_next.closes_at and not _stood(assembly, key, by_next):
            # Nobody stood for this week's: it is not held, and the race is the next one's.
            _passed, by_next = by_election_windows(rule.election, tz, since, by_next.closes_at)
        if by_last is not None and by_last.opens_at > last.opens_at:
            last = by_last
        if by_next.opens_at < regular.opens_at:
            return Elections(by_next, last, True)
    return Elections(regular, last, False)
