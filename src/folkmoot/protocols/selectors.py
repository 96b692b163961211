from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.federation.selectors import ancestors_of
from folkmoot.governance.amendment import AdoptedVersion, version_in_force
from folkmoot.governance.protocol import Protocol, load_protocol

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
    # Without the document (tens of kilobytes): the parsed version comes from the cache.
    versions = list(
        ProtocolVersion.objects.filter(assembly__in=[a.pk for a in chain])
        .select_related("adopted_by")
        .defer("document")
    )
    now = timezone.now()
    for candidate in chain:
        own = [v for v in versions if v.assembly_id == candidate.pk]
        chosen = version_in_force([AdoptedVersion(v.number, v.adopted_at) for v in own], now)
        if chosen is not None:
            version = next(v for v in own if v.number == chosen.number)
            return InForce(version, protocol_of_version(version.pk), candidate)
    return None


@lru_cache(maxsize=256)
def protocol_of_version(version_id: int) -> Protocol:
    """The parsed protocol of one stored version, read and parsed once per process (issue
    11): versions are append-only and never edited (PRO-1), so the primary key names one
    document for good, and nothing is re-read, re-hashed or re-parsed per request."""
    document = ProtocolVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return load_protocol(document)


@receiver(post_save, sender=ProtocolVersion)
@receiver(post_delete, sender=ProtocolVersion)
def _forget_parsed(**kwargs: Any) -> None:
    """Versions are never edited in service, but a key can come back after a rolled-back
    transaction (tests, a failed adoption) or a restored database: a written row forgets
    what was cached, whatever its key."""
    protocol_of_version.cache_clear()


def versions_of(assembly: Assembly) -> list[ProtocolVersion]:
    return list(assembly.protocol_versions.select_related("adopted_by").order_by("-number"))
