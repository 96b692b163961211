from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from folkmoot.federation.models import Assembly
from folkmoot.federation.selectors import ancestors_of
from folkmoot.governance.amendment import AdoptedVersion, version_in_force
from folkmoot.governance.protocol import Protocol, load_protocol
from folkmoot.statements import Ids, Statement

from .models import ProtocolVersion


@dataclass
class InForce:
    version: ProtocolVersion
    protocol: Protocol
    source: Assembly  # the assembly that adopted it: this one, or the nearest ancestor

    def inherited_for(self, assembly: Assembly) -> bool:
        return self.source.pk != assembly.pk


def _versions(_variant: None, *, ids: list[int]) -> Any:
    # Without the document (tens of kilobytes): the parsed version comes from the cache.
    return (
        ProtocolVersion.objects.filter(assembly__in=ids)
        .select_related("adopted_by")
        .defer("document")
    )


_DEPTH = 8
_VERSIONS = Statement(ProtocolVersion, _versions, ids=Ids(_DEPTH))


def protocol_in_force(
    assembly: Assembly, *, ancestors: list[Assembly] | None = None
) -> InForce | None:
    """The assembly's own newest adopted version (PRO-3) or, when it has adopted none, the one
    in force in its nearest ancestor: the fractal default. Two queries whatever the depth."""
    chain = [assembly, *reversed(ancestors if ancestors is not None else ancestors_of(assembly))]
    ids = [a.pk for a in chain]
    # Every page of an assembly asks it: compiled once (issue 11), for any depth up to 8.
    versions = _VERSIONS.run(ids=ids) if len(ids) <= _DEPTH else list(_versions(None, ids=ids))
    now = timezone.now()
    for candidate in chain:
        own = [v for v in versions if v.assembly_id == candidate.pk]
        chosen = version_in_force([AdoptedVersion(v.number, v.adopted_at) for v in own], now)
        if chosen is not None:
            version = next(v for v in own if v.number == chosen.number)
            return InForce(version, protocol_of_version(version.pk), candidate)
    return None


class InForceByAssembly:
    """The protocol in force of each assembly, read once each: for a page or a worker pass
    that looks at many items in few assemblies (the home page, the notifications' watch)."""

    def __init__(self) -> None:
        self._found: dict[int, Protocol | None] = {}

    def __call__(self, assembly: Assembly) -> Protocol | None:
        if assembly.pk not in self._found:
            found = protocol_in_force(assembly)
            self._found[assembly.pk] = found.protocol if found is not None else None
        return self._found[assembly.pk]


class _ParsedVersions:
    """The parsed protocol of each stored version, read and parsed once per process (issue
    11): versions are append-only and never edited (PRO-1), so a primary key names one
    document for good, and nothing is re-read, re-hashed or re-parsed per request. A caller
    that has read the document already passes it, and nothing is read twice."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.parsed: dict[int, Protocol] = {}

    def __call__(self, version_id: int, document: str | None = None) -> Protocol:
        found = self.parsed.get(version_id)
        if found is None:
            if document is None:
                document = ProtocolVersion.objects.values_list("document", flat=True).get(
                    pk=version_id
                )
            found = load_protocol(document)
            if len(self.parsed) >= self.size:  # the oldest goes: a handful are ever in use
                self.parsed.pop(next(iter(self.parsed)))
            self.parsed[version_id] = found
        return found

    def cache_clear(self) -> None:
        self.parsed.clear()


protocol_of_version = _ParsedVersions(size=256)


@receiver(post_save, sender=ProtocolVersion)
@receiver(post_delete, sender=ProtocolVersion)
def _forget_parsed(**kwargs: Any) -> None:
    """Versions are never edited in service, but a key can come back after a rolled-back
    transaction (tests, a failed adoption) or a restored database: a written row forgets
    what was cached, whatever its key."""
    protocol_of_version.cache_clear()


def versions_of(assembly: Assembly) -> list[ProtocolVersion]:
    return list(assembly.protocol_versions.select_related("adopted_by").order_by("-number"))
