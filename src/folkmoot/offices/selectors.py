"""Offices as the protocol in force declares them (OFF-1, OFF-2), with who holds them now,
until when, the vacancies, and the election calendar — all computed from time when read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.schedule import Window, election_window, election_windows, term_end
from folkmoot.moderation.models import OfficeSuspension

from .models import Tenure
from .seating import seat_the_elected


@dataclass
class Holder:
    person: Any
    since: datetime
    term_ends: datetime | None
    suspended: bool


@dataclass
class OfficeRow:
    key: str
    rule: OfficeRule
    holders: list[Holder] = field(default_factory=list)
    election: Window | None = None

    @property
    def vacancies(self) -> int:
        return max(0, self.rule.seats - len(self.holders))

    @property
    def election_open(self) -> bool:
        return self.election is not None and self.election.is_open(timezone.now())


def offices_of(
    assembly: Assembly, protocol: Protocol, now: datetime | None = None
) -> list[OfficeRow]:
    """Three queries: the winners of a closed election take office first (one query finds
    none in the usual case, `seat_the_elected`), then current tenures and suspensions."""
    now = now or timezone.now()
    seat_the_elected(assembly, now)
    tenures = list(
        Tenure.objects.current()
        .filter(office__assembly=assembly)
        .select_related("holder", "office")
    )
    suspended = {
        (s.holder_id, s.office)
        for s in OfficeSuspension.objects.filter(assembly=assembly)
        if s.in_force(now)
    }
    rows = []
    for key, rule in protocol.offices.items():
        row = OfficeRow(key, rule)
        for t in tenures:
            if t.office.slug == key:
                row.holders.append(
                    Holder(
                        t.holder,
                        t.started_at,
                        term_end(rule, protocol.timezone, t.started_at),
                        (t.holder_id, key) in suspended,
                    )
                )
        if rule.election is not None:
            row.election = election_window(rule.election, protocol.timezone, now)
        rows.append(row)
    return rows


def upcoming_elections(
    protocol: Protocol, now: datetime, limit: int = 6
) -> list[tuple[str, OfficeRule, Window]]:
    """The next election windows of every elected office, soonest first (for feeds)."""
    out: list[tuple[str, OfficeRule, Window]] = []
    for key, rule in protocol.offices.items():
        if rule.election is not None:
            out.extend(
                (key, rule, w)
                for w in islice(election_windows(rule.election, protocol.timezone, now), limit)
            )
    return sorted(out, key=lambda item: item[2].opens_at)[: limit * max(1, len(protocol.offices))]
