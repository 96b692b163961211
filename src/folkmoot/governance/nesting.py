"""How deep and how big parsed documents may be (issue 10).

Parsers and validators recurse: a document of twenty thousand `[` would exhaust Python's stack
(a RecursionError, a 500), and a few YAML anchors can expand into billions of values. Both
the protocol loader and the tally file reader measure what they parsed here, without
recursion, and refuse it with a clear message instead."""

from __future__ import annotations

from typing import Any

# A protocol document is about ten levels deep and a ballot file three; these leave room.
MAX_DEPTH = 50
# Values visited, counting every use of a YAML anchor (the presets have a few thousand).
MAX_VALUES = 200_000


class TooNested(ValueError):
    """The document is deeper than MAX_DEPTH (`kind="depth"`) or holds more than MAX_VALUES
    values once anchors are expanded (`kind="size"`)."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(f"{kind} over {limit}")
        self.kind = kind
        self.limit = limit


def check_shape(
    data: Any, *, max_depth: int = MAX_DEPTH, max_values: int | None = MAX_VALUES
) -> None:
    """Walk the parsed data with an explicit stack. A structure that contains itself (YAML
    `&a [*a]`) is caught as too deep. `max_values=None` for formats without anchors, whose
    size is already bounded by the text."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if isinstance(value, dict):
            children: Any = [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set | frozenset):
            children = value
        else:
            continue
        if depth >= max_depth and children:
            raise TooNested("depth", max_depth)
        if max_values is not None and seen + len(stack) + len(children) > max_values:
            raise TooNested("size", max_values)
        stack.extend((child, depth + 1) for child in children)
