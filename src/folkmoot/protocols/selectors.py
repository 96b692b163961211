from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.federation.selectors import ancestors_of
from folkmoot.governance.amendment import AdoptedVersion, version_in_force
from folkmoot.governance.protocol import Protocol

from .loading import parsed
from .models import ProtocolVersion


@dataclass
class InForce:
    version: ProtocolVersion
    protocol: Protocol
    source: Assembly  # the assembly that adopted it: this one, or the nearest ancestor

    def inherited_for(self, assembly: Assembly) -> bool:
        return self.source.pk != assembly.pk


def protocol_in_force(
    assembly: Assembly, *, ancestors: list[Assembly] | None = None
) -> InForce | None:
    """The assembly's own newest adopted version (PRO-3) or, when it has adopted none, the one
    in force in its nearest ancestor: the fractal default. Two queries whatever the depth."""
    chain = [assembly, *reversed(ancestors if ancestors is not None else ancestors_of(assembly))]
    versions = list(
        ProtocolVersion.objects.filter(assembly__in=[a.pk for a in chain]).select_related(
            "adopted_by"
        )
    )
    now = timezone.now()
    for candidate in chain:
        own = [v for v in versions if v.assembly_id == candidate.pk]
        chosen = version_in_force([AdoptedVersion(v.number, v.adopted_at) for v in own], now)
        if chosen is not None:
            version = next(v for v in own if v.number == chosen.number)
            return InForce(version, parsed(version), candidate)
    return None


def versions_of(assembly: Assembly) -> list[ProtocolVersion]:
    return list(assembly.protocol_versions.select_related("adopted_by").order_by("-number"))
