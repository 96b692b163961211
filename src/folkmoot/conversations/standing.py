"""The facts the sanction rule of private messages reads (SAN-6, FOR-6): the sanctions in
force on a person in any assembly, and for each, who hears an appeal there. Read when the
person writes, never stored: a sanction ends or is lifted by the clock alone."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.governance.audience import who
from folkmoot.governance.protocol import Audience
from folkmoot.moderation.selectors import active_sanction
from folkmoot.notifications.recipients import holders_with_power
from folkmoot.protocols.selectors import protocol_in_force

from .rules import Standing

POWER = "sanction"  # who may sanction hears the appeal (RED15M: coordinators)


def standings_of(user: Any) -> list[Standing]:
    """One query when no sanction names the person (nearly everyone); otherwise a few per
    assembly that sanctioned them, as the home page reads them (agenda.items)."""
    assemblies = Assembly.objects.filter(
        Q(sanctions__person=user) | Q(sanctions__imposed_by=user)
    ).distinct()
    now = timezone.now()
    out = []
    for assembly in assemblies:
        in_force = protocol_in_force(assembly)
        if in_force is None or in_force.protocol.sanctions is None:
            continue
        found = active_sanction(assembly, user, in_force.protocol.sanctions, now)
        if found is None:
            continue
        until, reason = found
        protocol = in_force.protocol
        offices = [f"office:{k}" for k, o in protocol.offices.items() if POWER in o.powers]
        out.append(
            Standing(
                assembly=str(assembly.title),
                until=until,
                reason=reason,
                hears_appeals=frozenset(p.pk for p in holders_with_power(assembly, POWER)),
                # A protocol that sanctions names who does (validated); "—" only if not.
                who=who(Audience(any_of=offices), protocol) if offices else "—",
            )
        )
    return out


def appeal_holders(assembly: Assembly) -> list[Any]:
    """Who a person sanctioned in `assembly` may write to: the holders of its sanctioning
    power now (suspended holders have no power, OFF-6)."""
    return holders_with_power(assembly, POWER)
