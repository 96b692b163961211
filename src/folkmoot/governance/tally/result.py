"""What a count returns: winners, or a tie that only a lot could break, and every step on
the way (BEY-3), as data for charts and as sentences in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from folkmoot.governance.reasons import Reason


def plain(value: Any) -> Any:
    """JSON-friendly numbers: exact fractions as "p/q" strings, numpy scalars as ints."""
    if isinstance(value, Fraction):
        return (
            value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        )
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass
class Step:
    """One step of a count: what was measured (`values` per candidate), what it decided."""

    kind: str
    explanation: Reason
    values: dict[str, Any] = field(default_factory=dict)
    advance: list[str] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)

    def as_dict(self, translate: Any = None, language: str = "en") -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.explanation.render(translate, language),
            "values": plain(self.values),
            "advance": self.advance,
            "tied": self.tied,
        }


@dataclass
class Round:
    title: Reason
    steps: list[Step] = field(default_factory=list)
    winner: str | None = None

    def as_dict(self, translate: Any = None, language: str = "en") -> dict[str, Any]:
        return {
            "title": self.title.render(translate, language),
            "winner": self.winner,
            "steps": [s.as_dict(translate, language) for s in self.steps],
        }


@dataclass
class Tie:
    """A tie only a lot could break: who is tied, how many of them are needed, and where."""

    candidates: list[str]
    needed: int
    stage: str


@dataclass
class Result:
    method: str
    candidates: list[str]
    winners: list[str]
    rounds: list[Round]
    tie: Tie | None = None
    ballots: int = 0
    lot_seed: str | None = None
    lot_order: list[str] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, translate: Any = None, language: str = "en") -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "candidates": self.candidates,
            "ballots": self.ballots,
            "winners": self.winners,
            "rounds": [r.as_dict(translate, language) for r in self.rounds],
        }
        if self.tie is not None:
            data["tie"] = {
                "candidates": self.tie.candidates,
                "needed": self.tie.needed,
                "stage": self.tie.stage,
            }
        if self.lot_seed is not None:
            data["lot"] = {"seed": self.lot_seed, "order": self.lot_order}
        if self.details:
            data["details"] = plain(self.details)
        return data


class Unbreakable(Exception):
    """Raised inside a count when `tiebreak="none"` meets a tie only a lot could break."""

    def __init__(self, tie: Tie) -> None:
        super().__init__(tie)
        self.tie = tie
