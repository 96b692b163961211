"""Who is asked to act: the people whose office gives them the power, as the acting page
checks it (the protocol in force and each holder's facts, suspensions included)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import has_power
from folkmoot.offices.models import SECRETARY, Tenure
from folkmoot.protocols.facts import viewer_for
from folkmoot.protocols.selectors import protocol_in_force


def secretaries(assembly: Assembly) -> list[Any]:
    """MEM-2: who decides requests to join `assembly`."""
    return [
        t.holder
        for t in Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly, office__slug=SECRETARY)
        .select_related("holder")
    ]


def holders_with_power(assembly: Assembly, power: str) -> list[Any]:
    """The office holders of `assembly` who have `power` there now (a handful of people)."""
    in_force = protocol_in_force(assembly)
    if in_force is None:
        return []
    holders = {
        t.holder_id: t.holder
        for t in Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly)
        .select_related("holder")
    }
    return [
        person
        for person in holders.values()
        if has_power(in_force.protocol, viewer_for(person, assembly, in_force.protocol), power)
    ]


def holders_of(assembly: Assembly, office: str) -> list[Any]:
    """Who acts in `office` now: its holders, less those suspended from it (OFF-6)."""
    in_force = protocol_in_force(assembly)
    holders = [
        t.holder
        for t in Tenure.objects.in_office(timezone.now())
        .filter(office__assembly=assembly, office__slug=office)
        .select_related("holder")
    ]
    if in_force is None:
        return holders
    return [p for p in holders if office in viewer_for(p, assembly, in_force.protocol).offices]
