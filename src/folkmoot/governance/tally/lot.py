"""The lot (VOTE-12: "the tie-breaking protocol is fixed in advance and published"): a
deterministic draw from a seed fixed before the count — for a platform vote, its public
seed published at launch; for `folkmoot tally`, `--seed` or a digest of the candidate
list. Each candidate's place is SHA-256(seed, name); lower goes first. Anyone can redo it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def default_seed(candidates: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(candidates).encode()).hexdigest()[:16]


def lot_order(seed: str, candidates: Sequence[str]) -> list[str]:
    return sorted(
        candidates, key=lambda name: (hashlib.sha256(f"{seed}\n{name}".encode()).hexdigest(), name)
    )


def draw(seed: str, tied: Sequence[str], needed: int) -> list[str]:
    """The `needed` candidates among `tied` who come first in the published order."""
    return lot_order(seed, tied)[:needed]
