"""The electorate of a vote, fixed when it opens (VOTE-5, VOTE-10): everyone the core lets
vote at that moment, with the day their membership began (the seniority elections ask)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.federation.selectors import members_of
from folkmoot.governance.audience import Viewer
from folkmoot.governance.protocol import Audience, Protocol
from folkmoot.governance.reasons import Answer
from folkmoot.offices.models import Tenure
from folkmoot.protocols.facts import viewers_without_sanctions

BATCH = 1_000


def _pool(assembly: Assembly, audience: Audience) -> list[Any]:
    """Who could be in the audience: everyone for platform-wide audiences, else the
    assembly's members, participants and office holders."""
    users = get_user_model()
    if {"platform", "anonymous"} & set(audience.any_of):
        return list(users.objects.filter(is_active=True).order_by("pk"))
    people = {m.user.pk: m.user for m in members_of(assembly)}
    if any(term.startswith(("office:", "group:")) for term in audience.any_of):
        from folkmoot.offices.tenures import seat_the_elected

        seat_the_elected(assembly)  # office holders elected at a close already count
    for tenure in (
        Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly)
        .select_related("holder")
    ):
        people.setdefault(tenure.holder.pk, tenure.holder)
    return [people[k] for k in sorted(people)]


def electorate(
    assembly: Assembly,
    protocol: Protocol,
    audience: Audience,
    allowed: Callable[[Viewer], Answer],
) -> list[tuple[Any, Any]]:
    """(person, member since) for everyone `allowed` accepts now. A sanction does not take
    anyone out of the electorate: it only stops them acting while it lasts (checked when
    they cast, SAN-6)."""
    today = timezone.localdate()
    out = []
    pool = _pool(assembly, audience)
    viewers: dict[Any, Viewer] = {}
    for start in range(0, len(pool), BATCH):  # a few queries per thousand people
        viewers.update(viewers_without_sanctions(pool[start : start + BATCH], assembly))
    for person in pool:
        viewer = viewers[person.pk]
        if allowed(viewer):
            since = (
                today - timedelta(days=viewer.seniority_days)
                if viewer.seniority_days is not None
                else None
            )
            out.append((person, since))
    return out
