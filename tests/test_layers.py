"""Issue 15, the house: imports run downhill (DESIGN.md "Rooms"). Who holds an office
(`offices.tenures`: taking office, resigning and passing the seat, seating the elected,
reading the holders) sits below how holders are elected (`offices.elections`) and below the
count that settles a vote (`decisions.settle`): elections and the count call down into
tenures, and tenures import neither. The count and the elections once imported each other
(inside functions, so Python never complained); these tests fail if that cycle comes back.

Imports are read from the source with `ast`, every one of them: at the top of a module,
inside a function (a lazy import is an import all the same) or under TYPE_CHECKING. A module
"reaches" another when a chain of such imports leads there."""

from __future__ import annotations

import ast
from collections import deque
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

SETTLE = "folkmoot.decisions.settle"
ELECTIONS = "folkmoot.offices.elections"
TENURES = "folkmoot.offices.tenures"


@cache
def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in (SRC / "folkmoot").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _known(name: str) -> str | None:
    """The project's module `name` names, or the nearest package holding it."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


@cache
def imports_of(module: str) -> frozenset[str]:
    """The project's modules that `module` imports anywhere in its text."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            named.add(source)
            # `from folkmoot.decisions import notify` imports the module `notify`.
            named.update(f"{source}.{alias.name}" for alias in node.names)
    found = {_known(name) for name in named if name.startswith("folkmoot")}
    return frozenset(m for m in found if m is not None and m != module)


def import_path(start: str, goal: str) -> list[str] | None:
    """The shortest chain of imports from `start` to `goal`, or None: it never gets there."""
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            chain = [here]
            while (before := came_from[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        for there in sorted(imports_of(here)):
            if there not in came_from:
                came_from[there] = here
                queue.append(there)
    return None


def test_the_reader_sees_imports_inside_functions() -> None:
    """Else the tests below would pass for want of looking: the elections' worker pass
    imports the count inside a function, and the count imports tenures at its top."""
    assert SETTLE in imports_of(ELECTIONS)
    assert TENURES in imports_of(SETTLE)
    assert TENURES in imports_of("folkmoot.decisions.electorate")  # a lazy one


def test_the_count_does_not_import_the_elections() -> None:
    """The elections import the count (their worker pass settles their votes); the count
    reaches holders through tenures only, by no chain of imports back to the elections."""
    assert ELECTIONS not in imports_of(SETTLE)
    chain = import_path(SETTLE, ELECTIONS)
    assert chain is None, " → ".join(chain)


def test_tenures_import_neither_the_elections_nor_the_count() -> None:
    """Who holds an office is read everywhere (every permission check, the offices page,
    moderation, the federation); it must not pull in how they were elected or counted. The
    decisions app hands the count down when Django starts (`DecisionsConfig.ready`)."""
    assert ELECTIONS not in imports_of(TENURES)
    assert SETTLE not in imports_of(TENURES)
    for above in (ELECTIONS, SETTLE):
        chain = import_path(TENURES, above)
        assert chain is None, " → ".join(chain)
