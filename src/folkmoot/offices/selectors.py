"""Offices as the protocol in force declares them (OFF-1, OFF-2), with who holds them now,
until when, the vacancies, and the election calendar — all computed from time when read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.governance.appointment import elected_here
from folkmoot.governance.protocol import Office as OfficeRule
from folkmoot.governance.protocol import Protocol
from folkmoot.governance.schedule import Window, ballot_fixed_at, election_windows, term_end
from folkmoot.moderation.models import OfficeSuspension

from .models import Tenure
from .tenures import seat_the_elected
from .windows import elections_of


@dataclass
class Holder:
    person: Any
    since: datetime
    term_ends: datetime | None
    suspended: bool
    tenure_id: int = 0
    appointed_by: Any = None  # who appointed them, for an appointed office


@dataclass
class OfficeRow:
    key: str
    rule: OfficeRule
    holders: list[Holder] = field(default_factory=list)
    election: Window | None = None
    elected: bool = True  # here: False where it is appointed (issue 13)
    by_election: bool = False  # `election` is a by-election for a vacant seat (OFF-3)

    @property
    def vacancies(self) -> int:
        return max(0, self.rule.seats - len(self.holders))

    @property
    def election_open(self) -> bool:
        return self.election is not None and self.election.is_open(timezone.now())

    @property
    def fixed_at(self) -> datetime | None:
        """When candidacies close: the opening, or a sealed election's preparing."""
        return ballot_fixed_at(self.rule, self.election) if self.election is not None else None

    @property
    def preparing(self) -> bool:
        """A sealed election's vote is prepared and not yet open (issue 16): its guardians
        make the key, voters register theirs, and its ballot is fixed."""
        if self.election is None:
            return False
        now = timezone.now()
        return ballot_fixed_at(self.rule, self.election) <= now < self.election.opens_at


@dataclass(frozen=True)
class PastHolder:
    name: str
    person_id: str | None  # None once the account is erased
    since: datetime
    until: datetime


PAST_SHOWN = 10  # per office: the record's latest; the audit log keeps every change


def past_holders(assembly: Assembly) -> dict[str, list[PastHolder]]:
    """Who held each office before, latest first (one query)."""
    out: dict[str, list[PastHolder]] = {}
    ended = (
        Tenure.objects.filter(office__assembly=assembly, ended_at__isnull=False)
        .select_related("holder", "office")
        .order_by("-ended_at")[: PAST_SHOWN * 20]
    )
    for t in ended:
        shown = out.setdefault(t.office.slug, [])
        if len(shown) < PAST_SHOWN and t.ended_at is not None:
            person_id = t.holder.public_id if t.holder.erased_at is None else None
            shown.append(PastHolder(t.holder_shown, person_id, t.started_at, t.ended_at))
    return out


def offices_of(
    assembly: Assembly, protocol: Protocol, now: datetime | None = None
) -> list[OfficeRow]:
    """Three queries: the winners of a closed election take office first (one query finds
    none in the usual case, `seat_the_elected`), then current tenures and suspensions."""
    now = now or timezone.now()
    seat_the_elected(assembly, now)
    tenures = list(
        Tenure.objects.in_office(now)
        .filter(office__assembly=assembly)
        .select_related("holder", "office", "appointed_by")
    )
    suspended = {
        (s.holder_id, s.office)
        for s in OfficeSuspension.objects.filter(assembly=assembly)
        if s.in_force(now)
    }
    rows = []
    for key, rule in protocol.offices.items():
        elected = elected_here(key, rule, secretary_elected=assembly.secretary_elected)
        row = OfficeRow(key, rule, elected=elected)
        for t in tenures:
            if t.office.slug == key:
                row.holders.append(
                    Holder(
                        t.holder,
                        t.started_at,
                        term_end(rule, protocol.timezone, t.started_at) if elected else t.until,
                        (t.holder_id, key) in suspended,
                        t.pk,
                        t.appointed_by,
                    )
                )
        # An office appointed here has no elections here, whatever the calendar says.
        if rule.election is not None and elected and assembly.closed_at is None:
            found = elections_of(assembly, key, rule, protocol.timezone, now)
            if found is not None:
                row.election, row.by_election = found.current, found.by_election
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
