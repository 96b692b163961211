from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from folkmoot.governance.protocol import Sanctions
from folkmoot.governance.sanctions import (
    EndorsementState,
    MisconductBar,
    endorsement_status,
    misconduct_bar,
)

from .models import OfficeMisconduct, Sanction
from .state import SanctionState, bounce_in_force, state_of


def sanctions_of(assembly: Any, person: Any) -> list[Sanction]:
    return list(
        Sanction.objects.filter(assembly=assembly)
        .filter(Q(person=person) | Q(imposed_by=person, level="off_protocol"))
        .prefetch_related("endorsements", "liftings")
        .order_by("imposed_at")
    )


def active_sanction(
    assembly: Any, person: Any, rules: Sanctions, now: datetime
) -> tuple[datetime, str] | None:
    """The sanction keeping this person from writing now (SAN-6), the one that ends last:
    their own sanctions in force, and the half of any off-protocol sanction they imposed
    that nobody backed (SAN-5). One query with its endorsements."""
    latest: tuple[datetime, str] | None = None
    for sanction in sanctions_of(assembly, person):
        if sanction.person_id == person.pk:
            state = state_of(rules, sanction, now)
            if state.in_force and (latest is None or state.ends_at > latest[0]):
                latest = (state.ends_at, sanction.reason)
        if sanction.imposed_by_id == person.pk:
            bounce = bounce_in_force(rules, sanction, now)
            if bounce is not None and (latest is None or bounce > latest[0]):
                latest = (bounce, sanction.reason)
    return latest


def public_list(assembly: Any, rules: Sanctions, now: datetime) -> list[SanctionState]:
    rows = (
        Sanction.objects.filter(assembly=assembly)
        .select_related("person", "imposed_by")
        .prefetch_related("endorsements", "liftings")
    )
    return [state_of(rules, s, now) for s in rows.order_by("-imposed_at")[:200]]


def prior_count(
    assembly: Any, person: Any, rules: Sanctions, now: datetime, *, moderation: bool
) -> int:
    """Earlier sanctions that count as repeats: lapsed ones do not (they were never backed)."""
    from folkmoot.governance.sanctions import EndorsementState

    rows = Sanction.objects.filter(assembly=assembly, person=person).prefetch_related(
        "endorsements", "liftings"
    )
    rows = (
        rows.filter(level="moderation")
        if moderation
        else rows.exclude(level__in=["moderation", "off_protocol"])
    )
    return sum(1 for s in rows if state_of(rules, s, now).state is not EndorsementState.LAPSED)


def misconduct_backing(
    rules: Sanctions | None, m: OfficeMisconduct, now: datetime
) -> tuple[EndorsementState, datetime | None]:
    """SAN-4 for a finding of misconduct: backed by the protocol's number of other holders of
    the sanction power within its window (RED15M art. 19: 2 within 48 hours), or it lapses."""
    if rules is None:
        return EndorsementState.NOT_NEEDED, None
    return endorsement_status(
        rules,
        needed=True,
        imposed_at=m.imposed_at,
        imposer=str(m.imposed_by_id),
        endorsers={str(e.endorser_id): e.endorsed_at for e in m.endorsements.all()},
        now=now,
    )


def standing_misconducts(
    assembly: Any, rules: Sanctions | None, now: datetime, **filters: Any
) -> list[OfficeMisconduct]:
    """Findings that have not lapsed (pending ones stand until they do, as sanctions do)."""
    rows = OfficeMisconduct.objects.filter(assembly=assembly, **filters).prefetch_related(
        "endorsements"
    )
    return [m for m in rows if misconduct_backing(rules, m, now)[0] is not EndorsementState.LAPSED]


def bars_of(assembly: Any, person: Any, rules: Sanctions | None) -> dict[str, list[MisconductBar]]:
    """The person's misconduct bars in this assembly, by office (two queries)."""
    if not getattr(person, "is_authenticated", False):
        return {}
    bars: dict[str, list[MisconductBar]] = {}
    for m in standing_misconducts(assembly, rules, timezone.now(), holder=person):
        bars.setdefault(m.office, []).append(
            misconduct_bar(serves_from=m.serves_from, duration=m.duration)
        )
    return bars
