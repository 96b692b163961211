"""The shape of the federation (ASM-1, ASM-2): references and acyclic nesting."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .reasons import Answer, Reason, gettext_noop

REFERENCE_RE = re.compile(
    r"^(?P<prefix>[A-Z0-9]+)-ASSE-(?P<year>\d{4})-(?P<month>\d{2})-(?P<id>\d+)$"
)


def format_reference(prefix: str, created: date, assembly_id: int) -> str:
    """Decidim's reference for an assembly: `PREFIX-ASSE-YYYY-MM-ID` (ASM-1)."""
    return f"{prefix}-ASSE-{created:%Y-%m}-{assembly_id}"


@dataclass(frozen=True, slots=True)
class ParsedReference:
    prefix: str
    year: int
    month: int
    assembly_id: int


def parse_reference(text: str) -> ParsedReference | None:
    match = REFERENCE_RE.match(text.strip().upper())
    if not match:
        return None
    return ParsedReference(
        match["prefix"], int(match["year"]), int(match["month"]), int(match["id"])
    )


def would_create_cycle(edges: Mapping[int, Iterable[int]], source: int, target: int) -> bool:
    """Would the edge source → target close a cycle in the graph `edges` (node → nodes
    it points to)? True when target already reaches source, or they are the same node."""
    if source == target:
        return True
    seen: set[int] = set()
    stack = [target]
    while stack:
        node = stack.pop()
        if node == source:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return False


def check_parent(parents: Mapping[int, int | None], child: int, parent: int | None) -> Answer:
    """May `child` be nested under `parent`? `parents` maps each assembly to its parent."""
    if parent is None:
        return Answer.yes()
    edges = {node: [p] for node, p in parents.items() if p is not None}
    if would_create_cycle(edges, child, parent):
        return Answer.no(
            Reason(
                "nesting_cycle",
                gettext_noop(
                    "An assembly cannot be nested inside itself or one of its own descendants."
                ),
            )
        )
    return Answer.yes()


def check_umbrella(umbrellas: Mapping[int, Iterable[int]], member: int, umbrella: int) -> Answer:
    """May assembly `member` become a member of `umbrella` (ASM-2)? `umbrellas` maps each
    assembly to the umbrellas it already belongs to."""
    if would_create_cycle(umbrellas, member, umbrella):
        return Answer.no(
            Reason(
                "umbrella_cycle",
                gettext_noop(
                    "An assembly cannot be a member of itself, nor of an assembly that is "
                    "already one of its own members."
                ),
            )
        )
    return Answer.yes()
